"""Storyboard stills drawn offline, and the last frame of a clip read back (continuity across a cut)."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PySide6.QtGui import QImage

from shotplanner.core.models import ImageRef, Take
from shotplanner.media.errors import InvalidShot
from shotplanner.media.frame import extract_last_frame, frame_size, render_frame
from shotplanner.media.qt import ensure_gui_app
from tests.media.clips import make_shot, project_with


def _pixels(path: Path) -> np.ndarray:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    assert not image.isNull(), f"{path} does not decode"
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def test_frame_sizes_follow_aspect_and_resolution() -> None:
    assert frame_size("16:9", "1080p") == (1920, 1080)
    assert frame_size("9:16", "720p") == (720, 1280)
    assert frame_size("2.39:1", "4k") == (2582, 1080)  # the local renderer stops at 1080 lines
    with pytest.raises(InvalidShot, match="aspect"):
        frame_size("wide", "1080p")


def test_a_frame_is_a_png_of_the_shot_with_its_palette(tmp_path: Path) -> None:
    ensure_gui_app()
    night = make_shot(light="moonlight, cold blue", number="4")
    day = make_shot(light="harsh noon sun", number="5")
    project = project_with(night, day)
    a = render_frame(night, project, tmp_path, tmp_path / "media/frames/a.png", size=(320, 180))
    b = render_frame(day, project, tmp_path, tmp_path / "media/frames/b.png", size=(320, 180))
    assert a.path.read_bytes().startswith(b"\x89PNG") and (a.width, a.height) == (320, 180)
    pa, pb = _pixels(a.path), _pixels(b.path)
    assert pa.shape == (180, 320, 3)
    # The palette follows the light layer: the moonlit sky (right of the slate) is darker than at noon.
    sky_a, sky_b = pa[40:60, 200:260].mean(axis=(0, 1)), pb[40:60, 200:260].mean(axis=(0, 1))
    assert sky_a.sum() < 0.7 * sky_b.sum()
    assert not list(tmp_path.glob("media/frames/.*")), "no temporary file is left behind"


def test_a_frame_never_draws_from_the_shots_own_frame(tmp_path: Path) -> None:
    ensure_gui_app()
    shot = make_shot(number="6")
    own = tmp_path / "media/frames/old.png"
    render_frame(shot, project_with(shot), tmp_path, own, size=(320, 180))
    shot.takes.append(Take(kind="frame", model_id="local-frame", provider="local",
                           clip="media/frames/old.png", circled=True))
    shot.reference_images = [ImageRef(path="media/frames/old.png", role="start")]
    result = render_frame(shot, project_with(shot), tmp_path, tmp_path / "media/frames/new.png",
                          size=(320, 180))
    assert result.reference is None  # drawn from the backdrop, not over the old frame and its slate


def _clip_ending_in(color: tuple[int, int, int], seconds: float = 3.0, fps: int = 12) -> bytes:
    """An H.264 MP4 (libx264 through FFmpeg's libraries) whose last second is one flat colour."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.time_base = Fraction(1, fps)
        total = int(seconds * fps)
        for i in range(total):
            pixels = np.zeros((48, 64, 3), dtype=np.uint8)
            if i >= total - fps:
                pixels[:] = color
            else:
                pixels[:, :, 1] = (i * 9) % 256
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def test_the_last_frame_of_a_clip_becomes_a_png(tmp_path: Path) -> None:
    clip = tmp_path / "take.mp4"
    clip.write_bytes(_clip_ending_in((200, 40, 40)))
    out = extract_last_frame(clip, tmp_path / "media/frames/last.png")
    pixels = _pixels(out)
    assert pixels.shape == (48, 64, 3)
    assert np.abs(pixels.mean(axis=(0, 1)) - (200, 40, 40)).max() < 12


def test_last_frame_of_something_that_is_not_a_clip_says_why(tmp_path: Path) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    with pytest.raises(ValueError, match="not a readable video"):
        extract_last_frame(bad, tmp_path / "x.png")
    with pytest.raises(ValueError, match="missing"):
        extract_last_frame(tmp_path / "gone.mp4", tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
