"""The mouse wheel scrolls the form; it never changes a control the user has not clicked into.

Qt gives every spin box, combo box and slider the wheel by default, so scrolling a long form over them
changes a shot's angle or lens one undo step per notch. One application-wide filter (installed by the
app, so it covers every form and dialog, present and future):

- on ``Polish`` (each widget, once) a guarded control's ``WheelFocus`` becomes ``StrongFocus``: the
  wheel no longer *gives* it focus, a click or Tab still does;
- a wheel event aimed at a guarded control without focus goes to the nearest scroll area around it
  instead (so the form scrolls as the user meant), or is dropped when there is none.

The same filter gives every combo box's popup a styled item delegate, so the highlighted entry uses the
stylesheet's highlight colours (the default delegate paints it white on white under Fusion).

A control with focus keeps the wheel: click a spin box, then scroll to step it, as in every desktop app.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QStyledItemDelegate,
    QWidget,
)

GUARDED = (QAbstractSpinBox, QComboBox, QAbstractSlider)
_POLISH = QEvent.Type.Polish
#: Python class → whether it is a guarded control.
_KINDS: dict[type, bool] = {}


def _guarded(widget: QObject) -> bool:
    # Scroll bars are for the wheel; a combo's popup list is a separate window and scrolls normally.
    return isinstance(widget, GUARDED) and not isinstance(widget, QScrollBar)


def _polish(widget: QWidget) -> None:
    if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    if isinstance(widget, QComboBox) and not isinstance(widget.itemDelegate(), QStyledItemDelegate):
        # The default popup delegate paints items as menu entries and ignores the stylesheet's
        # ::item:selected colours (white on white under Fusion); a styled delegate honours them.
        widget.setItemDelegate(QStyledItemDelegate(widget))


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


class WheelGuard(QObject):
    """Install once on the QApplication: ``install_wheel_guard(app)``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.redirected = 0  # wheel events kept away from an unfocused control (tests read it)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Every event of the application passes here: the common case (not a guarded control) costs one
        # isinstance. ``event.type()`` and enum ``==`` cost microseconds in PySide, so they come last.
        cls = type(watched)
        guarded = _KINDS.get(cls)
        if guarded is None:
            # isinstance on Qt classes is slow (metaclass checks): decide once per class.
            guarded = _KINDS[cls] = issubclass(cls, GUARDED) and not issubclass(cls, QScrollBar)
        if not guarded:
            return False
        if isinstance(event, QWheelEvent):
            assert isinstance(watched, QWidget)
            if watched.hasFocus():
                return False
            self._redirect(watched, event)
            return True
        if event.type() is _POLISH:
            assert isinstance(watched, QWidget)
            _polish(watched)
        return False

    def _redirect(self, widget: QWidget, event: QWheelEvent) -> None:
        self.redirected += 1
        area = _scroll_area_of(widget)
        if area is None:
            return
        viewport = area.viewport()
        local = viewport.mapFromGlobal(event.globalPosition().toPoint())
        copy = QWheelEvent(QPointF(local), event.globalPosition(), event.pixelDelta(), event.angleDelta(),
                           event.buttons(), event.modifiers(), event.phase(), event.inverted(),
                           event.source())
        # The viewport hands wheel events to the scroll area, which scrolls by the same amount.
        QApplication.sendEvent(viewport, copy)


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """Guard every present and future widget of ``app``; returns the filter (kept alive by ``app``)."""
    existing = getattr(app, "_shotplanner_wheel_guard", None)
    if isinstance(existing, WheelGuard):
        return existing
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    app._shotplanner_wheel_guard = guard  # type: ignore[attr-defined]
    for widget in app.allWidgets():  # widgets polished before the guard existed
        if _guarded(widget):
            _polish(widget)
    return guard

