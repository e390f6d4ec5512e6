"""The shot-list table: one row per shot with crew columns, scene header rows, sorting, inline editing.

:class:`ShotTableModel` is a proxy over the same :class:`StoryboardModel` the cards show — it holds no
shot data, only the order of its rows (film order with a header row per scene, or a sorted order of the
shots) and a cache of the strings each visible row shows, dropped whenever the source says a shot
changed. Sorting orders the *view*; the film order is untouched (the ``Film order`` button goes back).
An edit in a cell goes to :attr:`ShotTableModel.edit_handler`, which the window points at an undo
command, so the table, the cards and the form follow the core together.

Dragging rows reorders shots as the cards do (one undo step), while the table shows film order: a drop on
a scene header row puts the shots at the start of that scene, on the upper or lower half of a shot row
before or after it.

The table's ``customContextMenuRequested`` is left for the window's context menus (cut/copy/paste).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QItemSelection,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QHideEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shotplanner.core.models import ASPECT_RATIOS, LAYER_NAMES, Angle, Movement, Shot, ShotSize
from shotplanner.ui.card_delegate import scene_title
from shotplanner.ui.storyboard_model import SHOT_IDS_MIME, StoryboardModel, take_status

ModelIndex = QModelIndex | QPersistentModelIndex
#: Called with (shot id, {field: value}, undo text) for an edit typed in a cell.
EditHandler = Callable[[str, dict[str, Any], str], None]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int
    field: str | None = None  # the shot field an edit sets; None: read-only
    choices: tuple[str, ...] = ()  # an edit picks one of these
    hidden: bool = False  # hidden until the user shows it


COLUMNS: tuple[Column, ...] = (
    Column("number", "No.", 56, "number"),
    Column("scene", "Scene", 130),
    Column("size", "Size", 60, "size", tuple(s.value for s in ShotSize)),
    Column("angle", "Angle", 92, "angle", tuple(a.value for a in Angle)),
    Column("movement", "Movement", 100, "movement", tuple(m.value for m in Movement)),
    Column("lens", "Lens", 60, "lens_mm"),
    Column("duration", "Dur.", 56, "duration_s"),
    Column("aspect", "Aspect", 64, "aspect", tuple(ASPECT_RATIOS)),
    Column("model", "Model", 130),
    Column("status", "Status", 96),
    Column("frame", "Frame", 80),  # the storyboard frame: "◯ circled", or how many; hover shows it
    Column("cost", "Cost", 70),
    Column("characters", "Characters", 120),
    Column("notes", "Notes", 200, "notes"),
    *(Column(name, name.capitalize(), 200, f"layers.{name}", hidden=name not in ("subject", "action"))
      for name in LAYER_NAMES),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
STATUS_COLUMN = COLUMN_KEYS.index("status")
SETTINGS_KEY = "shotTable/hiddenColumns"
_NUMBER_PART = re.compile(r"(\d+)|(\D+)")
HEADER_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDropEnabled
SHOT_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
              | Qt.ItemFlag.ItemIsDropEnabled)
EDITABLE_FLAGS = SHOT_FLAGS | Qt.ItemFlag.ItemIsEditable
LEFT_VCENTER = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
#: Horizontal padding inside a cell (px).
CELL_PAD = 4


def number_key(number: str) -> tuple[tuple[int, int | str], ...]:
    """Film numbers in the order crews read them: 2 < 2A < 2B < 10 < 10A (not 10 < 2)."""
    return tuple((0, int(d)) if d else (1, t.upper()) for d, t in _NUMBER_PART.findall(number))


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
            return self._edit_value(source.shot_at(entry.row), COLUMNS[index.column()])
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[index.column()].key in ("notes", *LAYER_NAMES):
            return self._cells_of(source.shot_at(entry.row))[index.column()] or None
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[index.column()].key == "frame":
            return frame_tooltip(source.shot_at(entry.row), source.project_dir)
        if role == Qt.ItemDataRole.ForegroundRole and COLUMNS[index.column()].key == "status":
            shot = source.shot_at(entry.row)
            if shot.takes and shot.takes[-1].state.value in ("failed", "unknown"):
                return QBrush(QColor("#c8553d"))
        return None

    @staticmethod
    def _edit_value(shot: Shot, column: Column) -> Any:
        if column.field is None:
            return None
        owner: Any = shot
        parts = column.field.split(".")
        for part in parts[:-1]:
            owner = getattr(owner, part)
        value = getattr(owner, parts[-1])
        if column.key == "lens":
            return int(value or 0)
        return value.value if hasattr(value, "value") else value

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
        if self._edit_value(shot, column) == value:
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


class _EditDelegate(QStyledItemDelegate):
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
        self.setItemDelegate(_EditDelegate(self))
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


class ShotTable(QWidget):
    """The table with its bar: film order / sorted, and the column chooser (remembered in QSettings)."""

    def __init__(self, source: StoryboardModel, settings: QSettings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings if settings is not None else QSettings("Shotplanner", "Shotplanner")
        self.model = ShotTableModel(source, self)
        self.model.set_active(False)  # until the table is shown (showEvent)
        self.view = ShotTableView()
        self.view.setModel(self.model)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 4, 8, 4)
        self.order_label = QLabel()
        self.film_order_button = QPushButton("Film order")
        self.film_order_button.setToolTip("Show the shots in film order again, under their scenes")
        self.film_order_button.clicked.connect(self.show_film_order)
        self.columns_button = QToolButton()
        self.columns_button.setText("Columns")
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_menu = QMenu(self)
        self.column_actions: dict[str, QAction] = {}
        for i, column in enumerate(COLUMNS):
            action = self.columns_menu.addAction(column.title if column.key != "number" else "Number")
            action.setCheckable(True)
            action.toggled.connect(lambda on, i=i: self.set_column_visible(i, on))
            self.column_actions[column.key] = action
        self.columns_button.setMenu(self.columns_menu)
        bar.addWidget(self.order_label, 1)
        bar.addWidget(self.film_order_button)
        bar.addWidget(self.columns_button)
        lay.addLayout(bar)
        lay.addWidget(self.view)
        header = self.view.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(
            lambda pos: self.columns_menu.popup(header.mapToGlobal(pos)))
        header.sortIndicatorChanged.connect(self._sort_clicked)
        self.model.orderChanged.connect(self._order_changed)
        self._restore_columns()
        self._order_changed()

    def showEvent(self, event: QShowEvent) -> None:
        self.model.set_active(True)
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.model.set_active(False)

    # ------------------------------------------------------------------ columns

    def hidden_columns(self) -> list[str]:
        return [c.key for i, c in enumerate(COLUMNS) if self.view.isColumnHidden(i)]

    def set_column_visible(self, column: int, visible: bool) -> None:
        if visible == (not self.view.isColumnHidden(column)):
            return
        if not visible and len(self.hidden_columns()) >= len(COLUMNS) - 1:
            self.column_actions[COLUMNS[column].key].setChecked(True)  # keep one column showing
            return
        self.view.setColumnHidden(column, not visible)
        self._settings.setValue(SETTINGS_KEY, self.hidden_columns())

    def _restore_columns(self) -> None:
        stored = self._settings.value(SETTINGS_KEY)
        if isinstance(stored, str):
            stored = [stored] if stored else []
        hidden = set(stored) if isinstance(stored, list) else {c.key for c in COLUMNS if c.hidden}
        for i, column in enumerate(COLUMNS):
            self.view.setColumnHidden(i, column.key in hidden)
            action = self.column_actions[column.key]
            action.blockSignals(True)
            action.setChecked(column.key not in hidden)
            action.blockSignals(False)

    # ------------------------------------------------------------------ order

    def _sort_clicked(self, column: int, order: Qt.SortOrder) -> None:
        self.model.sort(column, order)

    def show_film_order(self) -> None:
        header = self.view.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)
        self.model.sort(-1)

    def _order_changed(self) -> None:
        sorted_ = not self.model.is_film_order
        self.film_order_button.setEnabled(sorted_)
        if sorted_:
            title = COLUMNS[self.model.sort_column].title
            self.order_label.setText(f"Sorted by {title} — the film order is unchanged")
        else:
            self.order_label.setText("Film order — drag rows to reorder, double-click a cell to edit")


def frame_cell(shot: Shot) -> str:
    """The Frame column: "◯ circled" when a frame is chosen, else how many frames the shot has."""
    if shot.circled_frame is not None:
        return "◯ circled"
    count = sum(1 for t in shot.takes if t.kind == "frame" and t.clip)
    return f"{count} frame{'s' if count != 1 else ''}" if count else ""


def frame_tooltip(shot: Shot, project_dir: Path | None) -> str | None:
    """The frame the cards show, as a picture in the tooltip (rich text reads the file itself)."""
    from html import escape

    from shotplanner.core.frames import storyboard_picture

    picture = storyboard_picture(shot)
    if project_dir is None or picture is None or not any(t.clip == picture for t in shot.takes):
        return None
    path = (Path(project_dir) / picture).resolve()
    if not path.is_relative_to(Path(project_dir).resolve()) or not path.is_file():
        return None
    return f'<img src="{escape(str(path))}" width="256">'
