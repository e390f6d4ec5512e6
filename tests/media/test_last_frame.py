"""The last frame of a clip, for chaining split segments: exact, cached per clip version, clear errors."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PySide6.QtGui import QImage

from shotplanner.media.animatic import render_animatic
from shotplanner.media.errors import MediaError
from shotplanner.media.last_frame import save_last_frame
from tests.media.clips import SMALL, decode, make_shot, project_with


def _png(path: Path) -> np.ndarray:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    assert not image.isNull()
    ptr = image.constBits()
    arr = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine())
    return arr[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def _long_gop_clip(path: Path, frames: int = 72) -> None:
    """An MPEG-4 Part 2 clip with one keyframe only (a seek near the end lands at the start), frames
    darkening to a distinct last one."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=24)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        stream.codec_context.gop_size = 1000
        stream.time_base = Fraction(1, 24)
        for i in range(frames):
            rgb = np.full((96, 160, 3), 250 - 3 * i, np.uint8)
            rgb[:, : 2 + i] = (20, 200, 40)  # a bar that grows: every frame differs
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def test_last_frame_of_a_long_gop_clip_is_the_last_decoded_frame(tmp_path: Path) -> None:
    clip = tmp_path / "take.mp4"
    _long_gop_clip(clip)
    frames = decode(clip)
    still = save_last_frame(clip, tmp_path / "frames")
    got = _png(still)
    assert got.shape == frames[-1].shape
    assert np.abs(got.astype(int) - frames[-1].astype(int)).max() == 0
    assert np.abs(got.astype(int) - frames[-2].astype(int)).max() > 0  # not the one before it
    assert save_last_frame(clip, tmp_path / "frames") == still  # reused while the clip is unchanged


def test_last_frame_of_a_rendered_animatic(tmp_path: Path) -> None:
    shot = make_shot("slow push-in", duration=1.5)
    clip = tmp_path / "animatic.mp4"
    render_animatic(shot, project_with(shot), tmp_path, clip, size=SMALL)
    got = _png(save_last_frame(clip, tmp_path))
    last = decode(clip)[-1]
    assert np.abs(got.astype(int) - last.astype(int)).max() == 0


def test_a_file_that_is_not_a_video_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "take.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(MediaError, match=r"take\.mp4"):
        save_last_frame(bad, tmp_path)
    with pytest.raises(MediaError, match="no such clip"):
        save_last_frame(tmp_path / "gone.mp4", tmp_path)
    assert not list(tmp_path.glob("*.png"))
