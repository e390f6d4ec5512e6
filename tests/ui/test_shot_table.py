"""The shot-list table: a view over the storyboard model (not a copy), sorting that leaves the film order,
inline edits as undo steps, scene header rows, a remembered column chooser, and its one-call paint."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLineEdit, QStyleOptionViewItem

from shotplanner.core.storyboard import Storyboard
from shotplanner.ui.shot_table import ShotTable
from shotplanner.ui.shot_table_columns import COLUMN_KEYS, number_key
from shotplanner.ui.shot_table_model import ShotTableModel
from shotplanner.ui.storyboard_model import StoryboardModel
from tests.ui.helpers import make_project, open_window, order


def _col(key: str) -> int:
    return COLUMN_KEYS.index(key)


def _table_window(qtbot):  # type: ignore[no-untyped-def]
    window = open_window(qtbot, None, make_project((3, 2, 3)))
    window.resize(1300, 800)
    window.show()
    qtbot.waitExposed(window)
    window.show_mode(None)
    return window


def _cells(model: ShotTableModel, key: str) -> list[str]:
    return [model.index(r, _col(key)).data() for r in range(model.rowCount())]


def test_film_order_shows_scene_header_rows_then_their_shots(qtbot) -> None:
    window = _table_window(qtbot)
    model = window.table.model
    assert model.rowCount() == 8 + 3
    assert [model.entry(r).is_header for r in range(4)] == [True, False, False, False]
    assert model.index(0, 0).data().startswith("SC 1 · INT. ROOM 1 - DAY")
    assert _cells(model, "number")[1:4] == ["1", "1A", "1B"]
    # Header rows span the table.
    assert window.table.view.columnSpan(0, 0) == len(COLUMN_KEYS)


def test_the_table_follows_the_core_it_holds_no_copy(qtbot) -> None:
    window = _table_window(qtbot)
    model = window.table.model
    window.storyboard.update_shot("s2_1", duration_s=12.5)
    row = model.table_row_of("s2_1")
    assert model.index(row, _col("duration")).data() == "12.5 s"
    window.storyboard.move_to_row(["s3_2"], 0)
    assert model.shot_at(1).id == "s3_2"


def test_sorting_orders_the_view_and_leaves_the_film(qtbot) -> None:
    window = _table_window(qtbot)
    sb = window.storyboard
    for i, shot in enumerate(sb.shots()):
        sb.update_shot(shot.id, duration_s=float(10 - i))
    film = order(sb)
    table = window.table
    table.view.horizontalHeader().setSortIndicator(_col("duration"), Qt.SortOrder.AscendingOrder)
    model = table.model
    assert not model.is_film_order
    assert model.rowCount() == 8  # no scene headers in a sorted table
    assert [model.shot_at(r).id for r in range(8)] == list(reversed(film))
    assert order(sb) == film
    assert table.view.columnSpan(0, 0) == 1
    # Dragging rows is for film order only.
    assert not model.canDropMimeData(window.model.mimeData([window.model.index(0, 0)]),
                                     Qt.DropAction.MoveAction, 0, 0, model.index(0, 0))
    table.show_film_order()
    assert model.is_film_order and model.rowCount() == 11
    assert window.undo_stack.count() == 0  # sorting pushed nothing


def test_selection_survives_a_sort(qtbot) -> None:
    window = _table_window(qtbot)
    table = window.table
    table.view.select_ids(["s2_0", "s3_1"])
    table.view.horizontalHeader().setSortIndicator(_col("number"), Qt.SortOrder.DescendingOrder)
    assert table.view.selected_ids() == ["s2_0", "s3_1"]
    assert window.selected_ids() == ["s2_0", "s3_1"]  # the window acts on the table's rows


def test_film_numbers_sort_as_crews_read_them() -> None:
    numbers = ["10", "2B", "2", "10A", "1", "2A", "100"]
    assert sorted(numbers, key=number_key) == ["1", "2", "2A", "2B", "10", "10A", "100"]


def test_an_inline_edit_is_one_undo_step(qtbot) -> None:
    window = _table_window(qtbot)
    view, model = window.table.view, window.table.model
    row = model.table_row_of("s1_1")
    # Through a real editor: double-click opens a line edit over the notes cell.
    index = model.index(row, _col("notes"))
    view.scrollTo(index)
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    editor = view.findChild(QLineEdit)
    assert editor is not None and view.state() == QAbstractItemView.State.EditingState
    qtbot.keyClicks(editor, "dolly track needed")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next loop turn
    qtbot.waitUntil(lambda: window.storyboard.shot("s1_1").notes == "dolly track needed")
    assert window.undo_stack.count() == 1
    # A choice column edits through a combo box of its choices.
    size = model.index(row, _col("size"))
    assert model.setData(size, "CU")
    assert window.storyboard.shot("s1_1").size.value == "CU"
    assert not model.setData(size, "HUGE")
    # A number another shot holds is refused.
    assert not model.setData(model.index(row, _col("number")), "1B")
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert window.storyboard.shot("s1_1").notes == ""
    assert model.index(row, _col("notes")).data() == ""
    combo = view.itemDelegate().createEditor(view.viewport(), QStyleOptionViewItem(), size)
    assert isinstance(combo, QComboBox) and combo.count() == 8
    combo.deleteLater()


def test_read_only_columns_cannot_be_edited(qtbot) -> None:
    window = _table_window(qtbot)
    model = window.table.model
    row = model.table_row_of("s1_0")
    for key in ("scene", "model", "status", "cost", "characters"):
        assert not model.flags(model.index(row, _col(key))) & Qt.ItemFlag.ItemIsEditable
        assert not model.setData(model.index(row, _col(key)), "x")
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable  # a header row


def test_the_column_choice_is_remembered(qtbot, tmp_path: Path) -> None:
    sb_model = StoryboardModel(Storyboard(make_project()))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    first = ShotTable(sb_model, settings)
    qtbot.addWidget(first)
    # Defaults: four of the six layers are hidden.
    assert set(first.hidden_columns()) == {"environment", "camera", "light", "mood"}
    first.column_actions["cost"].setChecked(False)
    first.column_actions["light"].setChecked(True)
    settings.sync()
    again = ShotTable(sb_model, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert set(again.hidden_columns()) == {"environment", "camera", "mood", "cost"}
    assert again.view.isColumnHidden(_col("cost")) and not again.view.isColumnHidden(_col("light"))


def test_one_call_paint_shows_what_qts_cell_paint_shows(qtbot) -> None:
    window = _table_window(qtbot)
    view = window.table.view
    view.select_ids(["s1_2"])
    ours = view.viewport().grab().toImage()
    view.setState(QAbstractItemView.State.AnimatingState)  # any state but NoState: Qt paints the cells
    try:
        qts = view.viewport().grab().toImage()
    finally:
        view.setState(QAbstractItemView.State.NoState)
    assert ours.size() == qts.size()
    # Not pixel-equal (Qt's style draws its own selection and focus), but the same text in the same
    # rows: compare where ink is, row band by row band, on the number column.
    x, w = view.columnViewportPosition(_col("number")), view.columnWidth(_col("number"))
    for row in range(window.table.model.rowCount()):
        y, h = view.rowViewportPosition(row), view.rowHeight(row)
        if window.table.model.entry(row).is_header or row == window.table.model.table_row_of("s1_2"):
            continue
        assert _ink(ours, x, y, w, h) == _ink(qts, x, y, w, h), f"row {row} differs"


def _ink(image: QImage, x: int, y: int, w: int, h: int) -> int:
    """How many pixels in the box are dark (text)."""
    part = image.copy(x, y, w, h).convertToFormat(QImage.Format.Format_Grayscale8)
    return sum(1 for yy in range(part.height()) for xx in range(part.width())
               if part.pixelColor(xx, yy).lightness() < 110)


def test_paint_draws_text(qtbot) -> None:
    window = _table_window(qtbot)
    view = window.table.view
    image = view.viewport().grab().toImage()
    x, w = view.columnViewportPosition(_col("size")), view.columnWidth(_col("size"))
    row = window.table.model.table_row_of("s1_1")
    assert _ink(image, x, view.rowViewportPosition(row), w, view.rowHeight(row)) > 10


def test_a_row_painted_for_the_first_time_gets_its_model_and_cost_on_the_next_loop_turn(qtbot) -> None:
    from shotplanner.core.catalog import load_catalog

    sb = Storyboard(make_project((3,)))
    model = ShotTableModel(StoryboardModel(sb, catalog=load_catalog()))
    row = 1  # row 0 is the scene header
    painted = model.row_cells(row, for_paint=True)
    assert painted[_col("model")] == "…" and painted[_col("cost")] == "…"
    with qtbot.waitSignal(model.dataChanged, timeout=2000) as changed:
        pass
    top, bottom = changed.args[0], changed.args[1]
    assert top.row() <= row <= bottom.row()
    filled = model.row_cells(row, for_paint=True)
    assert filled[_col("model")] not in ("", "…")
    assert filled[_col("model")] == model.index(row, _col("model")).data()
