"""The main window: composes the storyboard, the shot form and the model picker around one core
``Storyboard`` and one ``QUndoStack``.

The window owns no document state of its own beyond *which* folder is open: shots live in the core,
rows in the adapter model, edits in the undo stack. Other panels (the review queue, the player…) plug
in with :meth:`MainWindow.add_panel` and the public ``actions``/menus, so this class stays a composer.
Dialogs are opened with ``open()`` (non-blocking), never ``exec()``: a nested loop inside qasync breaks
running tasks.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from shotplanner.core import events as ev
from shotplanner.core import storage
from shotplanner.core.models import Project, Scene, Shot
from shotplanner.core.storyboard import Storyboard
from shotplanner.ui.actions import WindowActions
from shotplanner.ui.autosave import Autosave
from shotplanner.ui.card_delegate import CardMode
from shotplanner.ui.cast_panel import CastPanel
from shotplanner.ui.commands import (
    AddSceneCommand,
    AddShotsCommand,
    DuplicateShotsCommand,
    EditSceneCommand,
    MoveSceneCommand,
    MoveShotsCommand,
    MoveShotsToSceneCommand,
    RemoveShotsCommand,
    RenumberCommand,
    StepShotsCommand,
    UpdateShotCommand,
)
from shotplanner.ui.menus import install_menus
from shotplanner.ui.model_picker import ModelPicker
from shotplanner.ui.panels import scrolling
from shotplanner.ui.reference_images import ImageImportError, import_images
from shotplanner.ui.scene_parts import SceneParts
from shotplanner.ui.shot_form import ShotForm
from shotplanner.ui.shot_table import ShotTable
from shotplanner.ui.storyboard_model import ShotIdRole, StoryboardModel
from shotplanner.ui.storyboard_view import StoryboardView
from shotplanner.ui.thumbnails import ThumbnailCache
from shotplanner.ui.window_state import MINIMUM

log = logging.getLogger(__name__)

APP_NAME = "Shotplanner"


class RecoveryBanner(QFrame):
    """Non-modal offer to restore autosaved edits found at start-up."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryBanner")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 6, 12, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.restore_button = QPushButton("Restore")
        self.discard_button = QPushButton("Discard")
        lay.addWidget(self.label, 1)
        lay.addWidget(self.restore_button)
        lay.addWidget(self.discard_button)
        self.hide()


def _same_document(a: Project, b: Project) -> bool:
    """Whether two projects hold the same document (when each was written aside)."""
    return a.model_dump(mode="json", exclude={"modified_at"}) == b.model_dump(mode="json",
                                                                           exclude={"modified_at"})


class MainWindow(QMainWindow):
    #: Emitted once, after the storyboard's first paint (start-up benchmarks listen for it).
    firstPaint = Signal()
    #: Emitted after project.json was written (the generation journal is cleaned then).
    projectSaved = Signal()

    def __init__(self, project: Project, folder: Path | None, *, catalog: Any = None,
                 thumbnails: ThumbnailCache | None = None, confirm_close: bool = True,
                 autosave_delay_ms: int = 1000, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.folder = folder
        self.catalog = catalog
        self.confirm_close = confirm_close
        self.last_message = ""
        self._loading = False
        self._outside_changes = False
        self._painted = False
        self._pending_recovery: Project | None = None
        self._dialog: QWidget | None = None

        self.storyboard = Storyboard(project)
        self.undo_stack = QUndoStack(self)
        self.thumbnails = thumbnails or ThumbnailCache(parent=self)
        self.model = StoryboardModel(self.storyboard, catalog=catalog, thumbnails=self.thumbnails,
                                     project_dir=folder, parent=self)
        self.model.move_handler = self.move_shots
        self.model.scene_move_handler = self.move_shots_to_scene
        self.model.imagesDropped.connect(self.attach_images)

        # Central area: recovery banner over the storyboard.
        central = QWidget()
        vbox = QVBoxLayout(central)
        vbox.setContentsMargins(0, 0, 0, 0)
        vbox.setSpacing(0)
        self.banner = RecoveryBanner()
        self.banner.restore_button.clicked.connect(self.restore_recovery)
        self.banner.discard_button.clicked.connect(self.discard_recovery)
        vbox.addWidget(self.banner)
        self.view = StoryboardView()
        self.view.setModel(self.model)
        self.view.viewport().installEventFilter(self)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.stepRequested.connect(self.step_selection)
        self.view.deleteRequested.connect(self.delete_selection)
        self.view.headingEdited.connect(self.set_heading)
        self.view.sceneMoveRequested.connect(
            lambda scene_id, index: self.undo_stack.push(MoveSceneCommand(self.storyboard, scene_id, index)))
        self.scene_parts = SceneParts(self.storyboard, self.undo_stack, self.current_shot_id,
                                      self.view.edit_heading, self.show_message, self)
        vbox.addWidget(self.scene_parts.offer)
        # Cards and list rows share the storyboard view; the table is a second view over the same model.
        self.table = ShotTable(self.model)
        self.table.model.edit_handler = self.edit_shot
        self.table.view.selectionModel().selectionChanged.connect(self._table_selection_changed)
        self.views = QStackedWidget()
        self.views.addWidget(self.view)
        self.views.addWidget(self.table)
        vbox.addWidget(self.views)
        self.setCentralWidget(central)

        self.form = ShotForm(self.storyboard, self.undo_stack, lambda: self.folder, catalog)
        self.form.imagesDropped.connect(self.attach_images)
        self.picker = ModelPicker(self.storyboard, self.undo_stack, catalog)
        self.picker.project_dir = lambda: self.folder
        self.ui = WindowActions(self, self.undo_stack.createUndoAction(self),
                                self.undo_stack.createRedoAction(self))
        self.scene_parts.fill_menu(self.ui.shot_menu)
        self.form_dock = self.add_panel(self.form, Qt.DockWidgetArea.RightDockWidgetArea, "Shot")
        self.picker_dock = self.add_panel(self.picker, Qt.DockWidgetArea.RightDockWidgetArea, "Model")
        self.tabifyDockWidget(self.form_dock, self.picker_dock)
        self.cast = CastPanel(self.storyboard, self.undo_stack, lambda: self.folder)
        self.cast.shotActivated.connect(lambda shot_id: self.select([shot_id]))
        self.cast_dock = self.add_panel(self.cast, Qt.DockWidgetArea.RightDockWidgetArea, "Cast")
        self.tabifyDockWidget(self.picker_dock, self.cast_dock)
        self.form_dock.raise_()
        self.resizeDocks([self.form_dock], [420], Qt.Orientation.Horizontal)

        self.autosave = Autosave(lambda: self.storyboard.project, lambda: self.folder,
                                 delay_ms=autosave_delay_ms, parent=self)
        self.autosave.saved.connect(self._autosaved)
        self.autosave.failed.connect(self._autosave_failed)
        self.autosave_label = QLabel()
        self.statusBar().addPermanentWidget(self.autosave_label)
        self.storyboard.events.connect(self._on_core_event)
        # A bound slot, not a lambda: Qt drops it when the window dies (the stack's destructor emits).
        self.undo_stack.cleanChanged.connect(self._clean_changed)

        self._wire_actions()
        self._fill_templates()
        install_menus(self)  # File/Edit/Help entries, Open Recent, card context menu (ui/menus.py)
        self._update_title()
        self.resize(1280, 800)
        self.setMinimumSize(MINIMUM)
        self._select_first()

    # ------------------------------------------------------------------ composition

    def add_panel(self, widget: QWidget, area: Qt.DockWidgetArea, title: str) -> QDockWidget:
        """Dock ``widget`` in ``area`` under ``title``; its toggle appears in View ▸ Panels."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
        dock.setWidget(scrolling(widget))  # a panel taller or wider than its dock scrolls
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        self.ui.panels_menu.addAction(dock.toggleViewAction())
        return dock

    def _wire_actions(self) -> None:
        on = self.ui.on
        on("new", self.ask_new_project)
        on("open", self.ask_open_project)
        on("save", self.save)
        on("save_as", self.ask_save_as)
        on("quit", self.close)
        on("add_shot", self.add_shot)
        on("add_scene", self.add_scene)
        on("duplicate", self.duplicate_selection)
        on("delete", self.delete_selection)
        on("move_up", lambda: self.step_selection(-1))
        on("move_down", lambda: self.step_selection(1))
        on("select_all", lambda: (self.table.view if self.views.currentWidget() is self.table
                                  else self.view).selectAll())
        on("renumber", self.renumber)
        on("grid_mode", lambda: self.show_mode(CardMode.GRID))
        on("list_mode", lambda: self.show_mode(CardMode.LIST))
        on("table_mode", lambda: self.show_mode(None))

    def _fill_templates(self) -> None:
        from shotplanner.core.templates import load_templates

        menu = self.ui.template_menu
        menu.clear()
        try:
            templates = load_templates()
        except Exception as exc:  # a damaged template file must not stop the window opening
            log.warning("templates unavailable: %s", exc)
            menu.addAction(f"Templates unavailable: {exc}").setEnabled(False)
            return
        for template in templates:
            action = menu.addAction(template.name)
            action.setStatusTip(template.description)
            action.setToolTip(template.description)
            action.triggered.connect(lambda _c=False, t=template: self.insert_shots([t.make_shot()], t.name))

    def _fill_recent(self) -> None:
        from shotplanner.ui.menus import fill_recent

        fill_recent(self)

    # ------------------------------------------------------------------ selection

    def selected_ids(self) -> list[str]:
        return self.view.selected_ids()

    def current_shot_id(self) -> str | None:
        idx = self.view.currentIndex()
        return idx.data(ShotIdRole) if idx.isValid() else None

    def select(self, ids: list[str]) -> None:
        self.view.select_ids(ids)
        if self.views.currentWidget() is self.table:
            self.table.view.select_ids(ids)
        self._current_changed(self.view.currentIndex(), QModelIndex())

    def _select_first(self) -> None:
        if self.model.rowCount():
            self.select([self.model.shot_at(0).id])
        else:
            self.form.set_shot(None)
            self.picker.set_shot(None)

    def show_mode(self, mode: CardMode | None) -> None:
        """Cards, list rows, or (``None``) the shot-list table; the selection carries over."""
        ids, current = self.selected_ids(), self.current_shot_id()
        name = {CardMode.GRID: "grid_mode", CardMode.LIST: "list_mode", None: "table_mode"}[mode]
        if not self.ui.actions[name].isChecked():
            self.ui.actions[name].setChecked(True)
        if mode is None:
            self.views.setCurrentWidget(self.table)
            if ids:
                self.table.view.select_ids(ids, current)
            self.table.view.setFocus()
            return
        self.view.set_mode(mode)
        self.views.setCurrentWidget(self.view)
        self.view.setFocus()

    def _table_selection_changed(self, *_: object) -> None:
        # The table leads while it shows: the card view (whose selection the window's actions read)
        # follows it, so the form, the picker and Delete/Duplicate act on the rows picked in the table.
        if self.views.currentWidget() is not self.table:
            return
        ids = self.table.view.selected_ids()
        index = self.table.view.currentIndex()
        shot = self.table.model.shot_at(index.row()) if index.isValid() else None
        current = shot.id if shot is not None and shot.id in ids else None
        if ids:
            self.view.select_ids(ids, current)
            self._current_changed(self.view.currentIndex(), QModelIndex())

    def edit_shot(self, shot_id: str, fields: dict[str, Any], text: str) -> None:
        """An edit typed in the table: one undo step."""
        self.undo_stack.push(UpdateShotCommand(self.storyboard, shot_id, fields, text))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        shot_id = current.data(ShotIdRole) if current.isValid() else None
        if shot_id != self.form.shot_id:
            self.form.set_shot(shot_id)
            self.picker.set_shot(shot_id)

    # ------------------------------------------------------------------ edits (all through the undo stack)

    def _insert_place(self) -> tuple[str, int | None]:
        """Scene and index for a new shot: after the current shot, else at the end of the last scene."""
        current = self.current_shot_id()
        if current is not None:
            place = self.storyboard.placement(current)
            return place.scene_id, place.index + 1
        if not self.storyboard.project.scenes:
            self.storyboard.add_scene(Scene(number="1"))
        return self.storyboard.project.scenes[-1].id, None

    def insert_shots(self, shots: list[Shot], what: str = "shot") -> list[str]:
        scene_id, index = self._insert_place()
        cmd = AddShotsCommand(self.storyboard, shots, scene_id, index, f"Insert {what}")
        self.undo_stack.push(cmd)
        self.select(cmd.shot_ids)
        return cmd.shot_ids

    def add_shot(self) -> str:
        return self.insert_shots([self.storyboard.blank_shot()], "shot")[0]

    def add_scene(self) -> str:
        """Add an empty scene after the current one (one undo step) and type its heading in place."""
        scene = Scene(number=self.storyboard.next_scene_number())
        current = self.current_shot_id()
        index = (self.storyboard.scene_index(self.storyboard.scene_of(current).id) + 1
                 if current is not None else None)
        self.undo_stack.push(AddSceneCommand(self.storyboard, scene, index))
        self.view.edit_heading(scene.id)
        return scene.id

    def set_heading(self, scene_id: str, heading: str) -> None:
        self.undo_stack.push(EditSceneCommand(self.storyboard, scene_id, {"heading": heading},
                                              "Edit scene heading"))

    def duplicate_selection(self) -> list[str]:
        ids = self.selected_ids()
        if not ids:
            return []
        cmd = DuplicateShotsCommand(self.storyboard, ids)
        self.undo_stack.push(cmd)
        self.select(cmd.new_ids)
        return cmd.new_ids

    def delete_selection(self) -> None:
        ids = self.selected_ids()
        if ids:
            row = self.storyboard.row_of(ids[0])
            self.undo_stack.push(RemoveShotsCommand(self.storyboard, ids))
            if self.model.rowCount():
                self.select([self.model.shot_at(min(row, self.model.rowCount() - 1)).id])

    def move_shots(self, ids: list[str], row: int) -> None:
        """A drop: move ``ids`` before flat ``row`` as one undo step, keeping them selected."""
        self.undo_stack.push(MoveShotsCommand(self.storyboard, ids, row))
        self.view.select_ids(ids, self.current_shot_id() if self.current_shot_id() in ids else None)

    def move_shots_to_scene(self, ids: list[str], scene_id: str, index: int) -> None:
        """A drop in a scene: one undo step; a shot that changed scene is offered a new number."""
        scenes_before = {i: self.storyboard.scene_of(i).id for i in ids}
        self.undo_stack.push(MoveShotsToSceneCommand(self.storyboard, ids, scene_id, index))
        self.view.select_ids(ids, self.current_shot_id() if self.current_shot_id() in ids else None)
        moved = [i for i in ids if scenes_before[i] != scene_id]
        if moved:
            self.scene_parts.offer_numbers(moved)

    def step_selection(self, delta: int) -> None:
        ids = self.selected_ids()
        if ids:
            self.undo_stack.push(StepShotsCommand(self.storyboard, ids, delta))
            self.view.scrollTo(self.model.index_of(ids[0] if delta < 0 else ids[-1]))

    def renumber(self) -> None:
        from shotplanner.core.storyboard import StoryboardError

        try:
            old = self.storyboard.renumber()
        except StoryboardError as exc:
            self.show_message(f"Not renumbered: {exc}")
            return
        if old:
            # Renumbering is one step: undo puts every old number back.
            self.undo_stack.push(RenumberCommand(self.storyboard, old))

    def attach_images(self, shot_id: str, paths: list[Path]) -> bool:
        """Copy dropped image files into the project and add them to the shot (one undo step)."""
        if self.folder is None:
            self.show_message("Save the project in a folder before adding reference images.")
            return False
        try:
            rel = import_images(self.folder, [Path(p) for p in paths])
        except ImageImportError as exc:
            self.show_message(f"Nothing added: {exc}")
            self.form.show_refs_message(f"Nothing added: {exc}")
            return False
        from shotplanner.core.models import ImageRef

        shot = self.storyboard.shot(shot_id)
        have = {r.path for r in shot.reference_images}
        refs = [r.model_copy() for r in shot.reference_images]
        for source, p in zip(paths, rel, strict=True):
            if p not in have:
                have.add(p)
                refs.append(ImageRef(path=p, label=Path(source).name))
        if len(refs) == len(shot.reference_images):
            self.show_message("That image is already on the shot.")
            return True
        self.undo_stack.push(UpdateShotCommand(self.storyboard, shot_id, {"reference_images": refs},
                                               "Add reference image"))
        self.form.show_refs_message("")
        self.show_message(f"Added {len(rel)} reference image(s) to shot {shot.number}.")
        return True

    # ------------------------------------------------------------------ documents

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean() or self._outside_changes

    def mark_modified(self) -> None:
        """For changes made outside the undo stack (a take arriving): the title shows them unsaved."""
        self._outside_changes = True
        self._update_title()

    def load(self, project: Project, folder: Path | None) -> None:
        """Show another project in this window (no questions asked; callers check ``modified``)."""
        self._loading = True
        try:
            self.autosave.cancel()
            self._pending_recovery = None
            self.autosave.hold(False)
            self.undo_stack.clear()
            self.folder = folder
            self.model.set_project_dir(folder)
            self.storyboard.replace_project(project)
        finally:
            self._loading = False
        self._outside_changes = False
        self.undo_stack.setClean()
        self.banner.hide()
        self._update_title()
        self._fill_recent()
        self._select_first()
        self._report_breaches()

    def _report_breaches(self) -> None:
        """A project naming files outside its folder opens, with a message; those entries are never used."""
        from shotplanner.core.confine import breach_report, breaches

        found = breaches(self.storyboard.project, self.folder) if self.folder is not None else []
        if found:
            self.show_error("Entries outside the project", breach_report(found) + "\n\nThey are left as "
                            "they are and are never read, sent, written or deleted.")

    def open_project(self, path: Path) -> bool:
        try:
            project = storage.load_project(path)
        except storage.ProjectError as exc:
            self.show_error("Cannot open project", str(exc))
            return False
        folder = storage.project_folder(path)
        self.load(project, folder)
        self._remember(folder)
        self.check_recovery()
        return True

    def new_project(self, folder: Path, title: str | None = None) -> bool:
        try:
            project = storage.create_project(folder, title or folder.name)
        except storage.ProjectError as exc:
            self.show_error("Cannot create project", str(exc))
            return False
        self.load(project, folder)
        self._remember(folder)
        self.add_shot()
        self.undo_stack.setClean()
        return True

    def save(self) -> bool:
        if self.folder is None:
            self.ask_save_as()
            return False
        try:
            storage.save_project(self.storyboard.project, self.folder)
        except storage.ProjectError as exc:
            self.show_error("Could not save", f"{exc}\nYour edits are still here; try Save As.")
            return False
        self.autosave.cancel()
        if self._pending_recovery is None:  # a recovery still waiting for an answer stays until given
            storage.discard_recovery(self.folder)
        self.undo_stack.setClean()
        self._outside_changes = False
        self._update_title()
        self._remember(self.folder)
        self.show_message(f"Saved {self.folder / storage.PROJECT_FILE}")
        self.projectSaved.emit()
        return True

    def save_as(self, folder: Path) -> bool:
        """Write the project into ``folder`` with its media; the old folder is left untouched."""
        if (folder / storage.PROJECT_FILE).exists() and folder != self.folder:
            self.show_error("Save As", f"{folder} already holds a project; choose an empty folder.")
            return False
        old = self.folder
        try:
            if old is not None and (old / storage.MEDIA_DIR).is_dir() and folder != old:
                shutil.copytree(old / storage.MEDIA_DIR, folder / storage.MEDIA_DIR, dirs_exist_ok=True)
        except OSError as exc:
            self.show_error("Save As", f"Cannot copy the project's media to {folder}: {exc}")
            return False
        self.folder = folder
        if not self.save():
            self.folder = old
            self._update_title()
            return False
        self.model.set_project_dir(folder)
        return True

    def check_recovery(self) -> bool:
        """Offer autosaved edits left by a session that did not end cleanly; True if there are some."""
        if self.folder is None:
            return False
        try:
            recovered = storage.load_recovery(self.folder)
        except storage.ProjectError as exc:
            self.banner.label.setText(f"An autosave file was found but cannot be read: {exc}")
            self.banner.restore_button.hide()
            self.banner.show()
            return False
        if recovered is None:
            return False
        if _same_document(recovered, self.storyboard.project):
            storage.discard_recovery(self.folder)  # nothing in it that is not saved: no question to ask
            return False
        when = datetime.fromtimestamp(storage.recovery_path(self.folder).stat().st_mtime)
        self._pending_recovery = recovered
        self.autosave.hold(True)  # the recovery file stays as it is until the user answers
        self.banner.label.setText(
            f"<b>Unsaved changes were recovered</b> from a session that ended on {when:%Y-%m-%d at %H:%M}. "
            "Restore them, or discard them and keep the last saved version?")
        self.banner.restore_button.show()
        self.banner.show()
        return True

    def restore_recovery(self) -> None:
        recovered = self._pending_recovery
        if recovered is None:
            return
        self._pending_recovery = None
        self.autosave.hold(False)
        self.load(recovered, self.folder)
        self.mark_modified()  # the recovered state is not on disk as project.json yet
        self.autosave.schedule()
        self.show_message("Recovered changes restored — Save to keep them.")

    def discard_recovery(self) -> None:
        self._pending_recovery = None
        if self.folder is not None:
            storage.discard_recovery(self.folder)
        self.banner.hide()
        self.autosave.hold(False)  # edits made meanwhile are written now

    # ------------------------------------------------------------------ dialogs (non-modal)

    def _ask_folder(self, caption: str, done: Callable[[Path], object]) -> QFileDialog:
        dialog = QFileDialog(self, caption)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda path: done(Path(path)))
        self._dialog = dialog
        dialog.open()
        return dialog

    def ask_open_project(self) -> QFileDialog:
        return self._after_confirm(lambda: self._ask_folder("Open project folder", self.open_project))

    def ask_new_project(self) -> QFileDialog:
        return self._after_confirm(lambda: self._ask_folder("Folder for the new project", self.new_project))

    def ask_save_as(self) -> QFileDialog:
        return self._ask_folder("Save project as (an empty folder)", self.save_as)

    def _after_confirm(self, then: Callable[[], QFileDialog]) -> QFileDialog:
        if not self.modified or not self.confirm_close:
            return then()
        self.autosave.write_now()
        return then()

    def show_message(self, text: str) -> None:
        self.last_message = text
        self.statusBar().showMessage(text, 8000)

    def show_error(self, title: str, text: str) -> QMessageBox:
        self.last_message = text
        log.warning("%s: %s", title, text)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog = box
        box.open()
        return box

    # ------------------------------------------------------------------ status

    def _remember(self, folder: Path) -> None:
        from shotplanner.core.recent import add_recent

        try:
            add_recent(folder)
        except OSError as exc:
            log.info("recent list not updated: %s", exc)

    def _update_title(self) -> None:
        # Called on every core event (many a second while jobs run): touch the window only on a change.
        title = self.storyboard.project.title
        where = f" — {self.folder.name}" if self.folder is not None else ""
        text = f"{title}{where}[*] — {APP_NAME}"
        if text != self.windowTitle():
            self.setWindowTitle(text)
        if self.modified != self.isWindowModified():
            self.setWindowModified(self.modified)

    def _clean_changed(self, _clean: bool) -> None:
        self._update_title()

    def _autosaved(self, when: datetime) -> None:
        self.autosave_label.setText(f"Autosaved {when:%H:%M:%S}")
        self.autosave_label.setProperty("failed", False)
        self.autosave_label.setStyleSheet("")

    def _autosave_failed(self, message: str) -> None:
        self.autosave_label.setText("Autosave failed — edits kept in memory")
        self.autosave_label.setToolTip(message)
        self.autosave_label.setStyleSheet("color: #c8553d; font-weight: bold;")
        self.show_message(message)

    def _on_core_event(self, event: ev.Event) -> None:
        if self._loading or isinstance(event, ev.ShotsInserting | ev.ShotsRemoving | ev.ShotsReordering
                                       | ev.ResetStarting):
            return
        # Takes reporting progress change the document often: they never push a due autosave back.
        self.autosave.schedule(postpone=not (isinstance(event, ev.ShotChanged) and event.only_takes))
        self._update_title()

    # ------------------------------------------------------------------ Qt events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._painted and watched is self.view.viewport() and event.type() == QEvent.Type.Paint:
            self._painted = True
            # After this paint has been handled, not before it; the window as context cancels the
            # timer if the window is gone by then.
            QTimer.singleShot(0, self, self.firstPaint.emit)
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.confirm_close and self.modified:
            event.ignore()
            self._ask_unsaved()
            return
        if self.folder is not None and not self.modified and self._pending_recovery is None:
            storage.discard_recovery(self.folder)
        elif self.autosave.pending:
            self.autosave.write_now()
        self.thumbnails.wait(2000)
        for part in (self.form, self.picker, self.cast, self.model):
            part.detach()
        super().closeEvent(event)

    def _ask_unsaved(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                          f"Save the changes to “{self.storyboard.project.title}” before closing?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Save and not self.save():
                return
            if button == QMessageBox.StandardButton.Cancel:
                return
            if button == QMessageBox.StandardButton.Discard and self.folder is not None:
                storage.discard_recovery(self.folder)
            self.confirm_close = False
            self._outside_changes = False
            self.undo_stack.setClean()
            self.close()

        box.finished.connect(lambda result: answered(box.standardButton(box.clickedButton())))
        self._dialog = box
        box.open()
        return box

