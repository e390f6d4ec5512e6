"""Colours of the animatic backdrop, read from the light, environment and mood layers of a shot.

The backdrop is a previs stand-in, so the palette only has to read at a glance: golden hour is warm and
low-sun, night is dark blue with a moon and lit windows, neon is magenta/cyan, fluorescent is a flat
green-white, a storm is slate grey with rain. Mood words then push it (somber desaturates, tense darkens
and reddens, joyful warms).
"""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass, replace
from typing import Any

from shotplanner.core.models import Shot

RGB = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Palette:
    name: str
    sky_top: RGB
    sky_bottom: RGB
    far: RGB  # distant hills / skyline
    near: RGB  # foreground ground
    accent: RGB  # windows, signs, rim light
    subject: RGB
    sun: RGB | None = None  # sun or moon disc
    sun_height: float = 0.35  # 0 = horizon, 1 = top of the sky
    stars: bool = False
    rain: bool = False
    windows: float = 0.0  # share of lit windows in a skyline


PALETTES: dict[str, Palette] = {
    "day": Palette("day", (96, 156, 222), (196, 222, 240), (92, 122, 110), (84, 110, 64), (250, 240, 200),
                   (40, 44, 52), sun=(255, 250, 225), sun_height=0.8),
    "golden hour": Palette("golden hour", (236, 142, 72), (252, 208, 132), (122, 74, 62), (88, 62, 40),
                           (255, 214, 140), (46, 30, 28), sun=(255, 226, 150), sun_height=0.12),
    "dawn": Palette("dawn", (78, 96, 156), (238, 168, 158), (86, 84, 112), (60, 66, 78), (255, 198, 176),
                    (34, 34, 48), sun=(255, 214, 190), sun_height=0.04),
    "overcast": Palette("overcast", (150, 156, 162), (196, 198, 200), (112, 118, 120), (92, 98, 94),
                        (220, 220, 216), (48, 50, 54)),
    "night": Palette("night", (8, 12, 34), (28, 40, 78), (18, 22, 40), (12, 14, 22), (255, 214, 120),
                     (6, 8, 14), sun=(224, 230, 240), sun_height=0.7, stars=True, windows=0.35),
    "neon": Palette("neon", (22, 6, 42), (92, 20, 96), (30, 14, 50), (20, 10, 30), (0, 240, 255),
                    (10, 4, 18), windows=0.55),
    "fluorescent": Palette("fluorescent", (170, 196, 178), (214, 232, 214), (138, 158, 146), (116, 128, 120),
                           (236, 255, 240), (44, 52, 48), windows=0.8),
    "storm": Palette("storm", (46, 52, 62), (96, 104, 114), (50, 56, 62), (38, 44, 46), (200, 210, 230),
                     (20, 22, 26), rain=True),
    "fire": Palette("fire", (38, 18, 14), (150, 62, 24), (54, 28, 20), (30, 16, 12), (255, 170, 70),
                    (16, 8, 6)),
    "fog": Palette("fog", (176, 182, 186), (214, 216, 216), (160, 166, 170), (140, 146, 148), (236, 236, 232),
                   (96, 100, 104)),
}

# First match wins, so specific phrases come before the words they contain.
LIGHT_WORDS: list[tuple[str, str]] = [
    (r"golden[ -]hour|magic hour|sunset|late afternoon|warm low sun", "golden hour"),
    (r"\bdawn\b|sunrise|blue hour|first light|daybreak", "dawn"),
    (r"\bneon\b|cyberpunk|\bsigns?\b.*glow", "neon"),
    (r"fluorescent|office light|sterile|hospital|strip ?light", "fluorescent"),
    (r"\bstorm|thunder|lightning|downpour|\brain", "storm"),
    (r"\bnight\b|moonlight|midnight|\bdark\b|streetlight|street lamp", "night"),
    (r"overcast|cloudy|\bgr[ae]y sky|diffuse|soft box|flat light", "overcast"),
    (r"candle|firelight|\bfire\b|torch|ember|hearth", "fire"),
    (r"\bfog|\bmist|haze", "fog"),
    (r"noon|midday|harsh sun|daylight|sunny|bright sun|clear sky|\bday\b", "day"),
]

# (pattern, saturation factor, value factor, tint towards (r, g, b) with weight)
MOOD_WORDS: list[tuple[str, float, float, tuple[RGB, float] | None]] = [
    (r"melanchol|somber|sombre|sad|lonely|grief|bleak", 0.55, 0.85, ((70, 90, 120), 0.15)),
    (r"tense|ominous|dread|menac|threat|horror", 0.8, 0.7, ((120, 20, 20), 0.15)),
    (r"eerie|uncanny|sickly|unsettling", 0.7, 0.85, ((60, 140, 80), 0.18)),
    (r"joyful|hopeful|warm|cheer|romantic|tender|nostalg", 1.15, 1.05, ((255, 180, 120), 0.1)),
    (r"dreamy|ethereal|serene|calm|peaceful", 0.8, 1.08, ((220, 210, 255), 0.12)),
    (r"gritty|noir|harsh|brutal", 0.5, 0.8, None),
]


def _find(text: str, table: list[tuple[str, str]]) -> str | None:
    for pattern, name in table:
        if re.search(pattern, text):
            return name
    return None


def _adjust(rgb: RGB, sat: float, val: float, tint: tuple[RGB, float] | None) -> RGB:
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in rgb))
    r, g, b = colorsys.hsv_to_rgb(h, min(1.0, s * sat), min(1.0, v * val))
    out = [r * 255, g * 255, b * 255]
    if tint is not None:
        color, weight = tint
        out = [c * (1 - weight) + t * weight for c, t in zip(out, color, strict=True)]
    return (round(out[0]), round(out[1]), round(out[2]))


def palette_for(shot: Shot) -> Palette:
    """The backdrop palette: light layer first, then environment, then mood; mood words push the colours."""
    layers = shot.layers
    base = "day"
    for text in (layers.light, layers.environment, layers.mood, layers.action):
        found = _find(text.lower(), LIGHT_WORDS)
        if found:
            base = found
            break
    palette = PALETTES[base]
    mood = layers.mood.lower()
    for pattern, sat, val, tint in MOOD_WORDS:
        if re.search(pattern, mood):
            fields = ("sky_top", "sky_bottom", "far", "near", "accent", "subject")
            adjusted: dict[str, Any] = {f: _adjust(getattr(palette, f), sat, val, tint) for f in fields}
            palette = replace(palette, **adjusted)
            break
    return palette


def terrain_for(shot: Shot) -> str:
    """What the horizon is made of: a city skyline, the sea, an interior wall, or hills."""
    text = f"{shot.layers.environment} {shot.layers.subject} {shot.layers.light}".lower()
    if re.search(r"\b(room|office|kitchen|bar|hall|corridor|interior|apartment|hospital|studio|int\.)", text):
        return "interior"
    if re.search(r"\b(city|street|alley|rooftop|downtown|urban|building|skyline|market|tokyo|neon)", text):
        return "city"
    if re.search(r"\b(sea|ocean|beach|shore|coast|lake|harbou?r|waves?)\b", text):
        return "sea"
    return "hills"
