"""Timeline exports read back with OpenTimelineIO, and checked against each format's own rules."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path
from xml.etree import ElementTree as ET

import opentimelineio as otio
import pytest

from shotplanner.core.models import Project, Scene, Shot
from shotplanner.interchange.timeline import (
    ADAPTERS,
    EDL_MAX_EVENTS,
    TIMELINE_FORMATS,
    TimelineExportError,
    export_timeline,
)
from tests.interchange.fixtures import HARD_NAME, Expected, sample_project

EXT = {fmt: ext for fmt, ext in TIMELINE_FORMATS.items()}


def read_back(path: Path, fmt: str, fps: float = 24) -> otio.schema.Timeline:
    from shotplanner.interchange.timeline import otio_rate

    kwargs = {"rate": otio_rate(fps)} if fmt == "edl" else {}
    result = otio.adapters.read_from_file(str(path), adapter_name=ADAPTERS[fmt], **kwargs)
    if isinstance(result, otio.schema.SerializableCollection):  # FCPXML: library > event > project
        result = next(iter(result))
    return result


def media_path(url: str, relative_to: Path) -> Path:
    if url.startswith("file:"):
        return Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
    return (relative_to / urllib.parse.unquote(url)).resolve()


@pytest.fixture(scope="module")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Project, list[Expected]]:
    # "#" cuts a URL that is not encoded, "&" breaks XML, spaces and Greek need percent-encoding
    folder = tmp_path_factory.mktemp("proj") / "Ταινία #1 & co"
    project, expected = sample_project(folder)
    return folder, project, expected


def test_adapters_are_installed() -> None:
    assert set(ADAPTERS.values()) <= set(otio.adapters.available_adapter_names())


@pytest.mark.parametrize("fmt", list(TIMELINE_FORMATS))
def test_round_trip_same_clips_order_durations_names(
    fmt: str, project_dir: tuple[Path, Project, list[Expected]], tmp_path: Path
) -> None:
    folder, project, expected = project_dir
    out = tmp_path / "exports" / f"cut{EXT[fmt]}"
    report = export_timeline(project, folder, out, fmt)
    assert report.out_paths == [out]
    assert (report.clips, report.placeholders, report.gaps) == (5, 1, 0)
    # The missing file is reported, and the zero-length shot is named, not silently dropped.
    assert [(n, p.name) for n, p in report.missing] == [("2", "gone.mp4")]
    assert any("2A" in w and "0 frames" in w for w in report.warnings)
    # the take shorter than its shot: the clip stops at the take's end, and the report says so
    assert any("shot 1A wants 1.5 s but its take lasts 1 s" in w for w in report.warnings)

    track = read_back(out, fmt).tracks[0]
    items = list(track)
    assert [round(i.duration().value) for i in items] == [e.frames for e in expected]
    for item, exp in zip(items, expected, strict=True):
        assert isinstance(item, otio.schema.Clip)  # never a gap: a shot with no take gets a slate clip
        assert item.name.split(" - ")[0] == exp.number
        path = media_path(item.media_reference.target_url, out.parent)
        if exp.placeholder:
            assert path.parent == (folder / "media" / "placeholders").resolve() and path.is_file()
            from shotplanner.media.probe import probe

            assert probe(path).frames == exp.frames
            continue
        assert path == (folder / str(exp.media)).resolve()
        # Every format carries the shot's facts in a marker (EDL upper-cases its comments).
        assert item.markers and item.markers[0].name.lower().startswith(
            next(s for s in project.all_shots() if s.number == exp.number).size.value.lower()
        )
    hard = items[-1]
    assert hard.name == f"2B - {HARD_NAME}"


def test_otio_is_lossless_and_relative(
    project_dir: tuple[Path, Project, list[Expected]], tmp_path: Path
) -> None:
    folder, project, _ = project_dir
    out = tmp_path / "cut.otio"
    export_timeline(project, folder, out, "otio")
    timeline = read_back(out, "otio")
    clip = next(iter(timeline.tracks[0]))
    url = clip.media_reference.target_url
    assert not url.startswith(("file:", "/")), url  # relative to the .otio file
    meta = clip.metadata["shotplanner"]
    assert meta["size"] == "CU" and meta["angle"] == "low" and meta["movement"] == "push-in"
    assert meta["lens"] == "85mm" and meta["model"] == "kling-2.1"
    assert "A chef" in meta["prompt"] and "tastes the soup" in meta["prompt"]
    assert meta["scene_heading"] == "INT. KITCHEN - NIGHT"
    slate = list(timeline.tracks[0])[3]
    assert slate.name.startswith("1C") and slate.metadata["shotplanner"]["take_id"] is None
    assert slate.metadata["shotplanner"]["placeholder"] is True
    missing = list(timeline.tracks[0])[4]
    assert missing.metadata["shotplanner"]["media_missing"] is True


def test_frame_rate_comes_from_the_project(tmp_path: Path) -> None:
    from shotplanner.core.models import JobState, Take

    def shot(number: str, seconds: float, clip: bool) -> Shot:
        takes = (
            [Take(model_id="m", provider="fal", state=JobState.DONE, clip=f"media/{number}.mp4")]
            if clip
            else []
        )
        return Shot(number=number, duration_s=seconds, takes=takes)

    project = Project(
        fps=30, scenes=[Scene(shots=[shot("1", 1.5, True), shot("1A", 5, False), shot("1B", 0.1, True)])]
    )
    for fmt in TIMELINE_FORMATS:
        out = tmp_path / f"cut{EXT[fmt]}"
        export_timeline(project, tmp_path, out, fmt)
        track = read_back(out, fmt, fps=30).tracks[0]
        assert [i.duration().rate for i in track] == [30, 30, 30], fmt
        assert [i.duration().value for i in track] == [45, 150, 3], fmt
        assert all(isinstance(i, otio.schema.Clip) for i in track), fmt


# ----------------------------------------------------------------- format rules

TC = r"\d\d:\d\d:\d\d[:;]\d\d"
EVENT = re.compile(
    rf"^(?P<num>\d{{3}})  (?P<reel>[A-Z0-9 ]{{8}}) (?P<track>V    |A    |B    ) (?P<trans>C   ) {{5}}"
    rf"(?P<src_in>{TC}) (?P<src_out>{TC}) (?P<rec_in>{TC}) (?P<rec_out>{TC})$"
)


def tc_frames(tc: str, fps: float) -> int:
    """Frames from a timecode (drop-frame when written with ';'), as SMPTE 12M counts them."""
    h, m, s, f = (int(x) for x in re.split("[:;]", tc))
    base = round(fps)
    assert 0 <= m < 60 and 0 <= s < 60 and 0 <= f < base, tc
    frames = ((h * 60 + m) * 60 + s) * base + f
    if ";" in tc:
        drop = 2 * base // 30
        minutes = h * 60 + m
        frames -= drop * (minutes - minutes // 10)
    return frames


def edl_events(text: str, fps: float) -> list[dict[str, object]]:
    lines = text.splitlines()
    assert lines[0].startswith("TITLE: ")
    assert lines[1] in ("FCM: NON-DROP FRAME", "FCM: DROP FRAME")
    events = []
    for line in lines[2:]:
        if not line or line.startswith("*"):
            continue
        m = EVENT.match(line)
        assert m, f"not a CMX3600 event line: {line!r}"
        events.append({k: (tc_frames(v, fps) if "_" in k else v) for k, v in m.groupdict().items()})
    return events


def test_edl_event_lines_and_timecodes(
    project_dir: tuple[Path, Project, list[Expected]], tmp_path: Path
) -> None:
    folder, project, expected = project_dir
    out = tmp_path / "cut.edl"
    export_timeline(project, folder, out, "edl")
    events = edl_events(out.read_text(encoding="utf-8"), 24)
    assert [e["num"] for e in events] == [f"{i:03d}" for i in range(1, len(expected) + 1)]
    assert [str(e["reel"]).strip() for e in events] == [c.number for c in expected]
    rec = 0
    for event, clip in zip(events, expected, strict=True):
        # source and record lengths agree, record in follows the previous event
        assert event["src_out"] - event["src_in"] == clip.frames
        assert event["rec_out"] - event["rec_in"] == clip.frames
        assert event["rec_in"] == rec
        rec += clip.frames
    # each marker sits at its clip's record time, not at 00:00:00:00
    locs = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("* LOC:")]
    assert [tc_frames(line.split()[2], 24) for line in locs] == [e["rec_in"] for e in events]
    assert "FROM CLIP: " + str((folder / "media/takes/circled.mp4").resolve()) in out.read_text("utf-8")


def test_long_edl_is_split_at_999_events_with_continuous_record_time(tmp_path: Path) -> None:
    shots = [Shot(number=f"{i}", duration_s=1.0) for i in range(1, EDL_MAX_EVENTS + 6)]
    from shotplanner.core.models import JobState, Take

    for shot in shots:
        shot.takes.append(
            Take(model_id="m", provider="fal", state=JobState.DONE, clip=f"media/takes/{shot.number}.mp4")
        )
    project = Project(fps=25, scenes=[Scene(shots=shots)])
    report = export_timeline(project, tmp_path, tmp_path / "long.edl", "edl")
    assert [p.name for p in report.out_paths] == ["long.edl", "long_part2.edl"]
    assert any("split" in w for w in report.warnings)
    first = edl_events(report.out_paths[0].read_text(), 25)
    second = edl_events(report.out_paths[1].read_text(), 25)
    assert len(first) == EDL_MAX_EVENTS and len(second) == 5
    assert second[0]["num"] == "001" and second[0]["rec_in"] == first[-1]["rec_out"] == EDL_MAX_EVENTS * 25


def test_fcp7_xml_is_well_formed_with_what_premiere_and_resolve_need(
    project_dir: tuple[Path, Project, list[Expected]], tmp_path: Path
) -> None:
    folder, project, expected = project_dir
    out = tmp_path / "cut.xml"
    export_timeline(project, folder, out, "fcp7")
    root = ET.parse(out).getroot()
    assert root.tag == "xmeml"
    seq = root.find("./project/children/sequence") or root.find(".//sequence")
    assert seq is not None
    assert int(seq.findtext("duration", "0")) == sum(e.frames for e in expected)
    assert seq.findtext("rate/timebase") == "24"
    sample = seq.find("media/video/format/samplecharacteristics")
    assert sample is not None and sample.findtext("width") == "1920" and sample.findtext("height") == "1080"
    clipitems = seq.findall("media/video/track/clipitem")
    assert len(clipitems) == 6
    for ci in clipitems:
        url = ci.findtext(".//file/pathurl")
        if url is not None:
            assert url.startswith("file://localhost/")  # as Premiere writes them
        for tag in ("masterclipid", "name", "start", "end", "in", "out", "link"):
            assert ci.find(tag) is not None, tag
        marker = ci.find("marker")
        assert marker is not None and [c.tag for c in marker][:4] == ["name", "comment", "in", "out"]
    assert clipitems[-1].findtext("name") == f"2B - {HARD_NAME}"
    # the take with sound gets an audio clip item on A1, linked both ways to its picture (as Premiere)
    (sound,) = seq.findall("media/audio/track/clipitem")
    picture = clipitems[1]
    sound_file, picture_file = sound.find("file"), picture.find("file")
    assert sound_file is not None and picture_file is not None
    assert sound_file.get("id") == picture_file.get("id")
    for item in (picture, sound):
        assert [(ln.findtext("linkclipref"), ln.findtext("mediatype")) for ln in item.findall("link")] == [
            (picture.get("id"), "video"),
            (sound.get("id"), "audio"),
        ]
    assert picture.findtext("file/media/audio/samplecharacteristics/samplerate") == "48000"
    # each file says its own picture size: the 64x36 takes, the 640x360 slate
    sizes = [(ci.findtext("file/media/video/samplecharacteristics/width"),
              ci.findtext("file/media/video/samplecharacteristics/height")) for ci in clipitems]
    assert sizes[:4] == [("64", "36"), ("64", "36"), ("64", "36"), ("640", "360")]


def test_fcpxml_is_well_formed_with_what_final_cut_needs(
    project_dir: tuple[Path, Project, list[Expected]], tmp_path: Path
) -> None:
    folder, project, expected = project_dir
    out = tmp_path / "cut.fcpxml"
    export_timeline(project, folder, out, "fcpxml")
    text = out.read_text(encoding="utf-8")
    assert "<!DOCTYPE fcpxml>" in text
    root = ET.fromstring(text)
    assert root.tag == "fcpxml" and root.get("version") == "1.8"
    fmt = root.find("resources/format")
    assert fmt is not None and fmt.get("frameDuration") == "1/24s" and fmt.get("width") == "1920"
    assets = {a.get("id"): a for a in root.findall("resources/asset")}
    assert all(a.get("src", "").startswith("file://") for a in assets.values())
    seq = root.find("library/event/project/sequence")
    assert seq is not None and seq.get("format") == "r1"
    total = sum(e.frames for e in expected)
    assert seq.get("duration") == f"{total // 24}s" if total % 24 == 0 else f"{total}/24s"
    spine = seq.find("spine")
    assert spine is not None
    assert [el.tag for el in spine] == ["asset-clip"] * 6
    formats = {f.get("id"): (f.get("width"), f.get("height")) for f in root.findall("resources/format")}
    assert formats[assets[spine[3].get("ref")].get("format")] == ("640", "360")  # the slate's own size
    for el in spine:
        assert el.get("offset") and el.get("duration")
        if el.tag == "asset-clip":
            assert el.get("ref") in assets
            assert el.get("format") == assets[el.get("ref")].get("format") in formats
        # the DTD order: note, then markers, then metadata
        tags = [c.tag for c in el]
        assert tags == sorted(tags, key=["note", "marker", "metadata"].index)


def test_unknown_format_and_unwritable_target(tmp_path: Path) -> None:
    project = Project(scenes=[Scene(shots=[Shot(number="1")])])
    with pytest.raises(TimelineExportError, match="unknown timeline format 'aaf'"):
        export_timeline(project, tmp_path, tmp_path / "x.aaf", "aaf")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(TimelineExportError, match="could not write"):
        export_timeline(project, tmp_path, blocker / "cut.otio", "otio")


def test_control_characters_do_not_break_the_xml(tmp_path: Path) -> None:
    from shotplanner.core.models import PromptLayers

    shot = Shot(number="1", layers=PromptLayers(subject="bell\x07 and\x0b tab\there"), notes="\x00nul")
    project = Project(title="t\x1bitle", scenes=[Scene(shots=[shot])])
    for fmt in ("fcp7", "fcpxml"):
        out = tmp_path / f"c{EXT[fmt]}"
        export_timeline(project, tmp_path, out, fmt)
        ET.parse(out)  # raises on an invalid character


# ----------------------------------------------------------------- NTSC rates, placeholders, real files

SAMPLES = Path(__file__).parent / "samples"


def test_timecode_drop_frame_labels() -> None:
    from shotplanner.interchange.timeline import timecode

    assert timecode(1799, 29.97) == "00:00:59;29"
    assert timecode(1800, 29.97) == "00:01:00;02"  # labels ;00 and ;01 are skipped each minute
    assert timecode(17982, 29.97) == "00:10:00;00"  # ... but not on the tenth
    assert timecode(107892, 29.97) == "01:00:00;00"
    assert timecode(3600, 59.94) == "00:01:00;04"
    assert timecode(86400, 23.976) == "01:00:00:00"  # 23.976 counts 24 labels a second, no drop
    for frame in (0, 1799, 1800, 17982, 54321, 107892):
        assert tc_frames(timecode(frame, 29.97), 29.97) == frame


@pytest.mark.parametrize(("fps", "timebase", "drop"), [(23.976, "24", False), (29.97, "30", True)])
def test_ntsc_rates_in_every_format(fps: float, timebase: str, drop: bool, tmp_path: Path) -> None:
    from fractions import Fraction

    from shotplanner.core.models import JobState, Take

    shots = [
        Shot(number=str(i), duration_s=40.0, takes=[Take(model_id="m", provider="fal", state=JobState.DONE,
                                                          clip=f"media/{i}.mp4")])
        for i in range(1, 4)
    ]
    project = Project(fps=fps, scenes=[Scene(shots=shots)])
    frames = round(Fraction(40) * Fraction(round(fps * 1.001) * 1000, 1001))  # 959 or 1199
    for fmt in TIMELINE_FORMATS:
        out = tmp_path / f"cut{EXT[fmt]}"
        export_timeline(project, tmp_path, out, fmt)
        if fmt == "fcpxml":
            continue  # the fcpx_xml adapter truncates 23.976 to 23 fps when reading; checked below
        track = read_back(out, fmt, fps=fps).tracks[0]
        assert [round(i.duration().value) for i in track] == [frames] * 3, fmt
        assert abs(track[0].duration().rate - fps) < 0.001, fmt
    root = ET.parse(tmp_path / "cut.xml").getroot()
    rates = {(r.findtext("timebase"), r.findtext("ntsc")) for r in root.iter("rate")}
    assert rates == {(timebase, "TRUE")}
    displays = {d.text for d in root.iter("displayformat")}
    assert displays == {"DF" if drop else "NDF"}
    fcpx = ET.parse(tmp_path / "cut.fcpxml").getroot()
    fmt_e = fcpx.find("resources/format")
    assert fmt_e is not None and fmt_e.get("frameDuration") == f"1001/{int(timebase) * 1000}s"
    assert fmt_e.get("name") == f"FFVideoFormat1080p{'2398' if fps < 24 else '2997'}"
    seq = fcpx.find("library/event/project/sequence")
    assert seq is not None and seq.get("tcFormat") == ("DF" if drop else "NDF")
    per_frame = Fraction(1001, int(timebase) * 1000)
    clips = seq.findall("spine/asset-clip")
    assert [Fraction(c.get("duration", "").removesuffix("s")) for c in clips] == [frames * per_frame] * 3
    assert [Fraction(c.get("offset", "").removesuffix("s")) for c in clips] == [
        i * frames * per_frame for i in range(3)
    ]
    edl = (tmp_path / "cut.edl").read_text(encoding="utf-8")
    assert ("FCM: DROP FRAME" if drop else "FCM: NON-DROP FRAME") in edl
    events = edl_events(edl, fps)
    assert [e["rec_in"] for e in events] == [0, frames, 2 * frames]
    assert (";" in edl) is drop


def test_a_cut_with_no_takes_exports_slates_never_an_empty_track(tmp_path: Path) -> None:
    from shotplanner.media.probe import probe

    folder = tmp_path / "film"
    shots = [Shot(number="1", duration_s=2), Shot(number="1A", duration_s=1.5)]
    project = Project(title="Nothing yet", scenes=[Scene(heading="INT. HALL - DAY", shots=shots)])
    for fmt in TIMELINE_FORMATS:
        out = tmp_path / f"cut{EXT[fmt]}"
        report = export_timeline(project, folder, out, fmt)
        assert (report.clips, report.placeholders, report.gaps) == (0, 2, 0), fmt
        track = read_back(out, fmt).tracks[0]
        assert [type(i).__name__ for i in track] == ["Clip", "Clip"], fmt
    slates = sorted((folder / "media" / "placeholders").iterdir())
    assert len(slates) == 2  # rendered once, reused by the later exports
    assert sorted(probe(p).frames for p in slates) == [36, 48]
    edl = (tmp_path / "cut.edl").read_text(encoding="utf-8")
    assert len(edl_events(edl, 24)) == 2 and "NO TAKE YET" in edl


def test_fcp7_clip_items_have_what_premiere_itself_writes(
    project_dir: tuple[Path, Project, list[Expected]], tmp_path: Path
) -> None:
    """Our clip items against the clip items of an xmeml that Premiere Pro wrote (samples/SOURCES)."""
    premiere = ET.parse(SAMPLES / "premiere_example.xml").getroot()
    theirs = next(premiere.iter("clipitem"))
    folder, project, _ = project_dir
    out = tmp_path / "cut.xml"
    export_timeline(project, folder, out, "fcp7")
    ours = next(ET.parse(out).getroot().iter("clipitem"))
    their_tags = [c.tag for c in theirs]
    our_tags = [c.tag for c in ours if c.tag != "marker"]
    # every child we write is one Premiere writes, in Premiere's order
    assert set(our_tags) <= set(their_tags)
    assert our_tags == [t for t in dict.fromkeys(their_tags) if t in our_tags]
    for path in ("file/name", "file/pathurl", "file/rate/timebase", "file/duration", "file/timecode/string",
                 "file/media/video/samplecharacteristics/width", "link/linkclipref", "link/mediatype"):
        assert theirs.find(path) is not None and ours.find(path) is not None, path
    assert ours.findtext("link/linkclipref") == ours.get("id")
    # the same file used twice is one master clip (Premiere: masterclip-1 on both clip items)
    assert ours.findtext("file/pathurl", "").startswith("file://localhost/")
    assert "%23" in ours.findtext("file/pathurl", "") and "%CE%A4" in ours.findtext("file/pathurl", "")


@pytest.mark.parametrize(
    ("sample", "adapter"),
    [
        ("premiere_example.xml", "fcp_xml"),
        ("premiere_example.edl", "cmx_3600"),
        ("avid_example.edl", "cmx_3600"),
        ("fcpx_example.fcpxml", "fcpx_xml"),
        ("resolve_edltools_simple.edl", "cmx_3600"),
        ("resolve_immersive.fcpxml", "fcpx_xml"),
    ],
)
def test_real_files_are_sniffed_as_cuts(sample: str, adapter: str) -> None:
    from shotplanner.interchange.sniff import sniff

    kind = {"fcp_xml": "fcp7", "cmx_3600": "edl", "fcpx_xml": "fcpxml"}[adapter]
    assert sniff(SAMPLES / sample) == kind


@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("/films/Ταινία #1 & co/take 1.mp4",
         "file:///films/%CE%A4%CE%B1%CE%B9%CE%BD%CE%AF%CE%B1%20%231%20%26%20co/take%201.mp4"),
        ("/a/100% sure?.mp4", "file:///a/100%25%20sure%3F.mp4"),
        ("/東京/夜.mov", "file:///%E6%9D%B1%E4%BA%AC/%E5%A4%9C.mov"),
    ],
)
def test_file_urls_follow_rfc_8089(path: str, url: str) -> None:
    from pathlib import PurePosixPath, PureWindowsPath

    from shotplanner.interchange.timeline import file_url, path_from_url

    assert file_url(PurePosixPath(path)) == url
    assert path_from_url(url) == path
    assert file_url(PurePosixPath(path), localhost=True) == url.replace("file:///", "file://localhost/")
    assert path_from_url(url.replace("file:///", "file://localhost/")) == path
    # OTIO's own reader takes the URL back to the same path ("#" no longer cuts it)
    assert otio.url_utils.filepath_from_url(url) == path
    windows = file_url(PureWindowsPath("D:/media/take #2.mov"))
    assert windows == "file:///D:/media/take%20%232.mov" and path_from_url(windows) == "D:/media/take #2.mov"
