"""Prompt lint: what a strong prompt lacks and what video models are known to get wrong.

From the reference article: say the camera movement explicitly; give the light a direction and a
quality; name the mood precisely. Known failure modes: prominent hands in a close-up, legible text in
frame, fine detail on fast-moving things, and a shot longer than the chosen model can hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from shotplanner.core.catalog_schema import ModelSpec
from shotplanner.core.models import Movement, Project, Shot, ShotSize
from shotplanner.core.prompt import CAMERA_MOVEMENT
from shotplanner.core.validation import duration_allowed, nearest_duration

Severity = Literal["warning", "info"]


@dataclass(frozen=True, slots=True)
class LintIssue:
    code: str
    layer: str | None
    severity: Severity
    message: str


_LIGHT_DIRECTION = re.compile(
    r"\b(from (?:the )?(?:left|right|above|below|behind|side|front|windows?|north|south|east|west)|"
    r"left|right|overhead|backlit|back[- ]?light\w*|side[- ]?lit|side[- ]?light\w*|top[- ]?light\w*|"
    r"under[- ]?lit|rim[- ]?light\w*|key[- ]?light|front[- ]?lit|silhouett\w*|raking|low[- ]angle sun|"
    r"through (?:the )?(?:window|blinds|trees|canopy|doorway)|horizon|above|behind|below|beneath)\b",
    re.IGNORECASE,
)
_LIGHT_QUALITY = re.compile(
    r"\b(soft|hard|harsh|diffused?|volumetric|dappled|warm|cold|cool|golden|amber|blue|fluorescent|tungsten|"
    r"neon|candle\w*|overcast|flat|moonlit|moonlight|sodium|hazy|misty|crisp|glow\w*|pools?|contrast\w*|"
    r"low[- ]key|high[- ]key|chiaroscuro|\d{4}\s?k|kelvin|colou?r temperature|bright|dim|murky|flicker\w*|"
    r"spec(?:ular|ks)|shafts?|beams?|long shadows|daylight|grey|gray|sunlit|noon|dusk|dawn)\b",
    re.IGNORECASE,
)
_VAGUE_MOODS = frozenset(
    {
        "dramatic",
        "cinematic",
        "epic",
        "nice",
        "beautiful",
        "cool",
        "good",
        "moody",
        "emotional",
        "intense",
        "interesting",
        "awesome",
        "amazing",
        "sad",
        "happy",
        "dark",
        "atmospheric",
        "powerful",
        "great",
        "stunning",
        "mood",
        "vibe",
        "vibes",
        "feel",
        "feels",
    }
)
_HANDS = re.compile(
    r"\b(hands?|fingers?|fingertips?|fists?|palms?|knuckles?|grip(?:s|ping)?|clasp\w*|typing|"
    r"knit\w*|sewing|playing (?:the )?(?:piano|guitar|violin))\b",
    re.IGNORECASE,
)
_TEXT = re.compile(
    r"\b(signs?|signage|labels?|text|words?|letter(?:s|ing)|writing|written|handwrit\w*|headlines?|"
    r"captions?|subtitles?|logos?|newspapers?|billboards?|menus?|placards?|banners?|license plates?|"
    r"number plates?|inscriptions?|engraved|reads?|reading|spell(?:s|ing)?|typewritten|title card|"
    r"screen(?:s)? showing)\b"
    r"|[\"“][^\"”]{2,}[\"”]",
    re.IGNORECASE,
)
_FAST = re.compile(
    r"\b(fast|rapid\w*|quick\w*|speed\w*|sprint\w*|rac(?:e|es|ing)|whirl\w*|spin(?:s|ning)?|flutter\w*|"
    r"in flight|flying|flies|darts?|darting|whip\w*|blur\w*|rush\w*|zoom(?:s|ing)? past|explod\w*|"
    r"crash\w*|chase\w*|chasing|gallop\w*|swoop\w*|shatter\w*)\b",
    re.IGNORECASE,
)
_FINE_DETAIL = re.compile(
    r"\b(feathers?|fine|intricate|detail\w*|texture\w*|strands?|lace|embroider\w*|filigree|threads?|"
    r"engrav\w*|tiny|minute|delicate|scales|spokes|gears?|petals?|jewel\w*|eyelash\w*|wings?)\b",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"\[[^\]]{1,200}\]")
_HAND_SIZES = frozenset({ShotSize.MCU, ShotSize.CU, ShotSize.ECU, ShotSize.INSERT})
_CLOSE_SIZES = frozenset({ShotSize.CU, ShotSize.ECU, ShotSize.INSERT})
_LAYERS_FOR_CONTENT = ("subject", "action", "environment")


@lru_cache(maxsize=16384)
def _search(pattern: re.Pattern[str], text: str) -> str | None:
    # The recommender lints every shot of a film; a film repeats its layer texts.
    match = pattern.search(text)
    return match.group(0) if match else None


def _first_layer(shot: Shot, pattern: re.Pattern[str], layers: tuple[str, ...]) -> tuple[str, str] | None:
    for name in layers:
        text = getattr(shot.layers, name)
        if text:
            match = _search(pattern, text)
            if match:
                return name, match
    return None


def lint_shot(shot: Shot, project: Project | None = None, model: ModelSpec | None = None) -> list[LintIssue]:
    """Every issue found in ``shot`` (its layers, crew fields and, given a model, its duration)."""
    issues: list[LintIssue] = []
    layers = shot.layers

    for name in ("subject", "action", "environment"):
        if not getattr(layers, name).strip():
            issues.append(LintIssue("layer.empty", name, "info", f"The {name} layer is empty."))
    for name, text in layers.items():
        blank = _PLACEHOLDER.search(text)
        if blank:
            issues.append(
                LintIssue(
                    "layer.placeholder",
                    name,
                    "warning",
                    f"The {name} layer still has a blank to fill in: {blank.group(0)}",
                )
            )

    camera = layers.camera
    if shot.movement is Movement.STATIC and not CAMERA_MOVEMENT.search(camera):
        issues.append(
            LintIssue(
                "camera.no_movement",
                "camera",
                "warning",
                'No explicit camera movement. Say how the camera moves ("slow dolly push-in", "handheld '
                'tracking shot") or that it holds still ("locked-off static frame"), '
                "or set the movement field.",
            )
        )

    light = layers.light.strip()
    if not light:
        issues.append(
            LintIssue(
                "light.missing",
                "light",
                "warning",
                'No light described. Give its direction and quality, e.g. "low morning sun from the left '
                'casting long shadows".',
            )
        )
    else:
        if not _LIGHT_DIRECTION.search(light):
            issues.append(
                LintIssue(
                    "light.no_direction",
                    "light",
                    "warning",
                    "The light has no direction: say where it comes from "
                    "(from the left, backlit, overhead…).",
                )
            )
        if not _LIGHT_QUALITY.search(light):
            issues.append(
                LintIssue(
                    "light.no_quality",
                    "light",
                    "warning",
                    "The light has no quality: say what it is like "
                    "(soft, hard, diffused, warm tungsten, cold "
                    "fluorescent…).",
                )
            )

    mood = layers.mood.strip()
    if not mood:
        issues.append(LintIssue("mood.missing", "mood", "info", "No mood given."))
    else:
        words = [w.strip(".,;:!").lower() for w in mood.split()]
        meaningful = [
            w for w in words if w not in {"a", "an", "the", "of", "and", "very", "really", "mood", "feel"}
        ]
        if len(meaningful) <= 2 and all(w in _VAGUE_MOODS for w in meaningful):
            issues.append(
                LintIssue(
                    "mood.vague",
                    "mood",
                    "warning",
                    f'"{mood}" is vague: name the feeling a viewer should have ("quiet resolve", "dread '
                    'building under calm").',
                )
            )

    issues.extend(failure_warnings(shot))

    if project is not None:
        known = {c.id for c in project.characters}
        missing = [cid for cid in shot.character_ids if cid not in known]
        if missing:
            issues.append(
                LintIssue(
                    "character.unknown",
                    "subject",
                    "warning",
                    f"The shot names {len(missing)} character(s) the project no longer has.",
                )
            )

    if model is not None and shot.duration_s > 0:
        issues.extend(_duration_issues(shot, model))
    return issues


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def failure_warnings(shot: Shot) -> list[LintIssue]:
    """What every current video model gets wrong, found in this shot (article lines 52-54): prominent
    hands in a close-up, legible text in frame, fine detail on fast motion. The recommender shows these
    beside its pick, since no choice of model avoids them."""
    issues: list[LintIssue] = []
    if shot.size in _HAND_SIZES:
        found = _first_layer(shot, _HANDS, ("subject", "action", "camera"))
        if found:
            layer, word = found
            issues.append(
                LintIssue(
                    "hands.closeup",
                    layer,
                    "warning",
                    f'Hands ("{word}") are prominent in {_a(shot.size.label.lower())}: '
                    "models often get fingers "
                    "wrong. Keep hands at the edge of frame or widen the shot.",
                )
            )

    found = _first_layer(shot, _TEXT, ("subject", "action", "environment", "camera"))
    if found:
        layer, word = found
        issues.append(
            LintIssue(
                "text.legible",
                layer,
                "warning",
                f'Legible text in frame ("{word}") comes out garbled in every current video model; '
                "plan to add "
                "it in post or keep it unreadable.",
            )
        )

    fast = _first_layer(shot, _FAST, ("action", "subject", "camera"))
    if fast:
        detail = _first_layer(shot, _FINE_DETAIL, _LAYERS_FOR_CONTENT)
        if detail or shot.size in _CLOSE_SIZES:
            what = f'fine detail ("{detail[1]}")' if detail else _a(shot.size.label.lower())
            issues.append(
                LintIssue(
                    "motion.fine_detail",
                    fast[0],
                    "warning",
                    f'Fast motion ("{fast[1]}") with {what}: detail on fast-moving things smears. Slow the '
                    "motion, widen the frame, or let the detail go.",
                )
            )
    return issues


def _duration_issues(shot: Shot, model: ModelSpec) -> list[LintIssue]:
    seconds = shot.duration_s
    if model.max_duration and seconds > model.max_duration + 1e-6:
        return [
            LintIssue(
                "duration.model",
                None,
                "warning",
                f"{model.name} makes at most {model.max_duration:g} s in one generation; "
                f"this shot is {seconds:g} s. "
                "Split it or choose a longer model.",
            )
        ]
    issues: list[LintIssue] = []
    if model.coherent_seconds and seconds > model.coherent_seconds + 1e-6:
        issues.append(
            LintIssue(
                "duration.model",
                None,
                "warning",
                f"{model.name} holds a coherent take for about {model.coherent_seconds:g} s; "
                f"at {seconds:g} s the "
                "motion may drift toward the end.",
            )
        )
    if not duration_allowed(model, seconds, shot.resolution):
        issues.append(
            LintIssue(
                "duration.model",
                None,
                "info",
                f"{model.name} does not make {seconds:g} s clips; it will render "
                f"{nearest_duration(model, seconds, shot.resolution):g} s at {shot.resolution}.",
            )
        )
    return issues
