"""Guards against a Qt binding that would crash the app, whatever pip resolves."""

from __future__ import annotations

import sys

from PySide6.QtCore import QPoint


def test_void_calls_keep_none_alive() -> None:
    # PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call; after a few
    # thousand paints CPython aborts ("none_dealloc"). pyproject.toml pins PySide6 below 6.12.
    point = QPoint()
    before = sys.getrefcount(None)
    for _ in range(2000):
        point.setX(1)
    assert sys.getrefcount(None) - before > -100
