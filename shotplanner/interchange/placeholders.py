"""Slate clips for shots with no take, so every editor shows the shot instead of an empty track.

A gap is invisible in most editors (and an EDL of gaps is a title alone); a real H.264 clip of the shot's
slate (scene, shot, size, lens, camera, planned model, length) cuts like any take. It is written once
into the project's ``media/placeholders/`` (the name holds a hash of what it shows, so an edited shot
gets a new slate and an unchanged one is reused) and carries the shot id in its name, so an editor's cut
that comes back with the slate in it still finds its shot (``conform``).
"""

from __future__ import annotations

import hashlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from shotplanner.core.confine import inside
from shotplanner.core.models import Project, Scene, Shot, fps_fraction, fps_label
from shotplanner.interchange.facts import lens_text

PLACEHOLDER_DIR = "media/placeholders"
PREFIX = "slate"
#: Slates are rendered at most this wide: editors scale them to the sequence, and encoding time grows with
#: the pixel count (640x360: ~0.05 s for a 5 s clip; 1280x720: ~0.4 s).
MAX_WIDTH = 640


def placeholder_name(shot: Shot, key: str) -> str:
    return f"{PREFIX}-{shot.id}-{key}.mp4"


def shot_id_from_name(name: str) -> str | None:
    """The shot id in a slate clip's file name, or ``None`` when the name is not one of ours."""
    stem = Path(name).stem
    if not stem.startswith(f"{PREFIX}-"):
        return None
    shot_id, sep, key = stem.removeprefix(f"{PREFIX}-").rpartition("-")
    return shot_id if sep and shot_id and len(key) == 10 else None


def _key(project: Project, scene: Scene, shot: Shot, frames: int, size: tuple[int, int], model: str,
         still: Path | None = None) -> str:
    facts = "|".join(
        str(x)
        for x in (
            project.title, scene.number, scene.heading, shot.number, shot.size.value, shot.angle.value,
            shot.movement.value, lens_text(shot), shot.model_id or "", shot.layers.subject,
            shot.layers.action, frames, project.fps, size, model, still or "",
        )
    )
    return hashlib.sha1(facts.encode("utf-8")).hexdigest()[:10]


def _frame(
    project: Project, scene: Scene, shot: Shot, frames: int, size: tuple[int, int], model: str,
    still: Path | None = None,
) -> np.ndarray:
    from PySide6.QtGui import QColor, QImage, QPainter

    from shotplanner.media.overlays import SlateInfo, draw_caption, draw_slate
    from shotplanner.media.qt import ensure_gui_app

    ensure_gui_app()
    width, height = size
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(28, 28, 32))
    picture = QImage(str(still)) if still is not None else QImage()
    seconds = float(frames / fps_fraction(project.fps))
    info = SlateInfo(
        title=project.title,
        scene=scene.number or "—",
        shot=shot.number or "—",
        size=shot.size.label,
        lens=lens_text(shot) or "lens not set",
        angle=shot.angle.value,
        move=shot.movement.value,
        model=model or "the recommended model",
        duration=f"{seconds:g} s  ·  {fps_label(project.fps)} fps  ·  NO TAKE YET",
    )
    short = min(width, height)
    p = QPainter(image)
    if not picture.isNull():
        # The circled storyboard frame is the picture; a small slate in the corner still names the shot.
        from PySide6.QtCore import QRect, Qt

        scaled = picture.scaled(width, height, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                                Qt.TransformationMode.SmoothTransformation)
        p.drawImage(QRect(0, 0, width, height), scaled,
                    QRect((scaled.width() - width) // 2, (scaled.height() - height) // 2, width, height))
        slate = draw_slate(int(short * 0.5) // 2 * 2, int(short * 0.33) // 2 * 2, info)
        p.drawImage(width // 40, height // 40, slate)
    else:
        slate = draw_slate(int(short * 0.95) // 2 * 2, int(short * 0.62) // 2 * 2, info)
        p.drawImage((width - slate.width()) // 2, (height - slate.height()) // 3, slate)
    caption = " — ".join(t for t in (shot.layers.subject.strip(), shot.layers.action.strip()) if t)
    overlay = draw_caption(width, height, caption) if caption else None
    if overlay is not None:  # a subtitle block under the slate, as the animatic places it
        p.drawImage((width - overlay.width()) // 2, height - overlay.height() - height // 20, overlay)
    p.end()
    bits = image.constBits()
    rows = np.frombuffer(bits, np.uint8).reshape(height, image.bytesPerLine() // 4, 4)
    return np.ascontiguousarray(rows[:, :width, :3][:, :, ::-1])  # BGRA → RGB


def _encode(path: Path, picture: np.ndarray, frames: int, rate: Fraction) -> None:
    tmp = path.with_name(f".{path.name}.part")
    try:
        with av.open(str(tmp), "w", format="mp4") as container:
            stream = container.add_stream("libx264", rate=rate)
            stream.height, stream.width = picture.shape[:2]
            stream.pix_fmt = "yuv420p"
            stream.options = {"preset": "ultrafast", "crf": "28", "g": str(max(1, round(rate)))}
            stream.codec_context.time_base = 1 / rate
            # Converted to the encoder's format once: the same picture is every frame of the clip.
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(format="yuv420p")
            for i in range(frames):
                frame.pts = i
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def slate_size(size: tuple[int, int]) -> tuple[int, int]:
    """The slate's own picture size for a sequence of ``size``: at most MAX_WIDTH wide, even sides."""
    width, height = size
    if width > MAX_WIDTH:
        width, height = MAX_WIDTH, round(height * MAX_WIDTH / width)
    return width // 2 * 2, height // 2 * 2


def ensure_placeholder(
    project: Project,
    scene: Scene,
    shot: Shot,
    frames: int,
    size: tuple[int, int],
    project_dir: Path,
    model: str = "",
) -> Path:
    """The slate clip for ``shot`` (``frames`` long at the project rate), rendered if not there yet.

    A shot with a circled storyboard frame shows that frame under a small slate: the editor cuts the
    planned picture, not a card of text."""
    width, height = slate_size(size)
    folder = Path(project_dir) / PLACEHOLDER_DIR
    circled = shot.circled_frame
    still = inside(project_dir, circled.clip) if circled is not None else None
    still = still if still is not None and still.is_file() else None
    key = _key(project, scene, shot, frames, (width, height), model, still)
    path = folder / placeholder_name(shot, key)
    if path.is_file():
        return path.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    picture = _frame(project, scene, shot, frames, (width, height), model, still)
    _encode(path, picture, frames, fps_fraction(project.fps))
    return path.resolve()
