"""Every undoable operation: done, undone back to the exact document, redone to the exact result."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtGui import QUndoStack

from shotplanner.core.models import Scene, Shot
from shotplanner.core.storyboard import Storyboard
from shotplanner.ui.commands import (
    AddSceneCommand,
    AddShotsCommand,
    DuplicateShotsCommand,
    EditSceneCommand,
    MoveSceneCommand,
    MoveShotsCommand,
    MoveShotsToSceneCommand,
    RemoveSceneCommand,
    RemoveShotsCommand,
    RenumberCommand,
    RenumberScenesCommand,
    StepShotsCommand,
    UpdateShotCommand,
)
from tests.ui.helpers import make_project


def _doc(sb: Storyboard) -> str:
    return sb.project.model_dump_json()


CASES: dict[str, Callable[[Storyboard], object]] = {
    "add": lambda sb: AddShotsCommand(sb, [Shot(id="x1"), Shot(id="x2")], "sc2", 1, "Add"),
    "add_at_end": lambda sb: AddShotsCommand(sb, [Shot(id="x1")], "sc3", None, "Add"),
    "delete_many": lambda sb: RemoveShotsCommand(sb, ["s1_0", "s2_1", "s3_2"]),
    "duplicate_many": lambda sb: DuplicateShotsCommand(sb, ["s1_1", "s3_0"]),
    "drag_move": lambda sb: MoveShotsCommand(sb, ["s1_0", "s1_2", "s3_1"], 4),
    "step_up": lambda sb: StepShotsCommand(sb, ["s2_0", "s2_1"], -1),
    "step_down_across_scene": lambda sb: StepShotsCommand(sb, ["s1_2"], 1),
    "edit_fields": lambda sb: UpdateShotCommand(sb, "s2_0", {"duration_s": 9.0, "layers.light": "hard sun",
                                                                "model_id": "kling-v3"}),
    "edit_references": lambda sb: UpdateShotCommand(sb, "s1_0", {"reference_images": [
        {"path": "media/refs/a.png", "role": "start"}]}),
    "drop_in_scene": lambda sb: MoveShotsToSceneCommand(sb, ["s1_0", "s3_2"], "sc2", 1),
    "add_scene": lambda sb: AddSceneCommand(sb, Scene(id="new", number="4", heading="EXT. ROOF - DAWN"), 1),
    "remove_scene_with_shots": lambda sb: RemoveSceneCommand(sb, "sc2"),
    "move_scene": lambda sb: MoveSceneCommand(sb, "sc3", 0),
    "edit_heading": lambda sb: EditSceneCommand(sb, "sc1", {"heading": "EXT. MARKET - NIGHT"}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_command_undoes_and_redoes_exactly(name: str) -> None:
    sb = Storyboard(make_project((3, 2, 3)))
    stack = QUndoStack()
    original = _doc(sb)
    stack.push(CASES[name](sb))
    assert stack.count() == 1
    done = _doc(sb)
    assert done != original
    stack.undo()
    assert _doc(sb) == original
    stack.redo()
    assert _doc(sb) == done
    stack.undo()
    stack.redo()
    assert _doc(sb) == done


def test_renumber_is_one_undo_step() -> None:
    sb = Storyboard(make_project((3, 2)))
    sb.move_shots(["s1_0"], "sc1", 2)
    before = {s.id: s.number for s in sb.shots()}
    stack = QUndoStack()
    stack.push(RenumberCommand(sb, sb.renumber()))
    assert [s.number for s in sb.project.scenes[0].shots] == ["1", "1A", "1B"]
    stack.undo()
    assert {s.id: s.number for s in sb.shots()} == before
    stack.redo()
    assert [s.number for s in sb.project.scenes[0].shots] == ["1", "1A", "1B"]


def test_a_move_that_changes_nothing_leaves_no_undo_step() -> None:
    sb = Storyboard(make_project())
    stack = QUndoStack()
    stack.push(StepShotsCommand(sb, ["s1_0"], -1))  # already first
    stack.push(MoveShotsCommand(sb, ["s1_1"], 1))  # dropped onto itself
    assert stack.count() == 0


def test_typing_in_one_layer_merges_into_one_step() -> None:
    sb = Storyboard(make_project())
    stack = QUndoStack()
    for text in ("s", "sl", "slo", "slow push-in"):
        stack.push(UpdateShotCommand(sb, "s1_0", {"layers.camera": text}, merge_key="layers.camera#1"))
    assert stack.count() == 1
    assert sb.shot("s1_0").layers.camera == "slow push-in"
    # Another typing session (new key) is a new step.
    stack.push(UpdateShotCommand(sb, "s1_0", {"layers.camera": "slow push-in, 35mm"},
                                 merge_key="layers.camera#2"))
    assert stack.count() == 2
    stack.undo()
    assert sb.shot("s1_0").layers.camera == "slow push-in"
    stack.undo()
    assert sb.shot("s1_0").layers.camera == ""
    # Typing back to the start is not a step at all.
    stack.redo()
    stack.redo()
    stack.push(UpdateShotCommand(sb, "s1_0", {"layers.mood": "x"}, merge_key="layers.mood#3"))
    stack.push(UpdateShotCommand(sb, "s1_0", {"layers.mood": ""}, merge_key="layers.mood#3"))
    assert stack.count() == 2


def test_a_typed_heading_is_parsed_into_its_parts_and_undone_whole() -> None:
    sb = Storyboard(make_project())
    stack = QUndoStack()
    stack.push(EditSceneCommand(sb, "sc2", {"heading": "ext./int. car - moving - night"}))
    scene = sb.scene("sc2")
    assert (scene.int_ext, scene.location, scene.time_of_day) == ("EXT./INT.", "car - moving", "NIGHT")
    stack.undo()
    assert (scene.heading, scene.int_ext, scene.location, scene.time_of_day) == (
        "INT. ROOM 2 - DAY", "INT.", "ROOM 2", "DAY")


def test_moving_a_scene_to_where_it_is_leaves_no_undo_step() -> None:
    sb = Storyboard(make_project())
    stack = QUndoStack()
    stack.push(MoveSceneCommand(sb, "sc2", 1))
    assert stack.count() == 0


def test_renumbering_scenes_is_one_step_and_leaves_shot_numbers() -> None:
    sb = Storyboard(make_project())
    sb.update_scene("sc2", number="7")
    sb.move_scene("sc3", 0)
    stack = QUndoStack()
    stack.push(RenumberScenesCommand(sb))
    assert [(s.id, s.number) for s in sb.project.scenes] == [("sc3", "1"), ("sc1", "2"), ("sc2", "3")]
    assert sb.shot("s3_0").number == "3"  # shots keep theirs; renumbering shots is its own step
    stack.undo()
    assert [s.number for s in sb.project.scenes] == ["3", "1", "7"]
    stack.redo()
    assert [s.number for s in sb.project.scenes] == ["1", "2", "3"]
