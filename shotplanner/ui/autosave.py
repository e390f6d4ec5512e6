"""Autosave: about a second after each change, the unsaved state is written beside project.json.

The write goes through ``core.storage`` (atomic: temp file, fsync, rename), never over the user's own
``project.json``. A failed write (read-only folder, full disk) is reported through ``failed`` and retried
on the next change; the edits stay in memory, nothing is dropped. ``saved`` is emitted only after a write
that really happened, so the status bar never claims a save that did not.

The timer's writes leave the GUI thread: the project is serialized here (a consistent snapshot, a few ms
for 200 shots), the bytes are written and fsync'ed on the autosave's own writer thread (one for its
lifetime: starting a thread per write made the GUI wait, up to 3 ms under load, for the new thread to
run). An fsync waits for the disk —
tens of milliseconds on a busy one, far more on a slow one — and the storyboard must not freeze for it
while 200 jobs report progress. One write at a time: anything that must come after a write in flight
(a synchronous write at close, a Save that then removes the recovery file, a hold) waits for it first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from shotplanner.core import storage
from shotplanner.core.models import Project

log = logging.getLogger(__name__)

DELAY_MS = 1000
#: However often changes keep coming (takes reporting progress), a pending change is written within this.
MAX_DELAY_MS = 2000


class _Write:
    """One recovery write on the writer thread; ``error`` is set when it failed."""

    def __init__(self, writer: ThreadPoolExecutor, path: Path, data: bytes,
                 done: Callable[[_Write], None]) -> None:
        self.path = path
        self.error: Exception | None = None
        self._data = data
        self._done = done
        self._future = writer.submit(self._run)

    def _run(self) -> None:
        try:
            storage.write_atomic(self.path, self._data)
        except (OSError, storage.ProjectError) as exc:
            self.error = exc
        except Exception as exc:  # a bug, not the disk: still reported, so autosave never goes quiet
            log.exception("autosave write to %s failed", self.path)
            self.error = exc
        self._data = b""
        try:
            self._done(self)
        except RuntimeError:  # the window (and its autosave) is gone: nobody to tell
            pass

    def wait(self) -> None:
        self._future.result()


class Autosave(QObject):
    saved = Signal(object)  # datetime of the successful write
    failed = Signal(str)  # a message for the user
    #: A background write ended (emitted on its thread; handled on ours).
    _wrote = Signal(object)

    def __init__(self, project: Callable[[], Project], folder: Callable[[], Path | None],
                 delay_ms: int = DELAY_MS, parent: QObject | None = None, *,
                 max_delay_ms: int = MAX_DELAY_MS) -> None:
        super().__init__(parent)
        self.delay_ms = delay_ms
        self.max_delay_ms = max(delay_ms, max_delay_ms)
        self._since = 0.0  # when the oldest unwritten change happened (monotonic)
        #: While held (a recovery file waits for the user's answer), nothing is written over it.
        self.held = False
        self._project = project
        self._folder = folder
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._write_soon)
        #: Changes not in any write yet (``pending`` also counts the write in flight).
        self._dirty = False
        self._writing: _Write | None = None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shotplanner-autosave")
        self._wrote.connect(self._finish, Qt.ConnectionType.QueuedConnection)
        self.last_error: str | None = None
        self.enabled = True

    @property
    def pending(self) -> bool:
        """Whether some change is not safely on disk yet (unwritten, or its write still under way)."""
        return self._dirty or self._writing is not None

    def set_enabled(self, enabled: bool) -> None:
        """Preferences ▸ Autosave off: changes wait for Save (a close still writes what is pending)."""
        self.enabled = enabled
        if not enabled:
            self._timer.stop()

    def set_delay_ms(self, delay_ms: int) -> None:
        self.delay_ms = max(100, int(delay_ms))
        self.max_delay_ms = max(self.delay_ms, self.max_delay_ms)
        self._timer.setInterval(self.delay_ms)

    def schedule(self, *, postpone: bool = True) -> None:
        """A change happened: write after the delay, restarted by each further change but never past
        the maximum delay after the oldest unwritten one. ``postpone=False`` (a take's progress) keeps a
        write already due where it is."""
        now = time.monotonic()
        if not self._dirty:
            self._dirty = True
            self._since = now
        elif not postpone and self._timer.isActive():
            return
        self._start_timer(now)

    def _start_timer(self, now: float) -> None:
        if not self.enabled:
            return
        left_ms = self.max_delay_ms - (now - self._since) * 1000
        self._timer.start(int(max(0.0, min(self.delay_ms, left_ms))))

    def hold(self, held: bool) -> None:
        """Hold writes (edits stay pending in memory) or let them go again (a due write happens soon)."""
        if held:
            self._wait(report=True)  # nothing lands on the held file after this
        self.held = held
        if not held and self._dirty and self.enabled:
            self._timer.start(0)

    def cancel(self) -> None:
        """Forget pending work (after a Save, or when another project is opened). A write under way is
        waited for, so that nothing written by it appears after the caller removes the recovery file."""
        self._dirty = False
        self._timer.stop()
        self._wait(report=False)

    def _write_soon(self) -> None:
        """The timer: serialize here, write on a thread (the GUI never waits for the disk)."""
        if self._writing is not None:
            return  # it ends soon; changes made meanwhile are written after it (see _finish)
        if not self._dirty or self.held:
            return
        folder = self._folder()
        if folder is None:
            return
        data = self._project().model_dump_json().encode("utf-8")
        self._dirty = False
        self._writing = _Write(self._writer, storage.recovery_path(folder), data, self._wrote.emit)

    def _finish(self, write: _Write) -> None:
        """A background write ended (GUI thread). Already handled when someone waited for it."""
        if write is not self._writing:
            return
        self._writing = None
        self._report(write)
        if self._dirty and write.error is None and not self.held:
            self._start_timer(time.monotonic())  # changes made while it was written

    def _wait(self, *, report: bool) -> bool:
        """Wait for the write in flight (if any); False when it failed."""
        write = self._writing
        if write is None:
            return True
        write.wait()
        self._writing = None
        if report:
            self._report(write)
        return write.error is None

    def _report(self, write: _Write) -> None:
        if write.error is None:
            self.last_error = None
            self.saved.emit(datetime.now())
            return
        self._dirty = True  # those changes are still only in memory: tried again on the next change
        self._fail(write.path.parent, write.error)

    def _fail(self, folder: Path, exc: Exception) -> None:
        self.last_error = (f"Autosave failed: {exc}. Your edits are kept in memory — "
                           "use Save As to keep them.")
        log.warning("autosave to %s failed: %s", folder, exc)
        self.failed.emit(self.last_error)

    def write_now(self) -> bool:
        """Write the recovery file now (after any write in flight) if something is pending; returns
        whether the state is safe."""
        self._timer.stop()
        self._wait(report=True)  # a failed one leaves its changes dirty: written again below
        if not self._dirty:
            return True
        if self.held:
            return False
        folder = self._folder()
        if folder is None:
            return False
        try:
            storage.save_recovery(self._project(), folder)
        except (OSError, storage.ProjectError) as exc:
            self._fail(folder, exc)
            return False
        self._dirty = False
        self.last_error = None
        self.saved.emit(datetime.now())
        return True
