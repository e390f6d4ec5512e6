"""The takes of the current shot: a strip (poster, model, date, rating, circled/NG), the inline player, and
the review of the selected take (the article's checklist, rating, note), plus "try again with the same
prompt on another model".

Every review edit is an undo command (``review_commands``) on the core; the panel rebuilds from the core
when it announces a change to the shot's takes, so it never holds state of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shotplanner.core import events as ev
from shotplanner.core.confine import inside
from shotplanner.core.models import FRAME_REVIEW_QUESTIONS, REVIEW_QUESTIONS, JobState, Shot, Take
from shotplanner.core.storyboard import Storyboard, StoryboardError
from shotplanner.ui import review_commands as rc
from shotplanner.ui.player_widget import PlayerWidget

if TYPE_CHECKING:
    from shotplanner.core.catalog import Catalog
    from shotplanner.ui.generation_controller import GenerationController

TakeIdRole = Qt.ItemDataRole.UserRole + 60
#: What the item's icon was made from (picture path, state): the icon is made again only when it changes.
PictureRole = Qt.ItemDataRole.UserRole + 61
ANSWERS: list[tuple[str, bool | None]] = [("—", None), ("Yes", True), ("No", False)]
POSTER_SIZE = QSize(128, 72)


def take_label(index: int, take: Take, model_name: str) -> str:
    stars = "★" * take.rating + "☆" * (5 - take.rating)
    mark = " ◯ circled" if take.circled else " NG" if take.ng else ""
    state = "" if take.state is JobState.DONE else f" · {take.state.value}"
    kind = "frame · " if take.kind == "frame" else ""
    return f"T{index} · {kind}{model_name}{mark}\n{take.created_at:%d %b %H:%M}{state}\n{stars}"


def _placeholder(take: Take) -> QPixmap:
    pm = QPixmap(POSTER_SIZE)
    pm.fill(QColor("#2b2b2b"))
    p = QPainter(pm)
    p.setPen(QColor("#bbb"))
    p.drawText(pm.rect(), int(Qt.AlignmentFlag.AlignCenter), take.state.value)
    p.end()
    return pm


class TakesPanel(QWidget):
    #: The user wants two takes side by side: (shot id, take id A, take id B).
    compareRequested = Signal(str, str, str)

    def __init__(
        self,
        storyboard: Storyboard,
        undo_stack: QUndoStack,
        project_dir: Callable[[], Path | None],
        catalog: Catalog | None = None,
        controller: GenerationController | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.sb = storyboard
        self.undo_stack = undo_stack
        self.project_dir = project_dir
        self.catalog = catalog
        self.controller = controller
        self.shot_id: str | None = None
        self.take_id: str | None = None
        self._filling = False

        self.header = QLabel("No shot selected")
        self.header.setStyleSheet("font-weight: bold;")
        self.strip = QListWidget()
        self.strip.setViewMode(QListView.ViewMode.IconMode)
        self.strip.setFlow(QListView.Flow.LeftToRight)
        self.strip.setWrapping(False)
        self.strip.setIconSize(POSTER_SIZE)
        self.strip.setGridSize(QSize(POSTER_SIZE.width() + 24, POSTER_SIZE.height() + 64))
        self.strip.setFixedHeight(POSTER_SIZE.height() + 84)
        self.strip.setMovement(QListView.Movement.Static)
        self.strip.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.strip.currentItemChanged.connect(self._current_take_changed)

        self.player = PlayerWidget()
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.circle_button = QPushButton("Circle")
        self.circle_button.setCheckable(True)
        self.circle_button.setToolTip("Use this take in the cut (export and film playback)")
        self.ng_button = QPushButton("NG")
        self.ng_button.setCheckable(True)
        self.ng_button.setToolTip("No good")
        self.compare_button = QPushButton("Compare…")
        self.compare_button.setToolTip(
            "Select two takes in the strip (or one: it is compared with the circled or newest other take)"
        )
        marks = QHBoxLayout()
        for b in (self.circle_button, self.ng_button, self.compare_button):
            marks.addWidget(b)
        marks.addStretch(1)
        marks.addWidget(QLabel("Rating:"))
        self.stars: list[QToolButton] = []
        self._star_group = QButtonGroup(self)
        for n in range(1, 6):
            star = QToolButton()
            star.setText("☆")
            star.setAutoRaise(True)
            star.setToolTip(f"{n} of 5 (click again to clear)")
            self._star_group.addButton(star, n)
            self.stars.append(star)
            marks.addWidget(star)
        self._star_group.idClicked.connect(self._star_clicked)

        self.checklist: dict[str, QComboBox] = {}
        self.questions: dict[str, QLabel] = {}
        form = self.checklist_form = QFormLayout()
        # A clip's questions and a frame's (framing, light, likeness): one row per key, shown by kind.
        for key, question in {**REVIEW_QUESTIONS, **FRAME_REVIEW_QUESTIONS}.items():
            box = QComboBox()
            for text, _value in ANSWERS:
                box.addItem(text)
            box.currentIndexChanged.connect(lambda i, k=key: self._answered(k, i))
            label = QLabel(question)
            label.setWordWrap(True)
            form.addRow(label, box)
            self.checklist[key] = box
            self.questions[key] = label
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("Note on this take")
        self.note.setFixedHeight(56)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(500)
        self._note_timer.timeout.connect(self.commit_note)
        self.note.textChanged.connect(self._note_edited)

        self.other_model = QComboBox()
        self.other_button = QPushButton("Try again on this model")
        self.other_button.setToolTip("Same prompt and settings as this take, another model: a new take")
        again = QHBoxLayout()
        again.addWidget(QLabel("Same prompt on:"))
        again.addWidget(self.other_model, 1)
        again.addWidget(self.other_button)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.header)
        lay.addWidget(self.strip)
        lay.addWidget(self.player, 1)
        lay.addWidget(self.info)
        lay.addLayout(marks)
        lay.addLayout(form)
        lay.addWidget(self.note)
        lay.addLayout(again)

        self.circle_button.clicked.connect(self.toggle_circle)
        self.ng_button.clicked.connect(self.toggle_ng)
        self.compare_button.clicked.connect(self._compare)
        self.other_button.clicked.connect(self.try_other_model)
        self._fill_models()
        storyboard.events.connect(self._on_event)
        self._refresh_detail()

    def detach(self) -> None:
        try:
            self.sb.events.disconnect(self._on_event)
        except ValueError:
            pass
        self.player.player.close()

    # ------------------------------------------------------------------ showing

    def _fill_models(self) -> None:
        self.other_model.clear()
        if self.catalog is None:
            return
        for model in self.catalog.live():
            self.other_model.addItem(model.name, model.id)

    def model_name(self, model_id: str) -> str:
        model = self.catalog.find(model_id) if self.catalog is not None else None
        if model is None:
            from shotplanner.core.frame_models import frame_models

            # Frames are made by image models, which are not in the video catalog.
            return next((m.name for m in frame_models() if m.id == model_id), model_id)
        return model.name

    def shot(self) -> Shot | None:
        if self.shot_id is None:
            return None
        try:
            return self.sb.shot(self.shot_id)
        except StoryboardError:
            return None

    def take(self) -> Take | None:
        shot = self.shot()
        if shot is None or self.take_id is None:
            return None
        return next((t for t in shot.takes if t.id == self.take_id), None)

    def set_shot(self, shot_id: str | None) -> None:
        self.commit_note()
        self.shot_id = shot_id
        shot = self.shot()
        self.take_id = None
        if shot is not None and shot.takes:
            pick = shot.cut_take() or shot.takes[-1]
            self.take_id = pick.id
        self._rebuild_strip()
        self._refresh_detail(load_clip=True)

    def select_take(self, take_id: str) -> None:
        for i in range(self.strip.count()):
            if self.strip.item(i).data(TakeIdRole) == take_id:
                self.strip.setCurrentRow(i)
                return

    def _rebuild_strip(self) -> None:
        shot = self.shot()
        self._filling = True
        try:
            self.strip.clear()
            if shot is None:
                self.header.setText("No shot selected")
                return
            n = len(shot.takes)
            self.header.setText(f"Shot {shot.number} — {n} take{'s' if n != 1 else ''}")
            for i, take in enumerate(shot.takes, 1):
                item = QListWidgetItem()
                item.setData(TakeIdRole, take.id)
                self._fill_item(item, i, take)
                self.strip.addItem(item)
                if take.id == self.take_id:
                    self.strip.setCurrentItem(item)
        finally:
            self._filling = False

    def _sync_strip(self) -> None:
        """After a change to the shot's takes: the same takes are updated in place, only where what they
        show changed (a running job reports progress several times a second, which the strip does not
        show: rebuilding it and its icons each time cost the GUI ~3 ms per report); other changes
        (a take added or removed) rebuild it."""
        shot = self.shot()
        shown = [self.strip.item(i).data(TakeIdRole) for i in range(self.strip.count())]
        if shot is None or [t.id for t in shot.takes] != shown:
            self._rebuild_strip()
            return
        for i, take in enumerate(shot.takes, 1):
            self._fill_item(self.strip.item(i - 1), i, take)

    def _fill_item(self, item: QListWidgetItem, index: int, take: Take) -> None:
        """Set what ``item`` shows of ``take``; unchanged parts are left alone (no repaint, no relayout)."""
        picture = take.clip if take.kind == "frame" else take.poster  # a frame is its own poster
        shown = (picture, take.state)
        if item.data(PictureRole) != shown:
            folder = self.project_dir()
            path = inside(folder, picture) if folder is not None else None
            pm = QPixmap(str(path)) if path is not None else QPixmap()
            item.setIcon(QIcon(pm if not pm.isNull() else _placeholder(take)))
            item.setData(PictureRole, shown)
        label = take_label(index, take, self.model_name(take.model_id))
        if item.text() != label:
            item.setText(label)
        tip = take.message or take.prompt
        if item.toolTip() != tip:
            item.setToolTip(tip)
        grey = take.ng
        if (item.data(Qt.ItemDataRole.ForegroundRole) is not None) != grey:
            item.setData(Qt.ItemDataRole.ForegroundRole, QColor("#999") if grey else None)

    def _current_take_changed(self, current: QListWidgetItem | None, _prev: Any) -> None:
        if self._filling:
            return
        self.commit_note()
        self.take_id = current.data(TakeIdRole) if current is not None else None
        self._refresh_detail(load_clip=True)

    def _refresh_detail(self, load_clip: bool = False) -> None:
        take = self.take()
        enabled = take is not None
        self._filling = True
        try:
            for w in (
                self.circle_button,
                self.ng_button,
                self.note,
                self.other_button,
                self.compare_button,
                *self.checklist.values(),
                *self.stars,
            ):
                w.setEnabled(enabled)
            if take is None:
                self.info.setText(
                    "No take yet: generate the shot, or render its animatic." if self.shot() else ""
                )
                self.circle_button.setChecked(False)
                self.ng_button.setChecked(False)
                self.note.setPlainText("")
                if load_clip:
                    self.player.set_clip(None)
                return
            self.circle_button.setChecked(take.circled)
            self.circle_button.setText("Circled ◯" if take.circled else "Circle")
            self._show_questions(take)
            self.ng_button.setChecked(take.ng)
            for i, b in enumerate(self.stars, 1):
                b.setText("★" if i <= take.rating else "☆")
            for key, box in self.checklist.items():
                value = getattr(take.checklist, key)
                box.setCurrentIndex(next(i for i, (_t, v) in enumerate(ANSWERS) if v is value))
            if self.note.toPlainText() != take.note and not self._note_timer.isActive():
                self.note.setPlainText(take.note)
            cost = (
                f"${take.cost_usd:,.2f}"
                if take.cost_usd is not None
                else f"~${take.cost_estimate_usd:,.2f}"
                if take.cost_estimate_usd is not None
                else "—"
            )
            parts = [
                f"<b>{self.model_name(take.model_id)}</b> via {take.provider}",
                f"{take.created_at:%Y-%m-%d %H:%M}",
                f"cost {cost}",
                take.state.value,
            ]
            text = " · ".join(parts)
            if take.message and take.state is not JobState.DONE:
                text += f"<br><span style='color:#c8553d'>{take.message}</span>"
            self.info.setText(text)
            if load_clip:
                folder = self.project_dir()
                clip = inside(folder, take.clip) if folder is not None else None
                poster = inside(folder, take.poster) if folder is not None else None
                if take.kind == "frame":  # a still: shown, not played
                    clip, poster = None, clip
                self.player.set_clip(clip, poster)
        finally:
            self._filling = False

    def _show_questions(self, take: Take) -> None:
        """The checklist of the take's kind: a frame is judged on framing, light and likeness."""
        questions = FRAME_REVIEW_QUESTIONS if take.kind == "frame" else REVIEW_QUESTIONS
        for key, label in self.questions.items():
            self.checklist_form.setRowVisible(label, key in questions)
        frame = take.kind == "frame"
        self.circle_button.setToolTip("Show this frame on the card and start the shot's clip from it" if frame
                                      else "Use this take in the cut (export and film playback)")
        self.other_button.setEnabled(not frame)

    def _on_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.ShotChanged) and event.shot_id == self.shot_id and "takes" in event.fields:
            shot = self.shot()
            if self.take_id is None and shot is not None and shot.takes:
                self.take_id = shot.takes[-1].id
            before = self.take()
            had_clip = self.player.player.path is not None
            self._sync_strip()
            after = self.take()
            self._refresh_detail(load_clip=bool(after and after.clip and not had_clip) or before is None)
        elif isinstance(event, ev.ResetDone):
            self.set_shot(None)

    # ------------------------------------------------------------------ review edits (undoable)

    def _push(self, command: Any) -> None:
        self.undo_stack.push(command)

    def toggle_circle(self) -> None:
        take = self.take()
        if take is None or self.shot_id is None:
            return
        self._push(rc.CircleTakeCommand(self.sb, self.shot_id, None if take.circled else take.id, take.kind))

    def toggle_ng(self) -> None:
        take = self.take()
        if take is None or self.shot_id is None:
            return
        self._push(rc.mark_ng(self.sb, self.shot_id, take.id, not take.ng))

    def _star_clicked(self, n: int) -> None:
        take = self.take()
        if take is None or self.shot_id is None:
            return
        self._push(rc.set_rating(self.sb, self.shot_id, take.id, 0 if take.rating == n else n))

    def set_rating(self, n: int) -> None:
        take = self.take()
        if take is not None and self.shot_id is not None and take.rating != n:
            self._push(rc.set_rating(self.sb, self.shot_id, take.id, n))

    def _answered(self, key: str, index: int) -> None:
        if self._filling:
            return
        take = self.take()
        if take is None or self.shot_id is None:
            return
        answer = ANSWERS[index][1]
        if getattr(take.checklist, key) is not answer:
            self._push(rc.set_answer(self.sb, self.shot_id, take.id, key, answer))

    def _note_edited(self) -> None:
        if not self._filling:
            self._note_timer.start()

    def commit_note(self) -> None:
        self._note_timer.stop()
        take = self.take()
        if take is None or self.shot_id is None:
            return
        text = self.note.toPlainText()
        if text != take.note:
            self._push(rc.set_note(self.sb, self.shot_id, take.id, text))

    # ------------------------------------------------------------------ actions

    def try_other_model(self) -> None:
        take = self.take()
        model_id = self.other_model.currentData()
        if take is None or self.shot_id is None or self.controller is None or not model_id:
            return
        self.controller.try_other_model(self.shot_id, take.id, model_id)

    def compare_pair(self) -> tuple[str, str] | None:
        shot = self.shot()
        if shot is None:
            return None
        chosen = [
            self.strip.item(i).data(TakeIdRole)
            for i in range(self.strip.count())
            if self.strip.item(i).isSelected()
        ]
        if len(chosen) >= 2:
            return chosen[0], chosen[1]
        current = self.take_id
        shown = self.take()
        kind = shown.kind if shown is not None else "clip"  # frames are compared with frames
        others = [t for t in shot.takes if t.id != current and t.clip and t.kind == kind]
        if current is None or not others:
            return None
        other = next((t for t in others if t.circled), others[-1])
        return current, other.id

    def _compare(self) -> None:
        pair = self.compare_pair()
        if pair is not None and self.shot_id is not None:
            self.compareRequested.emit(self.shot_id, *pair)
