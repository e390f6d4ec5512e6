"""Checking a shot's settings: on their own (``check_basic``) and against a job's route (``check_shot``).

Each problem names the field, says what is wrong in a sentence, and where there is an obvious fix it
carries it as ``suggestion`` (the value the UI can offer with one click).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from shotplanner.core.catalog_schema import ModelSpec, Route
from shotplanner.core.models import (
    ASPECT_RATIOS,
    MAX_SHOT_SECONDS,
    RESOLUTION_LINES,
    RESOLUTIONS,
    Project,
    Shot,
)
from shotplanner.core.routes import RouteChoice, choose, route_facts

#: Frame rates editors and players handle everywhere; anything else is most likely a typo.
COMMON_FPS: tuple[int, ...] = (12, 15, 24, 25, 30, 48, 50, 60, 120)


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    message: str
    suggestion: object | None = None
    #: False for a note: worth saying, but the job can be sent (nothing it asks for is lost or refused).
    blocking: bool = True


def _fmt(seconds: float) -> str:
    return f"{seconds:g} s"


def _fmt_list(values: list[float]) -> str:
    if len(values) > 6 and all(b - a == values[1] - values[0] for a, b in itertools.pairwise(values)):
        return f"{values[0]:g}–{values[-1]:g} s"
    return ", ".join(f"{v:g}" for v in values) + " s"


def nearest_duration(model: ModelSpec, seconds: float, resolution: str | None = None) -> float:
    """The allowed duration closest to ``seconds`` (a tie goes to the longer one: trim, don't run short)."""
    if model.continuous_duration and model.duration_range:
        lo, hi = model.duration_range
        return min(max(seconds, lo), hi)
    allowed = model.allowed_durations_at(resolution) if resolution else model.allowed_durations()
    if not allowed:
        return seconds
    return min(allowed, key=lambda d: (abs(d - seconds), -d))


def duration_allowed(model: ModelSpec, seconds: float, resolution: str | None = None) -> bool:
    if model.continuous_duration and model.duration_range:
        lo, hi = model.duration_range
        return lo <= seconds <= hi
    allowed = model.allowed_durations_at(resolution) if resolution else model.allowed_durations()
    return not allowed or any(abs(d - seconds) < 1e-6 for d in allowed)


def _aspect_value(aspect: str) -> float:
    w, _, h = aspect.partition(":")
    try:
        return float(w) / float(h)
    except (ValueError, ZeroDivisionError):
        return 1.0


def closest_aspect(allowed: list[str], wanted: str) -> str | None:
    if not allowed:
        return None
    target = _aspect_value(wanted)
    return min(allowed, key=lambda a: abs(_aspect_value(a) - target))


def check_basic(shot: Shot) -> list[Problem]:
    """Problems any model would have with this shot: no duration, an absurd one, odd fps or aspect."""
    problems: list[Problem] = []
    if shot.duration_s <= 0:
        problems.append(Problem("duration_s", "The shot has no duration; give it a length in seconds.", 5.0))
    elif shot.duration_s > MAX_SHOT_SECONDS:
        problems.append(
            Problem(
                "duration_s",
                f"{_fmt(shot.duration_s)} is longer than any shot should be "
                f"(limit {_fmt(MAX_SHOT_SECONDS)}); "
                "split it into several shots.",
                MAX_SHOT_SECONDS,
            )
        )
    if shot.fps not in COMMON_FPS:
        nearest = min(COMMON_FPS, key=lambda f: (abs(f - shot.fps), -f))
        problems.append(
            Problem(
                "fps",
                f"{shot.fps} fps is not a frame rate editors expect; {nearest} fps is the nearest usual one.",
                nearest,
            )
        )
    if shot.aspect not in ASPECT_RATIOS:
        problems.append(
            Problem(
                "aspect",
                f"{shot.aspect!r} is not an aspect ratio Shotplanner knows ({', '.join(ASPECT_RATIOS)}).",
                "16:9",
            )
        )
    if shot.resolution not in RESOLUTIONS:
        problems.append(
            Problem(
                "resolution",
                f"{shot.resolution!r} is not a known resolution ({', '.join(RESOLUTIONS)}).",
                "1080p",
            )
        )
    return problems


def check_shot(shot: Shot, model: ModelSpec, route: Route | None = None, *,
               project: Project | None = None, choice: RouteChoice | None = None) -> list[Problem]:
    """The shot's settings checked against what ``model`` renders through ``route`` (the job's route;
    ``None``: the model's preferred one). Notes that do not stop a send (a character's sheet the route
    cannot use) come back with ``blocking=False``."""
    problems: list[Problem] = []
    if not model.is_live:
        when = f" on {model.retired_on.isoformat()}" if model.retired_on else ""
        problems.append(
            Problem(
                "model_id",
                f"{model.name} was retired{when}; it can no longer generate."
                + (f" Its successor is {model.successor}." if model.successor else ""),
                model.successor,
            )
        )
    route = route if route is not None else (model.routes[0] if model.routes else None)
    if route is None:
        problems.append(Problem("model_id", f"{model.name} has no route to any provider.", None))
        return problems
    facts = choice.facts if choice is not None else route_facts(model, route)
    picked = choice if choice is not None else choose(shot, facts, project)
    name = facts.label

    resolution_ok = not facts.resolutions or shot.resolution in facts.resolutions
    if not resolution_ok and model.caps_resolution and facts.resolutions:
        top_lines = max(RESOLUTION_LINES.get(r, 0) for r in facts.resolutions)
        # Rendered at its top and said so on the clip (the animatic): a stand-in, not a refusal.
        resolution_ok = RESOLUTION_LINES.get(shot.resolution, 0) > top_lines
    if not resolution_ok:
        best = _best_of(facts.resolutions, shot.resolution)
        asked = RESOLUTION_LINES.get(shot.resolution, 0)
        top = max(facts.resolutions, key=lambda r: RESOLUTION_LINES.get(r, 0))
        if asked > RESOLUTION_LINES.get(top, 0):
            msg = (f"{name} renders at most {top}; {shot.resolution} is not available, "
                   f"{best} is the best it gives.")
        else:
            msg = (f"{name} renders {', '.join(facts.resolutions)}, not {shot.resolution}; "
                   f"{best} is the closest.")
        problems.append(Problem("resolution", msg, best))

    seconds = shot.duration_s
    endpoint = picked.endpoint
    if seconds > 0:
        at = shot.resolution if resolution_ok else None
        narrowed = tuple(endpoint.durations) if endpoint is not None and endpoint.durations else None
        if narrowed is not None and not any(abs(d - seconds) < 1e-6 for d in narrowed):
            nearest = min(narrowed, key=lambda d: (abs(d - seconds), -d))
            problems.append(Problem("duration_s", f"{name} makes {_fmt_list(list(narrowed))} with these "
                                    f"images; {_fmt(seconds)} is not one of them, {_fmt(nearest)} is the "
                                    "nearest.", nearest))
        elif narrowed is None and not facts.duration_ok(seconds, at):
            allowed = list(facts.durations_at(at))
            nearest = facts.nearest_duration(seconds, at)
            where = f" at {at}" if at is not None and at in facts.durations_by_resolution else ""
            if facts.continuous is not None:
                lo, hi = facts.continuous
                msg = (f"{name} makes {lo:g}–{hi:g} s; {_fmt(seconds)} is out of range, "
                       f"{_fmt(nearest)} is nearest.")
            else:
                msg = (f"{name} makes {_fmt_list(allowed)}{where}; {_fmt(seconds)} is not one of them, "
                       f"{_fmt(nearest)} is the nearest.")
                if nearest > seconds:
                    msg += " Trim the extra in the edit."
                elif seconds > facts.max_duration:
                    msg += " The shot is longer than this model can make in one generation."
            problems.append(Problem("duration_s", msg, nearest))

    aspects = list(endpoint.aspect_ratios) if endpoint is not None and endpoint.aspect_ratios else list(
        facts.aspect_ratios)
    follows_image = facts.image_sets_aspect and picked.start is not None
    if aspects and shot.aspect not in aspects and not follows_image:
        suggestion = closest_aspect(aspects, shot.aspect)
        msg = f"{name} renders {', '.join(aspects)}, not {shot.aspect}"
        msg += " with these images." if endpoint is not None and endpoint.aspect_ratios else "."
        if facts.image_sets_aspect:
            msg += " With a start image the output takes the image's aspect instead."
        problems.append(Problem("aspect", msg, suggestion))

    if facts.frame_rates and not any(abs(f - shot.fps) < 0.01 for f in facts.frame_rates):
        nearest_fps = min(facts.frame_rates, key=lambda f: (abs(f - shot.fps), -f))
        rates = ", ".join(f"{f:g}" for f in facts.frame_rates)
        problems.append(Problem("fps", f"{name} renders at {rates} fps, not {shot.fps:g}; "
                                f"the clip would be {nearest_fps:g} fps.", nearest_fps))

    if model.needs_motion_video:
        problems.append(Problem("reference_images", f"{model.name} needs a reference video of the "
                                "performance to copy, which a shot cannot carry yet.", None))
    for issue in picked.issues:
        problems.append(Problem(issue.field, issue.message, issue.suggestion, issue.blocking))

    if shot.audio:
        if facts.audio == "none" and not model.scratch_audio:
            problems.append(Problem("audio", f"{name} makes silent clips; the shot asks for sound. Choose a "
                                    "model with audio or add sound in the edit.", False))
        elif facts.audio_tiers and picked.tier not in facts.audio_tiers:
            need = " or ".join(facts.audio_tiers)
            problems.append(Problem("audio", f"{name} makes sound only in its {need} mode, not at "
                                    f"{shot.resolution}; raise the resolution or turn sound off.", False))
    elif facts.audio == "always":
        problems.append(Problem("audio", f"{name} always adds sound; the shot is silent. Mute it in the "
                                "edit.", None, False))
    return problems


def blocking(problems: list[Problem]) -> list[Problem]:
    """The problems that stop a send (notes left out)."""
    return [p for p in problems if p.blocking]


def _best_of(resolutions: tuple[str, ...], wanted: str) -> str | None:
    target = RESOLUTION_LINES.get(wanted, 1080)
    ranked = sorted(resolutions, key=lambda r: RESOLUTION_LINES.get(r, 0))
    below = [r for r in ranked if RESOLUTION_LINES.get(r, 0) <= target]
    return below[-1] if below else (ranked[0] if ranked else None)
