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
    assert any("column F 'Colour' is not a shot list column" in w for w in report.warnings)
    s4, s4a = project.scenes[0].shots
    assert (s4.size, s4.lens_mm, s4.duration_s, s4.notes) == (ShotSize.CU, 50, 3.0, "keep")
    assert s4a.size is ShotSize.WS and s4a.layers.action == "A long hallway at night"


def test_a_crews_shot_list_is_read_in_their_words(tmp_path: Path) -> None:
    """The vocabulary of the real shot list the issue quotes (0 of 25 rows used to be taken)."""
    src = write(
        tmp_path / "crew.csv",
        "Scene #,Shot #,Shot Size,Camera Movement,Angle,Lens,Duration,Description,Cast\n"
        "1,1,MWS,push in,eye level,35mm,0:04,She enters,Mara\n"
        "1,1A,MCU,slow dolly in,Low Angle,50 mm,3 sec,She looks up,Mara\n"
        "1,1B,ECU,Dolly-In,high,85,2s,Her eyes,\n"
        "1,1C,XCU,locked off,,100mm,2,The ticket,\n"
        "1,1D,close up,handheld,POV,,,Platform,\n"
        "1,1E,Wide,pan right,bird's eye,,,The train,\n"
        "1,1F,two shot,Steadicam,dutch,,,They talk,Mara; Tomas\n"
        "1,1G,OTS,pull out,,,,Over Tomas,Tomas\n"
        "1,1H,over the shoulder,push-in,,,,Over Mara,\n",
    )
    project = Project()
    report = import_csv(src, project)
    assert report.shots_added == 9 and report.skipped == 0, report.lines()
    got = [(s.number, s.size.value, s.movement.value, s.angle.value) for s in project.all_shots()]
    assert got == [
        ("1", "MS", "push-in", "eye level"),
        ("1A", "MCU", "push-in", "low"),
        ("1B", "ECU", "push-in", "high"),
        ("1C", "ECU", "static", "eye level"),
        ("1D", "CU", "handheld", "POV"),
        ("1E", "WS", "pan right", "overhead"),
        ("1F", "MS", "tracking", "dutch"),
        ("1G", "OTS", "pull-back", "eye level"),
        ("1H", "OTS", "push-in", "eye level"),
    ]
    first = project.all_shots()[0]
    assert (first.lens_mm, first.duration_s, first.layers.action) == (35, 4.0, "She enters")
    names = {c.id: c.name for c in project.characters}
    assert [names[i] for i in project.all_shots()[6].character_ids] == ["Mara", "Tomas"]


def test_partial_import_takes_every_good_row_and_names_the_rest(tmp_path: Path) -> None:
    src = write(
        tmp_path / "mixed.csv",
        "shot,size,movement,duration_s,lens_mm\n"
        "1,CU,push in,3,50\n"
        "2,gigantic,static,3,50\n"
        "3,WS,zoomy,3,\n"
        "4,WS,pan,3,\n"
        "5,MS,static,-2,\n"
        "6,MS,static,2,2\n"
        "1,WS,static,1,\n"
        "7,MS,static,2,35,extra\n"
        "8,ECU,static,2,35\n",
    )
    project = Project(scenes=[Scene(shots=[Shot(number="0", notes="keep")])])
    report = import_csv(src, project)
    assert [s.number for s in project.all_shots()] == ["0", "1", "8"]
    assert report.skipped == 7
    lines = report.lines()
    assert "2 of 9 rows imported; 7 skipped (listed below)" in lines
    for expected in (
        "mixed.csv: line 3, column B (size): unknown shot size 'gigantic'",
        "mixed.csv: line 4, column C (movement): unknown camera movement 'zoomy'",
        "mixed.csv: line 5, column C (movement): camera movement 'pan' does not say which way",
        "mixed.csv: line 6, column D (duration_s): duration -2 s is outside",
        "mixed.csv: line 7, column E (lens_mm): lens '2' is not a focal length",
        "mixed.csv: line 8, column A (shot): shot 1 already appears on line 2",
        "mixed.csv: line 9: more cells than header columns",
    ):
        assert any(line.startswith(expected) for line in lines), expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("size,angle\nCU,low\n", "line 1: the header has no shot column"),
        ("", "line 1: the file is empty"),
        ("shot,size\n1,huge\n", "line 2, column B \\(size\\): unknown shot size 'huge'"),
        ("shot,reference_images\n1,start=../../etc/passwd\n", "is not a path inside the project folder"),
    ],
)
def test_a_csv_with_no_good_row_changes_nothing(body: str, message: str, tmp_path: Path) -> None:
    project = Project(scenes=[Scene(shots=[Shot(number="1")])])
    before = project.model_dump()
    with pytest.raises(BadInputError, match=message):
        import_csv(write(tmp_path / "bad.csv", body), project)
    assert project.model_dump() == before


def _plan(project: Project) -> dict[str, object]:
    """Everything a shot list carries (takes are media, ids are local)."""
    names = {c.id: c.name for c in project.characters}
    return {
        "title": project.title,
        "cast": sorted((c.name, c.description, tuple(c.reference_images)) for c in project.characters),
        "scenes": [
            (
                sc.number, sc.heading, sc.description,
                [
                    s.model_dump(exclude={"id", "takes", "character_ids"})
                    | {"characters": [names[i] for i in s.character_ids]}
                    for s in sc.shots
                ],
            )
            for sc in project.scenes
        ],
    }


def test_the_demo_survives_its_own_csv_round_trip(tmp_path: Path) -> None:
    from shotplanner.core.demo import copy_demo
    from shotplanner.core.storage import create_project, load_project

    demo = load_project(copy_demo(tmp_path / "demo"))
    out = tmp_path / "demo.csv"
    export_csv(demo, tmp_path / "demo", out)
    folder = tmp_path / "again"
    create_project(folder, "again")  # what `shotplanner new` makes
    fresh = load_project(folder)
    report = import_csv(out, fresh)
    assert report.skipped == 0
    plan = _plan(demo)
    # the demo has characters, references, 4K, audio, draft quality and scene descriptions to lose
    shots = [s for _, _, _, sc in plan["scenes"] for s in sc]  # type: ignore[union-attr]
    assert any(s["resolution"] == "4k" for s in shots) and any(s["audio"] for s in shots)
    assert any(s["quality"] == "draft" for s in shots) and any(s["reference_images"] for s in shots)
    assert plan["cast"] and all(d for _, _, d, _ in plan["scenes"])  # type: ignore[misc]
    assert _plan(fresh) == plan


def test_csv_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("shot,notes\n1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(BadInputError, match="not UTF-8"):
        import_csv(path, Project())


# ----------------------------------------------------------------- PDF: fonts, stills, model names


def _font_objects(pdf_bytes: bytes) -> list[bytes]:
    """The /Font dictionaries of a ReportLab PDF (it writes objects uncompressed, streams aside)."""
    import re

    return re.findall(rb"<<[^<>]*/Type /Font\b[^<>]*>>", pdf_bytes)


def test_pdf_embeds_every_font_including_cjk(project_dir: tuple[Path, Project], tmp_path: Path) -> None:
    folder, project = project_dir
    out = tmp_path / "sheet.pdf"
    report = export_pdf(project, folder, out, "sheet")
    assert not any("CJK" in w for w in report.warnings), report.warnings  # the TrueType CJK font is there
    data = out.read_bytes()
    assert b"HeiseiKakuGo" not in data  # the old, non-embedded CID font
    fonts = _font_objects(data)
    assert fonts and all(b"/Subtype /Type0" in f or b"/Subtype /TrueType" in f for f in fonts)
    # one embedded TrueType program per subset (DejaVu regular and bold, the CJK fallback)
    assert data.count(b"/FontFile2") >= 3
    text = "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(str(out)))
    assert "東京" in text


def test_pdf_shows_the_reference_image_where_no_clip_exists_and_model_names(tmp_path: Path) -> None:
    from PIL import Image

    from shotplanner.core.models import Character, ImageRef

    folder = tmp_path / "film"
    (folder / "media" / "refs").mkdir(parents=True)
    Image.new("RGB", (160, 90), (20, 160, 60)).save(folder / "media" / "refs" / "green.png")
    Image.new("RGB", (160, 90), (30, 60, 200)).save(folder / "media" / "refs" / "mara.png")
    mara = Character(name="Mara", reference_images=["media/refs/mara.png"])
    shots = [
        Shot(number="1", model_id="kling-v2.6",
             reference_images=[ImageRef(path="media/refs/green.png", role="start")]),
        Shot(number="1A", character_ids=[mara.id]),  # no image of its own: the character's sheet
        Shot(number="1B", reference_images=[ImageRef(path="../../outside.png", role="reference")]),
    ]
    project = Project(characters=[mara], scenes=[Scene(shots=shots)])
    out = tmp_path / "sheet.pdf"
    export_pdf(project, folder, out, "sheet")
    page = pdfium.PdfDocument(str(out))[0]
    pixels = np.asarray(page.render(scale=1).to_pil().convert("RGB")).astype(int)

    def share(rgb: tuple[int, int, int]) -> float:
        return float((abs(pixels - np.array(rgb)).sum(axis=2) < 40).mean())

    assert share((20, 160, 60)) > 0.01 and share((30, 60, 200)) > 0.01
    text = page.get_textpage().get_text_range()
    assert "Kling v2.6" in text and "kling-v2.6" not in text  # the catalog's name, not the id
    assert "no clip yet" in text  # 1B: a path outside the project is never read


def test_a_studiobinder_style_sheet(tmp_path: Path) -> None:
    """The columns a StudioBinder shot list export has (Scene, Shot, INT / EXT, N/D, Camera, Shot Size,
    Camera Movement, Camera Angle, Sound, Scene Description, Location, Cast, Notes)."""
    src = write(
        tmp_path / "studiobinder.csv",
        "Scene,Shot,INT / EXT,N/D,Camera,Shot Size,Camera Movement,Camera Angle,Sound,Scene Description,"
        "Location,Cast,Notes\n"
        "1,1,EXT,Day,A Cam,EWS,Dolly In,Eye Level,Diegetic,Queue outside,THE OUTLET,Ezra,master\n"
        "1,1A,EXT,Day,B Cam,CU,Static,Low Angle,MOS,,THE OUTLET,Ezra,\n",
    )
    project = Project()
    report = import_csv(src, project)
    assert report.skipped == 0 and report.shots_added == 2, report.lines()
    (scene,) = project.scenes
    assert (scene.heading, scene.int_ext, scene.location, scene.time_of_day) == (
        "EXT. THE OUTLET - DAY", "EXT.", "THE OUTLET", "DAY"
    )
    assert scene.description == "Queue outside"
    one, one_a = scene.shots
    assert (one.size.value, one.movement.value, one.audio, one.notes) == ("EWS", "push-in", True, "master")
    assert (one_a.angle.value, one_a.audio) == ("low", False)
    assert one.layers.camera == ""  # "A Cam" is the camera unit, not the camera prompt layer
    assert any("camera unit" in w for w in report.warnings)


def test_a_list_into_a_new_project_keeps_its_scene_numbers(tmp_path: Path) -> None:
    from shotplanner.core.storage import create_project, load_project

    folder = tmp_path / "film"
    create_project(folder, "film")  # one empty scene 1
    project = load_project(folder)
    import_csv(write(tmp_path / "s.csv", "scene,shot,size\n3,3,CU\n3,3A,WS\n4,4,MS\n"), project)
    got = [(s.number, [x.number for x in s.shots]) for s in project.scenes]
    assert got == [("3", ["3", "3A"]), ("4", ["4"])]
