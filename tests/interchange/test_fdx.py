"""Final Draft import, on .fdx files Final Draft itself wrote (see samples/SOURCES)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotplanner.core.models import Project, Scene
from shotplanner.interchange.fdx import import_fdx
from shotplanner.interchange.import_cli import import_file
from shotplanner.interchange.reports import BadInputError

SAMPLES = Path(__file__).parent / "samples"


def test_storyboarder_fixture_scenes_numbers_summaries_notes_and_title_page() -> None:
    project = Project(scenes=[Scene()])  # as `shotplanner new` leaves it
    report = import_fdx(SAMPLES / "storyboarder-test.fdx", project)
    assert (project.title, project.author) == ("FARMLAND", "Jeffrey Stoltzfus")
    assert report.scenes_added == len(project.scenes) == 30
    first, second = project.scenes[:2]
    # Final Draft's own scene numbers (Number="123", "2") are kept
    assert (first.number, second.number) == ("123", "2")
    assert (first.int_ext, first.location, first.time_of_day) == ("EXT.", "Mast 2 3 farm", "NIGHT")
    # the ScriptNote on the heading, then "Fade in:" written before it, describe scene 1; the summary too
    assert "Note: Near Plattsmouth Nebraska." in first.description and "Fade in:" in first.description
    assert "Calm fields of wheat" in first.description
    assert first.shots[0].layers.action.startswith("Wheat fields. Etched in darkness")
    names = [c.name for c in project.characters]
    assert "HENRY" in names and "DOCTOR" in names and not any("(" in n for n in names)  # HENRY (o.S.)
    henry = next(s for s in second.shots if "HENRY: Was it like this with me?" in s.dialogue)
    assert henry.layers.action  # the line is noted on the action shot it follows


def test_scripttool_sample_parenthetical_and_transition() -> None:
    project = Project()
    import_fdx(SAMPLES / "scripttool-sample-01.fdx", project)
    (scene,) = project.scenes
    assert scene.heading == "EXT. LIBRARY - DAY" and scene.description == "FADE IN:"
    (shot,) = scene.shots
    assert shot.dialogue == "PROGRAMMER: (excited) Eureka!"
    assert shot.notes == "Transition: FADE TO BLACK."


def test_content_decides_not_the_name(tmp_path: Path) -> None:
    renamed = tmp_path / "script.txt"
    renamed.write_bytes((SAMPLES / "scripttool-sample-01.fdx").read_bytes())
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
