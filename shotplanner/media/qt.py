"""The one QtGui application media needs for fonts and image plugins (never a widgets application)."""

from __future__ import annotations

import os
import threading

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication

_lock = threading.Lock()


def ensure_gui_app() -> QCoreApplication:
    """Return the running Qt application, creating an offscreen QGuiApplication if there is none.

    Text drawing needs a QGuiApplication (the font database). The app's own QApplication, when it is
    running, is a QGuiApplication too and is used as is. Without a display we default to the offscreen
    platform so headless renders (CLI, CI) work. Call this from the main thread first when you can:
    Qt wants its application object created there.
    """
    with _lock:
        app = QCoreApplication.instance()
        if app is not None:
            return app
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        return QGuiApplication(["shotplanner-media"])
