"""The queue panel's table keeps its cells in Qt: a job's event changes exactly the cells that show it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from shotplanner.core.models import JobState
from shotplanner.generation.jobs import JobEvent
from shotplanner.ui.queue_panel import COL, COLUMNS, JobRow, JobsModel, ProgressRole, StateRole, TakeIdRole


def _event(take_id: str, state: JobState, progress: float = 0.0, message: str = "") -> JobEvent:
    return JobEvent(take_id, "shot", "fal", state, progress, message, False, "remote-1", None, 0.5, None,
                    None)


def test_rows_arrive_in_one_insertion_and_events_change_only_their_cells(qapp) -> None:
    model = JobsModel()
    inserted: list[tuple[int, int]] = []
    changed: list[tuple[int, int, int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model._new_rows([JobRow(f"t{i}", "shot", str(i + 1), "Kling", "fal") for i in range(3)])
    assert inserted == [(0, 2)] and model.rowCount() == 3 and model.columnCount() == len(COLUMNS)
    assert model.headerData(COL["Model"], Qt.Orientation.Horizontal) == "Model"
    assert model.index(1, COL["Shot"]).data() == "2"
    assert model.index(1, COL["State"]).data() == "queued"
    assert model.index(1, 0).data(TakeIdRole) == "t1"
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable

    model.dataChanged.connect(lambda a, b, _r: changed.append((a.row(), a.column(), b.row(), b.column())))
    model.apply(_event("t1", JobState.RUNNING, 0.4, "rendering"))
    assert model.rows[1].state is JobState.RUNNING
    assert model.index(1, COL["Progress"]).data() == "40%"
    assert model.index(1, COL["Progress"]).data(ProgressRole) == 0.4
    assert model.index(1, COL["Progress"]).data(StateRole) == JobState.RUNNING
    assert model.index(1, COL["Message"]).data() == "rendering"
    assert model.index(1, COL["Cost"]).data() == "$0.50"
    assert {r for r, *_ in changed} == {1}, "an event for row 1 touched another row"
    columns = {c for _r, c, *_ in changed}
    assert COL["Shot"] not in columns and COL["Model"] not in columns, "unchanged cells were set again"

    changed.clear()
    model.apply(_event("t1", JobState.RUNNING, 0.4, "rendering"))
    assert changed == [], "the same values again changed cells"
    model.apply(_event("t1", JobState.FAILED, 0.4, "moderated"))
    assert model.index(1, COL["State"]).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(1, COL["Message"]).data(Qt.ItemDataRole.ToolTipRole) == "moderated"
    assert model.counts() == {JobState.QUEUED: 2, JobState.FAILED: 1}
