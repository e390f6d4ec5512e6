"""Storyboard operations as a hypothesis state machine.

Every step checks: membership (no shot lost or invented), every id unique, numbers unique and never
changed by anything but a renumber, the change events replayed on a mirror list give the storyboard's
own order (what a Qt item model sees), and, when the step is undone with what the operation returned,
the exact previous order and numbers come back.
"""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from shotplanner.core import events as ev
from shotplanner.core.models import Character, Project, PromptLayers, Scene, Shot, Take
from shotplanner.core.numbering import expected_numbers, numbering_issues
from shotplanner.core.storyboard import Storyboard, StoryboardError

Layout = list[tuple[str, list[str]]]


def layout(board: Storyboard) -> Layout:
    return [(scene.id, [s.id for s in scene.shots]) for scene in board.project.scenes]


def numbers(board: Storyboard) -> dict[str, str]:
    return {s.id: s.number for s in board.shots()}


def flat(board: Storyboard) -> list[str]:
    return [s.id for s in board.project.all_shots()]


def make_project(sizes: list[int]) -> Project:
    scenes = []
    for i, n in enumerate(sizes, start=1):
        scene = Scene(number=str(i), heading=f"SCENE {i}")
        scene.shots = [Shot(layers=PromptLayers(subject=f"shot {i}.{k}")) for k in range(n)]
        for shot, number in zip(scene.shots, expected_numbers(scene), strict=True):
            shot.number = number
        scenes.append(scene)
    return Project(title="State machine", scenes=scenes)


class Mirror:
    """Replays the change events on a plain list of ids, as a Qt list model would on its rows."""

    def __init__(self, board: Storyboard) -> None:
        self.board = board
        self.rows = flat(board)
        self.open: object | None = None
        board.events.connect(self.on_event)

    def on_event(self, e: ev.Event) -> None:
        if isinstance(e, ev.ShotsInserting | ev.ShotsRemoving | ev.ShotsReordering | ev.ResetStarting):
            assert self.open is None, f"{e} while {self.open} is open"
            self.open = e
            if isinstance(e, ev.ShotsRemoving):
                assert 0 <= e.row < len(self.rows) and e.count == 1
                assert self.board.shot_at(e.row).id == self.rows[e.row]  # the row named is the row that goes
            if isinstance(e, ev.ShotsInserting):
                assert 0 <= e.row <= len(self.rows)
            return
        if isinstance(e, ev.ShotsInserted):
            assert isinstance(self.open, ev.ShotsInserting)
            assert (self.open.row, self.open.count) == (e.row, e.count)
            self.rows.insert(e.row, self.board.shot_at(e.row).id)
        elif isinstance(e, ev.ShotsRemoved):
            assert isinstance(self.open, ev.ShotsRemoving) and self.open.row == e.row
            del self.rows[e.row]
        elif isinstance(e, ev.ShotsReordered):
            assert isinstance(self.open, ev.ShotsReordering)
            assert sorted(self.rows) == sorted(flat(self.board))  # a reorder adds and drops nothing
            self.rows = flat(self.board)
        elif isinstance(e, ev.ResetDone):
            assert isinstance(self.open, ev.ResetStarting)
            self.rows = flat(self.board)
        elif isinstance(e, ev.ShotChanged):
            assert self.open is None
            assert self.rows[e.row] == e.shot_id
            return
        else:
            return
        self.open = None


class StoryboardMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.board: Storyboard | None = None
        self.mirror: Mirror | None = None
        self.ids: set[str] = set()

    # -------------------------------------------------------------- helpers

    def start(self, sizes: list[int]) -> None:
        self.board = Storyboard(make_project(sizes))
        self.mirror = Mirror(self.board)
        self.ids = set(flat(self.board))

    def pick(self, data: st.DataObject, at_least: int = 1) -> list[str]:
        ids = flat(self.b)
        if len(ids) < at_least:
            return []
        chosen = data.draw(st.lists(st.sampled_from(ids), min_size=at_least, max_size=6, unique=True))
        return data.draw(st.permutations(chosen))  # callers may pass ids in any order

    @property
    def b(self) -> Storyboard:
        assert self.board is not None
        return self.board

    def scene_ids(self) -> list[str]:
        return [s.id for s in self.b.project.scenes]

    def check_undo(self, undo: bool, before: Layout, nums: dict[str, str], do_undo: object) -> None:
        if undo:
            do_undo()  # type: ignore[operator]
            assert layout(self.b) == before
            assert numbers(self.b) == nums
            self.ids = set(flat(self.b))

    # -------------------------------------------------------------- rules

    @initialize(sizes=st.lists(st.integers(0, 5), min_size=1, max_size=4))
    def new_board(self, sizes: list[int]) -> None:
        self.start(sizes)

    @rule(data=st.data(), undo=st.booleans())
    def insert(self, data: st.DataObject, undo: bool) -> None:
        if self.board is None:
            return
        scene_id = data.draw(st.sampled_from(self.scene_ids()))
        index = data.draw(st.none() | st.integers(-2, 8))
        before, nums = layout(self.b), numbers(self.b)
        shot = Shot(layers=PromptLayers(action="inserted"))
        row = self.b.insert_shot(shot, scene_id, index)
        assert flat(self.b)[row] == shot.id
        assert self.b.scene_of(shot.id).id == scene_id
        assert shot.number and shot.number not in nums.values()  # a new number never collides
        self.ids.add(shot.id)
        self.check_undo(undo, before, nums, lambda: self.b.remove_shots([shot.id]))

    @rule(data=st.data(), undo=st.booleans())
    def remove(self, data: st.DataObject, undo: bool) -> None:
        if self.board is None:
            return
        chosen = self.pick(data)
        if not chosen:
            return
        before, nums = layout(self.b), numbers(self.b)
        order = flat(self.b)
        removed = self.b.remove_shots(chosen)
        assert [r.shot.id for r in removed] == [i for i in order if i in chosen]  # storyboard order
        assert set(flat(self.b)) == set(order) - set(chosen)
        self.ids -= set(chosen)
        self.check_undo(undo, before, nums, lambda: self.b.restore_shots(removed))

    @rule(data=st.data(), undo=st.booleans())
    def duplicate(self, data: st.DataObject, undo: bool) -> None:
        if self.board is None:
            return
        chosen = self.pick(data)
        if not chosen:
            return
        before, nums = layout(self.b), numbers(self.b)
        originals = {i: self.b.shot(i) for i in chosen}
        new_ids = self.b.duplicate_shots(chosen)
        assert len(new_ids) == len(chosen) and not set(new_ids) & self.ids
        order = flat(self.b)
        for original_id, copy_id in zip(sorted(chosen, key=order.index), new_ids, strict=True):
            copy = self.b.shot(copy_id)
            assert order.index(copy_id) == order.index(original_id) + 1  # right after its original
            assert copy.layers == originals[original_id].layers and copy.takes == []
            assert copy.number not in nums.values()
        self.ids |= set(new_ids)
        self.check_undo(undo, before, nums, lambda: self.b.remove_shots(new_ids))

    @rule(data=st.data(), undo=st.booleans())
    def move(self, data: st.DataObject, undo: bool) -> None:
        if self.board is None:
            return
        chosen = self.pick(data)
        if not chosen:
            return
        scene_id = data.draw(st.sampled_from(self.scene_ids()))
        index = data.draw(st.integers(-1, 9))
        before, nums = layout(self.b), numbers(self.b)
        order = flat(self.b)
        moving = [i for i in order if i in chosen]
        staying = [i for i in dict(before)[scene_id] if i not in chosen]
        placements = self.b.move_shots(chosen, scene_id, index)
        at = max(0, min(index, len(staying)))
        assert dict(layout(self.b))[scene_id] == staying[:at] + moving + staying[at:]
        for other, ids in layout(self.b):
            if other != scene_id:
                assert ids == [i for i in dict(before)[other] if i not in chosen]
        self.check_undo(undo, before, nums, lambda: self.b.restore_placements(placements))

    @rule(data=st.data(), undo=st.booleans())
    def move_to_row(self, data: st.DataObject, undo: bool) -> None:
        if self.board is None:
            return
        chosen = self.pick(data)
        if not chosen:
            return
        row = data.draw(st.integers(-1, len(self.b) + 1))
        before, nums = layout(self.b), numbers(self.b)
        order = flat(self.b)
        anchor = next((i for i in order[max(row, 0):] if i not in chosen), None)
        placements = self.b.move_to_row(chosen, row)
        after = flat(self.b)
        moving = [i for i in order if i in chosen]
        start = after.index(moving[0])
        assert after[start:start + len(moving)] == moving  # the selection lands together, in order
        assert [i for i in after if i not in chosen] == [i for i in order if i not in chosen]
        if anchor is not None:
            assert after[start + len(moving)] == anchor  # ... right before the row it was dropped on
        else:
            assert after[-len(moving):] == moving
        self.check_undo(undo, before, nums, lambda: self.b.restore_placements(placements))

    @rule(data=st.data(), delta=st.sampled_from([-1, 1]), undo=st.booleans())
    def step(self, data: st.DataObject, delta: int, undo: bool) -> None:
        if self.board is None:
            return
        chosen = self.pick(data)
        if not chosen:
            return
        before, nums = layout(self.b), numbers(self.b)
        order = flat(self.b)
        rows = sorted(order.index(i) for i in chosen)
        placements = self.b.step_shots(chosen, delta)
        if placements is None:
            assert (delta < 0 and rows[0] == 0) or (delta > 0 and rows[-1] == len(order) - 1)
            assert layout(self.b) == before
            return
        after = flat(self.b)
        new_rows = sorted(after.index(i) for i in chosen)
        assert new_rows[0] == rows[0] + delta if delta < 0 else new_rows[-1] == rows[-1] + delta
        self.check_undo(undo, before, nums, lambda: self.b.restore_placements(placements))

    @rule(data=st.data(), undo=st.booleans())
    def renumber(self, data: st.DataObject, undo: bool) -> None:
        if self.board is None:
            return
        all_scenes = data.draw(st.booleans())
        scene_ids = None if all_scenes else data.draw(
            st.lists(st.sampled_from(self.scene_ids()), min_size=1, unique=True))
        before, nums = layout(self.b), numbers(self.b)
        try:
            old = self.b.renumber(scene_ids)
        except StoryboardError as e:
            assert "renumber that scene too" in str(e)
            assert numbers(self.b) == nums  # a refused renumber changes nothing
            return
        for scene in self.b.project.scenes:
            if scene_ids is None or scene.id in scene_ids:
                assert [s.number for s in scene.shots] == expected_numbers(scene)
        if scene_ids is None:
            assert numbering_issues(self.b.project) == []
        assert {i: nums[i] for i in old} == old
        self.check_undo(undo, before, nums, lambda: self.b.set_numbers(old))

    @rule(data=st.data())
    def edit_a_shot_and_undo(self, data: st.DataObject) -> None:
        if self.board is None or not len(self.b):
            return
        shot_id = data.draw(st.sampled_from(flat(self.b)))
        original = self.b.shot(shot_id).model_copy(deep=True)
        old = self.b.update_shot(shot_id, **{"layers.camera": "slow push-in", "duration_s": 7.5})
        assert self.b.shot(shot_id).layers.camera == "slow push-in"
        self.b.update_shot(shot_id, **old)
        assert self.b.shot(shot_id) == original

    # -------------------------------------------------------------- invariants

    @invariant()
    def membership_and_uniqueness(self) -> None:
        if self.board is None:
            return
        ids = flat(self.b)
        assert len(ids) == len(set(ids)) == len(self.b)
        assert set(ids) == self.ids
        assert [self.b.row_of(i) for i in ids] == list(range(len(ids)))
        nums = [s.number for s in self.b.shots()]
        assert all(nums) and len(nums) == len(set(nums))

    @invariant()
    def the_mirror_follows(self) -> None:
        if self.mirror is not None:
            assert self.mirror.open is None
            assert self.mirror.rows == flat(self.b)


StoryboardMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestStoryboard = StoryboardMachine.TestCase


# ----------------------------------------------------------------------------- plain cases


def test_unknown_ids_are_refused_with_the_id() -> None:
    board = Storyboard(make_project([2]))
    with pytest.raises(StoryboardError, match="'nope'"):
        board.remove_shots(["nope"])
    with pytest.raises(StoryboardError, match="'nope'"):
        board.move_shots(["nope"], board.project.scenes[0].id, 0)
    with pytest.raises(StoryboardError, match="no scene"):
        board.insert_shot(Shot(), "missing-scene")
    with pytest.raises(StoryboardError, match="no field"):
        board.update_shot(board.shot_at(0).id, **{"layers.smell": "x"})


def test_takes_circle_one_and_undo() -> None:
    board = Storyboard(make_project([1]))
    shot_id = board.shot_at(0).id
    a, b = Take(model_id="m", provider="fal"), Take(model_id="m", provider="fal", ng=True)
    board.add_take(shot_id, a)
    board.add_take(shot_id, b)
    assert board.circle_take(shot_id, a.id) is None
    previous = board.circle_take(shot_id, b.id)
    assert previous == a.id
    assert [t.circled for t in board.shot(shot_id).takes] == [False, True] and not b.ng
    board.circle_take(shot_id, previous)
    assert [t.circled for t in board.shot(shot_id).takes] == [True, False]
    index, take = board.remove_take(shot_id, a.id)
    assert (index, take.id, len(board.shot(shot_id).takes)) == (0, a.id, 1)


def test_removing_a_character_takes_it_off_its_shots_and_undo_data_is_complete() -> None:
    board = Storyboard(make_project([3]))
    mara = Character(name="Mara")
    board.add_character(mara)
    ids = [board.shot_at(i).id for i in (0, 2)]
    for shot_id in ids:
        board.update_shot(shot_id, character_ids=[mara.id])
    index, character, used_on = board.remove_character(mara.id)
    assert (index, character.id, used_on) == (0, mara.id, ids)
    assert board.project.shots_with_character(mara.id) == []


def test_scene_add_and_remove_reset_the_views() -> None:
    board = Storyboard(make_project([2, 1]))
    seen: list[type] = []
    board.events.connect(lambda e: seen.append(type(e)))
    board.add_scene(Scene(number="3"), 1)
    index, scene = board.remove_scene(board.project.scenes[1].id)
    assert (index, scene.number) == (1, "3")
    assert seen == [ev.ResetStarting, ev.ResetDone, ev.ResetStarting, ev.ResetDone]
    assert len(board) == 3
