"""Writing H.264 MP4 clips with PyAV: fast x264 settings, atomic finish, nothing left on failure."""

from __future__ import annotations

import contextlib
import os
import tempfile
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np

from shotplanner.media.errors import MediaError

#: x264 speed/size trade-off for previs: a clip is cut against, never delivered.
PRESET = "ultrafast"
CRF = 23


class ClipWriter:
    """Encode frames to ``out_path`` through a hidden temp file renamed into place on success.

    Used as a context manager: leaving it with an exception (a cancel included) deletes the temp file,
    so a failed or stopped render never leaves a partial clip where a clip is expected.
    """

    def __init__(self, out_path: Path, width: int, height: int, fps: int, *, preset: str = PRESET,
                 crf: int = CRF) -> None:
        if width % 2 or height % 2:
            raise MediaError(f"H.264 4:2:0 needs even dimensions, got {width}x{height}")
        self.out_path = Path(out_path)
        self.out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.out_path.stem}.", suffix=".part.mp4",
                                   dir=self.out_path.parent)
        os.close(fd)
        self.tmp_path = Path(tmp)
        self.frames = 0
        self.fps = fps
        try:
            self._container = av.open(str(self.tmp_path), "w", format="mp4")
            stream = self._container.add_stream("libx264", rate=fps)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            # A keyframe every second: posters and the preview player seek without decoding far.
            stream.options = {"preset": preset, "crf": str(crf), "g": str(fps)}
            stream.thread_type = "AUTO"
            stream.codec_context.time_base = Fraction(1, fps)
            self._stream = stream
        except Exception:
            self._discard()
            raise

    def write_array(self, array: np.ndarray, fmt: str = "bgra") -> None:
        frame = av.VideoFrame.from_ndarray(array, format=fmt)
        self.write_frame(frame)

    def write_frame(self, frame: av.VideoFrame) -> None:
        frame.pts = self.frames
        frame.time_base = Fraction(1, self.fps)
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames += 1

    def finish(self) -> Path:
        for packet in self._stream.encode():
            self._container.mux(packet)
        self._container.close()
        os.chmod(self.tmp_path, 0o644)  # mkstemp made it private; a clip is an ordinary project file
        os.replace(self.tmp_path, self.out_path)
        return self.out_path

    def _discard(self) -> None:
        with contextlib.suppress(Exception):
            self._container.close()
        with contextlib.suppress(FileNotFoundError):
            self.tmp_path.unlink()

    def __enter__(self) -> ClipWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:
            self._discard()
