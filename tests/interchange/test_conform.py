"""The editor's cut comes back: export, edit the cut with OpenTimelineIO as an editor would, conform."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from shotplanner.cli import main
from shotplanner.core.models import JobState, Project, PromptLayers, Scene, Shot, Take
from shotplanner.core.storage import load_project, save_project
from shotplanner.interchange.conform import ConformError, conform_file, read_cut
from shotplanner.interchange.timeline import ADAPTERS, TIMELINE_FORMATS, export_timeline, file_url, otio_rate
from tests.interchange.fixtures import write_clip

SAMPLES = Path(__file__).parent / "samples"


def film(folder: Path, fps: float = 24) -> Project:
    """Two scenes of real takes; shot 2 has no take (it is exported as a slate clip)."""

    def shot(number: str, seconds: float, clip: str | None) -> Shot:
        takes = []
        if clip:
            write_clip(folder / "media" / "takes" / clip, 3.0, fps=round(fps))
            takes = [
                Take(model_id="kling-2.1", provider="fal", state=JobState.DONE, clip=f"media/takes/{clip}")
            ]
        return Shot(number=number, duration_s=seconds, layers=PromptLayers(subject=f"subject {number}"),
                    takes=takes)

    project = Project(
        title="Round trip",
        fps=fps,
        scenes=[
            Scene(number="1", heading="INT. HALL - DAY",
                  shots=[shot("1", 2, "a.mp4"), shot("1A", 2, "b b#1.mp4"), shot("1B", 1, "Ταινία.mp4")]),
            Scene(number="2", heading="EXT. ROOF - NIGHT",
                  shots=[shot("2", 1.5, None), shot("2A", 1, "c.mp4")]),
        ],
    )
    save_project(project, folder)
    return project


def edit_like_an_editor(path: Path, fmt: str, fps: float, broll: Path) -> None:
    """Reorder (scene 2 first, 1B before 1), trim 1A to 20 frames, drop in a b-roll clip we never made."""
    kwargs = {"rate": otio_rate(fps)} if fmt == "edl" else {}
    timeline = otio.adapters.read_from_file(str(path), adapter_name=ADAPTERS[fmt], **kwargs)
    if isinstance(timeline, otio.schema.SerializableCollection):
        timeline = next(iter(timeline))
    track = timeline.tracks[0]
    clips = {c.name.split(" - ")[0]: c.deepcopy() for c in track if isinstance(c, otio.schema.Clip)}
    assert set(clips) == {"1", "1A", "1B", "2", "2A"}
    rate = otio_rate(fps)
    trimmed = clips["1A"]
    trimmed.source_range = otio.opentime.TimeRange(
        trimmed.source_range.start_time, otio.opentime.RationalTime(20, rate)
    )
    zero, twelve_frames = otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(12, rate)
    twelve = otio.opentime.TimeRange(zero, twelve_frames)
    extra = otio.schema.Clip(
        name="sunset b-roll",
        media_reference=otio.schema.ExternalReference(target_url=file_url(broll), available_range=twelve),
        source_range=twelve,
    )
    extra.metadata["cmx_3600"] = {"reel": "BROLL"}
    order = [clips["2A"], clips["2"], extra, clips["1B"], clips["1"], trimmed]
    while len(track):
        track.pop()
    for item in order:
        track.append(item)
    otio.adapters.write_to_file(timeline, str(path), adapter_name=ADAPTERS[fmt], **kwargs)


@pytest.mark.parametrize("fmt", ["otio", "fcp7", "edl"])
def test_export_edit_conform_round_trip(fmt: str, tmp_path: Path) -> None:
    folder = tmp_path / "Ταινία #1 & co"
    project = film(folder)
    out = tmp_path / "to editor" / f"cut{TIMELINE_FORMATS[fmt]}"
    export_timeline(project, folder, out, fmt)
    broll = write_clip(tmp_path / "stock" / "sunset.mp4", 1.0)
    edit_like_an_editor(out, fmt, 24, broll)

    before = project.model_dump()
    report = conform_file(project, out, folder)
    assert report.matched == 5, report.lines()
    assert [s.number for s in project.scenes] == ["2", "1"]
    assert [[s.number for s in sc.shots] for sc in project.scenes] == [["2A", "2"], ["1B", "1", "1A"]]
    one_a = project.find_by_number("1A")
    assert one_a is not None and one_a.duration_s == pytest.approx(20 / 24, abs=0.001)
    assert report.trimmed == ["shot 1A: 2 s → 0.833 s"]
    assert len(report.unmatched) == 1 and "sunset b-roll" in report.unmatched[0]
    assert "00:00:02:12" in report.unmatched[0]  # where it sits in the cut (after 2A and 2)
    # untouched shots keep their lengths; takes and ids stay
    assert {s.id for s in project.all_shots()} == {s["id"] for sc in before["scenes"] for s in sc["shots"]}
    two = project.find_by_number("2")
    assert two is not None and two.duration_s == 1.5


def test_fcpxml_cut_at_ntsc_rate_edited_in_its_xml(tmp_path: Path) -> None:
    """FCPXML at 29.97: the editor's reorder and trim, made in the XML the way Final Cut writes it."""
    from fractions import Fraction
    from xml.etree import ElementTree as ET

    folder = tmp_path / "film"
    project = film(folder, fps=29.97)
    out = tmp_path / "cut.fcpxml"
    export_timeline(project, folder, out, "fcpxml")
    tree = ET.parse(out)
    spine = tree.getroot().find("library/event/project/sequence/spine")
    assert spine is not None
    items = list(spine)
    by_number = {el.get("name", "").split(" - ")[0]: el for el in items}
    for el in items:
        spine.remove(el)
    per_frame = Fraction(1001, 30000)
    by_number["1A"].set("duration", f"{(30 * per_frame).numerator}/{(30 * per_frame).denominator}s")
    offset = Fraction(0)
    for number in ["1B", "1", "1A", "2", "2A"]:
        el = by_number[number]
        el.set("offset", f"{offset.numerator}/{offset.denominator}s")
        spine.append(el)
        offset += Fraction(el.get("duration", "0s").removesuffix("s"))
    tree.write(out, encoding="utf-8", xml_declaration=True)

    report = conform_file(project, out, folder)
    assert report.matched == 5 and not report.unmatched
    assert [[s.number for s in sc.shots] for sc in project.scenes] == [["1B", "1", "1A"], ["2", "2A"]]
    one_a = project.find_by_number("1A")
    assert one_a is not None and one_a.duration_s == pytest.approx(30 * 1001 / 30000, abs=0.001)
    assert len(report.trimmed) == 1


def test_conform_through_the_cli_and_bad_cuts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "film"
    film(folder)
    out = tmp_path / "cut.otio"
    assert main(["export", str(folder), str(out)]) == 0
    edit_like_an_editor(out, "otio", 24, write_clip(tmp_path / "broll.mp4", 1.0))
    assert main(["conform", str(out), "--into", str(folder), "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out
    assert [s.number for s in load_project(folder).scenes] == ["1", "2"]
    assert main(["conform", str(out), "--into", str(folder)]) == 0
    printed = capsys.readouterr().out
    assert "5 clips matched to shots" in printed and "no shot for clip 'sunset b-roll'" in printed
    assert [s.number for s in load_project(folder).scenes] == ["2", "1"]

    before = (folder / "project.json").read_bytes()
    script = tmp_path / "script.fountain"
    script.write_text("INT. A - DAY\n\nHi.\n", encoding="utf-8")
    assert main(["conform", str(script), "--into", str(folder)]) == 1
    assert "not an editor's cut" in capsys.readouterr().err
    # a real Avid EDL that is not our export matches nothing: refused, nothing changed
    assert main(["conform", str(SAMPLES / "avid_example.edl"), "--into", str(folder)]) == 1
    assert "no clip in the cut matches a shot" in capsys.readouterr().err
    assert (folder / "project.json").read_bytes() == before


@pytest.mark.parametrize(
    ("sample", "count"),
    [
        ("premiere_example.xml", None),
        ("avid_example.edl", 2),
        ("premiere_example.edl", 2),
        ("fcpx_example.fcpxml", None),
        ("resolve_edltools_simple.edl", 2),
        ("resolve_immersive.fcpxml", 3),
    ],
)
def test_cuts_written_by_other_programs_are_read(sample: str, count: int | None) -> None:
    clips = read_cut(SAMPLES / sample, 24)
    assert clips and all(c.frames > 0 for c in clips)
    if count is not None:
        assert len(clips) == count
    with pytest.raises(ConformError, match="no clip in the cut matches"):
        from shotplanner.interchange.conform import conform

        conform(Project(scenes=[Scene(shots=[Shot(number="1")])]), clips, SAMPLES, sample)


def _takes_named(files: list[str], seconds: float, fps: float) -> Project:
    """One scene, one shot per file (numbered 1, 2, …), each with a take whose clip has that file name:
    what a project looks like when the editor brought its takes into their editor by hand."""
    shots = [
        Shot(number=str(i), duration_s=seconds,
             takes=[Take(model_id="kling-2.1", provider="fal", state=JobState.DONE, clip=f"media/takes/{f}")])
        for i, f in enumerate(files, start=1)
    ]
    return Project(fps=fps, scenes=[Scene(number="1", shots=shots)])


def test_an_edl_written_by_davinci_resolve(tmp_path: Path) -> None:
    """samples/resolve_edltools_simple.edl: Resolve's EDL (title "Timeline 1", reel AX, CRLF lines)."""
    from shotplanner.interchange.timeline import timecode

    edl = SAMPLES / "resolve_edltools_simple.edl"
    clips = read_cut(edl, 24)
    # 001 AX V C 00:00:00:00 00:00:04:06 01:00:00:00 01:00:04:06  * FROM CLIP NAME: pingout_v2.mov
    # 002 AX V C 00:00:00:00 00:00:03:21 01:00:04:06 01:00:08:03  * FROM CLIP NAME: text.mov
    assert [c.name for c in clips] == ["pingout_v2.mov", "text.mov"]
    assert [c.frames for c in clips] == [4 * 24 + 6, 3 * 24 + 21]
    assert [timecode(c.record, 24) for c in clips] == ["00:00:00:00", "00:00:04:06"]
    # its source and record lengths agree only at 24 fps: read at 25 it is refused with a reason
    with pytest.raises(ConformError, match="cannot read"):
        read_cut(edl, 25)

    # the editor's order and lengths land on the shots whose takes are those files
    project = _takes_named(["text.mov", "pingout_v2.mov"], 5.0, 24)
    report = conform_file(project, edl, tmp_path)
    assert report.matched == 2 and not report.unmatched
    assert [(s.number, s.duration_s) for s in project.all_shots()] == [("2", 4.25), ("1", 3.875)]
    assert report.trimmed == ["shot 1: 5 s → 3.875 s", "shot 2: 5 s → 4.25 s"]


def test_an_fcpxml_written_by_davinci_resolve(tmp_path: Path) -> None:
    """samples/resolve_immersive.fcpxml: Resolve's FCPXML 1.11 (event "Timeline 1 (Resolve)", <clip> items
    holding <video ref>, a dip and a dissolve between them, a 90 fps sequence)."""
    from shotplanner.interchange.timeline import path_from_url, timecode

    fcpxml = SAMPLES / "resolve_immersive.fcpxml"
    clips = read_cut(fcpxml, 30)
    names = ["A002_02091448_C046.braw", "A002_02091554_C053.braw", "A002_02091625_C065.braw"]
    assert [c.name for c in clips] == names
    # durations 11/1s, 464/45s, 407/30s; offsets 0/1s, 11/1s, 959/45s (the transitions take no time)
    assert [c.frames for c in clips] == [330, 309, 407]
    assert [timecode(c.record, 30) for c in clips] == ["00:00:00:00", "00:00:11:00", "00:00:21:09"]
    assert path_from_url(clips[2].media) == (
        "/Users/chrishocking/Desktop/BRAW Clips/- Immersive/Cowboy at Sunset/A002_02091625_C065.braw"
    )

    project = _takes_named(list(reversed(names)), 12.0, 30)
    report = conform_file(project, fcpxml, tmp_path)
    assert report.matched == 3 and not report.unmatched and report.moved == 2
    lengths = [(s.number, s.duration_s) for s in project.all_shots()]
    assert lengths == [("3", 11.0), ("2", 10.3), ("1", 13.567)]


@pytest.mark.parametrize("fps", [23.976, 24, 29.97])
def test_the_direct_fcp7_reader_agrees_with_the_otio_adapter(fps: float, tmp_path: Path) -> None:
    """Straight-cut FCP7 XML is read directly (the adapter takes seconds on a long cut); on our exports,
    on one an editor changed with OTIO, and on Premiere's and Hiero's files both readers give the same
    clips. A cut with generators (or transitions) is left to the adapter."""
    import shutil

    from shotplanner.interchange.conform import _read_fcp7_cuts_only, _read_with_otio

    def facts(clips: list) -> list[tuple[str, int, int, str]]:
        return [(c.name, c.frames, c.record, c.media) for c in clips]

    folder = tmp_path / "film"
    project = film(folder, fps=fps)
    ours = tmp_path / "cut.xml"
    export_timeline(project, folder, ours, "fcp7")
    edited = tmp_path / "edited.xml"
    shutil.copy(ours, edited)
    edit_like_an_editor(edited, "fcp7", fps, write_clip(tmp_path / "broll.mp4", 1.0))
    for path in (ours, edited, SAMPLES / "premiere_example.xml", SAMPLES / "hiero_xml_export.xml"):
        direct = _read_fcp7_cuts_only(path, fps)
        assert direct is not None, path.name
        assert facts(direct) == facts(_read_with_otio(path, "fcp7", fps)), path.name
    assert len(_read_fcp7_cuts_only(edited, fps) or []) == 6
    assert _read_fcp7_cuts_only(SAMPLES / "premiere_generators.xml", fps) is None
    assert len(read_cut(SAMPLES / "premiere_generators.xml", fps)) == len(
        _read_with_otio(SAMPLES / "premiere_generators.xml", "fcp7", fps)
    )
