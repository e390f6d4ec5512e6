"""Film numbering: 12, 12A, 12B …; new numbers never collide; existing ones change only on renumber."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shotplanner.core import events as ev
from shotplanner.core.models import Project, Scene, Shot
from shotplanner.core.numbering import (
    LETTERS,
    expected_numbers,
    next_free_number,
    numbering_issues,
    standard_number,
    suffix,
)
from shotplanner.core.storyboard import Storyboard, StoryboardError


def scene_with(number: str, shot_numbers: list[str]) -> Scene:
    return Scene(number=number, shots=[Shot(number=n) for n in shot_numbers])


def test_standard_numbers_read_as_a_crew_writes_them() -> None:
    scene = scene_with("12", ["", "", "", ""])
    assert expected_numbers(scene) == ["12", "12A", "12B", "12C"]
    assert [suffix(k) for k in (0, 1, 8, 9, 13, 14, 24, 25, 26, 49)] == [
        "", "A", "H", "J", "N", "P", "Z", "AA", "AB", "BA"]


def test_suffixes_are_distinct_and_never_use_i_or_o() -> None:
    made = [suffix(k) for k in range(3000)]
    assert len(set(made)) == len(made)
    assert not any(("I" in s or "O" in s) for s in made)
    assert set("".join(made)) == set(LETTERS)


def test_inserting_between_derives_from_the_shot_before() -> None:
    scene = scene_with("12", ["12", "12A", "12B"])
    taken = {s.number for s in scene.shots}
    assert next_free_number(scene, 2, taken) == "12AA"  # between 12A and 12B
    assert next_free_number(scene, 3, taken) == "12C"  # appended: the sequence continues
    assert next_free_number(scene, 2, taken | {"12AA"}) == "12AB"
    assert next_free_number(scene_with("7", []), 0, set()) == "7"


numbers_text = st.text(alphabet="123ABCZ.", min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(scene_number=st.sampled_from(["1", "12", "40"]),
       existing=st.lists(numbers_text, max_size=12, unique=True),
       elsewhere=st.sets(numbers_text, max_size=12),
       data=st.data())
def test_a_new_number_never_collides(scene_number: str, existing: list[str], elsewhere: set[str],
                                     data: st.DataObject) -> None:
    scene = scene_with(scene_number, existing)
    index = data.draw(st.integers(0, len(existing) + 2))
    taken = set(existing) | elsewhere
    number = next_free_number(scene, index, taken)
    assert number and number not in taken


@settings(max_examples=100, deadline=None)
@given(sizes=st.lists(st.integers(0, 30), min_size=1, max_size=4), data=st.data())
def test_renumber_standardises_and_undo_restores(sizes: list[int], data: st.DataObject) -> None:
    # Shots carry shuffled, gappy numbers from earlier edits; renumbering on demand makes them standard.
    scenes = []
    for i, n in enumerate(sizes, start=1):
        scene = Scene(number=str(i))
        pool = [standard_number(str(i), k) for k in range(3 * n)]
        chosen = data.draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n, unique=True)) if n else []
        scene.shots = [Shot(number=x) for x in chosen]
        scenes.append(scene)
    board = Storyboard(Project(scenes=scenes))
    before = {s.id: s.number for s in board.shots()}
    changed: list[str] = []
    board.events.connect(lambda e: changed.append(e.shot_id) if isinstance(e, ev.ShotChanged) else None)
    old = board.renumber()
    for scene in board.project.scenes:
        assert [s.number for s in scene.shots] == expected_numbers(scene)
    assert numbering_issues(board.project) == []
    # Only shots whose number really changed are reported, each once, with their old number.
    assert old == {i: n for i, n in before.items() if board.shot(i).number != n}
    assert sorted(changed) == sorted(old)
    board.set_numbers(old)
    assert {s.id: s.number for s in board.shots()} == before


def test_numbering_issues_names_missing_duplicate_and_out_of_place() -> None:
    scene = scene_with("3", ["3", "", "3B", "3B"])
    project = Project(scenes=[scene, scene_with("4", ["4", "3"])])
    ids = [s.id for s in project.all_shots()]
    # "3" in scene 4 is both out of place and a duplicate of scene 3's first shot.
    assert numbering_issues(project) == [ids[0], ids[1], ids[2], ids[3], ids[5]]


def test_renumbering_one_scene_never_duplicates_a_number_held_elsewhere() -> None:
    # Shot "5" was moved into scene 6 and kept its number; renumbering scene 5 alone would reuse "5".
    five = scene_with("5", ["5A", "5B"])
    six = scene_with("6", ["6", "5"])
    board = Storyboard(Project(scenes=[five, six]))
    before = {s.id: s.number for s in board.shots()}
    with pytest.raises(StoryboardError, match="renumber that scene too"):
        board.renumber([five.id])
    assert {s.id: s.number for s in board.shots()} == before
    old = board.renumber([five.id, six.id])
    assert [s.number for s in board.shots()] == ["5", "5A", "6", "6A"]
    assert sorted(old.values()) == ["5", "5A", "5B"]  # shot "6" kept its number


def test_scenes_whose_numbers_would_clash_are_refused() -> None:
    # Scene 12A (a scene inserted later) would make "12A" twice next to scene 12's second shot.
    board = Storyboard(Project(scenes=[scene_with("12", ["x1", "x2"]), scene_with("12A", ["y1"])]))
    with pytest.raises(StoryboardError):
        board.renumber()
    assert [s.number for s in board.shots()] == ["x1", "x2", "y1"]
