"""Final Draft import, on .fdx files Final Draft itself wrote (see samples/SOURCES)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotplanner.core.models import Project, Scene
from shotplanner.interchange.fdx import import_fdx
from shotplanner.interchange.import_cli import import_file
from shotplanner.interchange.reports import BadInputError

SAMPLES = Path(__file__).parent / "samples"


def test_final_draft_sample_title_page_scenes_dialogue_and_transitions() -> None:
    """fdx-sample-06.fdx: three scenes Final Draft wrote, the third on a new page, with a title page."""
    project = Project(scenes=[Scene()])  # as `shotplanner new` leaves it
    report = import_fdx(SAMPLES / "fdx-sample-06.fdx", project)
    # title page: "SAMPLE 06", "Written by", "Jane Doe", "Copyright (c) 2018", "2018-01-01", an address
    assert (project.title, project.credit, project.author, project.draft_date) == (
        "SAMPLE 06", "Written by", "Jane Doe", "2018-01-01"
    )
    assert report.scenes_added == len(project.scenes) == 3
    assert [sc.number for sc in project.scenes] == ["1", "2", "3"]  # script scene 1 is project scene 1
    assert [sc.heading for sc in project.scenes] == [
        "INT. STUDIO APARTMENT - NIGHT", "EXT. PARK - DAY", "INT. STUDIO APARTMENT - NEXT DAY"
    ]
    third = project.scenes[2]
    assert (third.int_ext, third.location, third.time_of_day) == ("INT.", "STUDIO APARTMENT", "NEXT DAY")
    assert [c.name for c in project.characters] == ["AUTHOR", "DOG"]
    first, second = project.scenes[0].shots[0], project.scenes[1].shots[0]
    assert first.layers.action == "The AUTHOR sits at a desk."
    assert first.dialogue == "AUTHOR: (anguished) Writers block again!"
    assert first.notes == "Transition: DISSOLVES TO:"
    assert second.dialogue.splitlines() == [
        "DOG: Bark! Bark! Roof! Your not blocked. You're trying to write the story from the wrong"
        " character's viewpoint.",
        "AUTHOR: (disbelief) But you spoke?",
        "DOG: That goes without saying, better run along before you loose your cardio moment.",
    ]
    last = project.scenes[2].shots
    assert [s.layers.action for s in last] == ["The author is sprawled on the couch.", "THE END."]
    assert last[0].notes == "Transition: FADE TO BLACK."


def test_final_draft_sample_parenthetical_and_transition() -> None:
    project = Project()
    import_fdx(SAMPLES / "fdx-sample-01.fdx", project)
    (scene,) = project.scenes
    assert scene.heading == "EXT. LIBRARY - DAY" and scene.description == "FADE IN:"
    (shot,) = scene.shots
    assert shot.layers.action == "A PROGRAMMER typing at an old laptop"
    assert shot.dialogue == "PROGRAMMER: (excited) Eureka!"
    assert shot.notes == "Transition: FADE TO BLACK."


def test_scene_numbers_summaries_and_script_notes() -> None:
    """The shapes Final Draft gives a numbered scene with a summary and a note (our own few lines: the
    public Final Draft files with these are not under a licence we can copy)."""
    run = '<Text AdornmentStyle="0" Font="Courier Final Draft" RevisionID="0" Size="12" Style="">{}</Text>'
    fdx = f"""<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<FinalDraft DocumentType="Script" Template="No" Version="3"><Content>
<Paragraph Type="Action">{run.format("Fade in:")}</Paragraph>
<Paragraph Number="12A" Type="Scene Heading">
  <SceneProperties Length="2/8" Page="1" Title="">
    <Summary><Paragraph Alignment="Left">{run.format("Calm fields.")}</Paragraph></Summary>
  </SceneProperties>
  <ScriptNote><Paragraph>{run.format("Near Plattsmouth.")}</Paragraph></ScriptNote>
  {run.format("EXT. FARM - NIGHT")}
</Paragraph>
<Paragraph Type="Action">{run.format("Wheat.")}</Paragraph>
<Paragraph Type="Character">{run.format("Henry (O.S.)")}</Paragraph>
<Paragraph Type="Dialogue">{run.format("Was it like this?")}</Paragraph>
</Content></FinalDraft>"""
    from shotplanner.interchange.fdx import parse_fdx
    from shotplanner.interchange.fountain import import_script

    project = Project()
    import_script(parse_fdx(fdx, "t.fdx"), project, "t.fdx")
    (scene,) = project.scenes
    assert scene.number == "12A" and scene.heading == "EXT. FARM - NIGHT"
    assert "Note: Near Plattsmouth." in scene.description and "Calm fields." in scene.description
    assert "Fade in:" in scene.description
    assert scene.shots[0].dialogue == "HENRY: Was it like this?"
    assert [c.name for c in project.characters] == ["HENRY"]


def test_content_decides_not_the_name(tmp_path: Path) -> None:
    renamed = tmp_path / "script.txt"
    renamed.write_bytes((SAMPLES / "fdx-sample-01.fdx").read_bytes())
    project = Project()
    import_file(renamed, project)
    assert project.scenes[0].heading == "EXT. LIBRARY - DAY"
    broken = tmp_path / "broken.fdx"
    broken.write_text('<?xml version="1.0"?>\n<FinalDraft><Content><Paragraph>\n', encoding="utf-8")
    before = project.model_dump()
    with pytest.raises(BadInputError, match="line 3: not well-formed XML"):
        import_file(broken, project)
    assert project.model_dump() == before
    not_fdx = tmp_path / "notes.fdx"
    not_fdx.write_text("INT. A - DAY\n\nHi.\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="not a Final Draft file"):
        import_file(not_fdx, project)
