"""The picture an animatic moves over: the shot's first reference image, or a drawn backdrop.

Drawn once per render at ``camera.MARGIN`` times the frame size; each frame then only crops and scales
it, which keeps rendering close to the cost of encoding. The drawn backdrop has a horizon, a skyline or
hills, ground lines and a stand-in figure sized for the shot size, so every camera move is visible.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QRadialGradient,
)

from shotplanner.core.models import ShotSize
from shotplanner.media.palette import RGB, Palette

#: Head height of the stand-in figure as a share of the frame height, per shot size.
HEAD_SHARE: dict[ShotSize, float] = {
    ShotSize.EWS: 0.014, ShotSize.WS: 0.05, ShotSize.MS: 0.15, ShotSize.OTS: 0.15, ShotSize.MCU: 0.24,
    ShotSize.CU: 0.5, ShotSize.ECU: 1.3, ShotSize.INSERT: 0.0,
}
HORIZON = 0.56  # share of the backdrop height


def _c(rgb: RGB, alpha: int = 255) -> QColor:
    return QColor(rgb[0], rgb[1], rgb[2], alpha)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def load_reference(path: Path, width: int, height: int) -> QImage:
    """The image cover-fitted to ``width`` × ``height``. Raises ValueError saying why it is unusable."""
    if not path.exists():
        raise ValueError(f"reference image {path.name} is missing")
    image = QImage(str(path))
    if image.isNull() or image.width() < 2 or image.height() < 2:
        raise ValueError(f"reference image {path.name} could not be read as an image")
    scaled = image.scaled(width, height, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                          Qt.TransformationMode.SmoothTransformation)
    x = (scaled.width() - width) // 2
    y = (scaled.height() - height) // 2
    return scaled.copy(x, y, width, height).convertToFormat(QImage.Format.Format_RGB32)


def draw_backdrop(width: int, height: int, palette: Palette, terrain: str, seed: int) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    rng = random.Random(seed)
    horizon = height * HORIZON
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    sky = QLinearGradient(0, 0, 0, horizon)
    sky.setColorAt(0, _c(palette.sky_top))
    sky.setColorAt(1, _c(palette.sky_bottom))
    p.fillRect(QRectF(0, 0, width, horizon + 1), sky)
    if palette.stars:
        p.setPen(Qt.PenStyle.NoPen)
        for _ in range(int(width * height / 9000)):
            p.setBrush(QColor(255, 255, 255, rng.randint(90, 230)))
            r = rng.uniform(0.6, 1.8) * height / 1000
            p.drawEllipse(QPointF(rng.uniform(0, width), rng.uniform(0, horizon * 0.9)), r, r)
    if palette.sun is not None:
        sx, sy = width * 0.68, horizon - palette.sun_height * horizon * 0.85
        radius = height * 0.045
        glow = QRadialGradient(QPointF(sx, sy), radius * 5)
        glow.setColorAt(0, _c(palette.sun, 150))
        glow.setColorAt(1, _c(palette.sun, 0))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(glow))
        p.drawEllipse(QPointF(sx, sy), radius * 5, radius * 5)
        p.setBrush(_c(palette.sun))
        p.drawEllipse(QPointF(sx, sy), radius, radius)
    _clouds(p, width, horizon, palette, rng)
    draw_terrain = {"city": _city, "sea": _sea, "interior": _interior}.get(terrain, _hills)
    draw_terrain(p, width, height, horizon, palette, rng)
    _ground(p, width, height, horizon, palette, terrain)
    if palette.rain:
        p.setPen(QPen(QColor(210, 220, 235, 70), max(1.0, height / 900)))
        for _ in range(int(width * height / 4000)):
            x, y = rng.uniform(-50, width), rng.uniform(0, height)
            length = rng.uniform(0.015, 0.04) * height
            p.drawLine(QPointF(x, y), QPointF(x + length * 0.25, y + length))
    p.end()
    return image


def _clouds(p: QPainter, width: int, horizon: float, palette: Palette, rng: random.Random) -> None:
    color = _mix(palette.sky_bottom, (255, 255, 255), 0.35)
    p.setPen(Qt.PenStyle.NoPen)
    for _ in range(7):
        cx, cy = rng.uniform(0, width), rng.uniform(horizon * 0.1, horizon * 0.6)
        w = rng.uniform(0.06, 0.16) * width
        p.setBrush(_c(color, 70))
        for k in range(4):
            p.drawEllipse(QPointF(cx + (k - 1.5) * w * 0.3, cy + (k % 2) * w * 0.04), w * 0.25, w * 0.08)


def _ridge(p: QPainter, width: int, base: float, amp: float, color: QColor, rng: random.Random) -> None:
    path = QPainterPath(QPointF(0, base + amp * 3))
    phases = [rng.uniform(0, math.tau) for _ in range(3)]
    steps = 96
    for k in range(steps + 1):
        x = width * k / steps
        f = x / width
        y = base - amp * (0.6 * math.sin(f * 5 + phases[0]) + 0.3 * math.sin(f * 13 + phases[1])
                          + 0.15 * math.sin(f * 31 + phases[2]))
        path.lineTo(QPointF(x, y))
    path.lineTo(QPointF(width, base + amp * 3))
    path.closeSubpath()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawPath(path)


def _hills(p: QPainter, width: int, height: int, horizon: float, palette: Palette,
           rng: random.Random) -> None:
    haze = _c(_mix(palette.far, palette.sky_bottom, 0.45))
    _ridge(p, width, horizon - height * 0.05, height * 0.05, haze, rng)
    _ridge(p, width, horizon, height * 0.035, _c(palette.far), rng)
    # A few trees on the near ridge give pans and tilts sharp edges to follow.
    tree = _c(_mix(palette.far, (0, 0, 0), 0.35))
    p.setBrush(tree)
    for _ in range(22):
        x = rng.uniform(0, width)
        h = rng.uniform(0.03, 0.07) * height
        path = QPainterPath(QPointF(x, horizon - h))
        path.lineTo(QPointF(x - h * 0.25, horizon + h * 0.1))
        path.lineTo(QPointF(x + h * 0.25, horizon + h * 0.1))
        path.closeSubpath()
        p.drawPath(path)


def _city(p: QPainter, width: int, height: int, horizon: float, palette: Palette,
           rng: random.Random) -> None:
    back = _mix(palette.far, palette.sky_bottom, 0.35)
    for layer, color in ((0, back), (1, palette.far)):
        x = -rng.uniform(0, 40)
        while x < width:
            w = rng.uniform(0.025, 0.06) * width
            h = rng.uniform(0.08, 0.3 if layer == 0 else 0.22) * height
            top = horizon - h + layer * height * 0.02
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(_c(color))
            p.drawRect(QRectF(x, top, w, horizon - top + height * 0.02))
            if layer == 1:
                cell = max(3.0, height * 0.012)
                row = top + cell
                while row < horizon - cell:
                    col = x + cell * 0.6
                    while col < x + w - cell:
                        lit = rng.random() < palette.windows
                        p.setBrush(_c(palette.accent, 230) if lit else _c(_mix(color, (0, 0, 0), 0.25)))
                        p.drawRect(QRectF(col, row, cell * 0.6, cell * 0.7))
                        col += cell * 1.3
                    row += cell * 1.5
            x += w + rng.uniform(0, 0.01) * width


def _sea(p: QPainter, width: int, height: int, horizon: float, palette: Palette,
           rng: random.Random) -> None:
    haze = _c(_mix(palette.far, palette.sky_bottom, 0.4))
    _ridge(p, width, horizon - height * 0.01, height * 0.012, haze, rng)
    water = QLinearGradient(0, horizon, 0, height)
    water.setColorAt(0, _c(_mix(palette.sky_bottom, palette.far, 0.3)))
    water.setColorAt(1, _c(_mix(palette.sky_top, (0, 0, 0), 0.3)))
    p.fillRect(QRectF(0, horizon, width, height - horizon), water)
    p.setPen(QPen(_c(_mix(palette.sky_bottom, (255, 255, 255), 0.4), 120), max(1.0, height / 700)))
    for _ in range(140):
        y = horizon + (rng.random() ** 2) * (height - horizon)
        x = rng.uniform(0, width)
        length = (0.01 + (y - horizon) / height * 0.08) * width
        p.drawLine(QPointF(x, y), QPointF(x + length, y))


def _interior(p: QPainter, width: int, height: int, horizon: float, palette: Palette,
           rng: random.Random) -> None:
    # A back wall with a window onto the sky already drawn, panels and a lamp.
    wall = _mix(palette.far, palette.sky_bottom, 0.5)
    path = QPainterPath()
    path.addRect(QRectF(0, 0, width, horizon + 1))
    for k in range(3):
        path.addRect(QRectF(width * (0.12 + k * 0.3), height * 0.12, width * 0.16, height * 0.3))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(_c(wall))
    p.drawPath(path)  # odd-even fill leaves the windows open
    p.setBrush(_c(_mix(wall, (0, 0, 0), 0.2)))
    for k in range(12):
        p.drawRect(QRectF(width * k / 12, height * 0.46, width * 0.004, horizon - height * 0.46))
    for k in range(3):
        p.setBrush(_c(palette.accent, 220))
        p.drawRect(QRectF(width * (0.2 + k * 0.3), height * 0.03, width * 0.08, height * 0.012))
    _ = rng


def _ground(p: QPainter, width: int, height: int, horizon: float, palette: Palette, terrain: str) -> None:
    if terrain == "sea":
        return
    ground = QLinearGradient(0, horizon, 0, height)
    ground.setColorAt(0, _c(_mix(palette.near, palette.far, 0.3)))
    ground.setColorAt(1, _c(_mix(palette.near, (0, 0, 0), 0.25)))
    p.fillRect(QRectF(0, horizon, width, height - horizon), ground)
    # Perspective lines to a vanishing point and receding cross lines: texture for every move.
    line = _c(_mix(palette.near, palette.accent, 0.35), 150)
    p.setPen(QPen(line, max(1.0, height / 600)))
    vx = width / 2
    for k in range(-14, 15):
        p.drawLine(QPointF(vx + k * width * 0.004, horizon), QPointF(vx + k * width * 0.09, height))
    y, step = horizon, height * 0.006
    while y < height:
        p.drawLine(QPointF(0, y), QPointF(width, y))
        step *= 1.35
        y += step


def draw_figure(p: QPainter, cx: float, eye_y: float, head: float, color: RGB, rim: RGB,
                squeeze: float = 1.0) -> None:
    """A stand-in person: head, neck and shoulders, body. ``head`` is the head height in pixels."""
    if head <= 0:
        return
    w = head * 0.78 * squeeze
    p.setPen(QPen(_c(rim, 160), max(1.0, head * 0.03)))
    p.setBrush(_c(color))
    body = QPainterPath()
    top = eye_y + head * 0.55
    body.moveTo(QPointF(cx - w * 0.28, top - head * 0.05))
    body.lineTo(QPointF(cx + w * 0.28, top - head * 0.05))
    body.lineTo(QPointF(cx + w * 0.34, top + head * 0.35))
    body.cubicTo(QPointF(cx + w * 1.5, top + head * 0.4), QPointF(cx + w * 1.6, top + head * 0.7),
                 QPointF(cx + w * 1.45, top + head * 6.5))
    body.lineTo(QPointF(cx - w * 1.45, top + head * 6.5))
    body.cubicTo(QPointF(cx - w * 1.6, top + head * 0.7), QPointF(cx - w * 1.5, top + head * 0.4),
                 QPointF(cx - w * 0.34, top + head * 0.35))
    body.closeSubpath()
    p.drawPath(body)
    p.drawEllipse(QPointF(cx, eye_y), w * 0.5, head * 0.5)


def draw_insert(p: QPainter, cx: float, cy: float, size: float, palette: Palette) -> None:
    """An insert shot's stand-in: an object on a surface, filling the middle of the frame."""
    p.setPen(QPen(_c(palette.accent, 200), max(1.0, size * 0.01)))
    p.setBrush(_c(_mix(palette.subject, palette.accent, 0.25)))
    box = QRectF(cx - size * 0.45, cy - size * 0.3, size * 0.9, size * 0.6)
    p.drawRoundedRect(box, size * 0.05, size * 0.05)
    p.setBrush(_c(palette.accent, 220))
    p.drawEllipse(QPointF(cx, cy), size * 0.12, size * 0.12)
