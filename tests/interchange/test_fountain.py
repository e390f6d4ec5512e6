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


def test_a_script_without_headings_is_one_scene_of_shots(tmp_path: Path) -> None:
    project = Project()
    import_fountain(write(tmp_path, "A cold open.\n\nBOB\nHi.\n"), project)
    assert len(project.scenes) == 1 and project.scenes[0].shots[0].dialogue == "BOB: Hi."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"INT. A - DAY\n\nok\n\n/* never closed\n\nmore\n", "line 5: boneyard '/\\*' is never closed"),
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


# ----------------------------------------------------------------- Fountain 1.1 as the spec writes it

SAMPLES = Path(__file__).parent / "samples"

#: The title page exactly as the Fountain syntax page (fountain.io/syntax#section-titlepage) shows it,
#: preceded by a note (the issue: a note before the title page used to turn it into an action shot).
BRICK_TITLE = """[[Draft for the producers]]
Title:
    _**BRICK & STEEL**_
    _**FULL RETIRED**_
Credit: Written by
Author: Stu Maschwitz
Source: Story by KTM
Draft date: 1/20/2012
Contact:
    Next Level Productions
    1588 Mission Dr.
    Solvang, CA 93463

EXT. BRICK'S PATIO - DAY

A gorgeous day.  The sun is shining.  But BRICK BRADDOCK, retired police detective, is sitting quietly,
contemplating -- something. [[Is it
TWO_SPACES
really gorgeous?]]

DONNA (V.O.) (CONT'D)
Steel's face \\_fills\\_ the *Leupold Mark 4* scope \\*.
""".replace("TWO_SPACES", "  ")


def test_title_page_fields_without_markup_and_notes_anywhere(tmp_path: Path) -> None:
    project = Project()
    import_fountain(write(tmp_path, BRICK_TITLE), project)
    assert project.title == "BRICK & STEEL FULL RETIRED"
    assert (project.author, project.credit, project.draft_date) == (
        "Stu Maschwitz", "Written by", "1/20/2012"
    )
    (scene,) = project.scenes
    assert (scene.number, scene.int_ext, scene.location, scene.time_of_day) == (
        "1", "EXT.", "BRICK'S PATIO", "DAY"
    )
    (shot,) = scene.shots
    assert shot.layers.action.endswith("contemplating -- something.")
    # the spec's two-space line keeps the note open across what looks like a blank line
    assert shot.notes == "Note: Is it really gorgeous?"
    # stacked extensions are dropped from the name; escapes keep their character, emphasis goes
    assert [c.name for c in project.characters] == ["DONNA"]
    assert shot.dialogue == "DONNA: Steel's face _fills_ the Leupold Mark 4 scope *."


def test_into_a_new_project_script_scene_one_is_project_scene_one(tmp_path: Path) -> None:
    from shotplanner.core.storage import create_project, load_project

    folder = tmp_path / "film"
    create_project(folder, "film")  # what `shotplanner new` makes: one empty scene 1
    project = load_project(folder)
    script = (
        "FADE IN:\n\nA RIVER. A fat catfish swims.\n\n"
        "INT. BEDROOM - NIGHT\n\nWill listens.\n\nEXT. CAMP - DAY\n\nFire.\n"
    )
    import_fountain(write(tmp_path, script), project)
    assert [s.number for s in project.scenes] == ["1", "2"]
    first = project.scenes[0]
    assert first.heading == "INT. BEDROOM - NIGHT"
    assert first.description == "FADE IN:\nA RIVER. A fat catfish swims."  # the opening describes scene 1
    assert [s.number for s in first.shots] == ["1"] and first.shots[0].layers.action == "Will listens."


def test_spec_samples_notes_and_boneyard(tmp_path: Path) -> None:
    project = Project()
    import_fountain(SAMPLES / "screenplain-notes.fountain", project)
    actions = [s.layers.action for s in project.all_shots()]
    assert actions[:4] == ["Before1 After1", "Before2 After2", "Before3 After3", "Multiple on one"]
    assert project.all_shots()[2].notes == "Note: multiline note with a blank line"
    # "[[" followed by a real blank line is not a note: the text stays, as the spec says
    assert "This is not [[ a proper note" in actions
    assert "Before full paragraph note" in actions and "" not in actions
    project = Project()
    import_fountain(SAMPLES / "Boneyard.fountain", project)
    assert [s.layers.action for s in project.all_shots()] == ["A line of action.", "This is an boneyard."]


def test_big_fish_imports_whole(tmp_path: Path) -> None:
    project = Project()
    report = import_fountain(SAMPLES / "Big Fish.fountain", project)
    assert project.title == "Big Fish" and project.author == "John August"
    assert report.scenes_added == len(project.scenes) > 150
    assert project.scenes[0].heading == "INT. WILL’S BEDROOM - NIGHT (1973)"
    assert project.scenes[0].description.startswith("This is a Southern story")
    names = {c.name for c in project.characters}
    assert "EDWARD" in names and not any("(" in n for n in names)  # EDWARD (V.O.)(CONT’D) is EDWARD
    numbers = [s.number for s in project.all_shots()]
    assert len(numbers) == len(set(numbers))


def test_a_timeline_renamed_txt_is_refused_not_parsed(tmp_path: Path) -> None:
    samples = ("avid_example.edl", "premiere_example.xml", "fcpx_example.fcpxml", "premiere_example.otio")
    for sample in samples:
        renamed = tmp_path / f"{sample}.txt"
        renamed.write_bytes((SAMPLES / sample).read_bytes())
        project = Project()
        before = project.model_dump()
        with pytest.raises(BadInputError, match="timeline") as info:
            import_fountain(renamed, project)
        assert "conform" in str(info.value)
        assert project.model_dump() == before


def test_a_script_over_the_size_cap_is_refused_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shotplanner.interchange import fountain

    monkeypatch.setattr(fountain, "MAX_SCRIPT_BYTES", 1000)
    path = write(tmp_path, "INT. A - DAY\n\n" + "Action.\n\n" * 200)
    with pytest.raises(BadInputError, match=r"up to 0 MB|imports screenplays up to"):
        import_fountain(path, Project())
