"""Storyboard stills, offline: the animatic's composed first frame as a PNG, and a clip's last frame.

``render_frame`` draws what the animatic would show at its first frame — the reference image or the drawn
backdrop in the shot's palette, with the stand-in subject framed for its size — then the framing guides,
the caption, and a small slate in the top-left corner (a still keeps its slate in view without hiding the
picture). ``extract_last_frame`` decodes a clip's final picture with PyAV, so the next shot can start where
the previous take ended (continuity across a cut).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from shotplanner.core.frames import is_frame_start
from shotplanner.core.models import RESOLUTION_LINES, Project, Shot
from shotplanner.core.validation import check_basic
from shotplanner.media.animatic import MAX_LINES, AnimaticRenderer
from shotplanner.media.errors import InvalidShot
from shotplanner.media.overlays import TITLE_SAFE, SlateInfo, draw_guides, draw_slate, font
from shotplanner.media.qt import ensure_gui_app


@dataclass(slots=True)
class FrameResult:
    path: Path
    width: int
    height: int
    reference: str | None = None  # the image the picture was drawn from, as stored on the shot
    notes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return "; ".join(self.notes)


def _even(x: float) -> int:
    return max(2, 2 * round(x / 2))


def frame_size(aspect: str, resolution: str) -> tuple[int, int]:
    """Pixel size of a still: the short side is the resolution's line count (at most 1080)."""
    lines = min(RESOLUTION_LINES.get(resolution, 1080), MAX_LINES)
    try:
        aw, ah = (float(n) for n in aspect.split(":"))
    except ValueError:
        raise InvalidShot([f"aspect: {aspect!r} is not an aspect ratio like 16:9"]) from None
    if not (aw > 0 and ah > 0):
        raise InvalidShot([f"aspect: {aspect!r} is not an aspect ratio like 16:9"])
    if aw >= ah:
        return _even(lines * aw / ah), _even(lines)
    return _even(lines), _even(lines * ah / aw)


def _still_shot(shot: Shot) -> Shot:
    """The shot as a still is drawn from: never from one of its own frames, and one second long.

    A circled frame is the shot's start image; drawing the next frame over it would stack slates.
    The duration only matters to a clip, so a shot still being timed can be framed already.
    """
    images = [r for r in shot.reference_images if not is_frame_start(shot, r)]
    return shot.model_copy(update={"reference_images": images, "duration_s": 1.0, "fps": 24.0})


def render_frame(shot: Shot, project: Project | None, project_dir: Path | None, out_path: Path, *,
                 size: tuple[int, int] | None = None, planned_model: str | None = None) -> FrameResult:
    """Draw ``shot``'s storyboard frame into ``out_path`` (PNG, written whole then renamed)."""
    problems = [f"aspect: {p.message}" for p in check_basic(shot) if p.field == "aspect"]
    if problems:
        raise InvalidShot(problems)
    ensure_gui_app()
    width, height = size or frame_size(shot.aspect, shot.resolution)
    still = _still_shot(shot)
    renderer = AnimaticRenderer(still, project, project_dir, size=(width, height), fps=24,
                                planned_model=planned_model)
    image = renderer.render(0, overlays=False).copy()
    scene = project.scene_of(shot.id) if project is not None else None
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    w, h = image.width(), image.height()
    if renderer.caption is not None:
        margin_y = h * (1 - TITLE_SAFE) / 2
        p.drawImage(round((w - renderer.caption.width()) / 2),
                    round(h - margin_y - renderer.caption.height()), renderer.caption)
    draw_guides(p, w, h)
    lens = f"{shot.lens_mm} mm" if shot.lens_mm else "lens not set"
    info = SlateInfo(
        title=project.title if project is not None else "",
        scene=scene.number if scene is not None else "—", shot=shot.number or "—",
        size=shot.size.label, lens=lens, angle=shot.angle.value, move=renderer.camera.describe(),
        model=planned_model or shot.model_id or "the recommended model",
        duration=f"storyboard frame  ·  {shot.aspect}",
    )
    short = min(w, h)
    slate = draw_slate(_even(short * 0.5), _even(short * 0.32), info)
    inset_x, inset_y = w * (1 - TITLE_SAFE) / 2, h * (1 - TITLE_SAFE) / 2
    p.setOpacity(0.92)
    p.drawImage(round(inset_x), round(inset_y), slate)
    p.setOpacity(1.0)
    _stamp(p, w, h, shot.number or "frame")
    p.end()
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.stem}.tmp.png")
    if not image.save(str(tmp)):  # the format follows the ".png" suffix
        tmp.unlink(missing_ok=True)
        raise OSError(f"could not write {out_path.name}")
    os.replace(tmp, out_path)
    return FrameResult(out_path, w, h, renderer.reference, list(renderer.notes))


def _stamp(p: QPainter, w: int, h: int, label: str) -> None:
    """The shot number, top right, where the animatic shows its timecode."""
    margin_x, margin_y = w * (1 - TITLE_SAFE) / 2, h * (1 - TITLE_SAFE) / 2
    p.setFont(font(h * 0.035, bold=True))
    box = QRectF(w - margin_x - h * 0.2, margin_y, h * 0.2, h * 0.05)
    p.fillRect(box, QColor(0, 0, 0, 150))
    p.setPen(QColor(255, 255, 255))
    p.drawText(box, Qt.AlignmentFlag.AlignCenter, label)


def extract_last_frame(clip: Path, out_path: Path) -> Path:
    """Write the last decodable picture of ``clip`` to ``out_path`` (PNG). Raises ValueError saying why not.

    Seeks to about a second before the end and decodes forward, so a long clip costs no more than a short
    one; a file without a seekable index is decoded from the start.
    """
    import av
    import numpy as np

    clip = Path(clip)
    if not clip.is_file():
        raise ValueError(f"{clip.name} is missing")
    last = None
    try:
        with av.open(str(clip)) as container:
            if not container.streams.video:
                raise ValueError(f"{clip.name} has no video stream")
            stream = container.streams.video[0]
            if container.duration and container.duration > 2_000_000:
                container.seek(container.duration - 1_500_000, any_frame=False, backward=True)
            for frame in container.decode(stream):
                last = frame
            if last is None:
                container.seek(0)
                for frame in container.decode(stream):
                    last = frame
            if last is None:
                raise ValueError(f"{clip.name} has no picture that decodes")
            rgb = np.ascontiguousarray(last.to_ndarray(format="rgb24"))
    except av.error.FFmpegError as exc:
        raise ValueError(f"{clip.name} is not a readable video ({type(exc).__name__})") from exc
    ensure_gui_app()
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, rgb.strides[0], QImage.Format.Format_RGB888).copy()
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.stem}.tmp.png")
    if not image.save(str(tmp)):  # the format follows the ".png" suffix
        tmp.unlink(missing_ok=True)
        raise ValueError(f"could not write {out_path.name}")
    os.replace(tmp, out_path)
    return out_path
