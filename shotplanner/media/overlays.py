"""What an animatic draws over the picture: slate, caption, timecode and safe-area guides.

Slate and caption are drawn once into small transparent images and blended per frame; the guides are a
few lines; only the timecode is drawn as text on every frame.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

#: SMPTE ST 2046-1 safe areas for HD: action 93 %, title 90 % of the frame.
ACTION_SAFE = 0.93
TITLE_SAFE = 0.90


def timecode(frame: int, fps: int) -> str:
    """Non-drop-frame SMPTE timecode, HH:MM:SS:FF."""
    ff = frame % fps
    seconds = frame // fps
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}:{ff:02d}"


def font(px: float, bold: bool = False) -> QFont:
    f = QFont("DejaVu Sans")
    f.setStyleHint(QFont.StyleHint.SansSerif)
    f.setPixelSize(max(6, round(px)))
    f.setBold(bold)
    return f


@dataclass(frozen=True, slots=True)
class SlateInfo:
    title: str
    scene: str
    shot: str
    size: str
    lens: str
    angle: str
    move: str
    model: str
    duration: str


def draw_slate(width: int, height: int, info: SlateInfo) -> QImage:
    """A clapperboard card, ``width`` × ``height`` pixels (the caller places it in the frame)."""
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    bar = height * 0.16
    p.fillRect(QRectF(0, bar, width, height - bar), QColor(16, 16, 18, 235))
    # The clapper stick: diagonal black and white stripes.
    p.fillRect(QRectF(0, 0, width, bar * 0.92), QColor(240, 240, 240))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(20, 20, 20))
    stripe = width / 8
    for k in range(-1, 9, 2):
        x = k * stripe
        p.drawPolygon([QPointF(x, 0), QPointF(x + stripe, 0), QPointF(x + stripe * 0.6, bar * 0.92),
                       QPointF(x - stripe * 0.4, bar * 0.92)])
    pad = width * 0.04
    line = (height - bar) / 6.2
    p.setPen(QColor(235, 235, 235))
    rows = [
        (info.title, False, 0.55),
        (f"SCENE {info.scene}   SHOT {info.shot}", True, 0.75),
        (f"{info.size}  ·  {info.lens}  ·  {info.angle}", False, 0.62),
        (f"camera: {info.move}", False, 0.62),
        (f"planned for: {info.model}", False, 0.62),
        (info.duration, False, 0.55),
    ]
    y = bar + line * 0.3
    for text, bold, scale in rows:
        p.setFont(font(line * scale, bold))
        shown = p.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, round(width - 2 * pad))
        p.drawText(QRectF(pad, y, width - 2 * pad, line),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown)
        y += line
    p.setPen(QPen(QColor(235, 235, 235), max(1.0, height / 200)))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(QRectF(0, bar, width, height - bar))
    p.end()
    return image


def draw_caption(width: int, height: int, text: str) -> QImage | None:
    """The subject and action as a subtitle block, wrapped to ``width``; None when there is no text."""
    text = " ".join(text.split())
    if not text:
        return None
    f = font(height * 0.042)
    probe = QImage(1, 1, QImage.Format.Format_ARGB32_Premultiplied)
    p = QPainter(probe)
    p.setFont(f)
    flags = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
    bounds = p.boundingRect(QRectF(0, 0, width * 0.9, height * 0.3), flags, text)
    p.end()
    pad = height * 0.012
    box_h = min(bounds.height(), height * 0.3) + 2 * pad
    box_w = min(bounds.width(), width * 0.9) + 4 * pad
    image = QImage(round(box_w), round(box_h), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(0, 0, 0, 150))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    p.setFont(f)
    p.setPen(QColor(250, 250, 250))
    p.drawText(QRectF(2 * pad, pad, box_w - 4 * pad, box_h - 2 * pad), flags, text)
    p.end()
    return image


def draw_guides(p: QPainter, width: int, height: int) -> None:
    """Action- and title-safe frames, a centre cross, and the centre-cut marks of the other aspect."""
    pen = QPen(QColor(255, 255, 255, 90), max(1.0, height / 540))
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    for share in (ACTION_SAFE, TITLE_SAFE):
        mx, my = width * (1 - share) / 2, height * (1 - share) / 2
        p.drawRect(QRectF(mx, my, width - 2 * mx, height - 2 * my))
    arm = height * 0.025
    cx, cy = width / 2, height / 2
    p.drawLine(round(cx - arm), round(cy), round(cx + arm), round(cy))
    p.drawLine(round(cx), round(cy - arm), round(cx), round(cy + arm))
    tick = height * 0.04
    if width / height > 1.5:  # wide frame: mark the 4:3 centre cut a broadcaster may take
        half = height * 4 / 3 / 2
        for x in (cx - half, cx + half):
            p.drawLine(round(x), 0, round(x), round(tick))
            p.drawLine(round(x), round(height - tick), round(x), height)
    elif height / width > 1.5:  # tall frame: mark the 1:1 centre cut for feeds that crop square
        half = width / 2
        for y in (cy - half, cy + half):
            p.drawLine(0, round(y), round(tick), round(y))
            p.drawLine(round(width - tick), round(y), width, round(y))
