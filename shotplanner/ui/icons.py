"""Icons Fusion lacks: undo and redo as the curved arrows every editor uses (not back/forward).

The desktop's icon theme is used when it has ``edit-undo``/``edit-redo``; otherwise they are drawn here
in the palette's text colour, at the sizes toolbars and menus ask for.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QApplication

SIZES = (16, 22, 24, 32, 48)


def _arrow(size: int, color: QColor, mirrored: bool) -> QPixmap:
    ratio = 2.0
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    if mirrored:
        p.translate(size, 0)
        p.scale(-1, 1)
    s = size / 24.0
    pen = QPen(color, 2.2 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    # A hook: from the arrowhead on the left, over the top and down on the right (↶).
    path = QPainterPath(QPointF(7 * s, 9 * s))
    path.lineTo(14 * s, 9 * s)
    path.arcTo(QRectF(9 * s, 9 * s, 10 * s, 10 * s), 90, -180)
    path.lineTo(10 * s, 19 * s)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    p.setBrush(color)
    p.setPen(Qt.PenStyle.NoPen)
    head = QPolygonF([QPointF(3 * s, 9 * s), QPointF(9 * s, 4.5 * s), QPointF(9 * s, 13.5 * s)])
    p.drawPolygon(head)
    p.end()
    return pixmap


def _drawn(mirrored: bool) -> QIcon:
    palette = QApplication.palette()
    icon = QIcon()
    for mode, group in ((QIcon.Mode.Normal, palette.ColorGroup.Active),
                        (QIcon.Mode.Disabled, palette.ColorGroup.Disabled)):
        color = palette.color(group, palette.ColorRole.ButtonText)
        for size in SIZES:
            icon.addPixmap(_arrow(size, color, mirrored), mode)
    return icon


def undo_icon() -> QIcon:
    themed = QIcon.fromTheme("edit-undo")
    return themed if not themed.isNull() else _drawn(mirrored=False)


def redo_icon() -> QIcon:
    themed = QIcon.fromTheme("edit-redo")
    return themed if not themed.isNull() else _drawn(mirrored=True)
