"""What the model picker prepares before it scores: the catalog's live models (once per catalog, kept in
``catalog.cache`` with the memos of plans, fits and candidates) and one shot's context (its images, its
chain, its recurring character, the article rules it sets off).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shotplanner.core.catalog import Catalog
from shotplanner.core.catalog_schema import Lifecycle, ModelSpec, Route
from shotplanner.core.models import LOCAL_MODEL_ID, Project, Shot
from shotplanner.core.recommend_result import Candidate, SplitOffer
from shotplanner.core.recommend_rules import RULES, Found, find_rules
from shotplanner.core.recommend_weights import PLAN_MEMO_LIMIT, PREVIEW_PENALTY, TOUCH_ALL

if TYPE_CHECKING:
    from shotplanner.core.recommend_fit import Fit


@dataclass(slots=True)
class PreparedModel:
    """What the scorer needs about one live model, computed once per catalog."""

    model: ModelSpec
    routes: tuple[Route, ...]  # the routes a job may take, in the planner's order
    strengths: frozenset[str]
    coherent: float
    base: float
    static_warnings: tuple[str, ...]
    #: rule key → (live pick it stands in for, that pick) when this model is an article pick or successor
    picks: dict[str, ModelSpec]
    #: The rules that can change this model's score or reasons (the others leave it as it is).
    touching: frozenset[str] = frozenset()


@dataclass(slots=True)
class Plan:
    ranked: list[Candidate]
    excluded: list[tuple[ModelSpec, str]]
    notes: list[str]
    message: str
    split: SplitOffer | None
    fps_warning: str = ""


@dataclass(slots=True)
class PreparedCatalog:
    catalog: Catalog
    models: list[PreparedModel]
    retired: list[tuple[ModelSpec, str]]
    #: rule key → list of (pick model, live model it hands over to or None)
    picks: dict[str, list[tuple[ModelSpec, ModelSpec | None]]]
    plans: dict[tuple[object, ...], Plan] = field(default_factory=dict)
    found: dict[tuple[object, ...], Found] = field(default_factory=dict)
    fits: dict[tuple[object, ...], list[Fit]] = field(default_factory=dict)
    successor_why: dict[str, str] = field(default_factory=dict)
    candidates: dict[tuple[object, ...], Candidate] = field(default_factory=dict)
    pieces: dict[tuple[object, ...], tuple[float, tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict)


def _touching(model: ModelSpec, picks: dict[str, ModelSpec]) -> frozenset[str]:
    strengths = frozenset(model.strengths)
    return frozenset(key for key, rule in RULES.items()
                     if key in TOUCH_ALL or key in picks or strengths & rule.tags)


def prepare(catalog: Catalog, providers: frozenset[str] | None = None) -> PreparedCatalog:
    cache_key = "recommend" if providers is None else "recommend:" + ",".join(sorted(providers))
    cached = catalog.cache.get(cache_key)
    if isinstance(cached, PreparedCatalog):
        return cached
    picks: dict[str, list[tuple[ModelSpec, ModelSpec | None]]] = {}
    routed: dict[str, dict[str, ModelSpec]] = {}  # live model id → rule → the pick it stands for
    for rule in RULES.values():
        for pick_id in rule.picks:
            pick = catalog.find(pick_id)
            if pick is not None:
                live = pick if pick.is_live else catalog.successor_of(pick)
                picks.setdefault(rule.key, []).append((pick, live))
                if live is not None:
                    routed.setdefault(live.id, {})[rule.key] = pick
    prepared: list[PreparedModel] = []
    retired: list[tuple[ModelSpec, str]] = []
    for model in catalog.models:
        if model.id == LOCAL_MODEL_ID:
            continue  # the animatic is previs, not a generation choice
        if not model.is_live:
            when = f" on {model.retired_on.isoformat()}" if model.retired_on else ""
            succ = catalog.successor_of(model)
            retired.append((model, f"retired{when}" + (f"; successor: {succ.name}" if succ else "")))
            continue
        static: list[str] = []
        if model.audio == "always":
            static.append("always generates sound; mute it in the edit")
        base = model.quality_tier * 10.0
        if model.lifecycle is Lifecycle.PREVIEW:
            static.append("preview model: limits and prices not yet verified")
            base -= PREVIEW_PENALTY
        prepared.append(
            PreparedModel(
                model=model,
                routes=tuple(r for r in model.routes if providers is None or r.provider in providers),
                strengths=frozenset(model.strengths),
                coherent=model.coherent_seconds or model.max_duration,
                base=base,
                static_warnings=tuple(static),
                picks=routed.get(model.id, {}),
                touching=_touching(model, routed.get(model.id, {})),
            )
        )
    result = PreparedCatalog(catalog, prepared, retired, picks)
    catalog.cache[cache_key] = result
    return result


# --------------------------------------------------------------------------------------- the shot


@dataclass(frozen=True, slots=True)
class ShotContext:
    has_image: bool  # a start/reference image of its own, a character's sheet, or a chained frame
    has_start: bool  # something the model can start from (own start/reference image or a chained frame)
    has_end: bool
    chained: bool
    character_image: str | None  # the recurring character whose reference image can be sent
    found: Found
    #: What the route choice depends on: start?, end?, own references, character sheets.
    images: tuple[object, ...] = ()


def shot_context(
    prep: PreparedCatalog, shot: Shot, project: Project | None, usage: dict[str, int] | None
) -> ShotContext:
    own_start = any(ref.role in ("start", "reference") for ref in shot.reference_images)
    chained = shot.chain_from is not None
    has_end = any(ref.role == "end" for ref in shot.reference_images)
    char_with_image = False
    recurring_name = None
    if project is not None and shot.character_ids:
        by_id = {c.id: c for c in project.characters}
        for cid in shot.character_ids:
            character = by_id.get(cid)
            if character is None or not character.reference_images:
                continue
            char_with_image = True
            if _appears_elsewhere(project, shot, cid, usage):
                recurring_name = character.name
                break
    has_image = own_start or chained or char_with_image
    has_character = bool(shot.character_ids)
    layers = shot.layers
    key = (
        layers.subject, layers.action, layers.environment, layers.camera, layers.light, layers.mood,
        shot.size, shot.angle, shot.movement, shot.duration_s, shot.audio, bool(shot.dialogue.strip()),
        shot.resolution, shot.quality, has_image, has_character, recurring_name,
    )
    found = prep.found.get(key)
    if found is None:
        found = find_rules(shot, has_image=has_image, has_character=has_character, recurring=recurring_name)
        if len(prep.found) > PLAN_MEMO_LIMIT:
            prep.found.clear()
        prep.found[key] = found
    sheets = 0  # how many, not whose: only non-blocking notes name the character
    if project is not None and shot.character_ids:
        sheets = sum(len(c.reference_images) for cid in shot.character_ids
                     if (c := project.character(cid)) is not None)
    images = (shot.image_for("start") is not None, has_end,
              sum(1 for r in shot.reference_images if r.role == "reference"), sheets)
    return ShotContext(has_image, own_start or chained, has_end, chained, recurring_name, found, images)


def _appears_elsewhere(project: Project, shot: Shot, cid: str, usage: dict[str, int] | None) -> bool:
    if usage is not None:
        return usage.get(cid, 0) > 1
    for scene in project.scenes:
        for other in scene.shots:
            if other is not shot and cid in other.character_ids:
                return True
    return False


def character_usage(project: Project) -> dict[str, int]:
    """How many shots each character appears in."""
    counts: dict[str, int] = {}
    for scene in project.scenes:
        for shot in scene.shots:
            for cid in shot.character_ids:
                counts[cid] = counts.get(cid, 0) + 1
    return counts


def settings_key(shot: Shot, ctx: ShotContext) -> tuple[object, ...]:
    return (shot.duration_s, shot.resolution, shot.fps, shot.aspect, shot.audio, ctx.images, ctx.chained)
