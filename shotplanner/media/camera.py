"""How the animatic camera moves, read from the camera layer (or the shot's movement field).

A move is a function of normalised time ``u`` in [0, 1] giving a ``View``: where the frame's centre sits
on the backdrop (fractions of the backdrop) and how far it is zoomed in (1.0 shows the backdrop at
its native scale, below 1.0 shows more of it). Handheld shake is smooth, seeded noise, so a shot always
renders the same frames.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

from shotplanner.core.models import Movement, Shot

#: The backdrop is this many times the frame in each direction: the room a move can travel.
MARGIN = 1.5

# First match wins: more specific phrases first ("dolly in" before "dolly", "pull back" before "pan").
MOVE_WORDS: list[tuple[str, Movement]] = [
    (r"push[- ]?in|dolly[- ]?in|zoom[- ]?in|creeps? in|push(es)? (slowly )?(in|toward)|moves? in",
     Movement.PUSH_IN),
    (r"pull[- ]?(back|out)|dolly[- ]?(out|back)|zoom[- ]?out|pulls? away|reveal", Movement.PULL_BACK),
    (r"pan(s|ning)? left|whip[- ]?pan left", Movement.PAN_LEFT),
    (r"pan(s|ning)? right|whip[- ]?pan|\bpan(s|ning)?\b", Movement.PAN_RIGHT),
    (r"tilt(s|ing)? up", Movement.TILT_UP),
    (r"tilt(s|ing)? down|\btilt(s|ing)?\b", Movement.TILT_DOWN),
    (r"crane (up|rise|rising)|crane shot|jib up|boom up|rises|rising|ascend|drone rise", Movement.CRANE_UP),
    (r"crane down|jib down|boom down|descend|lowers", Movement.CRANE_DOWN),
    (r"orbit|arc(s|ing)? around|circl(e|es|ing) (around )?the", Movement.ORBIT),
    (r"track(ing|s)?|follow(s|ing)?|truck(s|ing)?|dolly (left|right|alongside)|steadicam|lateral",
     Movement.TRACKING),
    (r"handheld|hand-held|shaky|documentary camera", Movement.HANDHELD),
    (r"static|locked[- ]off|tripod|still frame|no camera movement|fixed", Movement.STATIC),
]
SHAKE_WORDS = r"handheld|hand-held|shaky|jitter|documentary|run-and-gun|nervous camera"
SLOW_WORDS = r"\b(slow(ly)?|gentle|gently|subtle|imperceptible|creep(s|ing)?|gradual(ly)?|languid)\b"
FAST_WORDS = r"\b(fast|quick(ly)?|rapid(ly)?|whip|sudden(ly)?|swift(ly)?|aggressive|snap)\b"


@dataclass(frozen=True, slots=True)
class View:
    cx: float  # centre of the frame on the backdrop, 0..1
    cy: float
    zoom: float  # 1.0 = backdrop pixels at native scale


@dataclass(frozen=True, slots=True)
class CameraMove:
    kind: Movement
    speed: float = 1.0  # 0.5 slow, 1 normal, 2 fast
    shake: bool = False
    seed: int = 0

    @property
    def holds_subject(self) -> bool:
        """Tracking and orbit keep the subject in frame while the world slides behind it."""
        return self.kind in (Movement.TRACKING, Movement.ORBIT)

    def describe(self) -> str:
        words = {0.5: "slow ", 2.0: "fast "}.get(self.speed, "")
        shake = " + handheld" if self.shake else ""
        return f"{words}{self.kind.value}{shake}"

    def view(self, u: float) -> View:
        u = min(1.0, max(0.0, u))
        # Ease in and out a little, as a dolly grip would, but keep most of the move linear so every
        # frame moves (a test reading motion between two frames sees it everywhere in the shot).
        e = 0.7 * u + 0.3 * (u * u * (3 - 2 * u))
        s = self.speed
        d = min(0.075 * s, 0.16)  # travel, as a fraction of the backdrop, each side of centre
        cx, cy, zoom = 0.5, 0.5, 1.0
        k = self.kind
        if k is Movement.PUSH_IN:
            zoom = 1.0 + 0.25 * s * e
        elif k is Movement.PULL_BACK:
            zoom = 1.0 / (1.0 + 0.25 * s * e)
        elif k is Movement.PAN_LEFT:
            cx = 0.5 + d - 2 * d * e  # the camera turns left: the world slides right in frame
        elif k in (Movement.PAN_RIGHT, Movement.TRACKING):
            cx = 0.5 - d + 2 * d * e
        elif k is Movement.TILT_UP:
            cy = 0.5 + d - 2 * d * e
        elif k is Movement.TILT_DOWN:
            cy = 0.5 - d + 2 * d * e
        elif k is Movement.CRANE_UP:
            cy = 0.5 + 0.8 * d - 1.6 * d * e
            zoom = 1.1 - 0.1 * e  # rising opens the view
        elif k is Movement.CRANE_DOWN:
            cy = 0.5 - 0.8 * d + 1.6 * d * e
            zoom = 1.0 + 0.1 * e
        elif k is Movement.ORBIT:
            cx = 0.5 + d - 2 * d * e
            zoom = 1.05
        if self.shake:
            dx, dy = self._shake(u)
            cx, cy = cx + dx, cy + dy
            zoom = max(zoom, 1.0)
        return View(cx, cy, zoom)

    def _shake(self, u: float) -> tuple[float, float]:
        # A sum of a few sines with seeded phases: smooth like a hand, identical on every render.
        rng = random.Random(self.seed)
        amp = 0.006 * (1.5 if self.speed > 1 else 1.0)
        dx = dy = 0.0
        for freq in (0.7, 1.9, 4.3):
            px, py = rng.uniform(0, math.tau), rng.uniform(0, math.tau)
            t = u * 10.0 * freq
            dx += math.sin(t + px) * amp / freq**0.5
            dy += math.sin(t * 1.13 + py) * amp / freq**0.5
        return dx, dy


def camera_for(shot: Shot, seed: int = 0) -> CameraMove:
    """The camera layer's words win; with none that name a move, the shot's movement field is used."""
    text = shot.layers.camera.lower()
    kind: Movement | None = None
    for pattern, movement in MOVE_WORDS:
        if re.search(pattern, text):
            kind = movement
            break
    if kind is None:
        kind = shot.movement
    speed = 1.0
    if re.search(FAST_WORDS, text):
        speed = 2.0
    elif re.search(SLOW_WORDS, text):
        speed = 0.5
    shake = kind is Movement.HANDHELD or bool(re.search(SHAKE_WORDS, text))
    if kind is Movement.HANDHELD:
        # "handheld" names the operator, not a path: keep the path the movement field gives, if any.
        kind = shot.movement if shot.movement is not Movement.HANDHELD else Movement.STATIC
    return CameraMove(kind, speed, shake, seed)
