"""The shot table's item model: a proxy over the same :class:`StoryboardModel` the cards show.

:class:`ShotTableModel` holds no shot data, only the order of its rows (film order with a header row per
scene, or a sorted order of the shots) and a cache of the strings each visible row shows, dropped
whenever the source says a shot changed. Sorting orders the *view*; the film order is untouched. An edit
in a cell goes to :attr:`ShotTableModel.edit_handler`, which the window points at an undo command, so
the table, the cards and the form follow the core together.

Dragging rows reorders shots as the cards do (one undo step), while the table shows film order: a drop on
a scene header row puts the shots at the start of that scene, on the upper or lower half of a shot row
before or after it (:meth:`ShotTableModel.drop_place`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QItemSelection,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPalette

from shotplanner.core.models import LAYER_NAMES, Shot, ShotSize
from shotplanner.ui.card_delegate import scene_title
from shotplanner.ui.shot_table_columns import (
    COLUMN_KEYS,
    COLUMNS,
    edit_value,
    frame_cell,
    frame_tooltip,
    number_key,
)
from shotplanner.ui.storyboard_model import SHOT_IDS_MIME, StoryboardModel, take_status

ModelIndex = QModelIndex | QPersistentModelIndex
#: Called with (shot id, {field: value}, undo text) for an edit typed in a cell.
EditHandler = Callable[[str, dict[str, Any], str], None]

HEADER_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDropEnabled
SHOT_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
              | Qt.ItemFlag.ItemIsDropEnabled)
EDITABLE_FLAGS = SHOT_FLAGS | Qt.ItemFlag.ItemIsEditable


@dataclass(frozen=True, slots=True)
class Entry:
    """A table row: a scene header (``row`` = -1) or a shot (``row`` = its flat row in the source)."""

    scene_order: int
    row: int

    @property
    def is_header(self) -> bool:
        return self.row < 0


class ShotTableModel(QAbstractProxyModel):
    """Columns over the storyboard model's rows, in film order with scene headers, or sorted."""

    #: The table's order changed between film order and sorted (the view updates its spans).
    orderChanged = Signal()

    def __init__(self, source: StoryboardModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[Entry] = []
        self._table_row: dict[int, int] = {}  # source row -> table row
        self._cells: dict[str, tuple[str, ...]] = {}  # shot id -> the strings its row shows
        self._money: dict[str, tuple[str, str, float]] = {}  # shot id -> (model, cost text, usd)
        # Rows painted before their model and cost were worked out (~0.2 ms a shot: the recommender and
        # the price): filled on the next loop turn, so a scroll onto new rows paints at once.
        self._pending_money: dict[str, None] = {}
        self._money_timer = QTimer(self)
        self._money_timer.setSingleShot(True)
        self._money_timer.setInterval(0)
        self._money_timer.timeout.connect(self._fill_money)
        self.sort_column = -1
        self.sort_order = Qt.SortOrder.AscendingOrder
        self.edit_handler: EditHandler | None = None
        # While the table is not shown it has no rows, and a reorder of the cards costs it nothing.
        self._active = True
        self.setSourceModel(source)

    # ------------------------------------------------------------------ source

    def setSourceModel(self, sourceModel: QAbstractItemModel) -> None:
        assert isinstance(sourceModel, StoryboardModel)
        old = self.sourceModel()
        if old is not None:
            for signal, slot in self._links(old):
                signal.disconnect(slot)
        self.beginResetModel()
        super().setSourceModel(sourceModel)
        for signal, slot in self._links(sourceModel):
            signal.connect(slot)
        self._rebuild()
        self.endResetModel()

    def _links(self, source: QAbstractItemModel) -> list[tuple[Any, Any]]:
        links = [(source.modelReset, self._source_reset), (source.layoutChanged, self._source_reset),
                 (source.rowsInserted, self._source_reset), (source.rowsRemoved, self._source_reset),
                 (source.dataChanged, self._source_data_changed)]
        if isinstance(source, StoryboardModel):
            links.append((source.scenesChanged, self._scenes_changed))
        return links

    def storyboard_model(self) -> StoryboardModel:
        source = self.sourceModel()
        assert isinstance(source, StoryboardModel)
        return source

    def _source_reset(self, *_: object) -> None:
        # Rows moved, came or went: rebuild the order (O(shots), no per-row Qt signals for 5,000 rows).
        self.beginResetModel()
        self._rebuild()
        self.endResetModel()

    def _scenes_changed(self) -> None:
        self._cells.clear()
        self._source_reset()

    def _source_data_changed(self, top: QModelIndex, bottom: QModelIndex, _roles: Sequence[int] = ()) -> None:
        source = self.storyboard_model()
        for row in range(top.row(), bottom.row() + 1):
            if row < source.rowCount():
                shot_id = source.shot_at(row).id
                self._cells.pop(shot_id, None)
                self._money.pop(shot_id, None)
        rows = [self._table_row[r] for r in range(top.row(), bottom.row() + 1) if r in self._table_row]
        if rows:
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), len(COLUMNS) - 1))

    def set_active(self, active: bool) -> None:
        """Follow the storyboard (shown) or hold no rows at all (hidden)."""
        if active != self._active:
            self._active = active
            self._source_reset()

    def _rebuild(self) -> None:
        source = self.sourceModel()
        entries: list[Entry] = []
        if isinstance(source, StoryboardModel) and self._active:
            if self.sort_column < 0:
                row = 0
                for order, scene in enumerate(source.storyboard.project.scenes):
                    entries.append(Entry(order, -1))
                    entries.extend(Entry(order, r) for r in range(row, row + len(scene.shots)))
                    row += len(scene.shots)
            else:
                keys = self._sort_keys(self.sort_column)
                rows = sorted(range(len(keys)), key=keys.__getitem__,
                              reverse=self.sort_order == Qt.SortOrder.DescendingOrder)
                scene_of = self._scene_orders()
                entries = [Entry(scene_of[r], r) for r in rows]
        self._entries = entries
        self._table_row = {e.row: i for i, e in enumerate(entries) if e.row >= 0}

    def _scene_orders(self) -> list[int]:
        out: list[int] = []
        for order, scene in enumerate(self.storyboard_model().storyboard.project.scenes):
            out.extend([order] * len(scene.shots))
        return out

    def _sort_keys(self, column: int) -> list[Any]:
        """One key per shot, in film order (ties keep film order: ``sorted`` is stable)."""
        key = COLUMNS[column].key
        shots = self.storyboard_model().storyboard.shots()
        if key == "number":
            return [number_key(s.number) for s in shots]
        if key == "scene":
            return self._scene_orders()
        if key == "size":
            sizes = list(ShotSize)
            return [sizes.index(s.size) for s in shots]
        if key == "lens":
            return [s.lens_mm or 0 for s in shots]
        if key == "duration":
            return [s.duration_s for s in shots]
        if key == "cost":
            return [self._model_and_cost(s)[2] for s in shots]
        if key == "model":
            return [self._model_and_cost(s)[0].lower() for s in shots]
        return [self._cells_of(s)[column].lower() for s in shots]

    # ------------------------------------------------------------------ sorting

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the table by ``column`` (-1: film order, with scene headers). The film is unchanged."""
        self.layoutAboutToBeChanged.emit()
        old = [(p, self._entries[p.row()] if 0 <= p.row() < len(self._entries) else None)
               for p in self.persistentIndexList()]
        self.sort_column, self.sort_order = column, order
        self._rebuild()
        position = {e: i for i, e in enumerate(self._entries)}
        self.changePersistentIndexList(
            [p for p, _ in old],
            [self.index(position[e], p.column()) if e is not None and e in position else QModelIndex()
             for p, e in old])
        self.layoutChanged.emit()
        self.orderChanged.emit()

    @property
    def is_film_order(self) -> bool:
        return self.sort_column < 0

    # ------------------------------------------------------------------ QAbstractProxyModel

    def index(self, row: int, column: int, parent: ModelIndex = QModelIndex()) -> QModelIndex:
        if parent.isValid() or not (0 <= row < len(self._entries)) or not (0 <= column < len(COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, index: ModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        return QModelIndex()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def mapToSource(self, proxyIndex: ModelIndex) -> QModelIndex:
        if not proxyIndex.isValid() or proxyIndex.row() >= len(self._entries):
            return QModelIndex()
        entry = self._entries[proxyIndex.row()]
        return QModelIndex() if entry.is_header else self.storyboard_model().index(entry.row, 0)

    def mapFromSource(self, sourceIndex: ModelIndex) -> QModelIndex:
        if not sourceIndex.isValid():
            return QModelIndex()
        row = self._table_row.get(sourceIndex.row())
        return self.index(row, 0) if row is not None else QModelIndex()

    # QAbstractProxyModel answers these through the source, whose one column would send every cell (and
    # so every edit) to column 0.
    def buddy(self, index: ModelIndex) -> QModelIndex:
        return self.index(index.row(), index.column())

    def sibling(self, row: int, column: int, idx: ModelIndex) -> QModelIndex:
        return self.index(row, column)

    def mapSelectionFromSource(self, selection: QItemSelection) -> QItemSelection:
        out = QItemSelection()
        for rng in (selection.at(i) for i in range(selection.count())):
            for row in range(rng.top(), rng.bottom() + 1):
                mine = self._table_row.get(row)
                if mine is not None:
                    out.select(self.index(mine, 0), self.index(mine, len(COLUMNS) - 1))
        return out

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section].title
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{COLUMNS[section].title} — click to sort the table (the film order stays)"
        return None

    # ------------------------------------------------------------------ cells

    def entry(self, row: int) -> Entry:
        return self._entries[row]

    def shot_at(self, row: int) -> Shot | None:
        entry = self._entries[row]
        return None if entry.is_header else self.storyboard_model().shot_at(entry.row)

    def table_row_of(self, shot_id: str) -> int:
        return self._table_row[self.storyboard_model().row_of(shot_id)]

    def header_row_of(self, scene_id: str) -> int | None:
        scenes = self.storyboard_model().storyboard.project.scenes
        for i, entry in enumerate(self._entries):
            if entry.is_header and scenes[entry.scene_order].id == scene_id:
                return i
        return None

    def row_cells(self, row: int, *, for_paint: bool = False) -> tuple[str, ...]:
        """The strings table ``row`` shows, one per column (a header row: its title, then blanks).

        ``for_paint``: a row whose model and cost are not known yet shows "…" there for one loop turn
        instead of working them out inside the paint."""
        entry = self._entries[row]
        if entry.is_header:
            return (self.data(self.index(row, 0)),)
        shot = self.storyboard_model().shot_at(entry.row)
        if for_paint and shot.id not in self._money and shot.id not in self._cells:
            self._pending_money[shot.id] = None
            if not self._money_timer.isActive():
                self._money_timer.start()
            return self._cells_of(shot, money=("…", "…", -1.0), keep=False)
        return self._cells_of(shot)

    def _fill_money(self) -> None:
        """Work out the model and cost of the rows painted without them, then repaint those rows."""
        pending, self._pending_money = list(self._pending_money), {}
        source = self.storyboard_model()
        rows = []
        for shot_id in pending:
            try:
                shot = source.storyboard.shot(shot_id)
            except Exception:  # deleted since it was painted
                continue
            self._model_and_cost(shot)
            table_row = self._table_row.get(source.row_of(shot_id))
            if table_row is not None:
                rows.append(table_row)
        if rows:
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), len(COLUMNS) - 1))

    def row_failed(self, row: int) -> bool:
        shot = self.shot_at(row)
        return bool(shot is not None and shot.takes and shot.takes[-1].state.value in ("failed", "unknown"))

    def _model_and_cost(self, shot: Shot) -> tuple[str, str, float]:
        cached = self._money.get(shot.id)
        if cached is not None:
            return cached
        source = self.storyboard_model()
        # The same label the card shows (its insight), without the card's lint pass.
        label, text, usd = shot.model_id or "", "", -1.0
        catalog = source.catalog
        if catalog is not None:
            from shotplanner.core.cost import estimate_shot
            from shotplanner.core.recommend import resolve_model

            try:
                model = resolve_model(shot, source.storyboard.project, catalog)
            except Exception:  # a broken catalog entry shows as no model; the picker explains it
                model = None
            if model is not None:
                label = model.name
                estimate = estimate_shot(shot, model)
                text = estimate.text() if estimate.known else "?"
                usd = estimate.usd if estimate.usd is not None else -1.0
        cached = self._money[shot.id] = (label, text, usd)
        return cached

    def _cells_of(self, shot: Shot, *, money: tuple[str, str, float] | None = None,
                  keep: bool = True) -> tuple[str, ...]:
        cached = self._cells.get(shot.id)
        if cached is not None:
            return cached
        source = self.storyboard_model()
        project = source.storyboard.project
        scene = source.storyboard.scene_of(shot.id)
        names = {c.id: c.name for c in project.characters}
        model, cost, _ = money if money is not None else self._model_and_cost(shot)
        values = {
            "number": shot.number, "scene": scene_title(scene) if scene is not None else "",
            "size": shot.size.value, "angle": shot.angle.value, "movement": shot.movement.value,
            "lens": f"{shot.lens_mm} mm" if shot.lens_mm else "", "duration": f"{shot.duration_s:g} s",
            "aspect": shot.aspect, "model": model,
            "status": take_status(shot.takes[-1] if shot.takes else None),
            "frame": frame_cell(shot),
            "cost": cost, "characters": ", ".join(names.get(c, "?") for c in shot.character_ids),
            "notes": " ".join(shot.notes.split()),
        }
        for name in LAYER_NAMES:
            values[name] = " ".join(getattr(shot.layers, name).split())
        cells = tuple(values[k] for k in COLUMN_KEYS)
        if keep:
            self._cells[shot.id] = cells
        return cells

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        entry = self._entries[index.row()]
        source = self.storyboard_model()
        if entry.is_header:
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                scene = source.storyboard.project.scenes[entry.scene_order]
                total = sum(s.duration_s for s in scene.shots)
                return f"{scene_title(scene)}    ·    {len(scene.shots)} shots · {total:g} s"
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QPalette().color(QPalette.ColorRole.AlternateBase))
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells_of(source.shot_at(entry.row))[index.column()]
        if role == Qt.ItemDataRole.EditRole:
            return edit_value(source.shot_at(entry.row), COLUMNS[index.column()])
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[index.column()].key in ("notes", *LAYER_NAMES):
            return self._cells_of(source.shot_at(entry.row))[index.column()] or None
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[index.column()].key == "frame":
            return frame_tooltip(source.shot_at(entry.row), source.project_dir)
        if role == Qt.ItemDataRole.ForegroundRole and COLUMNS[index.column()].key == "status":
            shot = source.shot_at(entry.row)
            if shot.takes and shot.takes[-1].state.value in ("failed", "unknown"):
                return QBrush(QColor("#c8553d"))
        return None


    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        # Module constants: ``|`` on Python enums is slow enough to show in a paint of 700 cells.
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        if self._entries[index.row()].is_header:
            return HEADER_FLAGS
        return EDITABLE_FLAGS if COLUMNS[index.column()].field is not None else SHOT_FLAGS

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.edit_handler is None:
            return False
        shot = self.shot_at(index.row())
        column = COLUMNS[index.column()]
        if shot is None or column.field is None:
            return False
        if column.key == "lens":
            value = int(value) or None
        elif column.key == "duration":
            value = float(value)
            if value <= 0:
                return False
        elif column.key == "number":
            value = str(value).strip()
            taken = {s.number for s in self.storyboard_model().storyboard.shots() if s.id != shot.id}
            if not value or value in taken:
                return False  # two shots never share a number
        elif column.choices and value not in column.choices:
            return False
        if edit_value(shot, column) == value:
            return True
        self.edit_handler(shot.id, {column.field: value}, f"Set {column.title.lower().rstrip('.')}")
        return True

    # ------------------------------------------------------------------ drag and drop

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [SHOT_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        source = self.storyboard_model()
        rows = {self._entries[i.row()].row for i in indexes if i.isValid()} - {-1}
        return source.mimeData([source.index(r, 0) for r in sorted(rows)])

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: ModelIndex) -> bool:
        return data.hasFormat(SHOT_IDS_MIME) and self.is_film_order

    def drop_place(self, row: int, after: bool) -> tuple[str, int] | None:
        """(scene id, index in the scene as it stands) for a drop on table ``row`` (-1: past the end)."""
        scenes = self.storyboard_model().storyboard.project.scenes
        if not scenes:
            return None
        if row < 0 or row >= len(self._entries):
            return scenes[-1].id, len(scenes[-1].shots)
        entry = self._entries[row]
        scene = scenes[entry.scene_order]
        if entry.is_header:
            return scene.id, 0
        start = self.storyboard_model().storyboard.scene_start_row(scene.id)
        return scene.id, entry.row - start + (1 if after else 0)
