"""The words crews write in shot lists, mapped to the plan's terms.

A real shot list says "push in", "slow dolly in", "MWS", "XCU", "close up", "two shot", "OTS"; the plan
has ``push-in``, ``MS``, ``ECU``, ``CU``. Cells are normalised first (case, hyphens, "shot", speed words such
as "slow"), then looked up. Sizes the plan has no slot for map to the nearest one it has: a medium wide
(MWS, MLS, cowboy) and a two shot are framed as a medium shot; a big close-up as an extreme close-up.
"""

from __future__ import annotations

import re

from shotplanner.core.models import SHOT_SIZE_LABELS, Angle, Movement, ShotSize

_SPEED_WORDS = ("slow", "slowly", "fast", "quick", "quickly", "gentle", "gently", "subtle", "slight", "very",
                "smooth", "steady", "whip")
_SEP = re.compile(r"[\s_\-–—/.]+")


def normalise(text: str) -> str:
    """``Slow Dolly-In shot`` → ``dolly in``: lower case, separators as spaces, filler words out."""
    words = _SEP.sub(" ", text.strip().casefold().replace("'", "")).split()
    while words and words[0] in _SPEED_WORDS:
        words.pop(0)
    if len(words) > 1 and words[-1] in ("shot", "shots", "move", "movement", "angle"):
        words.pop()
    return " ".join(words)


def _table(pairs: dict[str, tuple[str, ...]], values: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for value, words in pairs.items():
        for word in words:
            out[normalise(word)] = values[value]
    return out


_SIZE_WORDS: dict[str, tuple[str, ...]] = {
    "EWS": ("EWS", "XWS", "ELS", "XLS", "extreme wide", "extreme long", "extra wide", "very wide",
            "establishing", "est"),
    "WS": ("WS", "wide", "LS", "long", "full", "FS", "full body", "wide angle"),
    "MS": ("MS", "medium", "mid", "M", "waist", "medium wide", "MWS", "MLS", "medium long", "medium full",
           "cowboy", "american", "two shot", "2 shot", "2shot", "two", "2S", "three shot", "group"),
    "MCU": ("MCU", "medium close up", "medium closeup", "medium close", "chest", "bust"),
    "CU": ("CU", "close up", "closeup", "close", "head and shoulders", "single"),
    "ECU": ("ECU", "XCU", "BCU", "ECS", "extreme close up", "extreme closeup", "extreme close",
            "big close up", "macro", "choker"),
    "insert": ("insert", "ins", "detail", "cutaway", "cut away", "cut in"),
    "OTS": ("OTS", "over the shoulder", "over shoulder", "OS", "dirty single", "dirty"),
}
_ANGLE_WORDS: dict[str, tuple[str, ...]] = {
    "eye level": ("eye level", "eye", "eyelevel", "neutral", "straight on", "level"),
    "high": ("high", "high angle", "looking down", "down angle"),
    "low": ("low", "low angle", "looking up", "up angle", "worms eye", "worm's eye", "heroic"),
    "overhead": ("overhead", "top down", "topdown", "top shot", "birds eye", "bird's eye", "god's eye",
                 "gods eye", "plan view"),
    "aerial": ("aerial", "drone", "helicopter", "heli"),
    "dutch": ("dutch", "dutch angle", "dutch tilt", "canted", "canted angle", "oblique"),
    "POV": ("POV", "point of view", "subjective"),
}
_MOVE_WORDS: dict[str, tuple[str, ...]] = {
    "static": ("static", "locked off", "locked", "lock off", "fixed", "tripod", "none", "still", "no move",
               "sticks"),
    "push-in": ("push in", "push-in", "pushin", "push", "dolly in", "track in", "tracking in", "truck in",
                "creep in", "zoom in", "move in", "crash zoom", "dolly forward"),
    "pull-back": ("pull back", "pull-back", "pullback", "pull out", "dolly out", "dolly back", "track out",
                  "track back", "tracking out", "zoom out", "move out", "reveal", "dolly backward"),
    "pan left": ("pan left", "pan l", "pan to left", "pan to the left"),
    "pan right": ("pan right", "pan r", "pan to right", "pan to the right"),
    "tilt up": ("tilt up", "tilt u", "tilt upward"),
    "tilt down": ("tilt down", "tilt d", "tilt downward"),
    "crane up": ("crane up", "jib up", "boom up", "pedestal up", "ped up", "rise", "crane rise"),
    "crane down": ("crane down", "jib down", "boom down", "pedestal down", "ped down", "descend"),
    "tracking": ("tracking", "track", "dolly", "truck", "trucking", "follow", "following", "lead",
                 "leading", "steadicam", "gimbal", "dolly left", "dolly right", "truck left", "truck right",
                 "track left", "track right", "lateral", "crab", "side track"),
    "orbit": ("orbit", "arc", "circle", "circling", "360", "arc around", "orbit around"),
    "handheld": ("handheld", "hand held", "hand-held", "shoulder", "shoulder mount", "shaky", "documentary"),
}

SIZES: dict[str, object] = _table(_SIZE_WORDS, {s.value: s for s in ShotSize}) | {
    normalise(label): s for s, label in SHOT_SIZE_LABELS.items()
}
ANGLES: dict[str, object] = _table(_ANGLE_WORDS, {a.value: a for a in Angle})
MOVES: dict[str, object] = _table(_MOVE_WORDS, {m.value: m for m in Movement})


def lookup(table: dict[str, object], text: str, what: str, choices: list[str]) -> object:
    """The plan's value for a crew's cell, or ``ValueError`` saying what was expected."""
    key = normalise(text)
    if key in table:
        return table[key]
    if key.startswith("pan") or key.startswith("tilt"):
        raise ValueError(f"{what} {text.strip()!r} does not say which way (e.g. 'pan left', 'tilt up')")
    raise ValueError(f"unknown {what} {text.strip()!r} (expected one of: {', '.join(choices)})")


def size(text: str) -> ShotSize:
    value = lookup(SIZES, text, "shot size", [s.value for s in ShotSize])
    assert isinstance(value, ShotSize)
    return value


def angle(text: str) -> Angle:
    value = lookup(ANGLES, text, "angle", [a.value for a in Angle])
    assert isinstance(value, Angle)
    return value


def movement(text: str) -> Movement:
    value = lookup(MOVES, text, "camera movement", [m.value for m in Movement])
    assert isinstance(value, Movement)
    return value
