"""The window's size, place, maximised state and panel layout, remembered between sessions.

Stored in the user's Qt settings (``window/geometry``, ``window/state``), never in a project: a layout
belongs to the screen, not to the film. A first start (or a saved size that no longer fits the screen,
after moving to a smaller one) gets a size that fits the available area of the current screen.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QWidget

GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
#: The size a first start asks for; shrunk to the screen when that is smaller.
PREFERRED = QSize(1280, 800)
#: Small enough for a 1024×640 (or 1280×720) screen; the panels scroll below this.
MINIMUM = QSize(720, 480)


def settings() -> QSettings:
    return QSettings("Shotplanner", "Shotplanner")


def available_area(widget: QWidget | None = None) -> QRect:
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 800)


def fitting_size(area: QRect) -> QSize:
    """The preferred size, shrunk to leave a margin inside ``area`` (window frame, panel on screen)."""
    return QSize(min(PREFERRED.width(), max(MINIMUM.width(), area.width() - 40)),
                 min(PREFERRED.height(), max(MINIMUM.height(), area.height() - 60)))


def restore_geometry(window: QWidget) -> bool:
    """Size and place ``window`` as it was last closed (True), else fit it to the screen (False)."""
    window.setMinimumSize(MINIMUM)
    saved = settings().value(GEOMETRY_KEY)
    if isinstance(saved, QByteArray | bytes) and window.restoreGeometry(QByteArray(saved)):
        area = available_area(window)
        if area.intersects(window.frameGeometry()):
            return True
    area = available_area(window)
    size = fitting_size(area)
    window.resize(size)
    window.move(area.center().x() - size.width() // 2, area.center().y() - size.height() // 2)
    return False


def restore_layout(window: QMainWindow) -> bool:
    """Dock and toolbar layout as last closed; call it once every panel has been added."""
    saved = settings().value(STATE_KEY)
    return isinstance(saved, QByteArray | bytes) and window.restoreState(QByteArray(saved))


def save_window(window: QMainWindow) -> None:
    store = settings()
    store.setValue(GEOMETRY_KEY, window.saveGeometry())
    store.setValue(STATE_KEY, window.saveState())
    store.sync()


class WindowMemory(QObject):
    """Saves the window's geometry and layout when it closes (an event filter: the window is not edited)."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Saved on every close request, also one that a "Save changes?" answer cancels: harmless.
        if watched is self.window and event.type() == QEvent.Type.Close:
            save_window(self.window)
        return False


def remember_window(window: QMainWindow) -> WindowMemory:
    """Restore the panel layout now and save geometry and layout whenever ``window`` closes."""
    restore_layout(window)
    return WindowMemory(window)
