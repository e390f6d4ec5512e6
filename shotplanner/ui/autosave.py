"""Autosave: about a second after each change, the unsaved state is written beside project.json.

The write goes through ``core.storage.save_recovery`` (atomic: temp file, fsync, rename), never over
the user's own ``project.json``. A failed write (read-only folder, full disk) is reported through
``failed`` and retried on the next change; the edits stay in memory, nothing is dropped. ``saved`` is
emitted only after a write that really happened, so the status bar never claims a save that did not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from shotplanner.core import storage
from shotplanner.core.models import Project

log = logging.getLogger(__name__)

DELAY_MS = 1000


class Autosave(QObject):
    saved = Signal(object)  # datetime of the successful write
    failed = Signal(str)  # a message for the user

    def __init__(self, project: Callable[[], Project], folder: Callable[[], Path | None],
                 delay_ms: int = DELAY_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._project = project
        self._folder = folder
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.write_now)
        self.pending = False
        self.last_error: str | None = None
        self.enabled = True

    def set_enabled(self, enabled: bool) -> None:
        """Preferences ▸ Autosave off: changes wait for Save (a close still writes what is pending)."""
        self.enabled = enabled
        if not enabled:
            self._timer.stop()

    def set_delay_ms(self, delay_ms: int) -> None:
        self._timer.setInterval(max(100, int(delay_ms)))

    def schedule(self) -> None:
        """A change happened: write after the delay (restarted by each further change)."""
        self.pending = True
        if self.enabled:
            self._timer.start()

    def cancel(self) -> None:
        """Forget pending work (after a Save, or when another project is opened)."""
        self.pending = False
        self._timer.stop()

    def write_now(self) -> bool:
        """Write the recovery file now if something is pending; returns whether the state is safe."""
        self._timer.stop()
        if not self.pending:
            return True
        folder = self._folder()
        if folder is None:
            return False
        try:
            storage.save_recovery(self._project(), folder)
        except (OSError, storage.ProjectError) as exc:
            self.last_error = (f"Autosave failed: {exc}. Your edits are kept in memory — "
                               "use Save As to keep them.")
            log.warning("autosave to %s failed: %s", folder, exc)
            self.failed.emit(self.last_error)
            return False
        self.pending = False
        self.last_error = None
        self.saved.emit(datetime.now())
        return True
