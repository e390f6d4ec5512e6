"""The cast: each character's name, description, reference images, and the shots it appears in.

Characters carry cut-to-cut consistency: the recommender pushes close-ups of a recurring character to
image-to-video with its reference. The panel holds no state of its own — it shows the core's cast and
turns each edit into an undo command (typing in the description merges into one step per session, as in
the shot form). Removing a character asks first (it leaves every shot it was on) and is undoable.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QImage, QUndoStack
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shotplanner.core import events as ev
from shotplanner.core.models import Character
from shotplanner.core.storyboard import Storyboard
from shotplanner.ui.commands import AddCharacterCommand, RemoveCharacterCommand, UpdateCharacterCommand
from shotplanner.ui.reference_images import ImageImportError, ReferenceList, import_images, store_image


class CastPanel(QWidget):
    #: A shot in "Appears in" was activated: the window selects it.
    shotActivated = Signal(str)

    def __init__(self, storyboard: Storyboard, undo_stack: QUndoStack,
                 project_dir: Callable[[], Path | None] = lambda: None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("castPanel")
        self._sb = storyboard
        self._stack = undo_stack
        self._project_dir = project_dir
        self._session = 0
        self._loading = False
        self.character_id: str | None = None
        self._dialog: QMessageBox | None = None

        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 10)
        self.cast_list = QListWidget()
        self.cast_list.setObjectName("castList")
        self.cast_list.setFixedHeight(120)
        self.cast_list.currentItemChanged.connect(self._picked)
        lay.addWidget(self.cast_list)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add character")
        self.add_button.clicked.connect(lambda: self.add_character())
        self.remove_button = QPushButton("Remove…")
        self.remove_button.clicked.connect(lambda: self.ask_remove())
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        lay.addLayout(buttons)

        self.details = QGroupBox("Character")
        form = QFormLayout(self.details)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("characterName")
        self.name_edit.editingFinished.connect(self._name_edited)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setObjectName("characterDescription")
        self.description_edit.setPlaceholderText("What every shot must keep: age, face, hair, clothes")
        self.description_edit.setFixedHeight(self.description_edit.fontMetrics().lineSpacing() * 4 + 14)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.textChanged.connect(self._description_edited)
        self.description_edit.installEventFilter(self)
        self.refs = ReferenceList(with_roles=False, project_dir=project_dir)
        self.refs.filesChosen.connect(self._files_chosen)
        self.refs.imagePasted.connect(self._image_pasted)
        self.refs.removeChosen.connect(self._remove_refs)
        self.message = QLabel()
        self.message.setObjectName("lintLabel")
        self.message.setWordWrap(True)
        self.message.hide()
        self.shots_list = QListWidget()
        self.shots_list.setObjectName("characterShots")
        self.shots_list.setFixedHeight(110)
        self.shots_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.shots_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.shots_list.itemActivated.connect(
            lambda item: self.shotActivated.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.shots_list.itemClicked.connect(
            lambda item: self.shotActivated.emit(item.data(Qt.ItemDataRole.UserRole)))
        form.addRow("Name", self.name_edit)
        form.addRow("Description", self.description_edit)
        form.addRow("References", self.refs)
        form.addRow("", self.message)
        form.addRow("Appears in", self.shots_list)
        lay.addWidget(self.details)
        lay.addStretch(1)
        storyboard.events.connect(self._on_event)
        self.refresh()

    def detach(self) -> None:
        try:
            self._sb.events.disconnect(self._on_event)
        except ValueError:
            pass

    # ------------------------------------------------------------------ showing

    def current(self) -> Character | None:
        return self._sb.project.character(self.character_id) if self.character_id else None

    def select(self, character_id: str | None) -> None:
        for i in range(self.cast_list.count()):
            if self.cast_list.item(i).data(Qt.ItemDataRole.UserRole) == character_id:
                self.cast_list.setCurrentRow(i)
                return

    def refresh(self) -> None:
        cast = self._sb.project.characters
        if self.character_id is not None and self.current() is None:
            self.character_id = None
        if self.character_id is None and cast:
            self.character_id = cast[0].id
        self.cast_list.blockSignals(True)
        self.cast_list.clear()
        for character in cast:
            count = len(self._sb.project.shots_with_character(character.id))
            item = QListWidgetItem(f"{character.name}  ·  {count} shot{'s' if count != 1 else ''}")
            item.setData(Qt.ItemDataRole.UserRole, character.id)
            item.setToolTip(character.description)
            self.cast_list.addItem(item)
            if character.id == self.character_id:
                self.cast_list.setCurrentItem(item)
        self.cast_list.blockSignals(False)
        self._load()

    def _load(self) -> None:
        character = self.current()
        self.details.setEnabled(character is not None)
        self.remove_button.setEnabled(character is not None)
        self._loading = True
        try:
            if character is None:
                self.name_edit.clear()
                self.description_edit.clear()
                self.refs.set_refs([])
                self.shots_list.clear()
                return
            if self.name_edit.text() != character.name:
                self.name_edit.setText(character.name)
            if self.description_edit.toPlainText() != character.description:
                self.description_edit.setPlainText(character.description)
            self.refs.set_refs(character.reference_images)
            self.shots_list.clear()
            for shot in self._sb.project.shots_with_character(character.id):
                scene = self._sb.scene_of(shot.id)
                what = shot.layers.subject or shot.layers.action
                item = QListWidgetItem(f"{shot.number}  ·  SC {scene.number}  ·  {shot.size.value}  {what}")
                item.setData(Qt.ItemDataRole.UserRole, shot.id)
                self.shots_list.addItem(item)
        finally:
            self._loading = False

    def _picked(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        self.character_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self._session += 1
        self.message.hide()
        self._load()

    # ------------------------------------------------------------------ edits

    def add_character(self, name: str = "New character") -> str:
        character = Character(name=name)
        self._stack.push(AddCharacterCommand(self._sb, character))
        self.select(character.id)
        self.name_edit.setFocus()
        self.name_edit.selectAll()
        return character.id

    def ask_remove(self) -> QMessageBox | None:
        """Ask (non-modal) before removing the character from the cast and from its shots."""
        character = self.current()
        if character is None:
            return None
        count = len(self._sb.project.shots_with_character(character.id))
        box = QMessageBox(QMessageBox.Icon.Question, "Remove character",
                          f"Remove {character.name} from the cast"
                          + (f" and from the {count} shot(s) it appears in?" if count else "?")
                          + "\nUndo brings it back.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        character_id = character.id
        box.accepted.connect(lambda: self.remove(character_id))
        self._dialog = box
        box.open()
        return box

    def remove(self, character_id: str) -> None:
        if self._sb.project.character(character_id) is not None:
            self._stack.push(RemoveCharacterCommand(self._sb, character_id))

    def _update(self, fields: dict[str, object], text: str, merge_key: str | None = None) -> None:
        character = self.current()
        if self._loading or character is None:
            return
        if all(getattr(character, k) == v for k, v in fields.items()):
            return
        self._stack.push(UpdateCharacterCommand(self._sb, character.id, dict(fields), text, merge_key))

    def _name_edited(self) -> None:
        name = " ".join(self.name_edit.text().split())
        if name:
            self._update({"name": name}, "Rename character")
        elif self.current() is not None:
            self.name_edit.setText(self.current().name)  # type: ignore[union-attr]

    def _description_edited(self) -> None:
        self._update({"description": self.description_edit.toPlainText()}, "Describe character",
                     merge_key=f"description#{self._session}")

    def _add_paths(self, rel: list[str]) -> None:
        character = self.current()
        if character is None:
            return
        refs = list(character.reference_images)
        refs += [p for p in rel if p not in refs]
        if len(refs) == len(character.reference_images):
            self._say("That image is already on the character.")
            return
        self._say("")
        self._update({"reference_images": refs}, "Add character reference")

    def _files_chosen(self, paths: list[Path]) -> None:
        folder = self._project_dir()
        if folder is None:
            self._say("Save the project in a folder before adding reference images.")
            return
        try:
            self._add_paths(import_images(folder, paths))
        except ImageImportError as exc:
            self._say(f"Nothing added: {exc}")

    def _image_pasted(self, image: QImage) -> None:
        folder = self._project_dir()
        if folder is None:
            self._say("Save the project in a folder before adding reference images.")
            return
        try:
            self._add_paths([store_image(folder, image)])
        except ImageImportError as exc:
            self._say(f"Nothing added: {exc}")

    def _remove_refs(self, paths: list[str]) -> None:
        character = self.current()
        if character is not None:
            keep = [p for p in character.reference_images if p not in set(paths)]
            self._update({"reference_images": keep}, "Remove character reference")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ------------------------------------------------------------------ Qt and core events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self._session += 1  # the next keystroke starts a new undo step
        return super().eventFilter(watched, event)

    def _on_event(self, event: ev.Event) -> None:
        match event:
            case ev.ProjectChanged() | ev.ResetDone():
                self.refresh()
            case ev.ShotChanged(fields=fields) if "character_ids" in fields or "number" in fields:
                self.refresh()
