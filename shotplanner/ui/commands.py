"""Undo commands: each calls one core storyboard operation and, to undo, its inverse.

Commands never touch widgets: the views follow the core through the item model's signals. Each core
operation returns what its inverse needs (old values, old placements, removed shots), so a command only
keeps that return value. Re-doing after an undo replays the *recorded result* (placements, restored
shots) rather than recomputing it, so redo lands exactly where the first do did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from shotplanner.core.models import Scene, Shot
from shotplanner.core.split import SplitRecord, resplit, split_shot, unsplit
from shotplanner.core.storyboard import Placement, RemovedShot, Storyboard

#: ``QUndoCommand.id()`` for field edits that may merge (typing in one layer becomes one undo step).
UPDATE_SHOT_ID = 1001


class AddShotsCommand(QUndoCommand):
    """Insert new shots (blank, from a template, from an import) into a scene at ``index``."""

    def __init__(self, sb: Storyboard, shots: list[Shot], scene_id: str, index: int | None,
                 text: str) -> None:
        super().__init__(text)
        self._sb = sb
        self._shots = shots
        self._scene_id = scene_id
        self._index = index
        self._removed: list[RemovedShot] | None = None

    @property
    def shot_ids(self) -> list[str]:
        return [s.id for s in self._shots]

    def redo(self) -> None:
        if self._removed is not None:
            self._sb.restore_shots(self._removed)
            return
        start = self._index
        for offset, shot in enumerate(self._shots):
            self._sb.insert_shot(shot, self._scene_id, None if start is None else start + offset)

    def undo(self) -> None:
        self._removed = self._sb.remove_shots(self.shot_ids)


class RemoveShotsCommand(QUndoCommand):
    def __init__(self, sb: Storyboard, shot_ids: list[str]) -> None:
        n = len(shot_ids)
        super().__init__(f"Delete {n} shots" if n > 1 else "Delete shot")
        self._sb = sb
        self._ids = list(shot_ids)
        self._removed: list[RemovedShot] = []

    def redo(self) -> None:
        self._removed = self._sb.remove_shots(self._ids)

    def undo(self) -> None:
        self._sb.restore_shots(self._removed)


class DuplicateShotsCommand(QUndoCommand):
    def __init__(self, sb: Storyboard, shot_ids: list[str]) -> None:
        super().__init__("Duplicate shots" if len(shot_ids) > 1 else "Duplicate shot")
        self._sb = sb
        self._ids = list(shot_ids)
        self.new_ids: list[str] = []
        self._removed: list[RemovedShot] | None = None

    def redo(self) -> None:
        if self._removed is None:
            self.new_ids = self._sb.duplicate_shots(self._ids)
        else:
            self._sb.restore_shots(self._removed)

    def undo(self) -> None:
        self._removed = self._sb.remove_shots(self.new_ids)


class _MoveCommand(QUndoCommand):
    """Shared redo/undo for moves: remember where the shots were and where they went."""

    def __init__(self, sb: Storyboard, text: str, first_move: Callable[[], list[Placement] | None]) -> None:
        super().__init__(text)
        self._sb = sb
        self._first_move = first_move  # the core operation; it returns the old placements
        self._before: list[Placement] = []
        self._after: list[Placement] | None = None

    def redo(self) -> None:
        if self._after is not None:
            self._sb.restore_placements(self._after)
            return
        before = self._first_move()
        if before is None or [self._sb.placement(p.shot_id) for p in before] == before:
            # Nothing moved (top of the board, dropped onto itself): keep it off the undo stack.
            self.setObsolete(True)
            self._before = before or []
        else:
            self._before = before
        self._after = [self._sb.placement(p.shot_id) for p in self._before]

    def undo(self) -> None:
        self._sb.restore_placements(self._before)


class MoveShotsCommand(_MoveCommand):
    """A drag: move the shots so they land before flat row ``row``."""

    def __init__(self, sb: Storyboard, shot_ids: list[str], row: int) -> None:
        ids = list(shot_ids)
        super().__init__(sb, "Move shots" if len(ids) > 1 else "Move shot", lambda: sb.move_to_row(ids, row))


class StepShotsCommand(_MoveCommand):
    """Ctrl+Up/Down: shift the selected shots one row, across scene borders."""

    def __init__(self, sb: Storyboard, shot_ids: list[str], delta: int) -> None:
        ids = list(shot_ids)
        super().__init__(sb, "Move shots up" if delta < 0 else "Move shots down",
                         lambda: sb.step_shots(ids, delta))


class UpdateShotCommand(QUndoCommand):
    """Set fields of one shot (dotted names reach layers: ``layers.camera``).

    With a ``merge_key``, consecutive edits of the same fields with the same key merge into one step —
    the form passes one key per typing session in a layer, so a typed sentence undoes at once.
    """

    def __init__(
        self, sb: Storyboard, shot_id: str, fields: dict[str, Any], text: str = "Edit shot",
        merge_key: str | None = None,
    ) -> None:
        super().__init__(text)
        self._sb = sb
        self.shot_id = shot_id
        self.fields = dict(fields)
        self.merge_key = merge_key
        self._old: dict[str, Any] | None = None

    def id(self) -> int:
        return UPDATE_SHOT_ID if self.merge_key is not None else -1

    def redo(self) -> None:
        old = self._sb.update_shot(self.shot_id, **self.fields)
        if self._old is None:
            self._old = old

    def undo(self) -> None:
        assert self._old is not None
        self._sb.update_shot(self.shot_id, **self._old)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, UpdateShotCommand):
            return False
        mine = (self.shot_id, self.merge_key, set(self.fields))
        if (other.shot_id, other.merge_key, set(other.fields)) != mine:
            return False
        self.fields = dict(other.fields)
        # Typing back to where it started leaves nothing to undo.
        self.setObsolete(self._old == self.fields)
        return True


class RenumberCommand(QUndoCommand):
    """Wraps a renumber the storyboard has already done (``old``: shot id → previous number)."""

    def __init__(self, sb: Storyboard, old: dict[str, str]) -> None:
        super().__init__("Renumber shots")
        self._sb = sb
        self._old = dict(old)
        self._new = {sid: sb.shot(sid).number for sid in old}

    def redo(self) -> None:
        self._sb.set_numbers(self._new)  # a no-op the first time: the numbers are already set

    def undo(self) -> None:
        self._sb.set_numbers(self._old)


class SplitShotCommand(QUndoCommand):
    """Split a long shot into segments chained by frame (``core.split``), as one undo step."""

    def __init__(self, sb: Storyboard, shot_id: str, segments: list[float], model_id: str | None) -> None:
        super().__init__(f"Split shot into {len(segments)} segments")
        self._sb = sb
        self._shot_id = shot_id
        self._segments = list(segments)
        self._model_id = model_id
        self.record: SplitRecord | None = None
        self._removed: list[RemovedShot] | None = None

    def redo(self) -> None:
        if self.record is None:
            self.record = split_shot(self._sb, self._shot_id, self._segments, self._model_id)
        else:
            assert self._removed is not None
            resplit(self._sb, self.record, self._removed)

    def undo(self) -> None:
        assert self.record is not None
        self._removed = unsplit(self._sb, self.record)


class MoveShotsToSceneCommand(_MoveCommand):
    """A drop in the storyboard: move the shots to ``index`` among the other shots of ``scene_id``.

    A drop names a scene, not only a flat row: after the last card of scene 1 and before the first card
    of scene 2 are one flat row but two places (and an empty scene has no row at all).
    """

    def __init__(self, sb: Storyboard, shot_ids: list[str], scene_id: str, index: int) -> None:
        ids = list(shot_ids)
        super().__init__(sb, "Move shots" if len(ids) > 1 else "Move shot",
                         lambda: sb.move_shots(ids, scene_id, index))


class AddSceneCommand(QUndoCommand):
    """Insert a scene (empty, or with its shots) at ``index`` of the scene list."""

    def __init__(self, sb: Storyboard, scene: Scene, index: int | None = None) -> None:
        super().__init__("Add scene")
        self._sb = sb
        self.scene = scene
        self._index = len(sb.project.scenes) if index is None else index

    def redo(self) -> None:
        self._sb.add_scene(self.scene, self._index)

    def undo(self) -> None:
        self._sb.remove_scene(self.scene.id)


class RemoveSceneCommand(QUndoCommand):
    """Remove a scene and its shots; undo puts the scene back where it was, shots and all."""

    def __init__(self, sb: Storyboard, scene_id: str) -> None:
        super().__init__("Remove scene")
        self._sb = sb
        self._scene_id = scene_id
        self._removed: tuple[int, Scene] | None = None

    def redo(self) -> None:
        self._removed = self._sb.remove_scene(self._scene_id)

    def undo(self) -> None:
        assert self._removed is not None
        index, scene = self._removed
        self._sb.add_scene(scene, index)


class MoveSceneCommand(QUndoCommand):
    def __init__(self, sb: Storyboard, scene_id: str, index: int) -> None:
        super().__init__("Move scene")
        self._sb = sb
        self._scene_id = scene_id
        self._index = index
        self._old: int | None = None

    def redo(self) -> None:
        self._old = self._sb.move_scene(self._scene_id, self._index)
        if self._old == self._sb.scene_index(self._scene_id):
            self.setObsolete(True)

    def undo(self) -> None:
        assert self._old is not None
        self._sb.move_scene(self._scene_id, self._old)


class EditSceneCommand(QUndoCommand):
    """Set scene fields (the heading, typed in place on the scene's header)."""

    def __init__(self, sb: Storyboard, scene_id: str, fields: dict[str, Any],
                 text: str = "Edit scene") -> None:
        super().__init__(text)
        self._sb = sb
        self._scene_id = scene_id
        self._fields = dict(fields)
        self._old: dict[str, Any] | None = None

    def redo(self) -> None:
        old = self._sb.update_scene(self._scene_id, **self._fields)
        if self._old is None:
            self._old = old

    def undo(self) -> None:
        assert self._old is not None
        self._sb.update_scene(self._scene_id, **self._old)


class RenumberScenesCommand(QUndoCommand):
    """Number the scenes 1, 2, 3… in film order (shot numbers are a separate step)."""

    def __init__(self, sb: Storyboard) -> None:
        super().__init__("Renumber scenes")
        self._sb = sb
        self._old: dict[str, str] = {}
        self._new: dict[str, str] = {}

    def redo(self) -> None:
        if self._new:
            self._sb.set_scene_numbers(self._new)
            return
        self._old = self._sb.renumber_scenes()
        self._new = {sid: self._sb.scene(sid).number for sid in self._old}
        if not self._old:
            self.setObsolete(True)

    def undo(self) -> None:
        self._sb.set_scene_numbers(self._old)
