"""The grid skips Qt's relayout after a pure reorder; every card must still be where the view says.

Hit-testing (``indexAt``) and the painted rectangle (``visualRect``) must agree for every row after a
reorder, after an insert and after a resize, and the card at a row must show the shot now at that row.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex

from shotplanner.core.models import Shot
from shotplanner.ui.commands import MoveShotsCommand
from shotplanner.ui.storyboard_model import ShotIdRole
from tests.ui.helpers import make_project, open_window


def _assert_consistent(window) -> None:  # type: ignore[no-untyped-def]
    view, model = window.view, window.model
    view.doItemsLayout()
    seen = set()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        rect = view.visualRect(index)
        if not rect.isValid() or not view.viewport().rect().intersects(rect):
            view.scrollTo(index)
            rect = view.visualRect(index)
        assert rect.isValid(), f"row {row} has no rectangle"
        hit = view.indexAt(rect.center())
        assert hit.row() == row, f"the card painted for row {row} hit-tests to row {hit.row()}"
        assert hit.data(ShotIdRole) == window.storyboard.shot_at(row).id
        key = (rect.x(), rect.y() + view.verticalScrollBar().value())
        assert key not in seen, f"two rows share the rectangle of row {row}"
        seen.add(key)


def test_reorder_insert_and_resize_keep_cards_where_the_view_says(qtbot) -> None:
    window = open_window(qtbot, None, make_project((9, 7, 8)))
    window.resize(1100, 700)
    window.show()
    qtbot.waitExposed(window)
    _assert_consistent(window)

    ids = [window.storyboard.shot_at(r).id for r in (0, 3, 11, 20)]
    window.undo_stack.push(MoveShotsCommand(window.storyboard, ids, 15))
    _assert_consistent(window)
    # Three of them stood before the anchor (row 15), so the anchor is now row 12 and they precede it.
    assert [window.storyboard.row_of(i) for i in ids] == [12, 13, 14, 15]

    scene = window.storyboard.project.scenes[1]
    window.storyboard.insert_shot(Shot(), scene.id, 2)
    _assert_consistent(window)

    window.resize(700, 900)
    qtbot.wait(10)
    window.undo_stack.undo()
    _assert_consistent(window)
    assert window.view.indexAt(window.view.visualRect(window.model.index(0, 0)).center()) != QModelIndex()
