"""What a generation will cost before anything billable is sent.

Per shot: the seconds the model will actually render (its nearest allowed duration) times the route's
per-second price, the audio price when the shot asks for sound, a per-resolution price where the
provider charges by resolution. When no price is known the estimate says so (``usd is None``) instead of
guessing; the local animatic costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from shotplanner.core.catalog import Catalog
from shotplanner.core.catalog_schema import ModelSpec, Route
from shotplanner.core.models import LOCAL_PROVIDER, Project, Scene, Shot
from shotplanner.core.recommend import character_usage, recommend
from shotplanner.core.validation import nearest_duration


@dataclass(frozen=True, slots=True)
class CostEstimate:
    usd: float | None  # None: no known price
    per_second: float | None
    source: str
    note: str = ""
    seconds: float = 0.0  # what will be billed
    model_id: str = ""
    provider: str = ""

    @property
    def known(self) -> bool:
        return self.usd is not None

    def text(self) -> str:
        return f"${self.usd:,.2f}" if self.usd is not None else "price unknown"


@dataclass(frozen=True, slots=True)
class BatchEstimate:
    known_usd: float
    unknown: int  # shots with no known price (or no model)
    estimates: list[CostEstimate] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.unknown == 0

    def text(self) -> str:
        total = f"${self.known_usd:,.2f}"
        if self.unknown:
            plural = "s" if self.unknown != 1 else ""
            return f"{total} + {self.unknown} shot{plural} with no known price"
        return total


def estimate_shot(shot: Shot, model: ModelSpec, route: Route | None = None) -> CostEstimate:
    route = route or (model.routes[0] if model.routes else None)
    seconds = nearest_duration(model, shot.duration_s, shot.resolution) if shot.duration_s > 0 else 0.0
    if route is None:
        return CostEstimate(None, None, "", f"{model.name} has no route to a provider", seconds, model.id)
    if route.provider == LOCAL_PROVIDER:
        return CostEstimate(
            0.0,
            0.0,
            route.price_source or "local",
            "rendered on this computer",
            seconds,
            model.id,
            route.provider,
        )
    wants_audio = shot.audio and model.audio != "none"
    per_second: float | None = None
    note = ""
    by_res = route.price_per_second_by_resolution.get(shot.resolution)
    if wants_audio and route.price_per_second_audio is not None:
        per_second = route.price_per_second_audio
        note = "with sound"
        if by_res is not None and route.price_per_second:
            # Scale the audio price by the same factor the resolution changes the silent one.
            per_second = per_second * by_res / route.price_per_second
    elif by_res is not None:
        per_second = by_res
        note = f"at {shot.resolution}"
    else:
        per_second = route.price_per_second
        if wants_audio and per_second is not None and model.audio == "optional":
            note = "sound included in the price (no separate audio price published)"
    source = route.price_source + (f" ({route.price_date.isoformat()})" if route.price_date else "")
    if per_second is None:
        return CostEstimate(
            None,
            None,
            source,
            f"no published price for {model.name} on {route.provider}",
            seconds,
            model.id,
            route.provider,
        )
    return CostEstimate(
        round(per_second * seconds, 4), per_second, source, note, seconds, model.id, route.provider
    )


def estimate_batch(shots_with_models: Iterable[tuple[Shot, ModelSpec | None]]) -> BatchEstimate:
    estimates: list[CostEstimate] = []
    known = 0.0
    unknown = 0
    for shot, model in shots_with_models:
        if model is None:
            unknown += 1
            estimates.append(CostEstimate(None, None, "", "no model can make this shot"))
            continue
        estimate = estimate_shot(shot, model)
        estimates.append(estimate)
        if estimate.usd is None:
            unknown += 1
        else:
            known += estimate.usd
    return BatchEstimate(round(known, 4), unknown, estimates)


def estimate_total(shots_with_models: Iterable[tuple[Shot, ModelSpec | None]]) -> float:
    """The known part of a batch's cost (see ``estimate_batch`` for how many shots have no price)."""
    return estimate_batch(shots_with_models).known_usd


def _model_for(shot: Shot, project: Project, catalog: Catalog, usage: dict[str, int]) -> ModelSpec | None:
    if shot.model_id:
        chosen = catalog.find(shot.model_id)
        if chosen is not None:
            return chosen
    best = recommend(shot, project, catalog, usage=usage).best
    return best.model if best else None


def estimate_scene(scene: Scene, project: Project, catalog: Catalog) -> BatchEstimate:
    """The scene's shots, each with the user's chosen model or else the recommended one."""
    usage = character_usage(project)
    return estimate_batch((shot, _model_for(shot, project, catalog, usage)) for shot in scene.shots)


def estimate_project(project: Project, catalog: Catalog) -> dict[str, BatchEstimate]:
    """Per scene id, plus the whole film under the key ``"total"``."""
    usage = character_usage(project)
    per_scene: dict[str, BatchEstimate] = {}
    for scene in project.scenes:
        per_scene[scene.id] = estimate_batch(
            (shot, _model_for(shot, project, catalog, usage)) for shot in scene.shots
        )
    per_scene["total"] = BatchEstimate(
        round(sum(b.known_usd for b in per_scene.values()), 4),
        sum(b.unknown for b in per_scene.values()),
        [e for b in per_scene.values() for e in b.estimates],
    )
    return per_scene
