"""Writing H.264 MP4 clips with PyAV: fast x264 settings, atomic finish, nothing left on failure.

Frame rates are exact fractions (23.976 is 24000/1001, so a 10 s shot at 23.976 is 240 frames lasting
10.01 s, as an editor expects), and a clip may carry one mono AAC track (the animatic's scratch sound).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np

from shotplanner.core.models import fps_fraction
from shotplanner.media.errors import MediaError

#: x264 speed/size trade-off for previs: a clip is cut against, never delivered.
PRESET = "ultrafast"
CRF = 23
#: The sample rate of the scratch track (the rate editors and every NLE expect).
AUDIO_RATE = 48000


class ClipWriter:
    """Encode frames to ``out_path`` through a hidden temp file renamed into place on success.

    Used as a context manager: leaving it with an exception (a cancel included) deletes the temp file,
    so a failed or stopped render never leaves a partial clip where a clip is expected.
    """

    def __init__(self, out_path: Path, width: int, height: int, fps: float | Fraction, *,
                 preset: str = PRESET, crf: int = CRF, audio: bool = False) -> None:
        if width % 2 or height % 2:
            raise MediaError(f"H.264 4:2:0 needs even dimensions, got {width}x{height}")
        self.out_path = Path(out_path)
        self.out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.out_path.stem}.", suffix=".part.mp4",
                                   dir=self.out_path.parent)
        os.close(fd)
        self.tmp_path = Path(tmp)
        self.frames = 0
        self.rate = fps if isinstance(fps, Fraction) else fps_fraction(float(fps))
        self._audio: av.AudioStream | None = None
        self._samples: np.ndarray | None = None
        try:
            self._container = av.open(str(self.tmp_path), "w", format="mp4")
            stream = self._container.add_stream("libx264", rate=self.rate)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            # A keyframe every second: posters and the preview player seek without decoding far.
            stream.options = {"preset": preset, "crf": str(crf), "g": str(max(1, round(self.rate)))}
            stream.thread_type = "AUTO"
            stream.codec_context.time_base = 1 / self.rate
            self._stream = stream
            if audio:
                # Added before the first packet: the MP4 header lists every stream.
                self._audio = self._container.add_stream("aac", rate=AUDIO_RATE, layout="mono")
        except Exception:
            self._discard()
            raise

    def write_array(self, array: np.ndarray, fmt: str = "bgra") -> None:
        frame = av.VideoFrame.from_ndarray(array, format=fmt)
        self.write_frame(frame)

    @property
    def fps(self) -> float:
        return float(self.rate)

    def write_frame(self, frame: av.VideoFrame) -> None:
        frame.pts = self.frames
        frame.time_base = 1 / self.rate
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames += 1

    def set_audio(self, samples: np.ndarray) -> None:
        """The clip's sound: mono float samples in [-1, 1] at :data:`AUDIO_RATE`, written at ``finish``."""
        if self._audio is None:
            raise MediaError("this clip was opened without an audio track")
        self._samples = np.clip(np.asarray(samples, np.float32), -1.0, 1.0)

    def _write_audio(self) -> None:
        assert self._audio is not None
        # As long as the picture, padded with silence or cut: the track never outlasts the shot.
        length = round(self.frames / self.rate * AUDIO_RATE)
        samples = np.zeros(length, np.float32)
        if self._samples is not None:
            n = min(length, len(self._samples))
            samples[:n] = self._samples[:n]
        block = 1024  # the AAC frame size
        for start in range(0, length, block):
            chunk = samples[start:start + block].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="fltp", layout="mono")
            frame.sample_rate = AUDIO_RATE
            frame.pts = start
            frame.time_base = Fraction(1, AUDIO_RATE)
            for packet in self._audio.encode(frame):
                self._container.mux(packet)
        for packet in self._audio.encode():
            self._container.mux(packet)

    def finish(self) -> Path:
        for packet in self._stream.encode():
            self._container.mux(packet)
        if self._audio is not None:
            self._write_audio()
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
