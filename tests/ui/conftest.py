"""Fixtures for the UI tests (the helpers themselves live in tests/ui/helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from shotplanner.core import storage
from shotplanner.ui.gui_gc import GuiThreadCollector
from tests.ui.helpers import make_project


@pytest.fixture(autouse=True)
def _qt_objects_die_on_the_gui_thread(qapp: QApplication) -> Iterator[GuiThreadCollector]:
    """As in the app: cyclic garbage is collected on the GUI thread only, and every window a test left
    open is closed and deleted here, at its teardown, not by a collection in some worker thread during a
    later test (that ran C++ destructors off the GUI thread and left timers firing on freed memory)."""
    collector = GuiThreadCollector()
    yield collector
    # pytest-qt has already closed and deleteLater()'d the widgets registered with qtbot.
    for widget in qapp.topLevelWidgets():
        if widget.parentWidget() is None:
            widget.close()
            widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    collector.stop()  # a full collection, here on the GUI thread
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    collector.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A saved three-scene project on disk."""
    folder = tmp_path / "film"
    storage.save_project(make_project(), folder)
    return folder
