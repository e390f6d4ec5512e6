"""The storyboard: every change to a project's shots goes through here and is announced.

Rows are flat indices over all shots in scene order. Each operation returns what its undo needs,
so the UI's undo commands stay thin (they call one operation and, to undo, its inverse).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from shotplanner.core import events as ev
from shotplanner.core.models import Character, Project, Scene, Shot, Take, TakeKind
from shotplanner.core.numbering import expected_numbers, next_free_number


class StoryboardError(ValueError):
    """An operation that names a shot, scene or take that is not there."""


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a shot stood: scene id and index inside that scene."""

    shot_id: str
    scene_id: str
    index: int


@dataclass(frozen=True, slots=True)
class RemovedShot:
    scene_id: str
    index: int
    shot: Shot


class Storyboard:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.events = ev.Emitter()
        self._flat: list[Shot] | None = None
        self._rows: dict[str, int] = {}
        # First flat row of each non-empty scene, and those scenes, in order: a placement is a
        # bisection away from a shot's row, so no per-shot table is rebuilt after every move.
        self._starts: list[int] = []
        self._start_scenes: list[Scene] = []

    # ----------------------------------------------------------------- reading

    def _index(self) -> list[Shot]:
        if self._flat is None:
            flat: list[Shot] = []
            starts: list[int] = []
            start_scenes: list[Scene] = []
            for scene in self.project.scenes:
                if scene.shots:
                    starts.append(len(flat))
                    start_scenes.append(scene)
                    flat.extend(scene.shots)
            self._flat = flat
            self._rows = {s.id: i for i, s in enumerate(flat)}
            self._starts, self._start_scenes = starts, start_scenes
        return self._flat

    def _scene_at_row(self, row: int) -> tuple[int, Scene]:
        """(first row, scene) of the scene holding flat ``row`` (the index must be current)."""
        k = bisect_right(self._starts, row) - 1
        return self._starts[k], self._start_scenes[k]

    def _scene_map(self) -> dict[str, tuple[int, Scene]]:
        """Scene id → (order, scene), for operations that look up many scenes at once."""
        return {scene.id: (i, scene) for i, scene in enumerate(self.project.scenes)}

    def _invalidate(self) -> None:
        self._flat = None

    def __len__(self) -> int:
        return len(self._index())

    def shots(self) -> list[Shot]:
        return list(self._index())

    def shot_at(self, row: int) -> Shot:
        return self._index()[row]

    def row_of(self, shot_id: str) -> int:
        self._index()
        try:
            return self._rows[shot_id]
        except KeyError:
            raise StoryboardError(f"no shot with id {shot_id!r}") from None

    def shot(self, shot_id: str) -> Shot:
        return self._index()[self.row_of(shot_id)]

    def find(self, shot_id: str | None) -> Shot | None:
        """The shot, or ``None`` when there is no such shot (any more): panels showing a deleted shot."""
        if shot_id is None:
            return None
        try:
            return self.shot(shot_id)
        except StoryboardError:
            return None

    def scene(self, scene_id: str) -> Scene:
        for scene in self.project.scenes:
            if scene.id == scene_id:
                return scene
        raise StoryboardError(f"no scene with id {scene_id!r}")

    def find_scene(self, scene_id: str | None) -> Scene | None:
        """The scene, or ``None`` when there is no such scene (any more)."""
        return next((s for s in self.project.scenes if s.id == scene_id), None)

    def scene_of(self, shot_id: str) -> Scene:
        return self._scene_at_row(self.row_of(shot_id))[1]

    def placement(self, shot_id: str) -> Placement:
        row = self.row_of(shot_id)
        start, scene = self._scene_at_row(row)
        return Placement(shot_id, scene.id, row - start)

    def scene_start_row(self, scene_id: str) -> int:
        row = 0
        for scene in self.project.scenes:
            if scene.id == scene_id:
                return row
            row += len(scene.shots)
        raise StoryboardError(f"no scene with id {scene_id!r}")

    def target_for_row(self, row: int, moving: set[str] | None = None) -> tuple[str, int]:
        """Map a flat drop row to (scene id, index among the shots that stay).

        A drop lands before the first shot at or after ``row`` that is not itself moving; past the
        end it lands at the end of the last scene.
        """
        moving = moving or set()
        flat = self._index()
        for r in range(max(row, 0), len(flat)):
            anchor = flat[r]
            if anchor.id in moving:
                continue
            scene = self.scene_of(anchor.id)
            staying = [s for s in scene.shots if s.id not in moving]
            return scene.id, next(i for i, s in enumerate(staying) if s.id == anchor.id)
        if not self.project.scenes:
            raise StoryboardError("the project has no scene to drop into")
        last = self.project.scenes[-1]
        return last.id, len([s for s in last.shots if s.id not in moving])

    def _taken_numbers(self) -> set[str]:
        return {s.number for s in self._index()}

    # ----------------------------------------------------------------- structure

    def insert_shot(self, shot: Shot, scene_id: str, index: int | None = None) -> int:
        """Insert ``shot`` into a scene (at the end by default); a shot without number gets one."""
        scene = self.scene(scene_id)
        index = len(scene.shots) if index is None else max(0, min(index, len(scene.shots)))
        if not shot.number or shot.number in self._taken_numbers():
            shot.number = next_free_number(scene, index, self._taken_numbers())
        row = self.scene_start_row(scene_id) + index
        self.events.emit(ev.ShotsInserting(row, 1))
        scene.shots.insert(index, shot)
        self._invalidate()
        self.events.emit(ev.ShotsInserted(row, 1))
        return row

    def restore_shots(self, removed: list[RemovedShot]) -> None:
        """Put back shots returned by :meth:`remove_shots` (its inverse)."""
        for item in sorted(removed, key=lambda r: (self._scene_order(r.scene_id), r.index)):
            scene = self.scene(item.scene_id)
            index = min(item.index, len(scene.shots))
            row = self.scene_start_row(item.scene_id) + index
            self.events.emit(ev.ShotsInserting(row, 1))
            scene.shots.insert(index, item.shot)
            self._invalidate()
            self.events.emit(ev.ShotsInserted(row, 1))

    def _scene_order(self, scene_id: str) -> int:
        return next(i for i, s in enumerate(self.project.scenes) if s.id == scene_id)

    def scene_index(self, scene_id: str) -> int:
        """Where the scene stands in the scene list."""
        for i, scene in enumerate(self.project.scenes):
            if scene.id == scene_id:
                return i
        raise StoryboardError(f"no scene with id {scene_id!r}")

    def remove_shots(self, shot_ids: list[str]) -> list[RemovedShot]:
        """Remove shots; returns them with their places, in storyboard order, for undo."""
        rows = sorted({self.row_of(i) for i in shot_ids})
        removed: list[RemovedShot] = []
        for row in reversed(rows):
            shot = self._index()[row]
            placement = self.placement(shot.id)
            self.events.emit(ev.ShotsRemoving(row, 1))
            del self.scene(placement.scene_id).shots[placement.index]
            self._invalidate()
            self.events.emit(ev.ShotsRemoved(row, 1))
            removed.append(RemovedShot(placement.scene_id, placement.index, shot))
        removed.reverse()
        return removed

    def duplicate_shots(self, shot_ids: list[str]) -> list[str]:
        """Copy each shot (without its takes) right after the original; returns the new ids."""
        new_ids: list[str] = []
        for shot_id in sorted(set(shot_ids), key=self.row_of):
            original = self.shot(shot_id)
            place = self.placement(shot_id)
            copy = original.model_copy(deep=True, update={"takes": []})
            copy.id = Shot().id
            copy.number = ""
            self.insert_shot(copy, place.scene_id, place.index + 1)
            new_ids.append(copy.id)
        return new_ids

    def move_shots(self, shot_ids: list[str], scene_id: str, index: int) -> list[Placement]:
        """Move shots, keeping their storyboard order, to ``index`` among the target scene's other shots.

        Returns the old placements; :meth:`restore_placements` undoes the move.
        """
        target = self.scene(scene_id)
        wanted = set(shot_ids)
        flat = self._index()
        missing = sorted(i for i in wanted if i not in self._rows)
        if missing:
            raise StoryboardError(f"no shot with id {missing[0]!r}")
        moving = [flat[r] for r in sorted(self._rows[i] for i in wanted)]
        before = [self.placement(s.id) for s in moving]
        staying = [s for s in target.shots if s.id not in wanted]
        index = max(0, min(index, len(staying)))
        # Only the scenes that lose a shot are rewritten (a 100-shot drop must not walk every scene).
        touched = {p.scene_id for p in before}
        self.events.emit(ev.ShotsReordering())
        for scene in self.project.scenes:
            if scene.id in touched:
                scene.shots[:] = [s for s in scene.shots if s.id not in wanted]
        target.shots[index:index] = moving
        self._invalidate()
        self.events.emit(ev.ShotsReordered())
        return before

    def move_to_row(self, shot_ids: list[str], row: int) -> list[Placement]:
        """Move shots so they land before flat ``row`` (a drop position in the list view)."""
        scene_id, index = self.target_for_row(row, set(shot_ids))
        return self.move_shots(shot_ids, scene_id, index)

    def restore_placements(self, placements: list[Placement]) -> None:
        wanted = {p.shot_id for p in placements}
        flat = self._index()
        shots = {sid: flat[self._rows[sid]] for sid in wanted if sid in self._rows}
        scenes = self._scene_map()
        for p in placements:
            if p.scene_id not in scenes:
                raise StoryboardError(f"no scene with id {p.scene_id!r}")
        touched = {self.placement(sid).scene_id for sid in shots}
        self.events.emit(ev.ShotsReordering())
        for scene in self.project.scenes:
            if scene.id in touched:
                scene.shots[:] = [s for s in scene.shots if s.id not in wanted]
        ordered = sorted(placements, key=lambda p: (scenes[p.scene_id][0], p.index))
        for p in ordered:
            scenes[p.scene_id][1].shots.insert(p.index, shots[p.shot_id])
        self._invalidate()
        self.events.emit(ev.ShotsReordered())

    def step_shots(self, shot_ids: list[str], delta: int) -> list[Placement] | None:
        """Keyboard move (Ctrl+Up/Down): shift the selection one row, crossing scene borders."""
        rows = sorted(self.row_of(i) for i in shot_ids)
        if not rows:
            return None
        if delta < 0:
            if rows[0] == 0:
                return None
            return self.move_to_row(shot_ids, rows[0] - 1)
        if rows[-1] >= len(self) - 1:
            return None
        return self.move_to_row(shot_ids, rows[-1] + 2)

    # ----------------------------------------------------------------- scenes

    def add_scene(self, scene: Scene, index: int | None = None) -> None:
        index = len(self.project.scenes) if index is None else index
        self.events.emit(ev.ResetStarting())
        self.project.scenes.insert(index, scene)
        self._invalidate()
        self.events.emit(ev.ResetDone())

    def remove_scene(self, scene_id: str) -> tuple[int, Scene]:
        index = self._scene_order(scene_id) if any(s.id == scene_id for s in self.project.scenes) else -1
        if index < 0:
            raise StoryboardError(f"no scene with id {scene_id!r}")
        self.events.emit(ev.ResetStarting())
        scene = self.project.scenes.pop(index)
        self._invalidate()
        self.events.emit(ev.ResetDone())
        return index, scene

    def move_scene(self, scene_id: str, index: int) -> int:
        """Move a scene (with its shots) to ``index`` in the scene list; returns its old index."""
        old = self._scene_order(scene_id) if any(s.id == scene_id for s in self.project.scenes) else -1
        if old < 0:
            raise StoryboardError(f"no scene with id {scene_id!r}")
        index = max(0, min(index, len(self.project.scenes) - 1))
        if index == old:
            return old
        self.events.emit(ev.ResetStarting())
        scene = self.project.scenes.pop(old)
        self.project.scenes.insert(index, scene)
        self._invalidate()
        self.events.emit(ev.ResetDone())
        return old

    def renumber_scenes(self) -> dict[str, str]:
        """Number the scenes 1, 2, 3… in film order; returns scene id → old number (shots keep theirs).

        Shot numbers are left alone on purpose: renumbering shots is its own, separate step
        (:meth:`renumber`), as on a set where scene numbers are locked before shot numbers.
        """
        old: dict[str, str] = {}
        for i, scene in enumerate(self.project.scenes, 1):
            if scene.number != str(i):
                old[scene.id] = scene.number
                scene.number = str(i)
        if old:
            self.events.emit(ev.ProjectChanged("scenes"))
        return old

    def set_scene_numbers(self, numbers: dict[str, str]) -> None:
        for scene_id, number in numbers.items():
            self.scene(scene_id).number = number
        self.events.emit(ev.ProjectChanged("scenes"))

    def next_scene_number(self) -> str:
        """The smallest whole number no scene uses yet."""
        taken = {s.number for s in self.project.scenes}
        n = 1
        while str(n) in taken:
            n += 1
        return str(n)

    def update_scene(self, scene_id: str, **fields: Any) -> dict[str, Any]:
        scene = self.scene(scene_id)
        old = {k: getattr(scene, k) for k in fields}
        for k, v in fields.items():
            setattr(scene, k, v)
        self.events.emit(ev.ProjectChanged("scenes"))
        return old

    #: Project fields the settings dialog edits (the document's defaults for new shots, and the film's).
    PROJECT_FIELDS = frozenset({"title", "author", "credit", "draft_date", "fps", "aspect", "resolution"})

    def update_project(self, **fields: Any) -> dict[str, Any]:
        """Set project-level fields (title, frame rate, default aspect and resolution); returns the old."""
        unknown = set(fields) - self.PROJECT_FIELDS
        if unknown:
            raise StoryboardError(f"not a project setting: {', '.join(sorted(unknown))}")
        old = {k: getattr(self.project, k) for k in fields}
        try:
            for k, v in fields.items():
                setattr(self.project, k, v)  # validated on assignment: a bad value raises
        except ValueError:
            for k, v in old.items():
                setattr(self.project, k, v)
            raise
        self.events.emit(ev.ProjectChanged("settings"))
        return old

    def blank_shot(self) -> Shot:
        """A new shot with the project's defaults (frame rate, aspect, resolution)."""
        p = self.project
        return Shot(fps=p.fps, aspect=p.aspect, resolution=p.resolution)

    # ----------------------------------------------------------------- shot fields

    def update_shot(self, shot_id: str, **fields: Any) -> dict[str, Any]:
        """Set shot fields; dotted names reach into the layers (``layers.camera``). Returns old values."""
        shot = self.shot(shot_id)
        old: dict[str, Any] = {}
        for name, value in fields.items():
            owner, attr = _resolve(shot, name)
            old[name] = _copy(getattr(owner, attr))
            setattr(owner, attr, value)
        self._changed(shot, set(fields))
        return old

    def set_layer(self, shot_id: str, layer: str, text: str) -> str:
        old: str = self.update_shot(shot_id, **{f"layers.{layer}": text})[f"layers.{layer}"]
        return old

    def _changed(self, shot: Shot, fields: set[str]) -> None:
        self.events.emit(ev.ShotChanged(self.row_of(shot.id), shot.id, frozenset(fields)))

    # ----------------------------------------------------------------- takes

    def add_take(self, shot_id: str, take: Take) -> None:
        shot = self.shot(shot_id)
        shot.takes.append(take)
        self._changed(shot, {"takes"})

    def take(self, shot_id: str, take_id: str) -> Take:
        for take in self.shot(shot_id).takes:
            if take.id == take_id:
                return take
        raise StoryboardError(f"no take {take_id!r} on shot {shot_id!r}")

    def update_take(self, shot_id: str, take_id: str, **fields: Any) -> dict[str, Any]:
        take = self.take(shot_id, take_id)
        old = {k: _copy(getattr(take, k)) for k in fields}
        for k, v in fields.items():
            setattr(take, k, v)
        self._changed(self.shot(shot_id), {"takes"})
        return old

    def remove_take(self, shot_id: str, take_id: str) -> tuple[int, Take]:
        shot = self.shot(shot_id)
        index = next((i for i, t in enumerate(shot.takes) if t.id == take_id), -1)
        if index < 0:
            raise StoryboardError(f"no take {take_id!r} on shot {shot_id!r}")
        take = shot.takes.pop(index)
        self._changed(shot, {"takes"})
        return index, take

    def circle_take(self, shot_id: str, take_id: str | None, kind: TakeKind | None = None) -> str | None:
        """Circle one take (the one export and playback use), uncircling the others of its kind.

        Clips and storyboard frames are circled apart (``kind``: the take's own, else "clip"); a circled
        frame also becomes the shot's start image (``core.frames.sync_frame_start``).
        Returns the previously circled take id, so undo is ``circle_take(shot_id, previous, kind)``.
        """
        from shotplanner.core.frames import sync_frame_start

        shot = self.shot(shot_id)
        if take_id is not None:
            kind = self.take(shot_id, take_id).kind
        kind = kind or "clip"
        previous = next((t.id for t in shot.takes if t.circled and t.kind == kind), None)
        for take in shot.takes:
            if take.kind != kind:
                continue
            take.circled = take.id == take_id
            if take.circled:
                take.ng = False
        changed = {"takes"}
        if kind == "frame" and sync_frame_start(shot):
            changed.add("reference_images")
        self._changed(shot, changed)
        return previous

    # ----------------------------------------------------------------- characters and numbers

    def add_character(self, character: Character, index: int | None = None) -> None:
        index = len(self.project.characters) if index is None else index
        self.project.characters.insert(index, character)
        self.events.emit(ev.ProjectChanged("characters"))

    def restore_character(self, index: int, character: Character, used_on: list[str]) -> None:
        """Put back a character :meth:`remove_character` removed, on the shots it was on (its inverse)."""
        self.add_character(character, index)
        for shot_id in used_on:
            shot = self.find(shot_id)
            if shot is not None and character.id not in shot.character_ids:
                shot.character_ids = [*shot.character_ids, character.id]
                self._changed(shot, {"character_ids"})

    def remove_character(self, character_id: str) -> tuple[int, Character, list[str]]:
        """Remove a character and its use on shots; returns what undo needs."""
        index = next((i for i, c in enumerate(self.project.characters) if c.id == character_id), -1)
        if index < 0:
            raise StoryboardError(f"no character with id {character_id!r}")
        character = self.project.characters.pop(index)
        used_on = [s.id for s in self.project.shots_with_character(character_id)]
        for shot_id in used_on:
            shot = self.shot(shot_id)
            shot.character_ids = [c for c in shot.character_ids if c != character_id]
            self._changed(shot, {"character_ids"})
        self.events.emit(ev.ProjectChanged("characters"))
        return index, character, used_on

    def update_character(self, character_id: str, **fields: Any) -> dict[str, Any]:
        character = self.project.character(character_id)
        if character is None:
            raise StoryboardError(f"no character with id {character_id!r}")
        old = {k: _copy(getattr(character, k)) for k in fields}
        for k, v in fields.items():
            setattr(character, k, v)
        self.events.emit(ev.ProjectChanged("characters"))
        return old

    def renumber(self, scene_ids: list[str] | None = None) -> dict[str, str]:
        """Give every shot (of the given scenes) its standard number; returns shot id → old number.

        Refuses (changing nothing) when that would give two shots one number: a shot outside the chosen
        scenes already holding a new number, or two scenes whose numbers make the same shot number.
        """
        chosen = [s for s in self.project.scenes if scene_ids is None or s.id in scene_ids]
        chosen_ids = {s.id for s in chosen}
        holders = {shot.number: scene for scene in self.project.scenes if scene.id not in chosen_ids
                   for shot in scene.shots}
        plan: list[tuple[Shot, str]] = []
        for scene in chosen:
            for shot, number in zip(scene.shots, expected_numbers(scene), strict=True):
                if number in holders:
                    raise StoryboardError(
                        f"renumbering would give two shots the number {number} "
                        f"(scene {holders[number].number} already has one); renumber that scene too")
                holders[number] = scene
                plan.append((shot, number))
        old: dict[str, str] = {}
        for shot, number in plan:
            if shot.number != number:
                old[shot.id] = shot.number
                shot.number = number
        for shot_id in old:
            self._changed(self.shot(shot_id), {"number"})
        return old

    def set_numbers(self, numbers: dict[str, str]) -> None:
        for shot_id, number in numbers.items():
            self.shot(shot_id).number = number
            self._changed(self.shot(shot_id), {"number"})

    def replace_project(self, project: Project) -> None:
        self.events.emit(ev.ResetStarting())
        self.project = project
        self._invalidate()
        self.events.emit(ev.ResetDone())


def _resolve(shot: Shot, dotted: str) -> tuple[Any, str]:
    owner: Any = shot
    parts = dotted.split(".")
    for part in parts[:-1]:
        owner = getattr(owner, part)
    if not hasattr(owner, parts[-1]):
        raise StoryboardError(f"a shot has no field {dotted!r}")
    return owner, parts[-1]


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [v.model_copy(deep=True) if hasattr(v, "model_copy") else v for v in value]
    if hasattr(value, "model_copy"):
        return value.model_copy(deep=True)
    return value
