"""Right-click menus on shots: the same actions as the menu bar, for what is under the pointer.

``shot_context_menu(window, shot_ids)`` builds the menu for any view of shots (the storyboard's cards
here; a shot table can call it for its rows). It reuses the window's own QActions, so shortcuts,
enabled states and undo steps are the menu bar's; Generate entries appear once review is installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QMenu, QWidget

from shotplanner.ui.shot_clipboard import clipboard_has_shots
from shotplanner.ui.storyboard_model import ShotIdRole

if TYPE_CHECKING:
    from shotplanner.ui.main_window import MainWindow


def shot_context_menu(window: MainWindow, shot_ids: list[str], parent: QWidget | None = None) -> QMenu:
    """The menu for ``shot_ids`` (already the selection: the actions act on the selection)."""
    a = window.ui.actions
    menu = QMenu(parent or window)
    menu.setObjectName("shotContextMenu")
    review = getattr(window, "review", None)
    if review is not None and shot_ids:
        menu.addAction(review.actions["generate"])
        menu.addAction(review.actions["animatic"])
        menu.addAction(review.actions["play_film"])
        menu.addSeparator()
    for name in ("cut", "copy", "paste", "duplicate", "delete"):
        menu.addAction(a[name])
    menu.addSeparator()
    menu.addActions([a["move_up"], a["move_down"]])
    menu.addSeparator()
    menu.addAction(a["add_shot"])
    menu.addMenu(window.ui.template_menu)
    has = bool(shot_ids)
    for name in ("cut", "copy", "duplicate", "delete", "move_up", "move_down"):
        a[name].setEnabled(has)
    a["paste"].setEnabled(clipboard_has_shots())
    # The menu bar's actions are shared: enable them all again once this menu is gone.
    shared = ("cut", "copy", "paste", "duplicate", "delete", "move_up", "move_down")

    def enable_all() -> None:
        for name in shared:
            a[name].setEnabled(True)

    menu.aboutToHide.connect(enable_all)
    return menu


def install_card_menu(window: MainWindow) -> None:
    """Right-click on a card (or a shot-list table row): select it unless it is part of the selection,
    then show the menu."""
    view = window.view
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def card_at(pos: QPoint) -> str | None:
        index = view.indexAt(pos)
        return index.data(ShotIdRole) if index.isValid() else None

    _connect(window, view, card_at)
    table = getattr(window, "table", None)
    if table is not None:
        rows = table.view

        def row_at(pos: QPoint) -> str | None:
            index = rows.indexAt(pos)
            shot = rows.table_model().shot_at(index.row()) if index.isValid() else None
            return shot.id if shot is not None else None  # a scene's header row is no shot

        _connect(window, rows, row_at)


def _connect(window: MainWindow, view: QAbstractItemView, shot_at: Callable[[QPoint], str | None]) -> None:
    def requested(pos: QPoint) -> None:
        shot_id = shot_at(pos)
        if shot_id is not None and shot_id not in window.selected_ids():
            window.select([shot_id])
        menu = shot_context_menu(window, window.selected_ids() if shot_id is not None else [], view)
        window._context_menu = menu  # type: ignore[attr-defined]  # kept alive while it is open
        menu.popup(view.viewport().mapToGlobal(pos))

    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.customContextMenuRequested.connect(requested)
