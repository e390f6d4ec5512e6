"""Card thumbnails, decoded off the UI thread and kept in a small in-memory cache.

A reference image can be a 12,000-pixel photograph; decoding it on the UI thread would freeze the
window. ``get()`` therefore never decodes: it returns the cached pixmap, or ``None`` and queues a job on
a ``QThreadPool``. The worker uses ``QImageReader.setScaledSize`` (JPEG decoders scale while decoding)
and hands back a ``QImage`` — QPixmap may only be made on the GUI thread — through a queued signal.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QImageReader, QPixmap

log = logging.getLogger(__name__)

THUMB_SIZE = QSize(320, 180)
#: Memory Qt may use to decode one image (MB). Above this the card shows "image too large" instead.
DECODE_LIMIT_MB = 1024


def read_scaled(path: Path, box: QSize = THUMB_SIZE) -> tuple[QImage | None, str]:
    """Decode ``path`` scaled to fit ``box``; returns (image, "") or (None, reason). Thread-safe."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    reader.setAllocationLimit(DECODE_LIMIT_MB)
    size = reader.size()
    if not reader.canRead():
        return None, reader.errorString() or "not an image"
    if size.isValid() and (size.width() > box.width() or size.height() > box.height()):
        reader.setScaledSize(size.scaled(box, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return None, reader.errorString() or "could not be decoded"
    if image.width() > box.width() or image.height() > box.height():
        image = image.scaled(box, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image, ""


class _Signals(QObject):
    done = Signal(str, QImage, str)


class _ThumbJob(QRunnable):
    def __init__(self, path: Path, signals: _Signals) -> None:
        super().__init__()
        self._path = path
        self._signals = signals

    def run(self) -> None:
        try:
            image, reason = read_scaled(self._path)
        except Exception as exc:  # a decoder crash on one file must not kill the pool thread
            image, reason = None, str(exc)
        self._signals.done.emit(str(self._path), image if image is not None else QImage(), reason)


class ThumbnailCache(QObject):
    """Path → QPixmap; emits ``ready(path)`` when a requested thumbnail arrives (or failed)."""

    ready = Signal(str)

    def __init__(self, capacity: int = 400, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._capacity = capacity
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._failed: dict[str, str] = {}
        self._pending: set[str] = set()
        self._mtimes: dict[str, float] = {}
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._signals = _Signals(self)
        self._signals.done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)

    def get(self, path: Path) -> QPixmap | None:
        """The cached thumbnail, or ``None`` while it is being made (or if it cannot be made)."""
        key = str(path)
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None
        if self._mtimes.get(key) not in (None, mtime):
            # The file changed on disk: forget the old picture.
            self._pixmaps.pop(key, None)
            self._failed.pop(key, None)
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            self._pixmaps.move_to_end(key)
            return pixmap
        if key not in self._pending and key not in self._failed:
            self._pending.add(key)
            self._mtimes[key] = mtime
            self._pool.start(_ThumbJob(path, self._signals))
        return None

    def failure(self, path: Path) -> str | None:
        """Why the thumbnail for ``path`` could not be made, if it could not."""
        return self._failed.get(str(path))

    def is_pending(self, path: Path) -> bool:
        return str(path) in self._pending

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until queued jobs finish (tests and shutdown only)."""
        return self._pool.waitForDone(msecs)

    @Slot(str, QImage, str)
    def _on_done(self, key: str, image: QImage, reason: str) -> None:
        self._pending.discard(key)
        if image.isNull():
            self._failed[key] = reason or "could not be read"
            log.info("no thumbnail for %s: %s", key, self._failed[key])
        else:
            self._pixmaps[key] = QPixmap.fromImage(image)
            while len(self._pixmaps) > self._capacity:
                self._pixmaps.popitem(last=False)
        self.ready.emit(key)
