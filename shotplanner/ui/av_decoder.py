"""The PyAV engine of :class:`shotplanner.ui.player.Player`: a decoder thread that turns a clip into
scaled RGB frames in a small bounded queue, for the GUI thread to show when their time comes.

What crosses the queue: ``DecoderMeta`` (the stream's facts, once), ``DecodedFrame`` (pixels and time),
``DecoderEnd`` (the end of a run, or why the clip cannot play).
"""

from __future__ import annotations

import contextlib
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage


@dataclass(frozen=True, slots=True)
class DecoderMeta:
    gen: int
    duration_ms: int
    fps: float
    size: tuple[int, int]


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    """A decoded frame as RGB pixels: the QImage is made on the GUI thread, never in the decoder's."""

    gen: int
    pts_ms: int
    rgb: Any  # numpy array, height × width × 3, uint8

    def to_image(self) -> QImage:
        h, w = self.rgb.shape[:2]
        return QImage(self.rgb.data, w, h, self.rgb.strides[0], QImage.Format.Format_RGB888).copy()


@dataclass(frozen=True, slots=True)
class DecoderEnd:
    gen: int
    error: str = ""


class AvDecoder:
    """A thread that decodes from the last requested position into a small bounded queue.

    Each seek bumps a generation number; frames of an older generation are dropped by the reader, so a
    seek never shows a stale frame. The queue is bounded so a paused clip costs no CPU.
    """

    def __init__(self, path: Path, width: int) -> None:
        self.path = path
        self.width = width
        self.out: queue.Queue[DecoderMeta | DecodedFrame | DecoderEnd] = queue.Queue(maxsize=6)
        self._cond = threading.Condition()
        self._seek: tuple[int, int] | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="preview-decoder", daemon=True)
        self._thread.start()

    def seek(self, gen: int, ms: int) -> None:
        with self._cond:
            self._seek = (gen, max(0, ms))
            self._cond.notify_all()
        # No draining here: the reader drops older generations, and the stream facts (DecoderMeta) must stay.

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        with contextlib.suppress(queue.Empty):
            while True:
                self.out.get_nowait()

    def _pending(self) -> bool:
        return self._stop or self._seek is not None

    def _put(self, item: DecoderMeta | DecodedFrame | DecoderEnd) -> bool:
        """Queue ``item``; False when a seek or stop arrived while waiting for room."""
        while True:
            if self._pending():
                return False
            try:
                self.out.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue

    def _run(self) -> None:
        import av

        try:
            container = av.open(str(self.path))
        except (av.FFmpegError, OSError) as exc:
            self._fail(f"cannot open {self.path.name}: {exc}")
            return
        with container:
            if not container.streams.video:
                self._fail(f"{self.path.name} has no video")
                return
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            fps = float(stream.average_rate or stream.guessed_rate or 24)
            duration = 0.0
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / 1_000_000
            width = min(self.width, stream.width or self.width)
            height = max(2, 2 * round((stream.height or 2) * width / max(1, stream.width or width) / 2))
            meta = DecoderMeta(-1, round(duration * 1000), fps, (width, height))
            with contextlib.suppress(queue.Full):
                self.out.put(meta, timeout=1.0)
            while True:
                with self._cond:
                    while self._seek is None and not self._stop:
                        self._cond.wait()
                    if self._stop:
                        return
                    assert self._seek is not None
                    gen, target = self._seek
                    self._seek = None
                self._decode_from(container, stream, gen, target, fps, (width, height))

    def _decode_from(
        self, container: Any, stream: Any, gen: int, target: int, fps: float, size: tuple[int, int]
    ) -> None:
        import av

        half = 500 / fps
        try:
            if stream.time_base is not None:
                container.seek(int(target / 1000 / stream.time_base), stream=stream, backward=True)
            last: DecodedFrame | None = None
            for frame in container.decode(stream):
                if self._pending():
                    return
                pts = round((frame.time or 0.0) * 1000)
                rgb = frame.to_ndarray(width=size[0], height=size[1], format="rgb24")
                item = DecodedFrame(gen, pts, rgb)
                if pts < target - half:
                    last = item  # before the target: kept in case the target is past the last frame
                    continue
                last = None
                if not self._put(item):
                    return
            if last is not None and not self._put(last):
                return
        except av.FFmpegError as exc:
            self._put(DecoderEnd(gen, f"{self.path.name} is damaged: {exc}"))
            return
        self._put(DecoderEnd(gen))

    def _fail(self, message: str) -> None:
        with contextlib.suppress(queue.Full):
            self.out.put(DecoderEnd(-1, message), timeout=1.0)
