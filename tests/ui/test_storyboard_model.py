"""The adapter model follows the core 1:1, and drag-and-drop moves shots through the core."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QUndoStack
from PySide6.QtTest import QAbstractItemModelTester

from shotplanner.core.models import Shot
from shotplanner.core.storyboard import Storyboard
from shotplanner.ui.commands import MoveShotsCommand
from shotplanner.ui.storyboard_model import (
    SHOT_IDS_MIME,
    SceneIndexRole,
    SceneStartRole,
    ShotIdRole,
    StoryboardModel,
    shot_ids_from_mime,
)
from shotplanner.ui.storyboard_view import StoryboardView
from tests.ui.helpers import layout, make_project, order, write_png

SIGNALS = ("rowsAboutToBeInserted", "rowsInserted", "rowsAboutToBeRemoved", "rowsRemoved",
           "layoutAboutToBeChanged", "layoutChanged", "dataChanged", "modelAboutToBeReset", "modelReset")


def _record(model: StoryboardModel) -> list[tuple]:
    log: list[tuple] = []
    for name in SIGNALS:
        def make(n: str):
            def slot(*args) -> None:
                if n.startswith("rows"):
                    log.append((n, args[1], args[2]))
                elif n == "dataChanged":
                    log.append((n, args[0].row(), args[1].row()))
                else:
                    log.append((n,))
            return slot
        getattr(model, name).connect(make(name))
    return log


def _rows(model: StoryboardModel) -> list[str]:
    return [model.index(r, 0).data(ShotIdRole) for r in range(model.rowCount())]


def test_row_signals_match_core_changes(qtlog) -> None:
    sb = Storyboard(make_project())
    model = StoryboardModel(sb)
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    log = _record(model)

    row = sb.insert_shot(Shot(id="new"), "sc2", 1)
    assert row == 4
    assert log == [("rowsAboutToBeInserted", 4, 4), ("rowsInserted", 4, 4)]
    assert _rows(model) == order(sb)

    log.clear()
    sb.remove_shots(["s1_0", "s3_2"])
    assert log == [("rowsAboutToBeRemoved", 8, 8), ("rowsRemoved", 8, 8),
                   ("rowsAboutToBeRemoved", 0, 0), ("rowsRemoved", 0, 0)]
    assert _rows(model) == order(sb)

    log.clear()
    sb.move_shots(["s1_1", "s3_0"], "sc2", 0)
    assert log == [("layoutAboutToBeChanged",), ("layoutChanged",)]
    assert _rows(model) == order(sb)

    log.clear()
    sb.set_layer("s2_1", "camera", "slow push-in")
    assert log == [("dataChanged", sb.row_of("s2_1"), sb.row_of("s2_1"))]

    log.clear()
    sb.replace_project(make_project((1, 1)))
    assert log == [("modelAboutToBeReset",), ("modelReset",)]
    assert model.rowCount() == 2
    del tester
    assert not [r for r in qtlog.records if "FAIL" in r.message]


def test_selection_follows_its_shots_through_a_reorder() -> None:
    sb = Storyboard(make_project())
    model = StoryboardModel(sb)
    kept = QPersistentModelIndex(model.index(sb.row_of("s3_1"), 0))
    sb.move_shots(["s3_1"], "sc1", 0)
    assert kept.row() == 0
    assert kept.data(ShotIdRole) == "s3_1"


def test_scene_roles_mark_the_first_shot_of_each_scene() -> None:
    sb = Storyboard(make_project((3, 2, 3)))
    model = StoryboardModel(sb)
    starts = [r for r in range(model.rowCount()) if model.index(r, 0).data(SceneStartRole)]
    assert starts == [0, 3, 5]
    assert [model.index(r, 0).data(SceneIndexRole) for r in (0, 2, 3, 7)] == [0, 0, 1, 2]
    sb.move_shots(["s1_0"], "sc3", 0)  # the band table is rebuilt after a move
    assert [r for r in range(model.rowCount()) if model.index(r, 0).data(SceneStartRole)] == [0, 2, 4]


def test_drag_several_shots_within_and_across_scenes_with_undo() -> None:
    sb = Storyboard(make_project((3, 2, 3)))
    model = StoryboardModel(sb)
    stack = QUndoStack()
    model.move_handler = lambda ids, row: stack.push(MoveShotsCommand(sb, ids, row))
    before = layout(sb.project)

    # Drag 1 and 1B (rows 0 and 2) to before 3A (row 6): across two scene borders.
    mime = model.mimeData([model.index(0, 0), model.index(2, 0)])
    assert shot_ids_from_mime(mime) == ["s1_0", "s1_2"]
    assert model.canDropMimeData(mime, Qt.DropAction.MoveAction, 6, 0, QModelIndex())
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 6, 0, QModelIndex())
    assert layout(sb.project) == [("sc1", ["s1_1"]), ("sc2", ["s2_0", "s2_1"]),
                                  ("sc3", ["s3_0", "s1_0", "s1_2", "s3_1", "s3_2"])]
    assert _rows(model) == order(sb)

    # Within a scene: 3B to the top of scene 3 (drop onto the first card of the scene).
    mime = model.mimeData([model.index(sb.row_of("s3_2"), 0)])
    model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, model.index(sb.row_of("s3_0"), 0))
    assert layout(sb.project)[2] == ("sc3", ["s3_2", "s3_0", "s1_0", "s1_2", "s3_1"])

    assert stack.count() == 2
    stack.undo()
    stack.undo()
    assert layout(sb.project) == before
    stack.redo()
    assert layout(sb.project)[2][1] == ["s3_0", "s1_0", "s1_2", "s3_1", "s3_2"]


def test_foreign_or_bad_mime_is_refused() -> None:
    sb = Storyboard(make_project())
    model = StoryboardModel(sb)
    before = layout(sb.project)
    junk = QMimeData()
    junk.setData(SHOT_IDS_MIME, b"not json")
    assert not model.dropMimeData(junk, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    unknown = QMimeData()
    unknown.setData(SHOT_IDS_MIME, b'["nope"]')
    assert not model.dropMimeData(unknown, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    text = QMimeData()
    text.setText("hello")
    assert not model.canDropMimeData(text, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert layout(sb.project) == before


def test_a_synthetic_drop_event_on_the_view_moves_the_selection(qtbot) -> None:
    sb = Storyboard(make_project((3, 3)))
    model = StoryboardModel(sb)
    view = StoryboardView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    mime = model.mimeData([model.index(0, 0), model.index(1, 0)])
    target = view.visualRect(model.index(4, 0))
    # Left half of the fifth card: the shots land before it.
    pos = QPointF(target.left() + 10, target.center().y())
    event = QDropEvent(pos, Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    view.dropEvent(event)
    assert order(sb) == ["s1_2", "s2_0", "s1_0", "s1_1", "s2_1", "s2_2"]
    assert sb.scene_of("s1_0").id == "sc2"
    # Right half of the last card: after it, at the very end.
    last = view.visualRect(model.index(5, 0))
    row, _ = view.drop_row_at(QPoint(last.right() - 5, last.center().y()))
    assert row == 6


def test_image_files_dropped_on_a_card_are_announced(qtbot, tmp_path) -> None:
    sb = Storyboard(make_project())
    model = StoryboardModel(sb)
    png = write_png(tmp_path / "ref.png")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(png))])
    with qtbot.waitSignal(model.imagesDropped) as blocker:
        assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, model.index(2, 0))
    assert blocker.args[0] == "s1_2"
    assert [str(p) for p in blocker.args[1]] == [str(png)]
