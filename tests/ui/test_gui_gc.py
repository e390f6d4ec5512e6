"""Cyclic garbage (widgets in reference cycles) is collected on the GUI thread, never in a worker thread
that happens to allocate — a worker-thread collection runs Qt destructors there and leaves timers firing
on freed objects."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QTimer

from shotplanner.ui.gui_gc import GuiThreadCollector


class _Cycle(QObject):
    """A QObject with a running timer that refers to itself, as a window does through its children."""

    def __init__(self, died_in: list[str]) -> None:
        super().__init__()
        self.me = self
        self.timer = QTimer(self)
        self.timer.start(60_000)
        self.died_in = died_in

    def __del__(self) -> None:
        self.died_in.append(threading.current_thread().name)


def _churn_in_a_worker() -> None:
    def churn() -> None:
        kept = [[] for _ in range(20_000)]  # live container allocations trigger an automatic collection
        kept.clear()
    worker = threading.Thread(target=churn, name="worker")
    worker.start()
    worker.join()


def test_without_it_a_worker_thread_collects_qt_objects() -> None:
    # The hazard itself, so the test below cannot pass by accident.
    died_in: list[str] = []
    gc.collect()
    gc.enable()
    try:
        _Cycle([])  # warm-up: the first cycle of a fresh type may be kept by caches
        gc.collect()
        _Cycle(died_in).timer.stop()  # stopped: its destructor in the worker must not warn or crash
        _churn_in_a_worker()
    finally:
        gc.disable()
    assert died_in == ["worker"]


def test_cycles_die_on_the_gui_thread_only(qtbot) -> None:
    collector = GuiThreadCollector(interval_ms=10)
    try:
        assert not gc.isenabled()
        died_in: list[str] = []
        _Cycle(died_in)
        _Cycle(died_in)
        _churn_in_a_worker()
        assert died_in == []  # the worker allocated plenty, yet collected nothing
        kept = [[] for _ in range(2000)]  # enough live allocations for the collector's next look
        qtbot.waitUntil(lambda: len(died_in) == 2, timeout=5000)
        assert died_in == [threading.main_thread().name] * 2
        assert kept
    finally:
        collector.stop()


def test_it_is_made_on_the_gui_thread_only(qapp) -> None:
    errors: list[BaseException] = []

    def make() -> None:
        try:
            GuiThreadCollector()
        except RuntimeError as exc:
            errors.append(exc)

    worker = threading.Thread(target=make)
    worker.start()
    worker.join()
    assert len(errors) == 1 and "GUI thread" in str(errors[0])
    assert gc.isenabled() is False  # the failed attempt changed nothing (the fixture's collector runs)
