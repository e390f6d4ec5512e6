"""How a shot fits each model: the route its job would take, the hard limits it breaks there (which keep
the model out of the ranking), and the settings' score change — everything that depends on the shot's
settings and images, not its words.
"""

from __future__ import annotations

from dataclasses import dataclass

from shotplanner.core.catalog_schema import ModelSpec, Route
from shotplanner.core.models import RESOLUTION_LINES, Project, Shot
from shotplanner.core.recommend_prepared import PreparedCatalog, PreparedModel, ShotContext, settings_key
from shotplanner.core.recommend_weights import PLAN_MEMO_LIMIT, UNVERIFIED
from shotplanner.core.routes import RouteChoice, RouteFacts, choose, route_facts
from shotplanner.core.validation import check_shot


def fmt_seconds(seconds: float) -> str:
    return f"{seconds:g} s"


def fmt_usd(per_second: float) -> str:
    return f"${per_second:.3f}/s"


def resolution_used(facts: RouteFacts, resolution: str) -> str:
    """The resolution the route renders for ``resolution``: itself, else the closest not above it."""
    offered = facts.resolutions
    if not offered or resolution in offered:
        return resolution
    target = RESOLUTION_LINES.get(resolution, 1080)
    ranked = sorted(offered, key=lambda r: RESOLUTION_LINES.get(r, 0))
    below = [r for r in ranked if RESOLUTION_LINES.get(r, 0) <= target]
    return below[-1] if below else ranked[0]


def max_duration_at(facts: RouteFacts, resolution: str) -> float:
    if facts.continuous is not None:
        return facts.continuous[1]
    allowed = facts.durations_at(resolution_used(facts, resolution))
    return max(allowed) if allowed else facts.max_duration


def hold_seconds(facts: RouteFacts, resolution: str) -> float:
    """The longest coherent take the route makes at ``resolution`` (the model's coherence or the route's
    top length, whichever is shorter)."""
    top = max_duration_at(facts, resolution)
    coherent = facts.model.coherent_seconds or top
    return min(coherent, top)


def facts_of(model: ModelSpec, route: Route | None = None) -> RouteFacts | None:
    route = route if route is not None else (model.routes[0] if model.routes else None)
    return route_facts(model, route) if route is not None else None


@dataclass(frozen=True, slots=True)
class Fit:
    """Everything about one model that depends only on the shot's settings and images (not its words),
    on the route its job would take."""

    exclusion: str | None
    route: Route | None
    facts: RouteFacts | None
    problems: tuple[str, ...]
    per_second: float | None
    cost: float | None
    verified: bool
    delta: float
    warnings: tuple[str, ...]
    hold: float
    res_used: str


def fits(prep: PreparedCatalog, shot: Shot, ctx: ShotContext, project: Project | None) -> list[Fit]:
    key = settings_key(shot, ctx)
    found = prep.fits.get(key)
    if found is None:
        found = [fit_model(p, shot, ctx, project) for p in prep.models]
        if len(prep.fits) > PLAN_MEMO_LIMIT:
            prep.fits.clear()
        prep.fits[key] = found
    return found


def fit_model(p: PreparedModel, shot: Shot, ctx: ShotContext, project: Project | None) -> Fit:
    """The route the job would take (as ``generation.planner`` picks it: the first route the shot check
    accepts, else the first that can make the shot at all) and how the shot fits it."""
    from shotplanner.core.cost import estimate_shot  # cost imports this module

    first_reason: str | None = None
    chosen: tuple[Route, RouteFacts, RouteChoice, tuple[str, ...]] | None = None
    for route in p.routes:
        facts = route_facts(p.model, route)
        reason = exclusion_reason(facts, shot, ctx)
        if reason is not None:
            first_reason = first_reason or reason
            continue
        choice = choose(shot, facts, project)
        problems = tuple(pr.message for pr in check_shot(shot, p.model, route, project=project, choice=choice)
                         if pr.blocking)
        if chosen is None or (chosen[3] and not problems):
            chosen = (route, facts, choice, problems)
        if not problems:
            break
    if chosen is None:
        return Fit(first_reason or "has no route to any provider", None, None, (), None, None, False, 0.0,
                    (), 0.0, "")
    route, facts, choice, problems = chosen
    hold = hold_seconds(facts, shot.resolution)
    estimate = estimate_shot(shot, p.model, route, project=project, choice=choice)
    warnings: list[str] = []
    delta = fit_delta(facts, shot, hold, warnings)
    known = estimate.usd is not None
    verified = known and not UNVERIFIED.search(estimate.source)
    if known and not verified:
        warnings.append(f"its price ({fmt_usd(estimate.per_second or 0.0)}) is unverified")
    return Fit(None, route, facts, problems, estimate.per_second if known else None, estimate.usd, verified,
                delta, tuple(warnings), hold, resolution_used(facts, shot.resolution))


def exclusion_reason(facts: RouteFacts, shot: Shot, ctx: ShotContext) -> str | None:
    """Every hard limit the shot breaks on this route, in one sentence part; ``None`` if it fits."""
    model = facts.model
    found: list[str] = []
    seconds = shot.duration_s
    top = max_duration_at(facts, shot.resolution)
    if seconds > top + 1e-6:
        used = resolution_used(facts, shot.resolution)
        at = f" at {used}" if used in facts.durations_by_resolution else ""
        found.append(f"makes at most {fmt_seconds(top)}{at} in one generation "
                     f"(the shot is {fmt_seconds(seconds)})")
    aspects = facts.aspect_ratios
    if aspects and shot.aspect not in aspects and not (facts.image_sets_aspect and ctx.has_image):
        found.append(f"renders only {', '.join(aspects)} (the shot is {shot.aspect})")
    if shot.audio and facts.audio == "none":
        found.append("makes silent clips (the shot needs synced sound)")
    if not facts.takes("text") and not ctx.has_image:
        found.append("works only from a start image (the shot has none)")
    if model.needs_motion_video:
        found.append("needs a reference video of the performance to copy, which a shot cannot carry")
    if ctx.has_end and not (facts.takes("start_end") or facts.takes("end")):
        found.append("takes no end frame (the shot has one)")
    if ctx.chained and not facts.takes("start"):
        found.append("cannot start from the previous segment's last frame (text-to-video only)")
    return "; ".join(found) if found else None


def fit_delta(facts: RouteFacts, shot: Shot, hold: float, warnings: list[str]) -> float:
    """Score change for how well the shot's settings suit the route (tie-breaks by fit, not price)."""
    delta = 0.0
    seconds = shot.duration_s
    if seconds > hold + 1e-6:
        delta -= 2.0 * (seconds - hold)
        warnings.append(f"holds a coherent take for about {fmt_seconds(hold)}; the shot's "
                        f"{fmt_seconds(seconds)} may drift after that")
    if facts.resolutions and shot.resolution not in facts.resolutions:
        used = resolution_used(facts, shot.resolution)
        if RESOLUTION_LINES.get(shot.resolution, 0) > RESOLUTION_LINES.get(used, 0):
            delta -= 15.0
            warnings.append(f"renders at most {used}, not {shot.resolution}")
        else:
            delta -= 3.0
            warnings.append(f"does not offer {shot.resolution}; {used} is the closest")
    if facts.frame_rates:
        if any(abs(f - shot.fps) < 0.01 for f in facts.frame_rates):
            delta += 1.0  # a documented match is a better fit than an undocumented one
        else:
            delta -= 1.0
            rates = "/".join(f"{f:g}" for f in sorted(facts.frame_rates))
            warnings.append(f"renders at {rates} fps, not {shot.fps:g}")
    if facts.aspect_ratios and shot.aspect not in facts.aspect_ratios:
        warnings.append(f"takes its {shot.aspect} aspect from the start image "
                        f"(text-to-video is {', '.join(facts.aspect_ratios)})")
    if facts.audio == "always" and not shot.audio:
        delta -= 2.0
    return delta
