"""The form for one shot: six prompt layers (lint under each), the composed prompt, crew fields,
reference images, characters and notes.

Every edit becomes an ``UpdateShotCommand`` on the shared undo stack; the form then re-reads the shot
when the core announces the change, so undo/redo and edits made elsewhere (a card drop, the picker)
show up here too. Typing in one field merges into one undo step per *typing session*: the session ends
when the field loses focus or another shot is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QIcon, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from shotplanner.core import events as ev
from shotplanner.core.models import (
    ASPECT_RATIOS,
    FRAME_RATES,
    LAYER_NAMES,
    RESOLUTIONS,
    Angle,
    ImageRef,
    Movement,
    Quality,
    Shot,
    ShotSize,
)
from shotplanner.core.storyboard import Storyboard
from shotplanner.ui.commands import UpdateShotCommand
from shotplanner.ui.project_settings import fill_frame_rates, fps_choice_label

LAYER_HINTS = {
    "subject": "Who or what the shot is about — with a detail the model can hold on to",
    "action": "What happens, in present tense",
    "environment": "Where and when: place, weather, time of day",
    "camera": "Movement, lens, framing — e.g. slow push-in, 35 mm",
    "light": "Direction and quality — e.g. hard low sun from the left",
    "mood": "The feeling, in concrete terms",
}


class _TextField(QPlainTextEdit):
    """A short multi-line field that grows a little, not a page."""

    def __init__(self, placeholder: str, lines: int = 2) -> None:
        super().__init__()
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        fm = self.fontMetrics()
        self.setFixedHeight(fm.lineSpacing() * lines + 14)


class ShotForm(QWidget):
    """Edits the shot :meth:`set_shot` names, through ``undo_stack``; shows nothing for ``None``."""

    #: Image files dropped on the form: (shot id, paths). The window copies them into the project.
    imagesDropped = Signal(str, list)

    def __init__(self, storyboard: Storyboard, undo_stack: QUndoStack,
                 project_dir: Callable[[], Path | None] = lambda: None,
                 catalog: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shotForm")
        self.setAcceptDrops(True)
        self._sb = storyboard
        self._stack = undo_stack
        self._project_dir = project_dir
        self.catalog = catalog
        self.shot_id: str | None = None
        self._loading = False
        self._session = 0

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(10, 8, 10, 10)
        lay.setSpacing(8)

        self.header = QLabel("No shot selected")
        self.header.setObjectName("formHeader")
        self.header.setWordWrap(True)
        lay.addWidget(self.header)

        # --- prompt layers
        layers_box = QGroupBox("Prompt layers")
        layers_lay = QVBoxLayout(layers_box)
        layers_lay.setSpacing(3)
        self.layer_edits: dict[str, QPlainTextEdit] = {}
        self.layer_lint: dict[str, QLabel] = {}
        for name in LAYER_NAMES:
            label = QLabel(name.capitalize())
            label.setObjectName("fieldLabel")
            edit = _TextField(LAYER_HINTS[name])
            edit.setObjectName(f"layer_{name}")
            edit.textChanged.connect(lambda n=name: self._text_edited(f"layers.{n}"))
            edit.installEventFilter(self)
            lint = QLabel()
            lint.setObjectName("lintLabel")
            lint.setWordWrap(True)
            lint.hide()
            layers_lay.addWidget(label)
            layers_lay.addWidget(edit)
            layers_lay.addWidget(lint)
            self.layer_edits[name] = edit
            self.layer_lint[name] = lint
        lay.addWidget(layers_box)

        prompt_box = QGroupBox("Composed prompt")
        prompt_lay = QVBoxLayout(prompt_box)
        self.prompt_view = QPlainTextEdit()
        self.prompt_view.setObjectName("composedPrompt")
        self.prompt_view.setReadOnly(True)
        self.prompt_view.setFixedHeight(self.prompt_view.fontMetrics().lineSpacing() * 5 + 14)
        self.general_lint = QLabel()
        self.general_lint.setObjectName("lintLabel")
        self.general_lint.setWordWrap(True)
        self.general_lint.hide()
        prompt_lay.addWidget(self.prompt_view)
        prompt_lay.addWidget(self.general_lint)
        lay.addWidget(prompt_box)

        # --- crew fields
        crew = QGroupBox("Camera and format")
        form = QFormLayout(crew)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.size_combo = self._enum_combo([(s.value, f"{s.value} — {s.label}") for s in ShotSize], "size")
        self.angle_combo = self._enum_combo([(a.value, a.value) for a in Angle], "angle")
        self.movement_combo = self._enum_combo([(m.value, m.value) for m in Movement], "movement")
        self.lens_spin = QSpinBox()
        self.lens_spin.setRange(3, 1200)  # 3 = "not set" (a shot's lens is 4 mm or more)
        self.lens_spin.setSpecialValueText("—")
        self.lens_spin.setSuffix(" mm")
        self.lens_spin.valueChanged.connect(self._lens_changed)
        self.duration_spin = QDoubleSpinBox()
        self.duration_spin.setRange(0.0, 3600.0)
        self.duration_spin.setDecimals(1)
        self.duration_spin.setSingleStep(0.5)
        self.duration_spin.setSuffix(" s")
        self.duration_spin.valueChanged.connect(lambda v: self._value_edited("duration_s", float(v)))
        self.aspect_combo = self._enum_combo([(a, a) for a in ASPECT_RATIOS], "aspect")
        self.resolution_combo = self._enum_combo([(r, r) for r in RESOLUTIONS], "resolution")
        # The crew's rates (23.976 … 60), as in Project settings; an unusual rate on a shot stays listed.
        self.fps_combo = self._enum_combo([(r, fps_choice_label(r)) for r in FRAME_RATES], "fps")
        self.audio_check = QCheckBox("Needs synced audio")
        self.audio_check.toggled.connect(lambda on: self._push({"audio": bool(on)}, "Toggle audio"))
        self.quality_combo = self._enum_combo([(q.value, q.value) for q in Quality], "quality")
        for spin in (self.lens_spin, self.duration_spin):
            spin.setKeyboardTracking(False)
            spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.UpDownArrows)
        form.addRow("Shot size", self.size_combo)
        form.addRow("Angle", self.angle_combo)
        form.addRow("Movement", self.movement_combo)
        form.addRow("Lens", self.lens_spin)
        form.addRow("Duration", self.duration_spin)
        form.addRow("Aspect", self.aspect_combo)
        form.addRow("Resolution", self.resolution_combo)
        form.addRow("Frame rate", self.fps_combo)
        form.addRow("Quality", self.quality_combo)
        form.addRow("", self.audio_check)
        lay.addWidget(crew)

        # --- references
        refs = QGroupBox("Reference images")
        refs_lay = QVBoxLayout(refs)
        self.refs_list = QListWidget()
        self.refs_list.setObjectName("refsList")
        self.refs_list.setViewMode(QListWidget.ViewMode.IconMode)
        self.refs_list.setIconSize(QSize(96, 54))
        self.refs_list.setFixedHeight(84)
        self.refs_list.setMovement(QListWidget.Movement.Static)
        refs_hint = QLabel("Drop image files here or on a card.")
        refs_hint.setObjectName("hintLabel")
        remove_ref = QPushButton("Remove selected")
        remove_ref.clicked.connect(self._remove_selected_refs)
        # Each image says what it is for: the first frame, the last frame, or a reference (look, costume);
        # the route then sends it that way, or the check says it cannot.
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("refRole")
        self.role_combo.setToolTip("What the selected image is for")
        for role, role_label in ROLE_LABELS.items():
            self.role_combo.addItem(role_label, role)
        self.role_combo.setEnabled(False)
        self.role_combo.activated.connect(self._role_chosen)
        self.refs_list.itemSelectionChanged.connect(self._show_role)
        row = QHBoxLayout()
        row.addWidget(refs_hint, 1)
        row.addWidget(QLabel("Use as"))
        row.addWidget(self.role_combo)
        row.addWidget(remove_ref)
        refs_lay.addWidget(self.refs_list)
        refs_lay.addLayout(row)
        self.refs_message = QLabel()
        self.refs_message.setObjectName("lintLabel")
        self.refs_message.setWordWrap(True)
        self.refs_message.hide()
        refs_lay.addWidget(self.refs_message)
        lay.addWidget(refs)

        # --- characters
        chars = QGroupBox("Characters")
        chars_lay = QVBoxLayout(chars)
        self.characters_list = QListWidget()
        self.characters_list.setObjectName("charactersList")
        self.characters_list.setFixedHeight(80)
        self.characters_list.itemChanged.connect(self._character_toggled)
        chars_lay.addWidget(self.characters_list)
        lay.addWidget(chars)

        # --- notes
        notes = QGroupBox("Dialogue and notes")
        notes_lay = QVBoxLayout(notes)
        self.dialogue_edit = _TextField("Lines spoken in the shot (for audio-capable models)")
        self.dialogue_edit.textChanged.connect(lambda: self._text_edited("dialogue"))
        self.dialogue_edit.installEventFilter(self)
        self.notes_edit = _TextField("Notes for the crew", 3)
        self.notes_edit.textChanged.connect(lambda: self._text_edited("notes"))
        self.notes_edit.installEventFilter(self)
        notes_lay.addWidget(self.dialogue_edit)
        notes_lay.addWidget(self.notes_edit)
        lay.addWidget(notes)
        lay.addStretch(1)

        storyboard.events.connect(self._on_event)
        self._set_enabled(False)

    # ------------------------------------------------------------------ public

    def set_shot(self, shot_id: str | None) -> None:
        self.shot_id = shot_id
        self._session += 1
        self.refs_message.hide()
        self.refresh()

    def current_shot(self) -> Shot | None:
        return self._sb.find(self.shot_id)

    def show_refs_message(self, text: str) -> None:
        self.refs_message.setText(text)
        self.refs_message.setVisible(bool(text))

    def detach(self) -> None:
        try:
            self._sb.events.disconnect(self._on_event)
        except ValueError:
            pass

    def refresh(self, fields: frozenset[str] | None = None) -> None:
        """Re-read the shot; ``fields`` limits the reload to what changed (None: everything)."""
        shot = self.current_shot()
        self._set_enabled(shot is not None)
        if shot is None:
            self.header.setText("No shot selected")
            return
        self._loading = True
        try:
            self._load(shot, fields)
        finally:
            self._loading = False
        self._refresh_prompt_and_lint(shot)

    # ------------------------------------------------------------------ loading

    def _set_enabled(self, on: bool) -> None:
        for child in self.findChildren(QGroupBox):
            child.setEnabled(on)

    def _load(self, shot: Shot, fields: frozenset[str] | None = None) -> None:
        scene = self._sb.project.scene_of(shot.id)
        where = ""
        if scene is not None:
            where = f"Scene {scene.number}" + (f" · {scene.heading}" if scene.heading else "")
        self.header.setText(f"<b>Shot {shot.number}</b> &nbsp; {where}")
        for name, edit in self.layer_edits.items():
            _set_text(edit, getattr(shot.layers, name))
        _set_text(self.dialogue_edit, shot.dialogue)
        _set_text(self.notes_edit, shot.notes)
        _set_combo(self.size_combo, shot.size.value)
        _set_combo(self.angle_combo, shot.angle.value)
        _set_combo(self.movement_combo, shot.movement.value)
        _set_combo(self.aspect_combo, shot.aspect)
        _set_combo(self.resolution_combo, shot.resolution)
        _set_combo(self.quality_combo, shot.quality.value)
        self.lens_spin.setValue(shot.lens_mm or self.lens_spin.minimum())
        self.duration_spin.setValue(shot.duration_s)
        if self.fps_combo.findData(shot.fps) < 0 or self.fps_combo.count() > len(FRAME_RATES):
            fill_frame_rates(self.fps_combo, shot.fps)  # lists an unusual rate, or drops one no longer used
        else:
            _set_combo(self.fps_combo, shot.fps)  # type: ignore[arg-type]
        self.audio_check.setChecked(shot.audio)
        if fields is None or "reference_images" in fields:
            self._load_refs(shot)
        if fields is None or "character_ids" in fields:
            self._load_characters(shot)

    def _load_refs(self, shot: Shot) -> None:
        self.refs_list.clear()
        folder = self._project_dir()
        for ref in shot.reference_images:
            item = QListWidgetItem(f"{ROLE_LABELS.get(ref.role, ref.role)}\n{Path(ref.path).name[:10]}")
            item.setData(Qt.ItemDataRole.UserRole, ref.path)
            item.setToolTip(ref.path)
            if folder is not None:
                # Small pictures only: the form is not the place for a 12k-pixel decode.
                from shotplanner.ui.thumbnails import read_scaled

                image, _ = read_scaled(folder / ref.path, QSize(96, 54))
                if image is not None:
                    item.setIcon(QIcon(QPixmap.fromImage(image)))
            self.refs_list.addItem(item)

    def _load_characters(self, shot: Shot) -> None:
        self.characters_list.blockSignals(True)
        self.characters_list.clear()
        for character in self._sb.project.characters:
            item = QListWidgetItem(character.name)
            item.setData(Qt.ItemDataRole.UserRole, character.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = character.id in shot.character_ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            item.setToolTip(character.description)
            self.characters_list.addItem(item)
        if not self._sb.project.characters:
            item = QListWidgetItem("No characters in this project yet")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.characters_list.addItem(item)
        self.characters_list.blockSignals(False)

    def _refresh_prompt_and_lint(self, shot: Shot) -> None:
        from shotplanner.core.lint import lint_shot
        from shotplanner.core.prompt import compose_prompt

        project = self._sb.project
        model = None
        if self.catalog is not None:
            from shotplanner.core.recommend import resolve_model

            try:
                model = resolve_model(shot, project, self.catalog)
            except Exception:  # the picker reports catalog trouble; the form still shows the prompt
                model = None
        prompt = compose_prompt(shot, project)
        if self.prompt_view.toPlainText() != prompt:
            self.prompt_view.setPlainText(prompt)
        issues = lint_shot(shot, project, model)
        by_layer: dict[str | None, list[str]] = {}
        for issue in issues:
            layer = issue.layer if issue.layer in self.layer_lint else None
            mark = "⚠" if issue.severity == "warning" else "ℹ"
            by_layer.setdefault(layer, []).append(f"{mark} {issue.message}")
        for name, label in self.layer_lint.items():
            lines = by_layer.get(name, [])
            label.setText("\n".join(lines))
            label.setVisible(bool(lines))
        general = by_layer.get(None, [])
        self.general_lint.setText("\n".join(general))
        self.general_lint.setVisible(bool(general))

    # ------------------------------------------------------------------ edits

    def _enum_combo(self, items: list[tuple[Any, str]], field: str) -> QComboBox:
        combo = QComboBox()
        for value, label in items:
            combo.addItem(label, value)
        combo.currentIndexChanged.connect(lambda _i, c=combo, f=field: self._combo_edited(f, c))
        return combo

    def _combo_edited(self, field: str, combo: QComboBox) -> None:
        self._push({field: combo.currentData()}, f"Set {field}")

    def _lens_changed(self, value: int) -> None:
        self._value_edited("lens_mm", None if value == self.lens_spin.minimum() else int(value))

    def _value_edited(self, field: str, value: Any) -> None:
        self._push({field: value}, f"Set {field}", merge_key=f"{field}#{self._session}")

    def _text_edited(self, field: str) -> None:
        if self._loading:
            return
        if field.startswith("layers."):
            edit = self.layer_edits[field.split(".", 1)[1]]
        else:
            edit = self.dialogue_edit if field == "dialogue" else self.notes_edit
        self._push({field: edit.toPlainText()}, f"Type in {field.split('.')[-1]}",
                   merge_key=f"{field}#{self._session}")

    def _character_toggled(self, _item: QListWidgetItem) -> None:
        ids = []
        for i in range(self.characters_list.count()):
            item = self.characters_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                ids.append(item.data(Qt.ItemDataRole.UserRole))
        self._push({"character_ids": ids}, "Set characters")

    def _show_role(self) -> None:
        shot = self.current_shot()
        chosen = [i.data(Qt.ItemDataRole.UserRole) for i in self.refs_list.selectedItems()]
        ref = next((r for r in shot.reference_images if r.path in chosen), None) if shot else None
        self.role_combo.setEnabled(ref is not None)
        if ref is not None:
            self.role_combo.setCurrentIndex(self.role_combo.findData(ref.role))

    def _role_chosen(self, index: int) -> None:
        shot = self.current_shot()
        role = self.role_combo.itemData(index)
        chosen = {i.data(Qt.ItemDataRole.UserRole) for i in self.refs_list.selectedItems()}
        if shot is None or not chosen:
            return
        refs = []
        for ref in shot.reference_images:
            if ref.path in chosen:
                refs.append(ref.model_copy(update={"role": role}))
            elif role in ("start", "end") and ref.role == role:
                refs.append(ref.model_copy(update={"role": "reference"}))  # one start, one end frame
            else:
                refs.append(ref.model_copy())
        self._push({"reference_images": refs}, "Set image role")

    def _remove_selected_refs(self) -> None:
        shot = self.current_shot()
        chosen = {i.data(Qt.ItemDataRole.UserRole) for i in self.refs_list.selectedItems()}
        if shot is None or not chosen:
            return
        keep = [r.model_copy() for r in shot.reference_images if r.path not in chosen]
        # The image file stays in media/refs: removing a reference never deletes media.
        self._push({"reference_images": keep}, "Remove reference image")

    def _push(self, fields: dict[str, Any], text: str, merge_key: str | None = None) -> None:
        if self._loading or self.shot_id is None or self.current_shot() is None:
            return
        shot = self.current_shot()
        assert shot is not None
        if all(_current(shot, k) == v for k, v in fields.items()):
            return
        self._stack.push(UpdateShotCommand(self._sb, self.shot_id, fields, text, merge_key))

    # ------------------------------------------------------------------ Qt events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self._session += 1  # the next keystroke starts a new undo step
        return super().eventFilter(watched, event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and self.shot_id is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths and self.shot_id is not None:
            self.imagesDropped.emit(self.shot_id, paths)
            event.acceptProposedAction()

    def _on_event(self, event: ev.Event) -> None:
        if self.shot_id is None:
            return
        match event:
            case ev.ShotChanged(shot_id=sid, fields=fields) if sid == self.shot_id:
                self.refresh(fields)
            case ev.ResetDone() | ev.ShotsRemoved() | ev.ShotsReordered():
                self.refresh()
            case ev.ProjectChanged():
                self.refresh()


#: How the form names an image's role.
ROLE_LABELS: dict[str, str] = {"start": "Start frame", "end": "End frame", "reference": "Reference"}


def _current(shot: Shot, dotted: str) -> Any:
    owner: Any = shot
    parts = dotted.split(".")
    for part in parts[:-1]:
        owner = getattr(owner, part)
    value = getattr(owner, parts[-1])
    return value.value if hasattr(value, "value") and not isinstance(value, ImageRef) else value


def _set_text(edit: QPlainTextEdit, text: str) -> None:
    # Only replace differing text: resetting identical text would throw away the cursor while typing.
    if edit.toPlainText() != text:
        edit.setPlainText(text)


def _set_combo(combo: QComboBox, value: str) -> None:
    i = combo.findData(value)
    if i >= 0 and combo.currentIndex() != i:
        combo.setCurrentIndex(i)
