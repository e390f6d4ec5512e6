"""Fountain import: scenes, draft shots, dialogue, transitions, forced elements, title page, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotplanner.core.models import Project, Scene, Shot
from shotplanner.interchange.fountain import import_fountain
from shotplanner.interchange.reports import BadInputError

SCRIPT = """Title: Soup & "Stars"
Credit: Written by
Author: Ana Lía

INT. KITCHEN - NIGHT #3#

A chef tastes the soup.
Steam rises around her.

CHEF
(quietly)
Salt. Now.

KID ^
No!

> CUT TO:

.FLASHBACK

!THE DOOR OPENS.

@McCLANE (V.O.)
Yippee.

Rain on the window. [[a note for the director]]

/* a whole scene
that was cut */

EXT. ROOF - DAWN

The city wakes up.

CHEF (CONT'D)
Again.

SMASH CUT TO:

>THE END<
"""


def write(tmp_path: Path, text: str, name: str = "script.fountain") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_screenplay_becomes_scenes_and_draft_shots(tmp_path: Path) -> None:
    project = Project()
    report = import_fountain(write(tmp_path, SCRIPT), project)
    assert project.title == 'Soup & "Stars"'
    assert (report.scenes_added, report.shots_added) == (3, 4)
    kitchen, flashback, roof = project.scenes
    assert (kitchen.number, kitchen.heading) == ("3", "INT. KITCHEN - NIGHT")
    assert flashback.heading == "FLASHBACK"  # forced heading
    assert roof.heading == "EXT. ROOF - DAWN" and roof.number == "5"  # next after the last number used
    assert [s.number for s in kitchen.shots] == ["3"]
    chef = kitchen.shots[0]
    assert chef.layers.action == "A chef tastes the soup. Steam rises around her."
    # dialogue, parenthetical and dual dialogue are noted on the shot they follow
    assert chef.dialogue == "CHEF: (quietly) Salt. Now. (at the same time)\nKID: No! (at the same time)"
    assert chef.notes == "Transition: CUT TO:"  # forced transition
    door, rain = flashback.shots
    assert door.layers.action == "THE DOOR OPENS."  # forced action stays a shot, not a heading
    assert door.dialogue == "McCLANE: Yippee."  # forced character, extension dropped from the name
    assert rain.layers.action == "Rain on the window."  # the note and the boneyard are not shot text
    city = roof.shots[0]
    assert city.dialogue == "CHEF: Again."
    assert city.notes == "Transition: SMASH CUT TO:"
    assert roof.description == "THE END"
    names = {c.name for c in project.characters}
    assert names == {"CHEF", "KID", "McCLANE"}
    chef_id = next(c.id for c in project.characters if c.name == "CHEF")
    assert chef_id in chef.character_ids and chef_id in city.character_ids
    assert len({s.number for s in project.all_shots()}) == 4


def test_import_appends_without_clashing_numbers(tmp_path: Path) -> None:
    project = Project(title="Mine", scenes=[Scene(number="3", heading="OLD", shots=[Shot(number="3")])])
    report = import_fountain(write(tmp_path, SCRIPT), project)
    assert project.title == "Mine"  # a named project keeps its name
    assert [s.number for s in project.scenes] == ["3", "4", "5", "6"]
    assert any("scene number 3 is already used" in w for w in report.warnings)
    numbers = [s.number for s in project.all_shots()]
    assert len(numbers) == len(set(numbers)) == 5


def test_action_before_any_heading_gets_a_scene(tmp_path: Path) -> None:
    project = Project()
    import_fountain(write(tmp_path, "A cold open.\n\nBOB\nHi.\n"), project)
    assert len(project.scenes) == 1 and project.scenes[0].shots[0].dialogue == "BOB: Hi."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"INT. A - DAY\n\nok\n\n/* never closed\n\nmore\n", "line 5: boneyard '/\\*' is never closed"),
        (b"INT. A - DAY\n\nHe [[ forgets\n\nto close\n", "line 3: note"),
        (b"INT. A - DAY\n\nfine\nbad \xff byte\n", "line 4: not UTF-8"),
        (b"INT. A - DAY\n\nPK\x03\x04 zip\n", "line 3: control character"),
        (b"   \n\n", "line 1: the file is empty"),
        (b"Title: Only a title\n", "line 1: no scene heading"),
    ],
)
def test_malformed_input_names_the_line_and_changes_nothing(
    data: bytes, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.fountain"
    path.write_bytes(data)
    project = Project(scenes=[Scene(shots=[Shot(number="1")])])
    before = project.model_dump()
    with pytest.raises(BadInputError, match=message):
        import_fountain(path, project)
    assert project.model_dump() == before
