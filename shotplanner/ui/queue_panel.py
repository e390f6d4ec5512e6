"""The queue panel: every job with its shot, model, provider, state, progress, elapsed time, cost and the
provider's message; cancel, retry and "open at provider".

``JobsModel`` is a read-only table model fed by row value objects (after Vorta's ``JobRow``): rows come
from :class:`GenerationController` signals, one ``dataChanged`` per event for that row only, so 200 busy
jobs cost 200 small repaints rather than resets. Elapsed time ticks once a second for active rows only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import QColor, QDesktopServices, QPainter
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
from shotplanner.generation.queue import JobEvent, QueueError
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


class JobsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[JobRow] = []
        self._index: dict[str, int] = {}

    # Qt API
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == TakeIdRole:
            return row.take_id
        if role == StateRole:
            return row.state
        if role == ProgressRole:
            return row.progress
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL["Message"]:
            return row.message or None
        if role == Qt.ItemDataRole.ForegroundRole and col in (COL["State"], COL["Message"]):
            if row.state in (JobState.FAILED, JobState.UNKNOWN):
                return QColor("#c8553d")
            if row.state is JobState.DONE:
                return QColor("#2f9e44")
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL["Elapsed"], COL["Cost"]):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: JobRow, col: int) -> str:
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
            return _elapsed_text(row.elapsed())
        if col == COL["Cost"]:
            if row.cost_usd is not None:
                return f"${row.cost_usd:,.2f}"
            if row.estimate_usd is not None:
                return f"~${row.estimate_usd:,.2f}"
            return "—"
        return row.message

    # feeding
    def add(self, jobs: list[PlannedJob]) -> None:
        new = [j for j in jobs if j.request.take_id not in self._index]
        if not new:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        now = time.monotonic()
        for job in new:
            self._index[job.request.take_id] = len(self.rows)
            self.rows.append(
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
            )
        self.endInsertRows()

    def apply(self, event: JobEvent, shot_number: str = "", model: str = "") -> None:
        row_no = self._index.get(event.take_id)
        if row_no is None:  # a job resumed from an earlier session
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
            self._index[event.take_id] = len(self.rows)
            self.rows.append(
                JobRow(
                    event.take_id, event.shot_id, shot_number, model, event.provider, started=time.monotonic()
                )
            )
            self.endInsertRows()
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
        self.dataChanged.emit(self.index(row_no, 0), self.index(row_no, len(COLUMNS) - 1))

    def row_for(self, take_id: str) -> JobRow | None:
        i = self._index.get(take_id)
        return self.rows[i] if i is not None else None

    def tick(self) -> None:
        """Refresh the Elapsed cell of running rows."""
        col = COL["Elapsed"]
        for i, row in enumerate(self.rows):
            if row.state.is_active:
                idx = self.index(i, col)
                self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DisplayRole])

    def counts(self) -> dict[JobState, int]:
        out: dict[JobState, int] = {}
        for row in self.rows:
            out[row.state] = out.get(row.state, 0) + 1
        return out


class ProgressDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        state = index.data(StateRole)
        progress = index.data(ProgressRole) or 0.0
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(option.rect.adjusted(3, 4, -3, -4))
        bar.minimum, bar.maximum = 0, 100
        bar.progress = 100 if state is JobState.DONE else round(progress * 100)
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
        self._update_summary()
        self._update_buttons()

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
        rows = [self.model.row_for(t) for t in self.selected_take_ids()]
        rows = [r for r in rows if r is not None]
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
