"""The queue panel: every job with its shot, model, provider, state, progress, elapsed time, cost and the
provider's message; cancel, retry and "open at provider".

``JobsModel`` is a read-only table model fed by row value objects (after Vorta's ``JobRow``): rows come
from :class:`GenerationController` signals; an event changes only the cells of its row whose text or
colour changed, so 200 busy jobs cost small repaints rather than resets. Elapsed time ticks once a second
for active rows only. The cells are stored in Qt (``QStandardItemModel``), so painting the table never
calls back into Python.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import QColor, QDesktopServices, QPainter, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shotplanner.core.models import JobState
from shotplanner.generation.jobs import JobEvent, QueueError
from shotplanner.ui.generation_controller import GenerationController, PlannedJob

COLUMNS = ("Shot", "Model", "Provider", "State", "Progress", "Elapsed", "Cost", "Message")
COL = {name: i for i, name in enumerate(COLUMNS)}
TakeIdRole = Qt.ItemDataRole.UserRole + 40
StateRole = Qt.ItemDataRole.UserRole + 41
ProgressRole = Qt.ItemDataRole.UserRole + 42

ModelIndex = QModelIndex | QPersistentModelIndex

STATE_LABELS = {JobState.UNKNOWN: "unknown, check provider"}


@dataclass
class JobRow:
    take_id: str
    shot_id: str
    shot_number: str
    model: str
    provider: str
    state: JobState = JobState.QUEUED
    progress: float = 0.0
    message: str = ""
    estimate_usd: float | None = None
    cost_usd: float | None = None
    remote_id: str | None = None
    retryable: bool = False
    started: float = 0.0  # monotonic
    finished: float | None = None

    def elapsed(self, now: float | None = None) -> float:
        end = self.finished if self.finished is not None else (now or time.monotonic())
        return max(0.0, end - self.started)


def _elapsed_text(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"


#: Flags of every cell: selectable rows, never editable.
CELL_FLAGS = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
FAILED_COLOR = QColor("#c8553d")
DONE_COLOR = QColor("#2f9e44")


class JobsModel(QStandardItemModel):
    """The jobs table: :attr:`rows` (``JobRow`` value objects) is the model's truth; each row's cells are
    mirrored into Qt's own item storage when the row changes.

    Why not a Python ``data()``: a table repaint asks ``data()`` about ten roles per visible cell, and each
    of those calls from C++ into Python must win the GIL back from the generation thread — under a busy
    queue a full repaint of the panel took up to 30 ms. Stored cells paint with no Python at all; a change
    costs a few ``setData`` calls on the cells whose text or colour actually changed.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.rows: list[JobRow] = []
        self._index: dict[str, int] = {}
        # What each row's cells show now (per column: display, tooltip, colour, state, progress).
        self._shown: list[list[tuple[Any, ...]]] = []

    # what a row shows
    def _display(self, row: JobRow, col: int, now: float | None = None) -> str:
        if col == COL["Shot"]:
            return row.shot_number
        if col == COL["Model"]:
            return row.model
        if col == COL["Provider"]:
            return row.provider
        if col == COL["State"]:
            return STATE_LABELS.get(row.state, row.state.value)
        if col == COL["Progress"]:
            return f"{row.progress:.0%}"
        if col == COL["Elapsed"]:
            return _elapsed_text(row.elapsed(now))
        if col == COL["Cost"]:
            if row.cost_usd is not None:
                return f"${row.cost_usd:,.2f}"
            if row.estimate_usd is not None:
                return f"~${row.estimate_usd:,.2f}"
            return "—"
        return row.message

    @staticmethod
    def _color(row: JobRow) -> QColor | None:
        if row.state in (JobState.FAILED, JobState.UNKNOWN):
            return FAILED_COLOR
        if row.state is JobState.DONE:
            return DONE_COLOR
        return None

    def _cells(self, row: JobRow, now: float) -> list[tuple[Any, ...]]:
        color = self._color(row)
        message_col, state_col, progress_col = COL["Message"], COL["State"], COL["Progress"]
        # State and progress (as values) only where the progress bar is drawn from them.
        return [
            (
                self._display(row, col, now),
                (row.message or None) if col == message_col else None,
                color if col in (state_col, message_col) else None,
                row.state if col == progress_col else None,
                row.progress if col == progress_col else None,
            )
            for col in range(len(COLUMNS))
        ]

    def _sync(self, row_no: int, now: float | None = None) -> None:
        """Put the row's current values into the cells that show something else."""
        cells = self._cells(self.rows[row_no], now if now is not None else time.monotonic())
        shown = self._shown[row_no]
        for col, values in enumerate(cells):
            old = shown[col]
            if values == old:
                continue
            item = self.item(row_no, col)
            for role, value, before in zip(_CELL_ROLES, values, old, strict=True):
                if value != before or type(value) is not type(before):
                    item.setData(value, role)
            shown[col] = values

    def _new_rows(self, rows: list[JobRow]) -> None:
        """Append rows in one insertion (a view relays out once per insertion, not once per row)."""
        if not rows:
            return
        first = len(self.rows)
        self.insertRows(first, len(rows))
        # The cells are filled silently, then announced once: the rows are new, nothing shows them yet.
        blocked = self.blockSignals(True)
        try:
            for r, row in enumerate(rows, first):
                self._index[row.take_id] = r
                self.rows.append(row)
                self._shown.append([(None, None, None, None, None)] * len(COLUMNS))
                for col in range(len(COLUMNS)):
                    item = QStandardItem()
                    item.setFlags(CELL_FLAGS)
                    item.setData(row.take_id, TakeIdRole)
                    if col in (COL["Elapsed"], COL["Cost"]):
                        item.setData(RIGHT_ALIGNED, Qt.ItemDataRole.TextAlignmentRole)
                    self.setItem(r, col, item)
                self._sync(r)
        finally:
            self.blockSignals(blocked)
        self.dataChanged.emit(self.index(first, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))

    # feeding
    def add(self, jobs: list[PlannedJob]) -> None:
        new = [j for j in jobs if j.request.take_id not in self._index]
        now = time.monotonic()
        self._new_rows([
            JobRow(
                job.request.take_id,
                job.shot_id,
                job.shot_number,
                job.model_name,
                job.provider,
                estimate_usd=job.estimate_usd,
                message="queued",
                started=now,
            )
            for job in new
        ])

    def apply(self, event: JobEvent, shot_number: str = "", model: str = "") -> None:
        row_no = self._index.get(event.take_id)
        if row_no is None:  # a job resumed from an earlier session
            self._new_rows([
                JobRow(
                    event.take_id, event.shot_id, shot_number, model, event.provider, started=time.monotonic()
                )
            ])
            row_no = len(self.rows) - 1
        row = self.rows[row_no]
        was_terminal = row.state.is_terminal
        row.state = event.state
        row.progress = event.progress
        row.message = event.message
        row.cost_usd = event.cost_usd
        row.remote_id = event.remote_id
        row.retryable = event.retryable
        if event.state.is_terminal and not was_terminal:
            row.finished = time.monotonic()
        elif not event.state.is_terminal and was_terminal:
            row.started, row.finished = time.monotonic(), None
        self._sync(row_no)

    def row_for(self, take_id: str) -> JobRow | None:
        i = self._index.get(take_id)
        return self.rows[i] if i is not None else None

    def tick(self) -> None:
        """Refresh the Elapsed cell of running rows. Only that cell's text can change on a tick: it is set
        silently and announced as one change of the column (200 running jobs: one repaint, not 200)."""
        now = time.monotonic()
        col = COL["Elapsed"]
        changed: list[int] = []
        blocked = self.blockSignals(True)
        try:
            for i, row in enumerate(self.rows):
                if not row.state.is_active:
                    continue
                text = _elapsed_text(row.elapsed(now))
                shown = self._shown[i][col]
                if shown[0] != text:
                    self.item(i, col).setData(text, Qt.ItemDataRole.DisplayRole)
                    self._shown[i][col] = (text, *shown[1:])
                    changed.append(i)
        finally:
            self.blockSignals(blocked)
        if changed:
            self.dataChanged.emit(self.index(changed[0], col), self.index(changed[-1], col))

    def counts(self) -> dict[JobState, int]:
        out: dict[JobState, int] = {}
        for row in self.rows:
            out[row.state] = out.get(row.state, 0) + 1
        return out


#: The roles of :meth:`JobsModel._cells`' tuples, in order.
_CELL_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole,
               StateRole, ProgressRole)


class ProgressDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        state = index.data(StateRole)
        progress = index.data(ProgressRole) or 0.0
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(option.rect.adjusted(3, 4, -3, -4))
        bar.minimum, bar.maximum = 0, 100
        bar.progress = 100 if state == JobState.DONE else round(progress * 100)  # stored as its str value
        bar.text = f"{bar.progress}%"
        bar.textVisible = True
        bar.state = option.state
        style = option.widget.style() if option.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class QueuePanel(QWidget):
    def __init__(self, controller: GenerationController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = JobsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.verticalHeader().hide()
        self.view.setItemDelegateForColumn(COL["Progress"], ProgressDelegate(self.view))
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(COL["Message"], QHeaderView.ResizeMode.Stretch)
        for name, width in (
            ("Shot", 50),
            ("Model", 150),
            ("Provider", 80),
            ("State", 110),
            ("Progress", 110),
            ("Elapsed", 60),
            ("Cost", 70),
        ):
            self.view.setColumnWidth(COL[name], width)
        self.view.setWordWrap(False)
        self.summary = QLabel("No jobs yet")
        self.cancel_button = QPushButton("Cancel")
        self.retry_button = QPushButton("Retry")
        self.open_button = QPushButton("Open at provider")
        self.feedback = ""
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        for b in (self.cancel_button, self.retry_button, self.open_button):
            bar.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(bar)
        lay.addWidget(self.view)

        self.cancel_button.clicked.connect(self.cancel_selected)
        self.retry_button.clicked.connect(self.retry_selected)
        self.open_button.clicked.connect(self.open_selected)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        controller.jobsSent.connect(self._sent)
        controller.jobChanged.connect(self._changed)
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(0)
        self._refresh.timeout.connect(self._update_summary)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.model.tick)
        self._timer.start()
        self._update_buttons()

    def _sent(self, jobs: list[PlannedJob]) -> None:
        self.model.add(jobs)
        self._update_summary()

    def _changed(self, event: JobEvent) -> None:
        number, model = "", ""
        if self.model.row_for(event.take_id) is None:
            try:
                number = self.controller.storyboard.shot(event.shot_id).number
                take = self.controller.storyboard.take(event.shot_id, event.take_id)
                model = take.model_id
            except ValueError:
                pass
        self.model.apply(event, number, model)
        self._update_buttons()
        # The summary counts every row: once per burst of events (the controller applies them in slices),
        # not once per event.
        if not self._refresh.isActive():
            self._refresh.start()

    def _update_summary(self) -> None:
        counts = self.model.counts()
        parts = []
        active = sum(n for s, n in counts.items() if s.is_active)
        if active:
            parts.append(f"{active} active")
        for state in (JobState.DONE, JobState.FAILED, JobState.CANCELED, JobState.UNKNOWN):
            if counts.get(state):
                parts.append(f"{counts[state]} {state.value}")
        self.summary.setText(", ".join(parts) if parts else "No jobs yet")

    def selected_take_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.rows[r].take_id for r in rows]

    def select_take(self, take_id: str) -> None:
        i = self.model._index.get(take_id)
        if i is not None:
            self.view.selectRow(i)

    def _update_buttons(self) -> None:
        found = [self.model.row_for(t) for t in self.selected_take_ids()]
        rows = [r for r in found if r is not None]
        self.cancel_button.setEnabled(any(r.state.is_active for r in rows))
        self.retry_button.setEnabled(
            any(r.state in (JobState.FAILED, JobState.CANCELED, JobState.UNKNOWN) for r in rows)
        )
        self.open_button.setEnabled(any(self.controller.page_for(r.take_id) for r in rows))

    def cancel_selected(self) -> None:
        for take_id in self.selected_take_ids():
            row = self.model.row_for(take_id)
            if row is not None and row.state.is_active:
                self.controller.cancel_soon(take_id)

    def retry_selected(self) -> list[str]:
        started = []
        for take_id in self.selected_take_ids():
            row = self.model.row_for(take_id)
            if row is None or not row.state.is_terminal or row.state is JobState.DONE:
                continue
            try:
                started.append(self.controller.retry(take_id))
            except (QueueError, ValueError) as exc:
                self.feedback = str(exc)
                self.controller.message.emit(str(exc))
        return started

    def open_selected(self) -> None:
        for take_id in self.selected_take_ids():
            url = self.controller.page_for(take_id)
            if url:
                QDesktopServices.openUrl(QUrl(url))
