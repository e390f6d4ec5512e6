"""Render the app icon (resources/icons) into the hicolor PNG sizes in packaging/icons/hicolor.

    .venv/bin/python scripts/make_icons.py   (after editing the SVG)

tests/test_packaging.py renders them again and fails when a committed PNG no longer matches the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

APP_ID = "io.github.shotplanner.Shotplanner"
ICONS = Path(__file__).resolve().parents[1] / "packaging" / "icons"
SVG = ICONS.parents[1] / "resources" / "icons" / f"{APP_ID}.svg"  # ships in the wheel: the window icon
#: The hicolor theme's fixed sizes that desktops look up (the icon theme spec's usual set).
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def png_path(size: int) -> Path:
    return ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render(size: int) -> QImage:
    """The icon at ``size`` pixels as a QImage (a QGuiApplication must exist)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise ValueError(f"{SVG} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (keeps Qt alive)
    for size in SIZES:
        path = png_path(size)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not render(size).save(str(path)):
            print(f"make_icons: cannot write {path}", file=sys.stderr)
            return 1
        print(f"make_icons: {path.relative_to(ICONS.parents[1])}")
    scalable = ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_bytes(SVG.read_bytes())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
