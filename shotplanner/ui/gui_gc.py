"""Python's cyclic garbage collector, run on the GUI thread only.

Python collects reference cycles in whichever thread happens to allocate when a threshold is crossed:
the generation loop thread, a PyAV decoder, a thumbnail worker, an executor thread. Widgets and other
QObjects routinely sit in cycles (a window holds its children's wrappers, their signals hold lambdas
and bound methods of the window), so a collection in a worker thread runs their C++ destructors there.
Qt cannot unregister a timer from another thread ("QObject::~QObject: Timers cannot be stopped from
another thread"): the timer stays in the GUI thread's list and later fires on freed memory — a crash
inside ``QTimerInfoList::activateTimers``, far from its cause.

:class:`GuiThreadCollector` turns automatic collection off and collects on a GUI-thread timer instead,
with the same generation thresholds Python would use, so collection still happens about as often.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

#: How often the GUI thread looks at the allocation counts (a look costs nothing when under threshold).
CHECK_MS = 500


class GuiThreadCollector(QObject):
    """While it runs, cyclic garbage is collected on the GUI thread and nowhere else."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_MS) -> None:
        app = QCoreApplication.instance()
        if app is None or QThread.currentThread() != app.thread():
            raise RuntimeError("the garbage collector is driven from the GUI thread")
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        self.running = True

    def check(self) -> int:
        """Collect the generations whose counts passed their thresholds; returns objects found."""
        t0, t1, t2 = self._thresholds
        c0, c1, c2 = gc.get_count()
        if t0 <= 0 or c0 <= t0:
            return 0
        if c1 > t1:
            return gc.collect(2 if c2 > t2 else 1)
        return gc.collect(0)

    def collect(self) -> int:
        """A full collection now (on the calling thread, which must be the GUI thread)."""
        return gc.collect()

    def stop(self) -> None:
        """Collect once more here, then give collection back to Python as it was before."""
        if not self.running:
            return
        self.running = False
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
