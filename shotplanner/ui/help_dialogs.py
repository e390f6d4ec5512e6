"""Help ▸ Keyboard shortcuts (read from the window's real actions) and Help ▸ About (with versions).

The shortcut list is built from the menus as they are when it opens, so a shortcut added by any panel
is listed and none is listed that does not work. Both are non-modal (``show()``, never ``exec()``).
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from shotplanner.ui.main_window import MainWindow

#: Keys that work without a menu entry (views handle them directly).
VIEW_KEYS: tuple[tuple[str, str, str], ...] = (
    ("Storyboard", "Move between shots", "Arrow keys"),
    ("Storyboard", "Extend the selection", "Shift+Arrow keys"),
    ("Players", "Play / pause", "Space"),
    ("Compare, film", "Close the window", "Escape"),
)


def _text(action: QAction) -> str:
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def shortcut_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """(menu, command, keys) for every menu action with a shortcut, in menu order, then view keys."""
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                sub = action.menu()
                assert isinstance(sub, QMenu)
                walk(sub, f"{path} ▸ {_text(sub.menuAction())}")
                continue
            keys = [k for k in action.shortcuts() if not k.isEmpty()]
            if not keys or id(action) in seen:
                continue
            seen.add(id(action))
            text = "  or  ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
            rows.append((path, _text(action), text))

    bar = window.menuBar() if hasattr(window, "menuBar") else None
    if bar is not None:
        for top in bar.actions():
            sub = top.menu()
            if isinstance(sub, QMenu):
                walk(sub, _text(top))
    return rows + list(VIEW_KEYS)


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Menu", "Command", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                if c == 2:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)
        lay.addWidget(buttons)
        self.resize(660, 700)


def versions() -> list[tuple[str, str]]:
    """(component, version) of the app and what it runs on."""
    import PySide6
    from PySide6.QtCore import qVersion

    def dist(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    out = [("Shotplanner", dist("shotplanner")), ("Python", platform.python_version()),
           ("Qt", qVersion()), ("PySide6", PySide6.__version__)]
    try:
        import av

        ffmpeg = ".".join(str(n) for n in av.library_versions.get("libavcodec", ()))
        out.append(("PyAV", f"{av.__version__} (libavcodec {ffmpeg})" if ffmpeg else av.__version__))
    except ImportError:
        out.append(("PyAV", "not installed"))
    for name in ("pydantic", "httpx", "qasync", "keyring", "opentimelineio"):
        out.append((name, dist(name)))
    out.append(("System", f"{platform.system()} {platform.release()} ({sys.platform})"))
    return out


class AboutDialog(QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About Shotplanner")
        rows = "".join(f"<tr><td>{k}</td><td>&nbsp;&nbsp;<b>{v}</b></td></tr>" for k, v in versions())
        self.label = QLabel(
            "<h2>Shotplanner</h2><p>Plan a film as a storyboard of shots and generate each shot with the "
            f"video model that suits it.</p><table>{rows}</table>")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)
        lay.addWidget(buttons)


def _show(window: MainWindow, dialog: QDialog) -> QDialog:
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window._help_dialog = dialog  # type: ignore[attr-defined]
    dialog.show()
    return dialog


def show_shortcuts(window: MainWindow) -> QDialog:
    return _show(window, ShortcutsDialog(window))


def show_about(window: MainWindow) -> QDialog:
    return _show(window, AboutDialog(window))
