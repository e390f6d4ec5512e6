"""Shot list: PDF rendered back to pixels, CSV export and import round trip, bad CSV rows."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

from shotplanner.core.models import Project, Scene, Shot, ShotSize
from shotplanner.interchange.reports import BadInputError
from shotplanner.interchange.shotlist import COLUMNS, export_csv, export_pdf, import_csv
from shotplanner.interchange.shotlist_pdf import PdfExportError
from tests.interchange.fixtures import HARD_NAME, sample_project


@pytest.fixture()
def project_dir(tmp_path: Path) -> tuple[Path, Project]:
    folder = tmp_path / "proj"
    project, _ = sample_project(folder, write_media=False)
    return folder, project


@pytest.mark.parametrize("layout", ["sheet", "table"])
def test_pdf_renders_to_a_page_with_ink(
    layout: str, project_dir: tuple[Path, Project], tmp_path: Path
) -> None:
    folder, project = project_dir
    out = tmp_path / f"{layout}.pdf"
    report = export_pdf(project, folder, out, layout)
    assert report.out_paths == [out] and report.clips == 7
    pdf = pdfium.PdfDocument(str(out))
    assert len(pdf) == (2 if layout == "sheet" else 1)  # 7 shots, 6 per storyboard page
    image = pdf[0].render(scale=1).to_pil().convert("L")
    pixels = np.asarray(image)
    dark = (pixels < 128).mean()
    assert 0.002 < dark < 0.5, dark  # text and frames, not a blank or black page
    image.save(tmp_path / f"{layout}.png")
    text = pdf[0].get_textpage().get_text_range()
    for expected in ("1A", "INT. KITCHEN", "push-in", "85mm", "kling-2.1", "Hands out of frame"):
        assert expected in text, expected
    all_text = "".join(page.get_textpage().get_text_range() for page in pdf)
    assert "Тест" in all_text and "東京" in all_text and "O'Brien" in all_text
    if layout == "sheet":
        assert "clip missing" in all_text and "no clip yet" in all_text  # placeholder frames


def test_storyboard_sheet_shows_the_poster_of_the_cut_take(tmp_path: Path) -> None:
    folder = tmp_path / "with media"
    project, _ = sample_project(folder)  # real MP4s, filled with the colour (200, 80, 40)
    out = tmp_path / "sheet.pdf"
    export_pdf(project, folder, out, "sheet")
    page = np.asarray(pdfium.PdfDocument(str(out))[0].render(scale=1).to_pil().convert("RGB")).astype(int)
    clip_colour = (abs(page - np.array([200, 80, 40])).sum(axis=2) < 40).mean()
    assert clip_colour > 0.02, clip_colour  # posters of shots 1, 1A, 1B are drawn, not placeholders
    text = pdfium.PdfDocument(str(out))[0].get_textpage().get_text_range()
    assert "no poster" not in text and "clip missing" in text


def test_pdf_with_many_shots_paginates(tmp_path: Path) -> None:
    shots = [Shot(number=str(i), notes="long " * 80) for i in range(1, 60)]
    project = Project(scenes=[Scene(number="1", shots=shots)])
    export_pdf(project, tmp_path, tmp_path / "t.pdf", "table")
    pdf = pdfium.PdfDocument(str(tmp_path / "t.pdf"))
    assert len(pdf) > 1
    text = "".join(page.get_textpage().get_text_range() for page in pdf)
    assert "59" in text and "…" in text  # the last shot is there; over-long notes end in an ellipsis


def test_pdf_unknown_layout(project_dir: tuple[Path, Project], tmp_path: Path) -> None:
    folder, project = project_dir
    with pytest.raises(PdfExportError, match="unknown PDF layout 'poster'"):
        export_pdf(project, folder, tmp_path / "x.pdf", "poster")


def _comparable(project: Project) -> list[tuple]:
    return [
        (
            scene.number,
            scene.heading,
            s.number,
            s.size,
            s.angle,
            s.movement,
            s.lens_mm,
            s.duration_s,
            s.model_id,
            s.notes,
            s.dialogue,
            s.layers,
        )
        for scene in project.scenes
        for s in scene.shots
    ]


def test_csv_has_the_columns_and_round_trips(project_dir: tuple[Path, Project], tmp_path: Path) -> None:
    folder, project = project_dir
    project.all_shots()[0].dialogue = 'CHEF: "Salt, now."\nKID: Yes & no'
    out = tmp_path / "shots.csv"
    export_csv(project, folder, out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0].keys()) == COLUMNS
    assert [r["shot"] for r in rows] == ["1", "1A", "1B", "1C", "2", "2A", "2B"]
    assert rows[0]["size"] == "CU" and rows[0]["lens_mm"] == "85" and rows[0]["model"] == "kling-2.1"
    assert "tastes the soup" in rows[0]["prompt"]
    assert rows[-1]["subject"] == HARD_NAME

    fresh = Project(title="Fresh")
    report = import_csv(out, fresh)
    assert (report.scenes_added, report.shots_added, report.shots_updated) == (2, 7, 0)
    assert _comparable(fresh) == _comparable(project)

    # Importing into the project it came from changes nothing and keeps the takes.
    before = project.model_dump()
    report = import_csv(out, project)
    assert report.shots_updated == 7 and report.shots_added == 0
    assert project.model_dump() == before


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_import_of_a_partial_sheet_from_a_spreadsheet(tmp_path: Path) -> None:
    project = Project(scenes=[Scene(number="4", heading="INT. HALL", shots=[Shot(number="4", notes="keep")])])
    src = write(
        tmp_path / "s.csv",
        "Shot,Size,Lens_mm,Duration_s,Prompt,Colour\n"
        "4,close-up,50mm,3s,\n4A,wide,,,A long hallway at night\n",
    )
    report = import_csv(src, project)
    assert report.shots_added == 1 and report.shots_updated == 1
    assert any("'colour'" in w for w in report.warnings)
    s4, s4a = project.scenes[0].shots
    assert (s4.size, s4.lens_mm, s4.duration_s, s4.notes) == (ShotSize.CU, 50, 3.0, "keep")
    assert s4a.size is ShotSize.WS and s4a.layers.action == "A long hallway at night"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("shot,size\n1,CU\n2,huge\n", "line 3: unknown shot size 'huge'"),
        ("shot,duration_s\n1,abc\n", "line 2: duration 'abc' is not a number"),
        ("shot,duration_s\n1,-2\n", "line 2: duration -2 s is outside"),
        ("shot,lens_mm\n1,2\n", "line 2: lens '2' is not a focal length"),
        ("shot,size\n1,CU\n1,WS\n", "line 3: shot 1 already appears on line 2"),
        ("size,angle\nCU,low\n", "line 1: the header has no shot column"),
        ("shot,size\n1,CU,extra\n", "line 2: more cells than header columns"),
        ("", "line 1: the file is empty"),
        ('shot,notes\n1,"two\nlines"\n2,bogus-size-free\n3,ok\n4,"x",y\n', "line 6: more cells"),
    ],
)
def test_bad_csv_names_the_line_and_changes_nothing(body: str, message: str, tmp_path: Path) -> None:
    project = Project(scenes=[Scene(shots=[Shot(number="1")])])
    before = project.model_dump()
    with pytest.raises(BadInputError, match=message.replace("(", r"\(")):
        import_csv(write(tmp_path / "bad.csv", body), project)
    assert project.model_dump() == before


def test_csv_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("shot,notes\n1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(BadInputError, match="not UTF-8"):
        import_csv(path, Project())
