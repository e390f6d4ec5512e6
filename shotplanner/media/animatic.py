"""The animatic renderer: one shot in, an H.264 MP4 previs clip out, offline and deterministic.

The picture is the shot's first reference image (cover-fitted) or a backdrop drawn from its light,
environment and mood layers, moved the way its camera layer reads; over it go a slate for the first
second, a caption of subject and action, a timecode and safe-area guides. The backdrop is drawn once
at a margin around the frame and each frame only crops and scales it, so the cost per frame stays
close to the cost of encoding it.

It stands in for every shot: a resolution above what it renders comes out at its maximum (the slate says
so), a shot that needs sound gets a scratch track (``media.scratch``), and fractional frame rates
(23.976, 29.97, 59.94) are encoded at their exact NTSC fractions.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from shotplanner.core.models import (
    MAX_SHOT_SECONDS,
    RESOLUTION_LINES,
    Movement,
    Project,
    Shot,
    ShotSize,
    fps_fraction,
    fps_label,
)
from shotplanner.core.validation import check_basic
from shotplanner.media import backdrop as bd
from shotplanner.media.camera import MARGIN, CameraMove, camera_for
from shotplanner.media.encode import ClipWriter
from shotplanner.media.errors import InvalidShot, RenderCanceled
from shotplanner.media.overlays import (
    TITLE_SAFE,
    SlateInfo,
    draw_caption,
    draw_guides,
    draw_slate,
    font,
    timecode,
)
from shotplanner.media.palette import palette_for, terrain_for
from shotplanner.media.qt import ensure_gui_app
from shotplanner.media.scratch import scratch_track

#: The local renderer's ceiling; larger requests render at this height and say so.
MAX_LINES = 1080

#: Problems from ``core.validation.check_basic`` that stop a render (the others are advice).
BLOCKING_FIELDS = {"duration_s": "duration", "aspect": "aspect"}

ProgressCallback = Callable[[float], None]
#: Anything with ``is_set()`` (a threading.Event) or a no-argument callable returning True to stop.
CancelToken = object


@dataclass(slots=True)
class RenderResult:
    path: Path
    width: int
    height: int
    fps: float
    frames: int
    duration_s: float
    move: str
    reference: str | None = None  # the reference image used, as stored on the shot
    audio: bool = False  # a scratch track was written
    notes: list[str] = field(default_factory=list)  # what the take message should say (fallbacks, caps)

    @property
    def message(self) -> str:
        return "; ".join(self.notes)


def _even(x: float) -> int:
    return max(2, 2 * round(x / 2))


def output_size(aspect: str, resolution: str) -> tuple[int, int, str | None]:
    """Frame size for an aspect and a resolution name; the short side is the resolution's line count.

    Returns (width, height, note) where note says when the request was above what we render.
    """
    lines = RESOLUTION_LINES.get(resolution, 1080)
    note = None
    if lines > MAX_LINES:
        note = (f"{resolution} requested; the local animatic renders at most {MAX_LINES}p, "
                f"so this is {MAX_LINES}p")
        lines = MAX_LINES
    aw, ah = aspect_parts(aspect)
    if aw >= ah:
        return _even(lines * aw / ah), _even(lines), note
    return _even(lines), _even(lines * ah / aw), note


def aspect_parts(aspect: str) -> tuple[float, float]:
    """``"2.39:1"`` → (2.39, 1.0)."""
    w, _, h = aspect.partition(":")
    return float(w), float(h or 1)


def validate_shot(shot: Shot, fps: float | None = None) -> None:
    """Refuse, before any file is written, a shot that cannot become a clip."""
    problems: list[str] = []
    # Only what makes a clip impossible blocks a render; an unusual frame rate is just advice.
    problems += [f"{BLOCKING_FIELDS[p.field]}: {p.message}" for p in check_basic(shot)
                 if p.field in BLOCKING_FIELDS]
    duration = float(shot.duration_s)
    if not problems:
        if not duration > 0:
            problems.append(f"duration is {duration:g} s: give the shot a length above zero")
        elif duration > MAX_SHOT_SECONDS:
            problems.append(f"duration {duration:g} s is longer than {MAX_SHOT_SECONDS:g} s: it is a typo, "
                            "not a shot")
    rate = fps or shot.fps
    if not problems and round(duration * rate) < 1:
        problems.append(f"duration {duration:g} s is shorter than one frame at {fps_label(rate)} fps")
    if problems:
        raise InvalidShot(problems)


def _cancelled(cancel: object) -> bool:
    if cancel is None:
        return False
    is_set = getattr(cancel, "is_set", None)
    if callable(is_set):
        return bool(is_set())
    return bool(cancel()) if callable(cancel) else False


class AnimaticRenderer:
    """Draws the frames of one shot's animatic; ``render(i)`` returns the (reused) frame image."""

    def __init__(self, shot: Shot, project: Project | None = None, project_dir: Path | None = None, *,
                 size: tuple[int, int] | None = None, fps: float | None = None,
                 planned_model: str | None = None) -> None:
        validate_shot(shot, fps)
        ensure_gui_app()
        self.shot = shot
        self.notes: list[str] = []
        shown_resolution: str = shot.resolution
        if size is None:
            width, height, note = output_size(shot.aspect, shot.resolution)
            if note:
                self.notes.append(note)
                shown_resolution = f"{MAX_LINES}p ({shot.resolution} asked)"
        else:
            width, height = _even(size[0]), _even(size[1])
        self.width, self.height = width, height
        self.rate = fps_fraction(float(fps or shot.fps))
        self.fps = float(self.rate)
        #: Timecode counts frames at the nominal rate (24 for 23.976), non-drop-frame.
        self.tc_base = max(1, round(self.fps))
        self.frame_count = round(float(shot.duration_s) * self.rate)
        self.seed = zlib.crc32(shot.id.encode())
        self.camera: CameraMove = camera_for(shot, self.seed)
        self.palette = palette_for(shot)
        cw, ch = _even(width * MARGIN), _even(height * MARGIN)
        self.reference: str | None = None
        self.backdrop = self._load_reference(project_dir, cw, ch)
        self.sprite: QImage | None = None
        self.sprite_pos = (0.0, 0.0)
        if self.backdrop is None:
            self.backdrop = bd.draw_backdrop(cw, ch, self.palette, terrain_for(shot), self.seed)
            self._place_subject()
        scene = project.scene_of(shot.id) if project is not None else None
        lens = f"{shot.lens_mm} mm" if shot.lens_mm else "lens not set"
        self.slate_info = info = SlateInfo(
            title=project.title if project is not None else "",
            scene=scene.number if scene is not None else "—",
            shot=shot.number or "—",
            size=shot.size.label, lens=lens, angle=shot.angle.value, move=self.camera.describe(),
            model=planned_model or shot.model_id or "the recommended model",
            duration=(f"{float(shot.duration_s):g} s  ·  {fps_label(self.fps)} fps  ·  {shot.aspect}"
                      f"  ·  {shown_resolution}" + ("  ·  scratch sound" if shot.audio else "")),
        )
        short = min(width, height)
        self.slate = draw_slate(_even(short * 0.95), _even(short * 0.62), info)
        self.slate_frames = min(self.tc_base, self.frame_count // 2 + 1)
        caption = " — ".join(t for t in (shot.layers.subject.strip(), shot.layers.action.strip()) if t)
        self.caption = draw_caption(width, height, caption)
        self.tc_font = font(height * 0.035, bold=True)
        self.frame = QImage(width, height, QImage.Format.Format_RGB32)

    # ------------------------------------------------------------------------------------- set-up

    def _load_reference(self, project_dir: Path | None, cw: int, ch: int) -> QImage | None:
        refs = self.shot.reference_images
        ref = self.shot.image_for("start") or (refs[0] if refs else None)
        if ref is None:
            return None
        path = Path(project_dir or ".") / ref.path
        try:
            image = bd.load_reference(path, cw, ch)
        except ValueError as exc:
            self.notes.append(f"{exc}; the drawn backdrop was used instead")
            return None
        self.reference = ref.path
        return image

    def _place_subject(self) -> None:
        """Put the stand-in subject in the picture: baked into the backdrop, or a sprite held in frame."""
        shot, w, h = self.shot, self.width, self.height
        backdrop = self.backdrop
        assert backdrop is not None
        cw, ch = backdrop.width(), backdrop.height()
        head = bd.HEAD_SHARE[shot.size] * h
        held = self.camera.holds_subject
        # Where the eyes sit relative to the frame centre: the upper third, or standing on the ground.
        if shot.size in (ShotSize.EWS, ShotSize.WS):
            eye_dy = (bd.HORIZON * ch + 0.1 * h - ch / 2) - 6.8 * head
        elif shot.size is ShotSize.ECU:
            eye_dy = 0.0
        else:
            eye_dy = -0.12 * h
        if held:
            # Tracking and orbit: the subject stays in frame while the backdrop slides behind it.
            top = max(0.0, h / 2 + eye_dy - head * 0.7)
            sprite = QImage(w, round(h - top), QImage.Format.Format_ARGB32_Premultiplied)
            sprite.fill(Qt.GlobalColor.transparent)
            p = QPainter(sprite)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            bd.draw_figure(p, w / 2, h / 2 + eye_dy - top, head, self.palette.subject, self.palette.accent)
            p.end()
            self.sprite, self.sprite_pos = sprite, (0.0, top)
            return
        p = QPainter(backdrop)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if shot.size is ShotSize.INSERT:
            bd.draw_insert(p, cw / 2, ch / 2, h * 0.55, self.palette)
        elif shot.size is ShotSize.OTS:
            bd.draw_figure(p, cw / 2 + 0.12 * w, ch / 2 + eye_dy, head, self.palette.subject,
                           self.palette.accent)
            shoulder = bd._mix(self.palette.subject, (0, 0, 0), 0.5)
            bd.draw_figure(p, cw / 2 - 0.3 * w, ch / 2 + 0.1 * h, head * 2.2, shoulder, shoulder)
        else:
            bd.draw_figure(p, cw / 2, ch / 2 + eye_dy, head, self.palette.subject, self.palette.accent)
        p.end()

    # ------------------------------------------------------------------------------------- frames

    def render(self, index: int, overlays: bool = True) -> QImage:
        w, h, n = self.width, self.height, self.frame_count
        backdrop = self.backdrop
        assert backdrop is not None
        u = index / (n - 1) if n > 1 else 0.0
        view = self.camera.view(u)
        cw, ch = backdrop.width(), backdrop.height()
        sw, sh = min(cw, w / view.zoom), min(ch, h / view.zoom)
        x0 = min(max(view.cx * cw - sw / 2, 0.0), cw - sw)
        y0 = min(max(view.cy * ch - sh / 2, 0.0), ch - sh)
        p = QPainter(self.frame)
        if abs(view.zoom - 1.0) < 1e-9:
            # Pure translation: a straight copy, no resampling.
            p.drawImage(0, 0, backdrop, round(x0), round(y0), w, h)
        else:
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(QRectF(0, 0, w, h), backdrop, QRectF(x0, y0, sw, sh))
        if self.sprite is not None:
            sx, sy = self.sprite_pos
            if self.camera.kind is Movement.ORBIT:
                # Turning around the subject: its silhouette narrows and widens as we circle it.
                squeeze = 0.7 + 0.3 * abs(math.cos(math.pi * u))
                sprite_w = self.sprite.width() * squeeze
                p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                p.drawImage(QRectF((w - sprite_w) / 2, sy, sprite_w, self.sprite.height()), self.sprite)
            else:
                p.drawImage(round(sx), round(sy), self.sprite)
        if overlays:
            self._overlays(p, index)
        p.end()
        return self.frame

    def _overlays(self, p: QPainter, index: int) -> None:
        w, h = self.width, self.height
        margin_y = h * (1 - TITLE_SAFE) / 2
        margin_x = w * (1 - TITLE_SAFE) / 2
        if self.caption is not None:
            p.drawImage(round((w - self.caption.width()) / 2), round(h - margin_y - self.caption.height()),
                        self.caption)
        draw_guides(p, w, h)
        if index < self.slate_frames:
            p.drawImage(round((w - self.slate.width()) / 2), round((h - self.slate.height()) / 2), self.slate)
        text = f"{self.shot.number or 'animatic'}  {timecode(index, self.tc_base)}"
        p.setFont(self.tc_font)
        box = QRectF(w - margin_x - h * 0.36, margin_y, h * 0.36, h * 0.05)
        p.fillRect(box, QColor(0, 0, 0, 150))
        p.setPen(QColor(255, 255, 255))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def array(self) -> np.ndarray:
        """The current frame as an H × W × 4 BGRA array (a view: copy it before the next ``render``)."""
        bits = self.frame.constBits()
        rows = np.frombuffer(bits, np.uint8).reshape(self.height, self.frame.bytesPerLine() // 4, 4)
        return rows[:, : self.width]


def render_animatic(shot: Shot, project: Project | None, project_dir: Path | None, out_path: Path, *,
                    progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
                    size: tuple[int, int] | None = None, fps: float | None = None,
                    planned_model: str | None = None) -> RenderResult:
    """Render ``shot`` to ``out_path`` (MP4). Raises InvalidShot before writing anything, RenderCanceled
    (leaving no file) when ``cancel`` is set. ``size``/``fps`` override the shot's own (film, tests)."""
    renderer = AnimaticRenderer(shot, project, project_dir, size=size, fps=fps, planned_model=planned_model)
    n = renderer.frame_count
    every = max(1, renderer.tc_base // 4)
    notes = list(renderer.notes)
    with ClipWriter(Path(out_path), renderer.width, renderer.height, renderer.rate,
                    audio=shot.audio) as writer:
        if shot.audio:
            track = scratch_track(shot, float(n / renderer.rate), renderer.slate_frames / renderer.fps)
            writer.set_audio(track.samples)
            notes += track.notes
        for i in range(n):
            if _cancelled(cancel):
                raise RenderCanceled(f"render of shot {shot.number or shot.id} canceled at frame {i} of {n}")
            renderer.render(i)
            writer.write_array(renderer.array())
            if progress is not None and (i % every == every - 1 or i == n - 1):
                progress((i + 1) / n)
        path = writer.finish()
    return RenderResult(path=path, width=renderer.width, height=renderer.height, fps=renderer.fps, frames=n,
                        duration_s=float(n / renderer.rate), move=renderer.camera.describe(),
                        reference=renderer.reference, audio=shot.audio, notes=notes)
