"""Composing a shot's six prompt layers and crew fields into the one prompt a model receives.

Order follows the article's layering (subject, action, environment, camera, light, mood). The crew
fields a model benefits from (shot size, angle, movement, lens, frame rate) are written into the camera
part in words, unless the camera layer already says them, so the prompt never contradicts itself.
"""

from __future__ import annotations

import re

from shotplanner.core.models import Angle, Movement, Project, Shot, ShotSize, fps_label

SIZE_WORDS: dict[ShotSize, str] = {
    ShotSize.EWS: "extreme wide shot",
    ShotSize.WS: "wide shot",
    ShotSize.MS: "medium shot",
    ShotSize.MCU: "medium close-up",
    ShotSize.CU: "close-up",
    ShotSize.ECU: "extreme close-up",
    ShotSize.INSERT: "insert shot",
    ShotSize.OTS: "over-the-shoulder shot",
}
ANGLE_WORDS: dict[Angle, str] = {
    Angle.EYE_LEVEL: "eye-level",
    Angle.HIGH: "high angle looking down",
    Angle.LOW: "low angle looking up",
    Angle.OVERHEAD: "overhead top-down view",
    Angle.AERIAL: "aerial view",
    Angle.DUTCH: "dutch angle",
    Angle.POV: "point-of-view shot",
}
MOVEMENT_WORDS: dict[Movement, str] = {
    Movement.STATIC: "locked-off static camera",
    Movement.PUSH_IN: "slow push-in",
    Movement.PULL_BACK: "slow pull-back",
    Movement.PAN_LEFT: "pan left",
    Movement.PAN_RIGHT: "pan right",
    Movement.TILT_UP: "tilt up",
    Movement.TILT_DOWN: "tilt down",
    Movement.CRANE_UP: "crane rising",
    Movement.CRANE_DOWN: "crane descending",
    Movement.TRACKING: "tracking shot",
    Movement.ORBIT: "orbiting the subject",
    Movement.HANDHELD: "handheld camera",
}

#: Words that already describe how the camera moves (or that it deliberately does not).
CAMERA_MOVEMENT = re.compile(
    r"\b(static|locked[- ]off|still frame|tripod|push(?:es|ing)?[- ]in|pull(?:s|ing)?[- ]?(?:back|out)|"
    r"dolly|dollies|truck(?:s|ing)?|pan(?:s|ning|ned)?|tilt(?:s|ing|ed)?|crane|jib|track(?:s|ing)?|follow(?:s|ing)?|"
    r"orbit(?:s|ing)?|arc(?:s|ing)?|handheld|hand-held|steadicam|gimbal|drift(?:s|ing)?|glid(?:e|es|ing)|"
    r"zoom(?:s|ing)?|rack focus|whip[- ]pan|descend(?:s|ing)?|fly(?:ing)? (?:over|through)|"
    r"moving with|push|creep(?:s|ing)?)\b",
    re.IGNORECASE,
)
_SIZE_MENTION = re.compile(
    r"\b(wide|close[- ]?up|medium|insert|over[- ]the[- ]shoulder|establishing|full (?:body|shot)|waist[- ]up|"
    r"two[- ]shot|extreme)\b",
    re.IGNORECASE,
)
_ANGLE_MENTION = re.compile(
    r"\b(low angle|high angle|eye[- ]level|overhead|top[- ]down|aerial|dutch|bird'?s[- ]eye|"
    r"point[- ]of[- ]view|"
    r"pov|looking (?:up|down))\b",
    re.IGNORECASE,
)
_LENS_MENTION = re.compile(r"\b\d{1,4}\s?mm\b|\blens\b", re.IGNORECASE)
_FPS_MENTION = re.compile(r"\b\d{2,3}\s?fps\b", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip().rstrip(".,;: ")


def camera_words(shot: Shot) -> list[str]:
    """The crew fields said in words, leaving out whatever the camera layer already says."""
    camera = shot.layers.camera
    words: list[str] = []
    if not _SIZE_MENTION.search(camera):
        words.append(SIZE_WORDS[shot.size])
    if shot.angle is not Angle.EYE_LEVEL and not _ANGLE_MENTION.search(camera):
        words.append(ANGLE_WORDS[shot.angle])
    if not CAMERA_MOVEMENT.search(camera):
        words.append(MOVEMENT_WORDS[shot.movement])
    if shot.lens_mm and not _LENS_MENTION.search(camera):
        words.append(f"{shot.lens_mm}mm lens")
    return words


def character_phrases(shot: Shot, project: Project | None) -> list[tuple[str, str]]:
    """(name, "Name (description)") for each of the shot's characters the project knows."""
    if project is None or not shot.character_ids:
        return []
    phrases: list[tuple[str, str]] = []
    for cid in shot.character_ids:
        character = project.character(cid)
        if character is None:
            continue
        description = _clean(character.description)
        phrases.append(
            (character.name, f"{character.name} ({description})" if description else character.name)
        )
    return phrases


def _subject_with_cast(subject: str, cast: list[tuple[str, str]]) -> str:
    """Describe each character once: at its first mention in the subject, else appended."""
    extra: list[str] = []
    for name, phrase in cast:
        mention = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE) if name else None
        if mention is not None and mention.search(subject):
            # A literal replacement: backslashes are the only characters re.sub would read in it.
            subject = mention.sub(phrase.replace("\\", "\\\\"), subject, count=1)
        else:
            extra.append(phrase)
    if extra:
        joined = " and ".join(extra)
        subject = f"{subject}, with {joined}" if subject else joined
    return subject


def compose_prompt(shot: Shot, project: Project | None = None) -> str:
    """The full prompt: layers in order, empty ones skipped, crew fields and characters woven in."""
    layers = shot.layers
    parts: list[str] = []

    subject = _subject_with_cast(_clean(layers.subject), character_phrases(shot, project))
    if subject:
        parts.append(subject)
    for text in (layers.action, layers.environment):
        cleaned = _clean(text)
        if cleaned:
            parts.append(cleaned)

    camera_text = _clean(layers.camera)
    camera = ", ".join([*camera_words(shot), *([camera_text] if camera_text else [])])
    if camera:
        parts.append(camera)
    for text in (layers.light, layers.mood):
        cleaned = _clean(text)
        if cleaned:
            parts.append(cleaned)
    if not any(_FPS_MENTION.search(p) for p in parts):
        parts.append(f"{fps_label(shot.fps)}fps")
    prompt = ", ".join(parts)
    return prompt[:1].upper() + prompt[1:] + "." if prompt else ""
