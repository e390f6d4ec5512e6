"""Dock panels that fit any window: a panel whose content needs more room than its dock scrolls."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class PanelScroll(QScrollArea):
    """Gives the panel the whole dock, never less than its minimum size (then scroll bars appear).

    Not ``widgetResizable``: for a panel with word-wrapped labels Qt would size it to its height-for-width
    (its *preferred* height), pushing buttons below the dock even when they would fit. Here the height is
    the least the panel needs at this width (wrapped labels whole, lists and text boxes at their minimum),
    so lists shrink before anything scrolls, as in a dock without a scroll area.
    """

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.setObjectName(f"{widget.objectName() or 'panel'}Scroll")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setWidgetResizable(False)
        self.setWidget(widget)
        widget.installEventFilter(self)  # its minimum can change (rows added): fit again

    def _fit(self) -> None:
        widget = self.widget()
        if widget is None:
            return
        least = widget.minimumSizeHint().expandedTo(widget.minimumSize())
        viewport = self.viewport().size()
        width = max(viewport.width(), least.width())
        height = least.height()
        layout = widget.layout()
        if layout is not None and layout.hasHeightForWidth():
            height = max(height, layout.totalMinimumHeightForWidth(width))
        widget.resize(width, max(viewport.height(), height))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._fit()
        return super().eventFilter(watched, event)


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area that resizes it: scroll bars only below its minimum size."""
    return PanelScroll(widget)
