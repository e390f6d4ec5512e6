"""The storyboard view: scenes as sections (a header, then their cards in a wrapping grid, or rows).

It is its own ``QAbstractItemView`` rather than a ``QListView``: a list view lays rows out in one flow
and cannot start a scene on a new line under its own header, and its ``setMovement(Static)`` turns the
viewport's drops off (so a real mouse drag was refused while the synthetic tests passed). The layout is
arithmetic over the scenes, in ``storyboard_layout`` (sections, placing, hit-testing, drop slots, in
content coordinates); this module turns viewport positions into content positions, paints and handles
input.

Drops: :meth:`drop_target` turns a position into (scene, index in that scene) — a header means "at the
start of this scene", the left/right (grid) or top/bottom (list) half of a card means before/after it,
the space after a scene's last card means its end. The view hands that to
``StoryboardModel.drop_in_scene``, which asks the window for one undo command. While a drag is over the
view a bar shows where the shots will land (a card outline for image files); near the top or bottom
edge the view scrolls (Qt's own auto-scroll of ``QAbstractItemView``).

Painting: every visible card is drawn in one Python call, each from the delegate's pixmap of that card
(redrawn only when something it shows changed; at most :data:`PAINT_BUDGET_S` of redrawing per paint,
the rest a frame later). Without that, each card's paint would be a call back from C++ that must take
the GIL back from the generation thread — under a busy queue, dozens of waits per frame.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelection,
    QItemSelectionModel,
    QMimeData,
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
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QRegion,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QWidget

from shotplanner.core.models import Scene
from shotplanner.ui.card_delegate import GRID_SIZE, LIST_HEIGHT, CardDelegate, CardMode, scene_color
from shotplanner.ui.storyboard_layout import HEADER_GRID, HEADER_LIST, INDICATOR_W, Section, StoryboardLayout
from shotplanner.ui.storyboard_model import SHOT_IDS_MIME, ShotIdRole, StoryboardModel

__all__ = ["HEADER_GRID", "HEADER_LIST", "INDICATOR_W", "SCENE_ID_MIME", "DropTarget", "HeadingEditor",
           "Section", "StoryboardView"]

#: A paint draws changed cards for at most this long (s); the rest show their previous picture for one
#: frame. When 200 jobs start at once every visible card changes together: 16 fresh cards would be one
#: long stall, where a few per frame are not.
PAINT_BUDGET_S = 0.004
#: When the cards left behind are drawn (ms): one frame later.
CATCH_UP_MS = 16
#: A scene header being dragged carries its scene's id under this type.
SCENE_ID_MIME = "application/x-shotplanner-scene-id"

ModelIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class DropTarget:
    """Where a drop lands: ``index`` among the scene's shots as they stand (before any is moved)."""

    scene_id: str
    index: int
    rect: QRect  # the indicator, in viewport coordinates
    on_card: QModelIndex  # the card under the pointer (image drops land on it), else invalid


class HeadingEditor(QLineEdit):
    """The line editor over a scene header; Escape gives up the edit."""

    cancelled = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)


class StoryboardView(QAbstractItemView):
    #: Ctrl+Up / Ctrl+Down on a selection: -1 or +1.
    stepRequested = Signal(int)
    deleteRequested = Signal()
    #: A scene's heading was typed in place: (scene id, new heading).
    headingEdited = Signal(str, str)
    #: A scene header was dragged to another place: (scene id, new index in the scene list).
    sceneMoveRequested = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storyboard")
        self._delegate = CardDelegate(self)
        self.setItemDelegate(self._delegate)
        self._layout = StoryboardLayout()
        self._drop: DropTarget | None = None
        self._band_origin: QPoint | None = None  # rubber band start, in content coordinates
        self._band = QRect()
        self._header_press: tuple[str, QPoint] | None = None  # a press on a scene header: drag it?
        self._editor: QLineEdit | None = None
        self._editing_scene: str | None = None
        # Cards a paint showed from their previous picture (its budget was spent), drawn a frame later.
        self._behind = QRect()
        self._catch_up = QTimer(self)
        self._catch_up.setSingleShot(True)
        self._catch_up.setInterval(CATCH_UP_MS)
        self._catch_up.timeout.connect(self._paint_behind)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(False)  # the view draws its own (a bar between cards)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setAutoScroll(True)
        self.setAutoScrollMargin(48)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setMouseTracking(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)  # the window's menus go here

    # ------------------------------------------------------------------ mode and model

    @property
    def mode(self) -> CardMode:
        return self._delegate.mode

    def set_mode(self, mode: CardMode) -> None:
        self._delegate.mode = mode
        self.relayout()
        current = self.currentIndex()
        if current.isValid():
            self.scrollTo(current)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        old = self.model()
        if old is not None:
            for signal in self._layout_signals(old):
                signal.disconnect(self._schedule_relayout)
        super().setModel(model)
        if model is not None:
            for signal in self._layout_signals(model):
                signal.connect(self._schedule_relayout)
        self.relayout()

    def _layout_signals(self, model: QAbstractItemModel) -> list[Any]:
        signals = [model.layoutChanged, model.rowsInserted, model.rowsRemoved, model.modelReset]
        if isinstance(model, StoryboardModel):
            signals.append(model.scenesChanged)
        return signals

    def storyboard_model(self) -> StoryboardModel:
        model = self.model()
        assert isinstance(model, StoryboardModel)
        return model

    # ------------------------------------------------------------------ layout

    def _schedule_relayout(self, *_: object) -> None:
        # Lay out now (hit-testing right after a change must be exact) and repaint once.
        self.relayout()

    def _cell(self) -> QSize:
        if self.mode is CardMode.GRID:
            return GRID_SIZE
        return QSize(max(self.viewport().width(), 1), LIST_HEIGHT)

    def header_height(self) -> int:
        return HEADER_GRID if self.mode is CardMode.GRID else HEADER_LIST

    def relayout(self) -> None:
        """Recompute the sections from the scenes: O(scenes), whatever the number of shots."""
        model = self.model()
        cell = self._cell()
        columns = max(1, self.viewport().width() // cell.width()) if self.mode is CardMode.GRID else 1
        scenes = model.storyboard.project.scenes if isinstance(model, StoryboardModel) else []
        self._layout.build(scenes, cell, self.header_height(), columns)
        self.updateGeometries()
        self.viewport().update()

    def doItemsLayout(self) -> None:
        self.relayout()
        super().doItemsLayout()

    def sections(self) -> list[Section]:
        return list(self._layout.sections)

    def header_rect(self, scene_id: str) -> QRect:
        """A scene's header strip, in viewport coordinates (empty when there is no such scene)."""
        section = self._layout.section_of_scene(scene_id)
        if section is None:
            return QRect()
        return QRect(0, section.top - self.verticalOffset(), self.viewport().width(), self.header_height())

    def scene_at(self, pos: QPoint) -> Scene | None:
        section = self._layout.section_at_y(pos.y() + self.verticalOffset())
        return section.scene if section is not None else None

    def header_at(self, pos: QPoint) -> Scene | None:
        """The scene whose header is at ``pos`` (viewport coordinates), if any."""
        y = pos.y() + self.verticalOffset()
        section = self._layout.section_at_y(y)
        return section.scene if section is not None and self._layout.in_header(section, y) else None

    # ------------------------------------------------------------------ QAbstractItemView geometry

    def visualRect(self, index: ModelIndex) -> QRect:
        if not index.isValid():
            return QRect()
        rect = self._layout.content_rect(index.row())
        return rect.translated(0, -self.verticalOffset()) if rect.isValid() else rect

    def indexAt(self, point: QPoint) -> QModelIndex:
        model = self.model()
        if model is None:
            return QModelIndex()
        row = self._layout.row_at(point.x(), point.y() + self.verticalOffset())
        return model.index(row, 0) if row is not None else QModelIndex()

    def scrollTo(self, index: ModelIndex,
                 hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible) -> None:
        rect = self._layout.content_rect(index.row()) if index.isValid() else QRect()
        if not rect.isValid():
            return
        bar = self.verticalScrollBar()
        top, height = bar.value(), self.viewport().height()
        section = self._layout.section_of_row(index.row())
        # Show the scene's header too when the card is on its first line.
        want_top = rect.top()
        if section is not None and rect.top() - section.top <= self.header_height() + 1:
            want_top = section.top
        if hint is QAbstractItemView.ScrollHint.PositionAtTop:
            bar.setValue(want_top)
        elif hint is QAbstractItemView.ScrollHint.PositionAtCenter:
            bar.setValue(rect.center().y() - height // 2)
        elif hint is QAbstractItemView.ScrollHint.PositionAtBottom:
            bar.setValue(rect.bottom() - height + 1)
        elif want_top < top:
            bar.setValue(want_top)
        elif rect.bottom() >= top + height:
            bar.setValue(rect.bottom() - height + 1)

    def horizontalOffset(self) -> int:
        return 0

    def verticalOffset(self) -> int:
        return self.verticalScrollBar().value()

    def isIndexHidden(self, index: ModelIndex) -> bool:
        return False

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        """Move the painted cards with the scroll and paint only the strip that comes into view.

        ``QAbstractItemView`` leaves this to ``QAbstractScrollArea``, which repaints the whole viewport:
        every visible card at every step of a scroll (~2.5 ms of Python per frame, 60 times a second).
        ``QWidget.scroll`` moves the pixels already painted (and the heading editor with its header); Qt
        moves the viewport's pending updates along, and repaints everything when moving would copy
        stale pixels.
        """
        self.viewport().scroll(dx, dy)
        if not self._behind.isEmpty():
            self._behind.translate(dx, dy)
        if self._drop is not None:
            # The drop indicator is placed in viewport coordinates: it stays while the cards move.
            self.viewport().update()

    def updateGeometries(self) -> None:
        bar = self.verticalScrollBar()
        page = self.viewport().height()
        bar.setRange(0, max(0, self._layout.content_height - page))
        bar.setPageStep(page)
        bar.setSingleStep(max(self._cell().height() // 4, 12))
        super().updateGeometries()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        columns = max(1, self.viewport().width() // GRID_SIZE.width())
        if self.mode is CardMode.LIST or columns != self._layout.columns:
            self.relayout()
        else:
            self.updateGeometries()
        if self._editor is not None and self._editing_scene is not None:
            self._place_editor(self._editing_scene)

    def moveCursor(self, cursorAction: QAbstractItemView.CursorAction,
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        model = self.model()
        if model is None or model.rowCount() == 0:
            return QModelIndex()
        count = model.rowCount()
        current = self.currentIndex()
        row = current.row() if current.isValid() else 0
        act = QAbstractItemView.CursorAction
        grid = self.mode is CardMode.GRID
        if cursorAction == act.MoveHome:
            row = 0
        elif cursorAction == act.MoveEnd:
            row = count - 1
        elif cursorAction in (act.MoveLeft, act.MovePrevious) or (cursorAction == act.MoveUp and not grid):
            row -= 1
        elif cursorAction in (act.MoveRight, act.MoveNext) or (cursorAction == act.MoveDown and not grid):
            row += 1
        elif cursorAction in (act.MoveUp, act.MoveDown, act.MovePageUp, act.MovePageDown):
            rect = self.visualRect(model.index(row, 0))
            step = self._cell().height()
            if cursorAction in (act.MovePageUp, act.MovePageDown):
                step = max(self.viewport().height() - step, step)
            sign = -1 if cursorAction in (act.MoveUp, act.MovePageUp) else 1
            target: QModelIndex = QModelIndex()
            # Skip over a scene header (or the short last line of a scene) to the nearest card.
            for extra in range(0, 4 * self.header_height() + step, 8):
                target = self.indexAt(QPoint(rect.center().x(), rect.center().y() + sign * (step + extra)))
                if target.isValid():
                    break
            row = target.row() if target.isValid() else row + sign * (self._layout.columns if grid else 1)
        return model.index(max(0, min(row, count - 1)), 0)

    def setSelection(self, rect: QRect, command: QItemSelectionModel.SelectionFlag) -> None:
        model = self.model()
        if model is None:
            return
        area = rect.normalized().translated(0, self.verticalOffset())
        selection = QItemSelection()
        for first, last in self._layout.rows_in(area):
            selection.select(model.index(first, 0), model.index(last, 0))
        self.selectionModel().select(selection, command)

    def visualRegionForSelection(self, selection: QItemSelection) -> QRegion:
        region = QRegion()
        first, last = self._visible_rows()
        for rng in (selection.at(i) for i in range(selection.count())):
            lo, hi = max(rng.top(), first), min(rng.bottom(), last)
            for row in range(lo, hi + 1):
                region += self.visualRect(self.model().index(row, 0))
        return region

    def _visible_rows(self) -> tuple[int, int]:
        """First and last flat rows that may show in the viewport (an empty range is (0, -1))."""
        top = self.verticalOffset()
        return self._layout.rows_between(top, top + self.viewport().height())

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        model = self.model()
        if not isinstance(model, StoryboardModel):
            return
        exposed = event.rect()
        offset = self.verticalOffset()
        palette = QPalette(self.palette())
        palette.setCurrentColorGroup(
            QPalette.ColorGroup.Active if self.isActiveWindow() else QPalette.ColorGroup.Inactive
        )
        font = self.font()
        selection = self.selectionModel()
        painter = QPainter(self.viewport())
        budget_end = time.perf_counter() + PAINT_BUDGET_S
        redraws = self._delegate.redraws
        layout = self._layout
        header = self.header_height()
        top, bottom = exposed.top() + offset, exposed.bottom() + offset
        for section in layout.sections_from(top):
            if section.top > bottom:
                break
            head = QRect(0, section.top - offset, self.viewport().width(), header)
            if head.intersects(exposed):
                self._paint_header(painter, head, section, palette, font)
            if not section.count:
                self._paint_empty(painter, QRect(0, head.bottom() + 1, self.viewport().width(),
                                                 section.height - header), palette, font)
                continue
            for k in layout.cards_between(section, top, bottom):
                row = section.first_row + k
                rect = layout.card_rect(section, k).translated(0, -offset)
                if not rect.intersects(exposed):
                    continue
                index = model.index(row, 0)
                fresh = self._delegate.draw_card(
                    painter, rect, model.card(row), selection.isSelected(index), palette, font,
                    stale_ok=self._delegate.redraws > redraws and time.perf_counter() > budget_end,
                )
                if not fresh:
                    self._behind = self._behind.united(rect)
        self._paint_overlays(painter, palette)
        painter.end()
        if not self._behind.isEmpty() and not self._catch_up.isActive():
            self._catch_up.start()

    def _paint_header(self, p: QPainter, rect: QRect, section: Section, pal: QPalette, font: QFont) -> None:
        scene = section.scene
        color = scene_color(section.order, pal)
        p.fillRect(rect, pal.color(QPalette.ColorRole.Window))
        p.fillRect(QRect(rect.left() + 4, rect.top() + 6, 6, rect.height() - 10), color)
        bold = QFont(font)
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(pal.color(QPalette.ColorRole.WindowText))
        x = rect.left() + 18
        text_rect = QRect(x, rect.top() + 3, rect.width() - x - 8, rect.height() - 3)
        number = f"SC {scene.number}"
        p.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, number)
        x += p.fontMetrics().horizontalAdvance(number) + 14
        parts = [scene.int_ext, scene.location]
        place = (" ".join(part for part in parts if part) or scene.heading
                 or "Untitled scene — double-click to name it")
        room = max(text_rect.right() - x - 180, 40)
        p.drawText(QRect(x, text_rect.top(), text_rect.right() - x, text_rect.height()),
                   Qt.AlignmentFlag.AlignVCenter,
                   p.fontMetrics().elidedText(place, Qt.TextElideMode.ElideRight, room))
        x += min(p.fontMetrics().horizontalAdvance(place), room) + 10
        p.setFont(font)
        fm = p.fontMetrics()
        if scene.time_of_day:
            tod = scene.time_of_day
            w = fm.horizontalAdvance(tod) + 12
            chip = QRect(x, rect.center().y() - fm.height() // 2 + 1, w, fm.height())
            fill = QColor(color)
            fill.setAlpha(110)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(fill)
            p.drawRoundedRect(chip, 6, 6)
            p.setPen(pal.color(QPalette.ColorRole.WindowText))
            p.drawText(chip, Qt.AlignmentFlag.AlignCenter, tod)
        shots = scene.shots
        total = sum(s.duration_s for s in shots)
        summary = f"{len(shots)} shot{'s' if len(shots) != 1 else ''} · {total:g} s"
        p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        p.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, summary)
        p.setPen(pal.color(QPalette.ColorRole.Mid))
        p.drawLine(rect.left() + 4, rect.bottom(), rect.right() - 4, rect.bottom())

    def _paint_empty(self, p: QPainter, rect: QRect, pal: QPalette, font: QFont) -> None:
        p.setFont(font)
        p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        p.drawText(rect.adjusted(18, 0, -8, 0), Qt.AlignmentFlag.AlignVCenter,
                   "No shots yet — drag shots here, or add one")

    def _paint_overlays(self, p: QPainter, pal: QPalette) -> None:
        highlight = pal.color(QPalette.ColorRole.Highlight)
        if self._drop is not None:
            if self._drop.on_card.isValid() and self._drop.rect == self.visualRect(self._drop.on_card):
                p.setPen(highlight)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(self._drop.rect.adjusted(2, 2, -3, -3), 6, 6)
            else:
                p.fillRect(self._drop.rect, highlight)
        if not self._band.isNull():
            fill = QColor(highlight)
            fill.setAlpha(40)
            p.setPen(highlight)
            p.setBrush(fill)
            p.drawRect(self._band.translated(0, -self.verticalOffset()))

    def _paint_behind(self) -> None:
        """Next frame: draw the cards the last paint showed from their previous picture."""
        behind, self._behind = self._behind, QRect()
        if not behind.isEmpty():
            self.viewport().update(behind)

    def dataChanged(self, topLeft: ModelIndex, bottomRight: ModelIndex,
                    roles: Sequence[int] = ()) -> None:
        """Repaint the changed cards only (cards have one size: nothing moves on a data change)."""
        first, last = self._visible_rows()
        lo, hi = max(topLeft.row(), first), min(bottomRight.row(), last)
        if hi - lo > 64:
            self.viewport().update()
            return
        for row in range(lo, hi + 1):
            self.viewport().update(self.visualRect(self.model().index(row, 0)))
        # Headers show shot counts and durations.
        if topLeft.row() <= last and bottomRight.row() >= first:
            for section in self._layout.sections:
                end = section.first_row + section.count
                if section.count and section.first_row <= bottomRight.row() and topLeft.row() < end:
                    self.viewport().update(self.header_rect(section.scene.id))

    # ------------------------------------------------------------------ selection helpers

    def selected_ids(self) -> list[str]:
        """Selected shot ids in storyboard order."""
        rows = sorted(i.row() for i in self.selectionModel().selectedIndexes())
        return [self.model().index(r, 0).data(ShotIdRole) for r in rows]

    def select_ids(self, ids: list[str], current: str | None = None) -> None:
        model = self.storyboard_model()
        selection = QItemSelection()
        for shot_id in ids:
            idx = model.index_of(shot_id)
            selection.select(idx, idx)
        self.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        target = current or (ids[0] if ids else None)
        if target is not None:
            idx = model.index_of(target)
            self.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.scrollTo(idx)

    # ------------------------------------------------------------------ rubber band

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        header = self.header_at(pos) if event.button() == Qt.MouseButton.LeftButton else None
        if header is not None:
            # A header is a handle for its scene: a drag moves the scene, a double-click names it.
            self._header_press = (header.id, pos)
            self._band_origin = None
            return
        self._header_press = None
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.indexAt(pos).isValid():
            self._band_origin = QPoint(pos.x(), pos.y() + self.verticalOffset())
        else:
            self._band_origin = None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._header_press is not None:
            scene_id, start = self._header_press
            if (event.position().toPoint() - start).manhattanLength() >= QApplication.startDragDistance():
                self._header_press = None
                self._drag_scene(scene_id)
            return
        super().mouseMoveEvent(event)
        if self._band_origin is not None and self.state() == QAbstractItemView.State.DragSelectingState:
            pos = event.position().toPoint()
            old = self._band
            here = QPoint(pos.x(), pos.y() + self.verticalOffset())
            self._band = QRect(self._band_origin, here).normalized()
            dirty = old.united(self._band).translated(0, -self.verticalOffset())
            self.viewport().update(dirty.adjusted(-2, -2, 2, 2))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._header_press is not None:
            self._header_press = None
            return
        super().mouseReleaseEvent(event)
        if not self._band.isNull():
            self.viewport().update(self._band.translated(0, -self.verticalOffset()).adjusted(-2, -2, 2, 2))
        self._band = QRect()
        self._band_origin = None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        scene = self.header_at(event.position().toPoint())
        if scene is not None:
            self.edit_heading(scene.id)
            return
        super().mouseDoubleClickEvent(event)

    # ------------------------------------------------------------------ heading edited in place

    def edit_heading(self, scene_id: str) -> QLineEdit | None:
        """Open a line editor over the scene's header; Enter commits, Escape or leaving cancels."""
        rect = self.header_rect(scene_id)
        if rect.isNull():
            return None
        self._close_editor()
        scene = self.storyboard_model().storyboard.scene(scene_id)
        editor = HeadingEditor(self.viewport())
        editor.setObjectName("headingEditor")
        editor.setPlaceholderText("INT. KITCHEN - NIGHT")
        editor.setText(scene.heading)
        editor.selectAll()
        editor.returnPressed.connect(lambda: self._commit_heading(scene_id))
        editor.editingFinished.connect(self._close_editor_later)
        editor.cancelled.connect(self._close_editor_later)
        self._editor, self._editing_scene = editor, scene_id
        self._place_editor(scene_id)
        editor.show()
        editor.setFocus()
        return editor

    def _place_editor(self, scene_id: str) -> None:
        if self._editor is None:
            return
        rect = self.header_rect(scene_id)
        scene = self.storyboard_model().storyboard.scene(scene_id)
        number_w = self.fontMetrics().horizontalAdvance(f"SC {scene.number}")
        self._editor.setGeometry(rect.adjusted(18 + number_w + 10, 3, -160, -3))

    def _commit_heading(self, scene_id: str) -> None:
        if self._editor is None:
            return
        text = " ".join(self._editor.text().split())
        self._close_editor()
        scene = self.storyboard_model().storyboard.find_scene(scene_id)
        if scene is not None and text != scene.heading:
            self.headingEdited.emit(scene_id, text)

    def _close_editor_later(self) -> None:
        # editingFinished also fires on Enter, before returnPressed's slot runs: close after it.
        QTimer.singleShot(0, self, self._close_editor)

    def _close_editor(self) -> None:
        editor, self._editor, self._editing_scene = self._editor, None, None
        if editor is not None:
            editor.hide()
            editor.deleteLater()
            self.setFocus()

    # ------------------------------------------------------------------ drops

    def drop_target(self, pos: QPoint, moving: set[str] | None = None) -> DropTarget | None:
        """Where a drop at ``pos`` (viewport coordinates) lands, with the indicator to draw."""
        offset = self.verticalOffset()
        slot = self._layout.drop_slot(pos.x(), pos.y() + offset, list_mode=self.mode is CardMode.LIST,
                                      width=self.viewport().width())
        if slot is None:
            return None
        under = self.model().index(slot.under, 0) if slot.under is not None else QModelIndex()
        return DropTarget(slot.section.scene.id, slot.index, slot.bar.translated(0, -offset), under)

    def _drag_scene(self, scene_id: str) -> None:
        mime = QMimeData()
        mime.setData(SCENE_ID_MIME, scene_id.encode())
        drag = QDrag(self)
        drag.setMimeData(mime)
        rect = self.header_rect(scene_id)
        drag.setPixmap(self.viewport().grab(rect.adjusted(0, 0, -max(rect.width() - 420, 0), 0)))
        drag.exec(Qt.DropAction.MoveAction)

    def scene_drop_target(self, pos: QPoint) -> tuple[int, QRect] | None:
        """Where a dragged scene lands: (index in the scene list, the bar to draw above that scene)."""
        place = self._layout.scene_slot(pos.y() + self.verticalOffset())
        if place is None:
            return None
        index, top = place
        return index, QRect(0, top - self.verticalOffset() - INDICATOR_W // 2, self.viewport().width(),
                            INDICATOR_W)

    def drop_row_at(self, pos: QPoint) -> tuple[int, QModelIndex]:
        """Flat row a drop at ``pos`` lands before, and the card under it (for file drops)."""
        target = self.drop_target(pos)
        if target is None:
            return self.model().rowCount(), QModelIndex()
        sb = self.storyboard_model().storyboard
        scene = sb.scene(target.scene_id)
        row = sb.scene_start_row(target.scene_id) + min(target.index, len(scene.shots))
        return row, target.on_card

    def _accepts(self, event: QDragMoveEvent | QDragEnterEvent | QDropEvent) -> bool:
        mime = event.mimeData()
        return mime.hasFormat(SHOT_IDS_MIME) or mime.hasUrls() or mime.hasFormat(SCENE_ID_MIME)

    def _show_drop(self, event: QDragMoveEvent | QDragEnterEvent) -> None:
        pos = event.position().toPoint()
        if event.mimeData().hasFormat(SCENE_ID_MIME):
            place = self.scene_drop_target(pos)
            target = DropTarget("", place[0], place[1], QModelIndex()) if place is not None else None
        else:
            target = self.drop_target(pos)
        mime = event.mimeData()
        if target is not None and mime.hasUrls() and not mime.hasFormat(SHOT_IDS_MIME):
            # Image files land on the card under the pointer: outline it, or refuse off a card.
            under = self.indexAt(pos)
            target = DropTarget(target.scene_id, target.index, self.visualRect(under), under) \
                if under.isValid() else None
        old = self._drop
        self._drop = target
        if old is None or target is None or old.rect != target.rect:
            if old is not None:
                self.viewport().update(old.rect.adjusted(-4, -4, 4, 4))
            if target is not None:
                self.viewport().update(target.rect.adjusted(-4, -4, 4, 4))
        if target is None:
            event.ignore()
        else:
            event.setDropAction(Qt.DropAction.MoveAction if event.mimeData().hasFormat(SHOT_IDS_MIME)
                                else Qt.DropAction.CopyAction)
            event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self._accepts(event):
            event.ignore()
            return
        super().dragEnterEvent(event)  # DraggingState: auto-scroll and hover follow the drag
        self._show_drop(event)
        # Always take the enter: a widget that refuses it gets no moves, and a file drag from another
        # program enters at the viewport's edge, between cards; each move then says yes or no.
        event.setDropAction(Qt.DropAction.CopyAction if event.mimeData().hasUrls()
                            else Qt.DropAction.MoveAction)
        event.accept()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if not self._accepts(event):
            event.ignore()
            return
        super().dragMoveEvent(event)  # starts Qt's auto-scroll near the edges
        self._show_drop(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        super().dragLeaveEvent(event)
        self._clear_drop()

    def _clear_drop(self) -> None:
        if self._drop is not None:
            self.viewport().update(self._drop.rect.adjusted(-4, -4, 4, 4))
        self._drop = None

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        pos = event.position().toPoint()
        model = self.storyboard_model()
        self._clear_drop()
        self.stopAutoScroll()
        self.setState(QAbstractItemView.State.NoState)
        if mime.hasFormat(SCENE_ID_MIME):
            place = self.scene_drop_target(pos)
            scene_id = bytes(mime.data(SCENE_ID_MIME).data()).decode(errors="replace")
            scenes = [s.id for s in self.storyboard_model().storyboard.project.scenes]
            if place is None or scene_id not in scenes:
                event.ignore()
                return
            # The index counts the scene itself while it stands before the drop place.
            index = place[0] - (1 if scenes.index(scene_id) < place[0] else 0)
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            if index != scenes.index(scene_id):
                self.sceneMoveRequested.emit(scene_id, index)
            self.viewport().update()
            return
        target = self.drop_target(pos)
        if mime.hasFormat(SHOT_IDS_MIME) and target is not None:
            model.drop_in_scene(mime, target.scene_id, target.index)
            # Report a copy to the drag source: the core has already moved the shots, so the view's
            # "remove the dragged rows after a move" path must not run.
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        elif mime.hasUrls() and self.indexAt(pos).isValid():
            model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, self.indexAt(pos))
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
