"""The window's QActions and toolbar, built in one place so other panels can add to them.

Kept apart from ``main_window`` so the window stays a composer: it says *what* each action does (a
slot), this module says how actions are named and keyed, and ``ui.menus`` arranges them in menus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar

from shotplanner.ui.icons import redo_icon, undo_icon


def _unique(keys: list[QKeySequence]) -> list[QKeySequence]:
    out: list[QKeySequence] = []
    for key in keys:
        if not key.isEmpty() and key not in out:
            out.append(key)
    return out


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    shortcut: QKeySequence.StandardKey | str | None = None
    icon: QStyle.StandardPixmap | None = None
    tip: str = ""


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec("new", "&New project…", QKeySequence.StandardKey.New, QStyle.StandardPixmap.SP_FileIcon),
    ActionSpec("open", "&Open project…", QKeySequence.StandardKey.Open, QStyle.StandardPixmap.SP_DirOpenIcon),
    ActionSpec("save", "&Save", QKeySequence.StandardKey.Save, QStyle.StandardPixmap.SP_DialogSaveButton),
    ActionSpec("save_as", "Save &As…", QKeySequence.StandardKey.SaveAs),
    ActionSpec("quit", "&Quit", "Ctrl+Q"),  # the standard key is empty on some platforms
    ActionSpec("project_settings", "Project se&ttings…", "Ctrl+Alt+S", None,
               "Title, frame rate, default aspect and resolution of the project"),
    ActionSpec("print", "&Print storyboard (PDF)…", QKeySequence.StandardKey.Print, None,
               "Write the storyboard sheet as a PDF to print or share"),
    ActionSpec("cut", "Cu&t", QKeySequence.StandardKey.Cut, None, "Cut the selected shots"),
    ActionSpec("copy", "&Copy", QKeySequence.StandardKey.Copy, None,
               "Copy the selected shots (with their reference images)"),
    ActionSpec("paste", "&Paste", QKeySequence.StandardKey.Paste, None,
               "Paste shots after the current one (from this or another project)"),
    ActionSpec("preferences", "Pr&eferences…", "Ctrl+,", None,
               "Default provider, concurrency, autosave and theme"),
    ActionSpec("shortcuts", "&Keyboard shortcuts", "Ctrl+/", None, "Every shortcut of the window"),
    ActionSpec("about", "&About Shotplanner", None, None, "Version and the libraries it runs on"),
    ActionSpec("add_shot", "&Add shot", "Ctrl+Shift+N", QStyle.StandardPixmap.SP_FileDialogNewFolder,
               "Add a blank shot after the current one"),
    ActionSpec("add_scene", "Add s&cene", "Ctrl+Alt+N"),
    ActionSpec("duplicate", "D&uplicate", "Ctrl+D", None, "Duplicate the selected shots"),
    ActionSpec("delete", "&Delete", QKeySequence.StandardKey.Delete, QStyle.StandardPixmap.SP_TrashIcon,
               "Delete the selected shots"),
    ActionSpec("move_up", "Move &up", "Ctrl+Up", QStyle.StandardPixmap.SP_ArrowUp,
               "Move the selection earlier"),
    ActionSpec("move_down", "Move do&wn", "Ctrl+Down", QStyle.StandardPixmap.SP_ArrowDown,
               "Move the selection later"),
    ActionSpec("select_all", "Select &all", QKeySequence.StandardKey.SelectAll),
    ActionSpec("renumber", "&Renumber shots", None, None, "Give every shot its standard film number"),
    ActionSpec("grid_mode", "&Cards", "Ctrl+1"),
    ActionSpec("list_mode", "&List", "Ctrl+2"),
    ActionSpec("table_mode", "&Table", "Ctrl+3", None,
               "The shot list as a table: sort, choose columns, edit"),
)


class WindowActions(QObject):
    """``actions[name]`` for every spec, plus the undo/redo actions of the stack."""

    def __init__(self, window: QMainWindow, undo: QAction, redo: QAction) -> None:
        super().__init__(window)
        self.actions: dict[str, QAction] = {}
        style = window.style()
        for spec in SPECS:
            action = QAction(spec.text, window)
            if spec.shortcut is not None:
                action.setShortcut(QKeySequence(spec.shortcut))
            if spec.icon is not None:
                action.setIcon(style.standardIcon(spec.icon))
            if spec.tip:
                action.setStatusTip(spec.tip)
                action.setToolTip(spec.tip)
            self.actions[spec.name] = action
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        # Both conventions: Ctrl+Shift+Z (Linux, macOS) and Ctrl+Y (Windows habits).
        redo.setShortcuts(_unique([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")]))
        undo.setIcon(undo_icon())
        redo.setIcon(redo_icon())
        undo.setToolTip("Undo (Ctrl+Z)")
        redo.setToolTip("Redo (Ctrl+Shift+Z or Ctrl+Y)")
        self.actions["undo"] = undo
        self.actions["redo"] = redo
        modes = QActionGroup(self)
        for name in ("grid_mode", "list_mode", "table_mode"):
            self.actions[name].setCheckable(True)
            modes.addAction(self.actions[name])
        self.actions["grid_mode"].setChecked(True)

        from shotplanner.ui.menus import build_menus

        menus = build_menus(window, self.actions)
        self.menus = menus
        self.file_menu = menus.file
        self.recent_menu = menus.recent
        self.edit_menu = menus.edit
        self.shot_menu = menus.shot
        self.template_menu = menus.template
        self.view_menu = menus.view
        self.panels_menu: QMenu = menus.panels
        self.help_menu = menus.help

        a = self.actions
        self.toolbar = QToolBar("Main", window)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        window.addToolBar(self.toolbar)
        self.toolbar.addActions([a["save"], a["undo"], a["redo"]])
        self.toolbar.addSeparator()
        self.toolbar.addActions([a["add_shot"]])
        self.toolbar.addAction(self.template_menu.menuAction())
        self.template_menu.menuAction().setIcon(QIcon(style.standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView)))
        self.toolbar.addActions([a["duplicate"], a["delete"], a["move_up"], a["move_down"]])
        self.toolbar.addSeparator()
        self.toolbar.addActions([a["grid_mode"], a["list_mode"], a["table_mode"]])

    def add_menu(self, title: str) -> QMenu:
        """A new top-level menu, placed before Help (Help stays last, as on every desktop)."""
        return self.menus.add_menu(title)

    def on(self, name: str, slot: Callable[[], object]) -> None:
        """Run ``slot`` when action ``name`` triggers."""
        self.actions[name].triggered.connect(lambda _checked=False: slot())
