"""The look: Fusion, a calm palette that follows the system's light or dark scheme, and a small QSS.

The stylesheet only refers to palette roles, so switching the palette switches the whole look; Qt tells
us when the system scheme changes (``QStyleHints.colorSchemeChanged``) and we re-apply.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from shotplanner.core.paths import resources_dir

log = logging.getLogger(__name__)

QSS_FILE = ("style", "shotplanner.qss")

_LIGHT = {
    QPalette.ColorRole.Window: "#f3f2ef",
    QPalette.ColorRole.WindowText: "#24272b",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#ebe9e4",
    QPalette.ColorRole.Text: "#24272b",
    QPalette.ColorRole.PlaceholderText: "#7a7f87",
    QPalette.ColorRole.Button: "#e9e7e2",
    QPalette.ColorRole.ButtonText: "#24272b",
    QPalette.ColorRole.Highlight: "#3b6ea8",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Mid: "#c9c6bf",
    QPalette.ColorRole.Midlight: "#dedbd5",
    QPalette.ColorRole.ToolTipBase: "#fffbe6",
    QPalette.ColorRole.ToolTipText: "#24272b",
    QPalette.ColorRole.Link: "#3b6ea8",
}

_DARK = {
    QPalette.ColorRole.Window: "#202225",
    QPalette.ColorRole.WindowText: "#e3e4e6",
    QPalette.ColorRole.Base: "#2a2d31",
    QPalette.ColorRole.AlternateBase: "#33363b",
    QPalette.ColorRole.Text: "#e3e4e6",
    QPalette.ColorRole.PlaceholderText: "#8d9299",
    QPalette.ColorRole.Button: "#2f3237",
    QPalette.ColorRole.ButtonText: "#e3e4e6",
    QPalette.ColorRole.Highlight: "#5b8fd0",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Mid: "#45494f",
    QPalette.ColorRole.Midlight: "#3a3e44",
    QPalette.ColorRole.ToolTipBase: "#33363b",
    QPalette.ColorRole.ToolTipText: "#e3e4e6",
    QPalette.ColorRole.Link: "#7fb0ea",
}


def is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def make_palette(dark: bool) -> QPalette:
    palette = QPalette()
    for role, color in (_DARK if dark else _LIGHT).items():
        palette.setColor(role, QColor(color))
    disabled = QColor("#6c7077") if dark else QColor("#a4a7ad")
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def stylesheet() -> str:
    path = resources_dir().joinpath(*QSS_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:  # a missing sheet leaves plain Fusion, which is still usable
        log.warning("stylesheet %s not loaded: %s", path, exc)
        return ""
    # Images (the spin and combo arrows) sit beside the sheet, wherever the resources are installed.
    return text.replace("@STYLE@", path.parent.as_posix())


THEMES = ("system", "light", "dark")


def apply_style(app: QApplication, dark: bool | None = None) -> None:
    """Fusion + palette + QSS; with ``dark=None`` follow the system and keep following it."""
    app.setStyle("Fusion")
    app.setProperty("shotplanner_dark", dark)
    app.setPalette(make_palette(is_dark() if dark is None else dark))
    app.setStyleSheet(stylesheet())
    if not app.property("shotplanner_follows_scheme"):
        app.setProperty("shotplanner_follows_scheme", True)
        QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _scheme: _scheme_changed(app))


def _scheme_changed(app: QApplication) -> None:
    # Only while the user's theme is "system": a chosen light or dark look stays.
    if app.property("shotplanner_dark") is None:
        app.setPalette(make_palette(is_dark()))


def apply_theme(app: QApplication, theme: str) -> None:
    """The Preferences' theme: "system" (follow the desktop), "light" or "dark"."""
    apply_style(app, {"light": False, "dark": True}.get(theme))
