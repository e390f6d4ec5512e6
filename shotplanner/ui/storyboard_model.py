"""The Qt list model over the core storyboard: a thin adapter that owns no document data.

Flow: an undo command calls a ``Storyboard`` operation → the storyboard emits ``*ing``/``*ed`` events →
this model turns each into the matching Qt signal (begin/end Insert/Remove rows, layout change, data
change, reset) → views repaint. ``data()`` reads the core shot at the row; the only thing kept here is a
cache of *derived* values (lint count, resolved model, scene of a row) that would be too slow to compute
on every paint of a 5,000-shot storyboard. The cache is dropped for a shot whenever the core says it
changed.

Drag and drop (after napari's ``qt_list_model``): ``mimeData`` packs the dragged shot ids under a
private MIME type; ``dropMimeData`` accepts only that type (or image files dropped on a card) and asks
for a core move through :attr:`move_handler`, which the window points at an undo command. Qt's generic
``removeRows`` is deliberately *not* implemented, so a MoveAction drag can never make the view delete
the source rows behind the core's back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from shotplanner.core import events as ev
from shotplanner.core.confine import inside
from shotplanner.core.models import JobState, Scene, Shot, Take
from shotplanner.core.storyboard import Storyboard

if TYPE_CHECKING:
    from shotplanner.core.catalog import Catalog
    from shotplanner.ui.thumbnails import ThumbnailCache

SHOT_IDS_MIME = "application/x-shotplanner-shot-ids"

# Custom roles: module constants, read by the card delegate and by tests.
ShotRole = Qt.ItemDataRole.UserRole + 1
ShotIdRole = Qt.ItemDataRole.UserRole + 2
SceneRole = Qt.ItemDataRole.UserRole + 3
SceneStartRole = Qt.ItemDataRole.UserRole + 4  # True on the first shot of a scene
SceneIndexRole = Qt.ItemDataRole.UserRole + 5  # 0-based scene order, for alternating bands
InsightRole = Qt.ItemDataRole.UserRole + 6  # ShotInsight (model badge, lint count)
TakeRole = Qt.ItemDataRole.UserRole + 7  # the newest take (state + progress), or None
ThumbnailRole = Qt.ItemDataRole.UserRole + 8  # QPixmap or None while it is being made

ModelIndex = QModelIndex | QPersistentModelIndex
CARD_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled
              | Qt.ItemFlag.ItemIsDragEnabled)


@dataclass(frozen=True, slots=True)
class ShotInsight:
    """What the card shows that is computed from the shot rather than stored in it."""

    model_label: str  # short name of the chosen (or recommended) model; "" when none fits
    model_retired: bool
    overridden: bool  # the user picked the model
    lint_warnings: int


@dataclass(frozen=True, slots=True)
class CardData:
    """Everything one card paints, fetched in one Python call (see :meth:`StoryboardModel.card`)."""

    shot: Shot
    scene: Scene
    scene_start: bool
    scene_order: int
    insight: ShotInsight
    take: Take | None
    thumbnail: Any  # QPixmap or None


MoveHandler = Callable[[list[str], int], None]
SceneMoveHandler = Callable[[list[str], str, int], None]


class StoryboardModel(QAbstractListModel):
    """One row per shot, in storyboard order (scenes flattened)."""

    #: Image files were dropped on a card: (shot id, file paths). The window imports them.
    imagesDropped = Signal(str, list)
    #: Scene headings or numbers changed (no row moved): views redraw their scene headers.
    scenesChanged = Signal()

    def __init__(
        self,
        storyboard: Storyboard,
        *,
        catalog: Catalog | None = None,
        thumbnails: ThumbnailCache | None = None,
        project_dir: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._sb = storyboard
        self.catalog = catalog
        self.project_dir = project_dir
        self._thumbs = thumbnails
        self._insights: dict[str, ShotInsight] = {}
        self._scene_rows: list[tuple[int, int, Scene]] | None = None  # (start, scene index, scene)
        self._persistent: list[QModelIndex] = []
        # Views ask rowCount() thousands of times per layout; the count changes only on the events below.
        self._count = len(storyboard)
        self._persistent_ids: list[str | None] = []
        #: Called with (shot ids, drop row) for a drop; the window sets it to push an undo command.
        self.move_handler: MoveHandler = self._move_without_undo
        #: Called with (shot ids, scene id, index among the shots that stay) for a drop in a scene.
        self.scene_move_handler: SceneMoveHandler = self._move_to_scene_without_undo
        storyboard.events.connect(self._on_event)
        if thumbnails is not None:
            thumbnails.ready.connect(self._on_thumbnail_ready)

    @property
    def storyboard(self) -> Storyboard:
        return self._sb

    def detach(self) -> None:
        """Stop listening to the core (the window is closing)."""
        try:
            self._sb.events.disconnect(self._on_event)
        except ValueError:
            pass

    # ------------------------------------------------------------------ Reimplemented Qt functions

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._count

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._sb):
            return None
        shot = self._sb.shot_at(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{shot.number}  {shot.size.value}  {shot.duration_s:g}s"
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(shot)
        if role == ShotRole:
            return shot
        if role == ShotIdRole:
            return shot.id
        if role in (SceneRole, SceneStartRole, SceneIndexRole):
            start, order, scene = self._scene_for_row(index.row())
            if role == SceneRole:
                return scene
            if role == SceneStartRole:
                return start == index.row()
            return order
        if role == InsightRole:
            return self.insight(shot)
        if role == TakeRole:
            return shot.takes[-1] if shot.takes else None
        if role == ThumbnailRole:
            return self._thumbnail(shot)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        # Module constants: the selection model asks once per selected row after every move, and ``|`` on
        # Python enums is slow enough to show up in a 100-shot move.
        return CARD_FLAGS if index.isValid() else Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [SHOT_IDS_MIME, "text/uri-list"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        ids = [self._sb.shot_at(r).id for r in rows]
        mime = QMimeData()
        mime.setData(SHOT_IDS_MIME, json.dumps(ids).encode())
        mime.setText(" ".join(self._sb.shot_at(r).number for r in rows))
        return mime

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: ModelIndex
    ) -> bool:
        return data.hasFormat(SHOT_IDS_MIME) or (data.hasUrls() and parent.isValid())

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: ModelIndex
    ) -> bool:
        """A drop between cards (``row``) or on a card (``parent``)."""
        if data.hasFormat(SHOT_IDS_MIME):
            if action not in (Qt.DropAction.MoveAction, Qt.DropAction.CopyAction):
                return False
            ids = shot_ids_from_mime(data)
            known = [i for i in ids if self._has(i)]
            if not known:
                return False
            if row < 0:
                # Dropped onto a card: land before it; dropped on empty space: at the end.
                row = parent.row() if parent.isValid() else len(self._sb)
            self.move_handler(known, row)
            return True
        if data.hasUrls() and parent.isValid():
            paths = [Path(u.toLocalFile()) for u in data.urls() if u.isLocalFile()]
            if paths:
                self.imagesDropped.emit(self._sb.shot_at(parent.row()).id, paths)
                return True
        return False

    def drop_in_scene(self, data: QMimeData, scene_id: str, index: int) -> bool:
        """Dragged shots dropped at ``index`` of a scene, counted among its shots as they stand now.

        The index the handler gets counts only the shots that stay (dragged shots already in the scene
        are taken out first), so dropping a card right after itself changes nothing.
        """
        ids = [i for i in shot_ids_from_mime(data) if self._has(i)]
        scene = self._sb.find_scene(scene_id)
        if not ids or scene is None:
            return False
        moving = set(ids)
        staying = sum(1 for s in scene.shots[:max(index, 0)] if s.id not in moving)
        self.scene_move_handler(ids, scene_id, staying)
        return True

    # ------------------------------------------------------------------ Non-Qt methods

    def shot_at(self, row: int) -> Shot:
        return self._sb.shot_at(row)

    def row_of(self, shot_id: str) -> int:
        return self._sb.row_of(shot_id)

    def index_of(self, shot_id: str) -> QModelIndex:
        return self.index(self._sb.row_of(shot_id), 0)

    def set_catalog(self, catalog: Catalog | None) -> None:
        self.catalog = catalog
        self._refresh_all()

    def set_project_dir(self, folder: Path | None) -> None:
        self.project_dir = folder
        self._refresh_all()

    def card(self, row: int) -> CardData:
        """What the delegate paints for ``row``.

        The delegate calls this instead of ``index.data(role)``: PySide6 6.12 on Python 3.11 drops a
        reference to ``None`` each time ``QModelIndex.data()`` hands an empty value back to Python,
        which crashes the interpreter after enough paints. One direct call is also cheaper.
        """
        shot = self._sb.shot_at(row)
        start, order, scene = self._scene_for_row(row)
        return CardData(shot, scene, start == row, order, self.insight(shot),
                        shot.takes[-1] if shot.takes else None, self._thumbnail(shot))

    def insight(self, shot: Shot) -> ShotInsight:
        cached = self._insights.get(shot.id)
        if cached is None:
            cached = self._insights[shot.id] = compute_insight(shot, self._sb, self.catalog)
        return cached

    def _move_without_undo(self, shot_ids: list[str], row: int) -> None:
        self._sb.move_to_row(shot_ids, row)

    def _move_to_scene_without_undo(self, shot_ids: list[str], scene_id: str, index: int) -> None:
        self._sb.move_shots(shot_ids, scene_id, index)

    def _has(self, shot_id: str) -> bool:
        try:
            self._sb.row_of(shot_id)
        except ValueError:
            return False
        return True

    def _scene_for_row(self, row: int) -> tuple[int, int, Scene]:
        if self._scene_rows is None:
            table: list[tuple[int, int, Scene]] = []
            start = 0
            for order, scene in enumerate(self._sb.project.scenes):
                if scene.shots:
                    table.append((start, order, scene))
                start += len(scene.shots)
            self._scene_rows = table
        # Binary search: the last scene starting at or before ``row``.
        lo, hi = 0, len(self._scene_rows) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._scene_rows[mid][0] <= row:
                lo = mid
            else:
                hi = mid - 1
        return self._scene_rows[lo]

    def _thumbnail(self, shot: Shot) -> Any:
        if self._thumbs is None or self.project_dir is None:
            return None
        rel = thumbnail_source(shot)
        path = inside(self.project_dir, rel)
        if path is None:
            return None
        return self._thumbs.get(path)

    def _on_thumbnail_ready(self, path: str) -> None:
        if self.project_dir is None:
            return
        for row in range(len(self._sb)):
            rel = thumbnail_source(self._sb.shot_at(row))
            if rel is not None and str(self.project_dir / rel) == path:
                idx = self.index(row, 0)
                self.dataChanged.emit(idx, idx, [ThumbnailRole])

    def _refresh_all(self) -> None:
        self._insights.clear()
        if len(self._sb):
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._sb) - 1, 0))

    def _on_event(self, event: ev.Event) -> None:
        match event:
            case ev.ShotsInserting(row=row, count=count):
                self.beginInsertRows(QModelIndex(), row, row + count - 1)
            case ev.ShotsInserted():
                self._scene_rows = None
                self._count = len(self._sb)
                self.endInsertRows()
            case ev.ShotsRemoving(row=row, count=count):
                for r in range(row, row + count):
                    self._insights.pop(self._sb.shot_at(r).id, None)
                self.beginRemoveRows(QModelIndex(), row, row + count - 1)
            case ev.ShotsRemoved():
                self._scene_rows = None
                self._count = len(self._sb)
                self.endRemoveRows()
            case ev.ShotsReordering():
                self.layoutAboutToBeChanged.emit()
                # Persistent indexes (selection, current) follow their shot, not their old row.
                self._persistent = self.persistentIndexList()
                self._persistent_ids = [
                    self._sb.shot_at(i.row()).id if 0 <= i.row() < len(self._sb) else None
                    for i in self._persistent
                ]
            case ev.ShotsReordered():
                self._scene_rows = None
                new = [
                    self.index(self._sb.row_of(sid), 0) if sid is not None else QModelIndex()
                    for sid in self._persistent_ids
                ]
                self.changePersistentIndexList(self._persistent, new)
                self._persistent, self._persistent_ids = [], []
                self.layoutChanged.emit()
            case ev.ShotChanged(row=row, shot_id=shot_id) as changed:
                if not changed.only_takes:
                    self._insights.pop(shot_id, None)
                idx = self.index(row, 0)
                self.dataChanged.emit(idx, idx)
            case ev.ResetStarting():
                self.beginResetModel()
            case ev.ResetDone():
                self._insights.clear()
                self._scene_rows = None
                self._count = len(self._sb)
                self.endResetModel()
            case ev.ProjectChanged():
                # Scene headings or characters: every card may show something different.
                self._scene_rows = None
                self._refresh_all()
                self.scenesChanged.emit()


def shot_ids_from_mime(data: QMimeData) -> list[str]:
    try:
        ids = json.loads(bytes(data.data(SHOT_IDS_MIME).data()).decode())
    except (ValueError, UnicodeDecodeError):
        return []
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def thumbnail_source(shot: Shot) -> str | None:
    """The picture a card shows: the circled frame, the cut take's poster, a frame, a reference image."""
    from shotplanner.core.frames import storyboard_picture

    return storyboard_picture(shot)


def compute_insight(shot: Shot, storyboard: Storyboard, catalog: Catalog | None) -> ShotInsight:
    from shotplanner.core.lint import lint_shot
    from shotplanner.core.recommend import resolve_model

    project = storyboard.project
    model = None
    if catalog is not None:
        try:
            model = resolve_model(shot, project, catalog)
        except Exception:  # a broken catalog entry must not break painting; the picker explains it
            model = None
    label = model.name if model is not None else (shot.model_id or "")
    warnings = [i for i in lint_shot(shot, project, model) if i.severity == "warning"]
    return ShotInsight(
        model_label=label,
        model_retired=bool(model is not None and not model.is_live),
        overridden=shot.model_id is not None,
        lint_warnings=len(warnings),
    )


def take_status(take: Take | None) -> str:
    """A short card label for the newest take."""
    if take is None:
        return ""
    if take.state is JobState.RUNNING:
        return f"running {take.progress:.0%}"
    return take.state.value


def _tooltip(shot: Shot) -> str:
    parts = [f"Shot {shot.number} — {shot.size.label}, {shot.duration_s:g} s"]
    for name, text in shot.layers.items():
        if text:
            parts.append(f"{name}: {text}")
    return "\n".join(parts)
