"""The window's QActions, menus and toolbar, built in one place so other panels can add to them.

Kept apart from ``main_window`` so the window stays a composer: it says *what* each action does (a
slot), this module says how actions are named, keyed and arranged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar


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
    ActionSpec("quit", "&Quit", QKeySequence.StandardKey.Quit),
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
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        undo.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        redo.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        self.actions["undo"] = undo
        self.actions["redo"] = redo
        modes = QActionGroup(self)
        for name in ("grid_mode", "list_mode", "table_mode"):
            self.actions[name].setCheckable(True)
            modes.addAction(self.actions[name])
        self.actions["grid_mode"].setChecked(True)

        bar = window.menuBar()
        a = self.actions
        self.file_menu = bar.addMenu("&File")
        self.file_menu.addActions([a["new"], a["open"]])
        self.recent_menu = self.file_menu.addMenu("Open &recent")
        self.file_menu.addSeparator()
        self.file_menu.addActions([a["save"], a["save_as"]])
        self.file_menu.addSeparator()
        self.file_menu.addAction(a["quit"])
        self.edit_menu = bar.addMenu("&Edit")
        self.edit_menu.addActions([a["undo"], a["redo"]])
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(a["select_all"])
        self.shot_menu = bar.addMenu("&Shot")
        self.shot_menu.addAction(a["add_shot"])
        self.template_menu = self.shot_menu.addMenu("Insert from &template")
        self.shot_menu.addActions([a["duplicate"], a["delete"]])
        self.shot_menu.addSeparator()
        self.shot_menu.addActions([a["move_up"], a["move_down"]])
        self.shot_menu.addSeparator()
        self.shot_menu.addActions([a["add_scene"], a["renumber"]])
        self.view_menu = bar.addMenu("&View")
        self.view_menu.addActions([a["grid_mode"], a["list_mode"], a["table_mode"]])
        self.view_menu.addSeparator()
        self.panels_menu: QMenu = self.view_menu.addMenu("&Panels")

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

    def on(self, name: str, slot: Callable[[], object]) -> None:
        """Run ``slot`` when action ``name`` triggers."""
        self.actions[name].triggered.connect(lambda _checked=False: slot())
