"""The storyboard view: cards in a wrapping grid, or compact rows, over :class:`StoryboardModel`.

Drops are resolved here into a flat row and handed to ``model.dropMimeData`` — the same entry point the
tests call — so a real drag and a synthetic one travel the same path to the core. The view never moves
rows itself (``Movement.Static``; the model has no ``moveRows``/``removeRows``).

Both modes use ``ListMode`` (the grid is a left-to-right, wrapping flow on a fixed grid size): its layout is
a flat pass over rows, where ``IconMode`` builds a per-item rectangle tree. Cards have one size, so a pure
reorder (the model's ``layoutChanged``, row count unchanged) moves no card rectangle: the view then skips
Qt's relayout of every row and only repaints (see :meth:`StoryboardView.doItemsLayout`).

Painting: Qt's own ``QListView`` paint calls back into Python for every visible card (the delegate's
``paint``, the model's ``flags``), and each call from C++ must take the GIL back from the generation
thread — under a busy queue, dozens of waits per frame. :meth:`StoryboardView.paintEvent` instead paints
every visible card in one Python call, each from the delegate's pixmap of that card (redrawn only when
something it shows changed; at most :data:`PAINT_BUDGET_S` of redrawing per paint, the rest a frame
later). While a drag or a rubber-band selection is under way Qt paints, so its drop
indicator and band show; the delegate draws from the same pixmaps then.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from shotplanner.ui.card_delegate import GRID_SIZE, CardDelegate, CardMode
from shotplanner.ui.storyboard_model import SHOT_IDS_MIME, ShotIdRole, StoryboardModel

#: A paint draws changed cards for at most this long (s); the rest show their previous picture for one
#: frame. When 200 jobs start at once every visible card changes together: 16 fresh cards would be one
#: long stall, where a few per frame are not.
PAINT_BUDGET_S = 0.004
#: When the cards left behind are drawn (ms): one frame later.
CATCH_UP_MS = 16


class StoryboardView(QListView):
    #: Ctrl+Up / Ctrl+Down on a selection: -1 or +1.
    stepRequested = Signal(int)
    deleteRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storyboard")
        # Geometry of the last full layout, and whether only a reorder happened since (see doItemsLayout).
        self._layout_key: tuple[Any, ...] | None = None
        self._reorder_only = False
        self._delegate = CardDelegate(self)
        # Cards a paint showed from their previous picture (its budget was spent), drawn a frame later.
        self._behind = QRect()
        self._catch_up = QTimer(self)
        self._catch_up.setSingleShot(True)
        self._catch_up.setInterval(CATCH_UP_MS)
        self._catch_up.timeout.connect(self._paint_behind)
        self.setItemDelegate(self._delegate)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(False)
        self.set_mode(CardMode.GRID)

    @property
    def mode(self) -> CardMode:
        return self._delegate.mode

    def set_mode(self, mode: CardMode) -> None:
        self._delegate.mode = mode
        self.setViewMode(QListView.ViewMode.ListMode)
        if mode is CardMode.GRID:
            self.setFlow(QListView.Flow.LeftToRight)
            self.setWrapping(True)
            self.setResizeMode(QListView.ResizeMode.Adjust)
            self.setGridSize(GRID_SIZE)
            self.setSpacing(0)
        else:
            self.setFlow(QListView.Flow.TopToBottom)
            self.setWrapping(False)
            self.setGridSize(QSize())
            self.setSpacing(0)
        # setMovement(Static) turns drops off; a storyboard never lets cards float freely.
        self.setMovement(QListView.Movement.Static)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.scheduleDelayedItemsLayout()

    # ------------------------------------------------------------------ layout

    def setModel(self, model: QAbstractItemModel | None) -> None:
        old = self.model()
        if old is not None:
            for signal, slot in self._model_links(old):
                signal.disconnect(slot)
        super().setModel(model)
        self._layout_key = None
        self._reorder_only = False
        if model is not None:
            for signal, slot in self._model_links(model):
                signal.connect(slot)

    def _model_links(self, model: QAbstractItemModel) -> list[tuple[Any, Any]]:
        return [(model.layoutChanged, self._rows_reordered), (model.rowsInserted, self._rows_counted),
                (model.rowsRemoved, self._rows_counted), (model.modelReset, self._rows_counted)]

    def _rows_reordered(self, *_: object) -> None:
        self._reorder_only = True

    def _rows_counted(self, *_: object) -> None:
        self._reorder_only = False

    def _geometry_key(self) -> tuple[Any, ...]:
        model = self.model()
        return (model.rowCount() if model is not None else -1, self.viewport().size(), self.viewMode(),
                self.flow(), self.isWrapping(), self.gridSize(), self.spacing(), self.font().key(),
                self.mode)

    def doItemsLayout(self) -> None:
        """Lay the cards out, unless only their order changed since the last layout.

        Every card has the same size (``uniformItemSizes``), so row *n* sits at the same place whatever
        shot it holds: after a reorder with the same row count, viewport and grid, the rectangles Qt
        computed last time are still exact. Re-running ``QListView``'s layout would call back into Python
        for every one of thousands of rows; the base ``QAbstractItemView`` step (scroll bars, repaint)
        still runs.
        """
        key = self._geometry_key()
        reorder_only, self._reorder_only = self._reorder_only, False
        if reorder_only and key == self._layout_key:
            QAbstractItemView.doItemsLayout(self)
            return
        super().doItemsLayout()
        self._layout_key = key

    def dataChanged(
        self, topLeft: QModelIndex | QPersistentModelIndex, bottomRight: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        """Repaint the changed cards only.

        ``QListView`` in list mode answers any data change with a delayed relayout of every row (an item's
        size might have changed), and a pending layout then repaints the whole viewport. Cards all have one
        size, so nothing moves: while 200 jobs report, that was a relayout and a full repaint every few
        frames where one card's rectangle needed painting.
        """
        QAbstractItemView.dataChanged(self, topLeft, bottomRight, list(roles))

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        model = self.model()
        if (self.state() is not QAbstractItemView.State.NoState or not isinstance(model, StoryboardModel)
                or not self.isEnabled()):
            super().paintEvent(event)
            return
        count = model.rowCount()
        if count == 0:
            return
        first = self.visualRect(model.index(0, 0))
        if not first.isValid():
            super().paintEvent(event)
            return
        # Cards sit on a regular grid (uniform sizes): the cards per line and the line pitch give the rows
        # the exposed area can hold, without asking Qt about every row.
        per_line = 1
        while per_line < count and self.visualRect(model.index(per_line, 0)).top() == first.top():
            per_line += 1
        pitch = (self.visualRect(model.index(per_line, 0)).top() - first.top() if count > per_line
                 else first.height())
        if pitch <= 0:
            super().paintEvent(event)
            return
        exposed = event.rect()
        start = max(0, (exposed.top() - first.top()) // pitch) * per_line
        stop = min(count, ((exposed.bottom() - first.top()) // pitch + 1) * per_line)
        palette = QPalette(self.palette())
        palette.setCurrentColorGroup(
            QPalette.ColorGroup.Active if self.isActiveWindow() else QPalette.ColorGroup.Inactive
        )
        font = self.font()
        selection = self.selectionModel()
        painter = QPainter(self.viewport())
        budget_end = time.perf_counter() + PAINT_BUDGET_S
        # At least one card is redrawn per paint, so cards left behind always catch up.
        redraws = self._delegate.redraws
        for row in range(start, stop):
            index = model.index(row, 0)
            rect = self.visualRect(index)
            if not rect.intersects(exposed):
                continue
            fresh = self._delegate.draw_card(
                painter, rect, model.card(row), selection.isSelected(index), palette, font,
                stale_ok=self._delegate.redraws > redraws and time.perf_counter() > budget_end,
            )
            if not fresh:
                self._behind = self._behind.united(rect)
        painter.end()
        if not self._behind.isEmpty() and not self._catch_up.isActive():
            self._catch_up.start()

    def _paint_behind(self) -> None:
        """Next frame: draw the cards the last paint showed from their previous picture."""
        behind, self._behind = self._behind, QRect()
        if not behind.isEmpty():
            self.viewport().update(behind)

    def storyboard_model(self) -> StoryboardModel:
        model = self.model()
        assert isinstance(model, StoryboardModel)
        return model

    def selected_ids(self) -> list[str]:
        """Selected shot ids in storyboard order."""
        rows = sorted(i.row() for i in self.selectionModel().selectedIndexes())
        return [self.model().index(r, 0).data(ShotIdRole) for r in rows]

    def select_ids(self, ids: list[str], current: str | None = None) -> None:
        from PySide6.QtCore import QItemSelection, QItemSelectionModel

        model = self.storyboard_model()
        selection = QItemSelection()
        for shot_id in ids:
            idx = model.index_of(shot_id)
            selection.select(idx, idx)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.selectionModel().select(selection, flags)
        target = current or (ids[0] if ids else None)
        if target is not None:
            idx = model.index_of(target)
            self.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.scrollTo(idx)

    # ------------------------------------------------------------------ drops

    def drop_row_at(self, pos: QPoint) -> tuple[int, QModelIndex]:
        """Flat row a drop at ``pos`` lands before, and the card under it (for file drops)."""
        index = self.indexAt(pos)
        if not index.isValid():
            return self.model().rowCount(), QModelIndex()
        rect = self.visualRect(index)
        after = pos.x() > rect.center().x() if self.mode is CardMode.GRID else pos.y() > rect.center().y()
        return index.row() + (1 if after else 0), index

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(SHOT_IDS_MIME) or event.mimeData().hasUrls():
            event.acceptProposedAction()
            return
        super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        super().dragMoveEvent(event)
        if event.mimeData().hasFormat(SHOT_IDS_MIME) or event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        pos = event.position().toPoint()
        row, under = self.drop_row_at(pos)
        model = self.storyboard_model()
        if mime.hasFormat(SHOT_IDS_MIME):
            model.dropMimeData(mime, Qt.DropAction.MoveAction, row, 0, QModelIndex())
            # Report a copy to the drag source: the core has already moved the shots, so the view's
            # "remove the dragged rows after a move" path must not run.
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        elif mime.hasUrls() and under.isValid():
            model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, under)
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()
        self.viewport().update()

    # ------------------------------------------------------------------ keys

    def keyPressEvent(self, event: QKeyEvent) -> None:
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if ctrl and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Left):
            self.stepRequested.emit(-1)
            return
        if ctrl and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Right):
            self.stepRequested.emit(1)
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not event.modifiers():
            self.deleteRequested.emit()
            return
        super().keyPressEvent(event)
