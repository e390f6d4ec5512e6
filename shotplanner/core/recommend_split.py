"""Long shots: the segment lengths a model makes that cover a shot, and the split offered when no live
model holds the whole shot in one coherent take (the split itself is ``core.split``).
"""

from __future__ import annotations

import math

from shotplanner.core.catalog_schema import ModelSpec, Route
from shotplanner.core.models import Project, Shot
from shotplanner.core.recommend_fit import (
    exclusion_reason,
    facts_of,
    fits,
    fmt_seconds,
    hold_seconds,
    resolution_used,
)
from shotplanner.core.recommend_prepared import PreparedCatalog, ShotContext
from shotplanner.core.recommend_result import SplitOffer
from shotplanner.core.recommend_rules import RULES
from shotplanner.core.recommend_score import rank_key, score_model
from shotplanner.core.routes import route_facts


def split_durations(
    model: ModelSpec, seconds: float, resolution: str, route: Route | None = None
) -> tuple[float, ...]:
    """Segment lengths the route (default: the model's first) makes at ``resolution`` that together cover
    ``seconds``: each within the coherent hold, as even as the allowed lengths permit."""
    facts = facts_of(model, route)
    if facts is None:
        return ()
    hold = hold_seconds(facts, resolution)
    if hold <= 0:
        return ()
    allowed: list[float] = []
    if facts.continuous is None:
        allowed = [d for d in facts.durations_at(resolution_used(facts, resolution)) if d <= hold + 1e-6]
    count = max(1, math.ceil(seconds / hold - 1e-9))
    even = seconds / count

    def at_least(value: float) -> float:
        if not allowed:
            return round(value, 3)
        fitting = [d for d in allowed if d >= value - 1e-6]
        return min(fitting) if fitting else max(allowed)

    each = at_least(even)
    rest = seconds - each * (count - 1)
    if rest <= 1e-6:
        count -= 1
        rest = seconds - each * (count - 1)
    return (*([each] * (count - 1)), at_least(rest))


def split_offer(
    prep: PreparedCatalog, shot: Shot, ctx: ShotContext, project: Project | None
) -> SplitOffer | None:
    """Offer a split when no model holds the whole shot in one coherent take."""
    seconds = shot.duration_s
    if seconds <= 0:
        return None
    resolution = shot.resolution
    for fit in fits(prep, shot, ctx, project):
        if fit.exclusion is None and fit.hold >= seconds - 1e-6:
            return None  # someone holds it in one take: no split needed
    seg_ctx = as_segment(ctx)
    probe = shot.model_copy(update={"chain_from": "previous", "duration_s": 1.0})
    holds = [hold_seconds(route_facts(p.model, r), resolution) for p in prep.models for r in p.routes
             if exclusion_reason(route_facts(p.model, r), probe, seg_ctx) is None]
    if not holds:
        return None
    count = math.ceil(seconds / max(holds) - 1e-9)
    length = float(math.ceil(seconds / count))
    segment = shot.model_copy(update={"chain_from": "previous", "duration_s": length})
    scored = sorted((score_model(p, fit, segment, seg_ctx, prep)
                     for p, fit in zip(prep.models, fits(prep, segment, seg_ctx, project), strict=True)
                     if fit.exclusion is None), key=rank_key)
    if not scored:
        return None
    model, route = scored[0].model, scored[0].route
    parts = split_durations(model, seconds, resolution, route)
    if len(parts) < 2:
        return None
    lengths = ", ".join(fmt_seconds(d) for d in parts)
    holder, longest = max(((p.model, hold_seconds(route_facts(p.model, r), resolution))
                           for p in prep.models for r in p.routes), key=lambda mh: mh[1])
    text = (f"{fmt_seconds(seconds)} is longer than any live model holds in one coherent take (the "
            f"longest: {holder.name}, about {fmt_seconds(longest)} at {resolution}). Split it into "
            f"{len(parts)} segments "
            f"({lengths}) on {model.name}, chained by frame: each segment starts on the last frame of the "
            f"one before ({RULES['long_take'].cite}: most models cap at 5–10 s and need assembly).")
    return SplitOffer(model, parts, text)


def as_segment(ctx: ShotContext) -> ShotContext:
    return ShotContext(True, True, ctx.has_end, True, ctx.character_image, ctx.found, ctx.images)
