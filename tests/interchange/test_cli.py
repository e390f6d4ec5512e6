"""The export and import subcommands, run through the real ``shotplanner`` entry point."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from shotplanner.cli import main
from shotplanner.core.storage import load_project
from tests.interchange.fixtures import sample_project
from tests.interchange.test_fountain import SCRIPT


@pytest.fixture()
def project_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "film"
    sample_project(folder)
    return folder


@pytest.mark.parametrize("fmt", ["otio", "fcp7", "fcpxml", "edl", "pdf", "csv"])
def test_export_every_format(
    fmt: str, project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / f"cut.{fmt}"
    assert main(["export", str(project_dir), "--format", fmt, str(out)]) == 0
    assert out.is_file() and out.stat().st_size > 0
    captured = capsys.readouterr()
    assert str(out) in captured.out
    # the missing take is reported by the CLI, not only inside the report (a CSV names no media)
    assert fmt == "csv" or ("missing media for shot 2" in captured.err and "gone.mp4" in captured.err)


def test_export_format_from_extension_and_errors(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cut.fcpxml"
    assert main(["export", str(project_dir), str(out)]) == 0
    assert isinstance(
        otio.adapters.read_from_file(str(out), adapter_name="fcpx_xml"), otio.schema.SerializableCollection
    )
    assert main(["export", str(project_dir), str(tmp_path / "cut.doc")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "nowhere"), "--format", "otio", str(tmp_path / "x.otio")]) == 1
    assert main(["export", str(project_dir), "--animatic", "--format", "edl", str(tmp_path / "x.mp4")]) == 2


def test_export_animatic_goes_to_the_film_renderer(project_dir: Path, tmp_path: Path) -> None:
    import av

    out = tmp_path / "film.mp4"
    assert main(["export", str(project_dir), "--animatic", str(out)]) == 0
    with av.open(str(out)) as container:
        assert container.streams.video and container.duration and container.duration > 0


def test_import_fountain_creates_the_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "soup.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    folder = tmp_path / "new film"
    assert main(["import", str(script), "--into", str(folder)]) == 0
    project = load_project(folder)
    assert project.title == 'Soup & "Stars"'
    assert [s.heading for s in project.scenes] == ["INT. KITCHEN - NIGHT", "FLASHBACK", "EXT. ROOF - DAWN"]
    assert "4 shots added" in capsys.readouterr().out
    assert (folder / "media").is_dir()


def test_import_csv_round_trip_through_the_cli(project_dir: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "shots.csv"
    assert main(["export", str(project_dir), "--format", "csv", str(csv_path)]) == 0
    copy = tmp_path / "copy"
    assert main(["import", str(csv_path), "--into", str(copy)]) == 0
    original, imported = load_project(project_dir), load_project(copy)
    assert [(s.number, s.size, s.layers, s.notes) for s in imported.all_shots()] == [
        (s.number, s.size, s.layers, s.notes) for s in original.all_shots()
    ]


def test_bad_import_leaves_the_project_alone(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project_dir / "project.json").read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("shot,size\n9,gigantic\n", encoding="utf-8")
    assert main(["import", str(bad), "--into", str(project_dir)]) == 1
    err = capsys.readouterr().err
    assert "line 2, column B (size): unknown shot size 'gigantic'" in err and "nothing was imported" in err
    assert (project_dir / "project.json").read_bytes() == before
    other = tmp_path / "notes.docx"
    other.write_text("x")
    assert main(["import", str(other), "--into", str(tmp_path / "never")]) == 1
    assert not (tmp_path / "never").exists()


def test_new_then_import_keeps_the_scripts_scene_numbers_and_title_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "film"
    assert main(["new", str(folder)]) == 0  # one empty scene 1, titled "film"
    script = tmp_path / "brick.fountain"
    script.write_text(
        "Title: _**BRICK & STEEL**_\nCredit: Written by\nAuthor: Stu Maschwitz\nDraft date: 1/20/2012\n\n"
        "A cold open.\n\nEXT. BRICK'S PATIO - DAY\n\nA gorgeous day.\n\nINT. TRAILER HOME - DAY\n\nBeer.\n",
        encoding="utf-8",
    )
    assert main(["import", str(script), "--into", str(folder)]) == 0
    project = load_project(folder)
    title_page = (project.title, project.author, project.draft_date)
    assert title_page == ("BRICK & STEEL", "Stu Maschwitz", "1/20/2012")
    assert [(s.number, s.heading) for s in project.scenes] == [
        ("1", "EXT. BRICK'S PATIO - DAY"),
        ("2", "INT. TRAILER HOME - DAY"),
    ]
    assert [s.number for s in project.all_shots()] == ["1", "2"]
    assert project.scenes[0].description == "A cold open."
    timeline = tmp_path / "cut.edl.txt"
    timeline.write_bytes((Path(__file__).parent / "samples" / "avid_example.edl").read_bytes())
    before = (folder / "project.json").read_bytes()
    assert main(["import", str(timeline), "--into", str(folder)]) == 1
    assert "CMX3600 edit decision list" in capsys.readouterr().err
    assert (folder / "project.json").read_bytes() == before
