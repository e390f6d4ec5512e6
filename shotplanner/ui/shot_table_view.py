"""The shot table's view: fixed row heights (5,000 rows lay out at once), scene header rows spanning the
table, a paint of every visible cell in one Python call, drops of dragged rows, and the cell editors.

The view's ``customContextMenuRequested`` is left for the window's context menus (cut/copy/paste).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QItemSelection, QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import (
    QColor,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHeaderView,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from shotplanner.ui.shot_table_columns import COLUMNS, STATUS_COLUMN
from shotplanner.ui.shot_table_model import ModelIndex, ShotTableModel
from shotplanner.ui.storyboard_model import SHOT_IDS_MIME

LEFT_VCENTER = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
#: Horizontal padding inside a cell (px).
CELL_PAD = 4


class EditDelegate(QStyledItemDelegate):
    """Combo boxes for the columns that pick from a list; Qt's own editors for numbers and text."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: ModelIndex) -> QWidget:
        column = COLUMNS[index.column()]
        if column.choices:
            combo = QComboBox(parent)
            combo.addItems(list(column.choices))
            combo.activated.connect(lambda _i, c=combo: self.commitData.emit(c))
            return combo
        editor = super().createEditor(parent, option, index)
        if column.key == "lens" and isinstance(editor, QSpinBox):
            editor.setRange(0, 1200)
            editor.setSpecialValueText("—")
            editor.setSuffix(" mm")
        elif column.key == "duration" and isinstance(editor, QDoubleSpinBox):
            editor.setRange(0.1, 3600.0)
            editor.setDecimals(1)
            editor.setSuffix(" s")
        return editor

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole)))
            editor.showPopup()
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: ModelIndex) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)


class ShotTableView(QTableView):
    """The table widget: fixed row heights (5,000 rows lay out at once), scene header rows spanning."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shotTable")
        self.setItemDelegate(EditDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # Not SelectedClicked: pressing a selected row to drag it must never open an editor (a combo's
        # popup would take the drag and set whatever value the release landed on).
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setWordWrap(False)
        self.setAlternatingRowColors(False)
        self.setShowGrid(False)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropOverwriteMode(False)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setAutoScrollMargin(32)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)  # the window's menus go here
        vertical = self.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        vertical.hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # film order until a header is clicked

    def table_model(self) -> ShotTableModel:
        model = self.model()
        assert isinstance(model, ShotTableModel)
        return model

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint every visible cell in one Python call, from the model's cached strings.

        Qt's own table paint asks the model for eight roles and the flags of every cell, each a call from
        C++ into Python (~2,500 per frame here, 20+ ms). While a drag or an edit is under way Qt paints,
        so its drop line and editors show as usual.
        """
        model = self.model()
        if self.state() is not QAbstractItemView.State.NoState or not isinstance(model, ShotTableModel):
            super().paintEvent(event)
            return
        count = model.rowCount()
        viewport = self.viewport()
        exposed = event.rect()
        painter = QPainter(viewport)
        palette = self.palette()
        painter.fillRect(exposed, palette.color(QPalette.ColorRole.Base))
        if count == 0:
            painter.end()
            return
        first = max(self.rowAt(exposed.top()), 0)
        last = self.rowAt(exposed.bottom())
        last = count - 1 if last < 0 else last
        header = self.horizontalHeader()
        columns: list[tuple[int, int, int]] = []  # (logical column, x, width)
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            if header.isSectionHidden(logical):
                continue
            x = self.columnViewportPosition(logical)
            width = self.columnWidth(logical)
            if x + width < exposed.left() or x > exposed.right():
                continue
            columns.append((logical, x, width))
        selection = self.selectionModel()
        selected_rows = {i.row() for i in selection.selectedRows()} if selection.hasSelection() else set()
        current = self.currentIndex()
        text_color = palette.color(QPalette.ColorRole.Text)
        highlighted = palette.color(QPalette.ColorRole.HighlightedText)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        band = palette.color(QPalette.ColorRole.AlternateBase)
        failed = QColor("#c8553d")
        font = self.font()
        bold = QFont(font)
        bold.setBold(True)
        fm = QFontMetrics(font)
        width = viewport.width()
        for row in range(first, last + 1):
            y = self.rowViewportPosition(row)
            height = self.rowHeight(row)
            cells = model.row_cells(row, for_paint=True)
            if model.entry(row).is_header:
                painter.fillRect(0, y, width, height, band)
                painter.setFont(bold)
                painter.setPen(text_color)
                painter.drawText(CELL_PAD + 2, y, width - 2 * CELL_PAD, height, LEFT_VCENTER, cells[0])
                painter.setFont(font)
                continue
            selected = row in selected_rows
            if selected:
                painter.fillRect(0, y, width, height, highlight)
            painter.setPen(highlighted if selected else text_color)
            red = model.row_failed(row) and not selected
            for logical, x, w in columns:
                text = cells[logical]
                if not text:
                    continue
                if red and logical == STATUS_COLUMN:
                    painter.setPen(failed)
                room = w - 2 * CELL_PAD
                if fm.horizontalAdvance(text) > room:
                    text = fm.elidedText(text, Qt.TextElideMode.ElideRight, room)
                painter.drawText(x + CELL_PAD, y, room, height, LEFT_VCENTER, text)
                if red and logical == STATUS_COLUMN:
                    painter.setPen(text_color)
            if current.isValid() and current.row() == row and self.hasFocus():
                cx = self.columnViewportPosition(current.column())
                painter.setPen(highlighted if selected else highlight)
                painter.drawRect(cx, y, self.columnWidth(current.column()) - 1, height - 1)
        painter.end()

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if isinstance(model, ShotTableModel):
            for i, column in enumerate(COLUMNS):
                self.setColumnWidth(i, column.width)
            model.modelReset.connect(self.update_spans)
            model.layoutChanged.connect(self.update_spans)
            self.update_spans()

    def update_spans(self) -> None:
        """A scene header row spans the whole table (film order only; a sorted table has none)."""
        self.clearSpans()
        model = self.model()
        if not isinstance(model, ShotTableModel) or not model.is_film_order:
            return
        for row in range(model.rowCount()):
            if model.entry(row).is_header:
                self.setSpan(row, 0, 1, len(COLUMNS))

    def selected_ids(self) -> list[str]:
        model = self.table_model()
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        ids = [shot.id for shot in (model.shot_at(r) for r in rows) if shot is not None]
        sb = model.storyboard_model().storyboard
        return sorted(ids, key=sb.row_of)

    def select_ids(self, ids: list[str], current: str | None = None) -> None:
        model = self.table_model()
        selection = QItemSelection()
        for shot_id in ids:
            row = model.table_row_of(shot_id)
            selection.select(model.index(row, 0), model.index(row, len(COLUMNS) - 1))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.selectionModel().select(selection, flags)
        target = current or (ids[0] if ids else None)
        if target is not None:
            index = model.index(model.table_row_of(target), self.currentIndex().column()
                                if self.currentIndex().isValid() else 0)
            self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.scrollTo(index)

    # ------------------------------------------------------------------ drops

    def _drop_place(self, pos: QPoint) -> tuple[str, int] | None:
        model = self.table_model()
        row = self.rowAt(pos.y())
        if row < 0:
            return model.drop_place(-1, True)
        rect = self.visualRect(model.index(row, 0))
        return model.drop_place(row, pos.y() > rect.center().y())

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        super().dragMoveEvent(event)  # Qt's drop line and auto-scroll
        if event.mimeData().hasFormat(SHOT_IDS_MIME) and self.table_model().is_film_order:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        model = self.table_model()
        place = self._drop_place(event.position().toPoint())
        self.stopAutoScroll()
        self.setState(QAbstractItemView.State.NoState)
        if not event.mimeData().hasFormat(SHOT_IDS_MIME) or place is None or not model.is_film_order:
            event.ignore()
            return
        source = model.storyboard_model()
        source.drop_in_scene(event.mimeData(), *place)
        # A copy to the drag source: the core moved the shots already; nothing must be removed.
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.viewport().update()
