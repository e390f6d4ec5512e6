"""The menu bar as a Qt desktop app has it, and what its new entries do.

``build_menus`` arranges the window's actions (``ui.actions``) into File, Edit, Shot, View and Help;
menus added later (Generate) go before Help. ``install_menus`` connects the entries the window itself
does not handle — clipboard, project settings, preferences, print, the shortcut list, About, Open Recent
that refreshes each time it opens, and the card context menu — so the window only calls it once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QMenuBar

if TYPE_CHECKING:
    from shotplanner.ui.main_window import MainWindow

log = logging.getLogger(__name__)


@dataclass
class Menus:
    bar: QMenuBar
    file: QMenu
    recent: QMenu
    edit: QMenu
    shot: QMenu
    template: QMenu
    view: QMenu
    panels: QMenu
    help: QMenu

    def add_menu(self, title: str) -> QMenu:
        """A top-level menu before Help."""
        menu = QMenu(title, self.bar)
        self.bar.insertMenu(self.help.menuAction(), menu)
        return menu


def build_menus(window: QMainWindow, a: dict[str, QAction]) -> Menus:
    bar = window.menuBar()
    file = bar.addMenu("&File")
    file.addActions([a["new"], a["open"]])
    recent = file.addMenu("Open &recent")
    file.addSeparator()
    file.addActions([a["save"], a["save_as"]])
    file.addSeparator()
    file.addAction(a["project_settings"])
    file.addSeparator()
    file.addAction(a["print"])
    # File ▸ Export and Import are inserted here, before Quit, by ui.interchange_menu.
    file.addSeparator()
    file.addAction(a["quit"])

    edit = bar.addMenu("&Edit")
    edit.addActions([a["undo"], a["redo"]])
    edit.addSeparator()
    edit.addActions([a["cut"], a["copy"], a["paste"], a["duplicate"], a["delete"]])
    edit.addSeparator()
    edit.addAction(a["select_all"])
    edit.addSeparator()
    edit.addAction(a["preferences"])

    shot = bar.addMenu("&Shot")
    shot.addAction(a["add_shot"])
    template = shot.addMenu("Insert from &template")
    shot.addActions([a["duplicate"], a["delete"]])
    shot.addSeparator()
    shot.addActions([a["move_up"], a["move_down"]])
    shot.addSeparator()
    shot.addActions([a["add_scene"], a["renumber"]])

    view = bar.addMenu("&View")
    view.addActions([a["grid_mode"], a["list_mode"], a["table_mode"]])
    view.addSeparator()
    panels = view.addMenu("&Panels")

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a["shortcuts"])
    help_menu.addSeparator()
    help_menu.addAction(a["about"])
    return Menus(bar, file, recent, edit, shot, template, view, panels, help_menu)


# ------------------------------------------------------------------------------------- behaviour


def fill_recent(window: MainWindow) -> None:
    """Open Recent: every recent project (the open one too, marked and not re-openable), and Clear."""
    from shotplanner.core.recent import recent_projects

    menu = window.ui.recent_menu
    menu.clear()
    paths = recent_projects()
    current = window.folder.resolve() if window.folder is not None else None
    for path in paths:
        is_open = current is not None and path.resolve() == current
        action = menu.addAction(f"{path.name} — {path}" + ("  (open)" if is_open else ""))
        action.setToolTip(str(path))
        action.setEnabled(not is_open)
        action.triggered.connect(lambda _c=False, p=path: _open_recent(window, p))
    if paths:
        menu.addSeparator()
        menu.addAction("Clear the list").triggered.connect(lambda: _clear_recent(window))
    else:
        menu.addAction("No recent projects").setEnabled(False)
    # Never greyed out as a whole: a grey submenu gives no hint why.
    menu.setEnabled(True)


def _open_recent(window: MainWindow, path: Path) -> None:
    if window.modified:
        window.autosave.write_now()  # as File ▸ Open does: recoverable, then switch
    window.open_project(path)


def _clear_recent(window: MainWindow) -> None:
    from shotplanner.core.recent import clear_recent

    try:
        clear_recent()
    except OSError as exc:
        window.show_message(f"The recent list was not cleared: {exc}")
    fill_recent(window)


def install_menus(window: MainWindow) -> None:
    """Wire the entries ``MainWindow._wire_actions`` leaves to this module, and the card context menu."""
    from shotplanner.ui import context_menu, shot_clipboard
    from shotplanner.ui.help_dialogs import show_about, show_shortcuts
    from shotplanner.ui.preferences import open_preferences
    from shotplanner.ui.project_settings import open_project_settings

    on = window.ui.on
    on("cut", lambda: shot_clipboard.edit_cut(window))
    on("copy", lambda: shot_clipboard.edit_copy(window))
    on("paste", lambda: shot_clipboard.edit_paste(window))
    on("project_settings", lambda: open_project_settings(window))
    on("preferences", lambda: open_preferences(window))
    on("print", lambda: print_storyboard(window))
    on("shortcuts", lambda: show_shortcuts(window))
    on("about", lambda: show_about(window))
    window.ui.recent_menu.aboutToShow.connect(lambda: fill_recent(window))
    fill_recent(window)
    context_menu.install_card_menu(window)


def print_storyboard(window: MainWindow) -> None:
    """File ▸ Print: the storyboard sheet as a PDF (print it from any viewer)."""
    interchange = getattr(window, "interchange", None)
    if interchange is None:
        window.show_message("Printing is available once the window has finished opening.")
        return
    interchange.ask_export("pdf", "PDF (*.pdf)", ".pdf")
