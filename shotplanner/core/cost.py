"""What a generation will cost before anything billable is sent.

Per shot: the seconds the route will actually render (its nearest allowed duration) times the price the
route publishes for that resolution, tier (Kling std/pro, Hailuo standard/pro) and audio setting
(``core.routes.price_for``). When no price is known the estimate says so (``usd is None``) instead of
guessing; the local animatic costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from shotplanner.core.catalog import Catalog
from shotplanner.core.catalog_schema import ModelSpec, Route
from shotplanner.core.models import LOCAL_PROVIDER, Project, Scene, Shot
from shotplanner.core.recommend import recommend
from shotplanner.core.recommend_prepared import character_usage
from shotplanner.core.routes import RouteChoice, choose, price_for, route_facts
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


def estimate_shot(shot: Shot, model: ModelSpec, route: Route | None = None, *,
                  project: Project | None = None, choice: RouteChoice | None = None) -> CostEstimate:
    """What the job will bill on ``route``: the seconds the route renders, at the price published for its
    resolution, tier and audio setting. No such price → ``usd is None`` (never a neighbour's price)."""
    route = route or (model.routes[0] if model.routes else None)
    if route is None:
        seconds = nearest_duration(model, shot.duration_s, shot.resolution) if shot.duration_s > 0 else 0.0
        return CostEstimate(None, None, "", f"{model.name} has no route to a provider", seconds, model.id)
    facts = choice.facts if choice is not None else route_facts(model, route)
    seconds = facts.nearest_duration(shot.duration_s, shot.resolution) if shot.duration_s > 0 else 0.0
    if route.provider == LOCAL_PROVIDER:
        return CostEstimate(0.0, 0.0, "local", "rendered on this computer", seconds, model.id, route.provider)
    picked = choice if choice is not None else choose(shot, facts, project)
    audio = facts.audio == "always" or (shot.audio and facts.audio != "none")
    quote = price_for(route, shot.resolution, picked.tier, audio)
    if quote is None:
        what = " with sound" if audio else ""
        tier = f" in {picked.tier} mode" if picked.tier else ""
        return CostEstimate(None, None, "", f"no published price for {model.name} on {route.provider} at "
                            f"{shot.resolution}{tier}{what}", seconds, model.id, route.provider)
    note = "with sound" if audio else ""
    if audio and quote.price.audio is None and facts.audio == "optional":
        note = "sound included in the price (no separate audio price published)"
    return CostEstimate(round(quote.per_second * seconds, 4), quote.per_second, quote.source, note, seconds,
                        model.id, route.provider)


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
