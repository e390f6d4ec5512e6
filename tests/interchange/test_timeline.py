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


def read_back(path: Path, fmt: str, fps: int = 24) -> otio.schema.Timeline:
    kwargs = {"rate": fps} if fmt == "edl" else {}
    result = otio.adapters.read_from_file(str(path), adapter_name=ADAPTERS[fmt], **kwargs)
    if isinstance(result, otio.schema.SerializableCollection):  # FCPXML: library > event > project
        result = next(iter(result))
    return result


def media_path(url: str, relative_to: Path) -> Path:
    if url.startswith("file://"):
        return Path(otio.url_utils.filepath_from_url(url))
    return (relative_to / urllib.parse.unquote(url)).resolve()


@pytest.fixture(scope="module")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Project, list[Expected]]:
    folder = tmp_path_factory.mktemp("proj") / "Soup film"
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
    assert (report.clips, report.gaps) == (5, 1)
    # The missing file is reported, and the zero-length shot is named, not silently dropped.
    assert [(n, p.name) for n, p in report.missing] == [("2", "gone.mp4")]
    assert any("2A" in w and "0 frames" in w for w in report.warnings)

    track = read_back(out, fmt).tracks[0]
    items = list(track)
    assert [round(i.duration().value) for i in items] == [e.frames for e in expected]
    for item, exp in zip(items, expected, strict=True):
        if exp.media is None:
            assert isinstance(item, otio.schema.Gap)
            continue
        assert isinstance(item, otio.schema.Clip)
        assert item.name.split(" - ")[0] == exp.number
        assert media_path(item.media_reference.target_url, out.parent) == (folder / exp.media).resolve()
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
    gap = list(timeline.tracks[0])[3]
    assert gap.name.startswith("1C") and gap.metadata["shotplanner"]["take_id"] is None
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


# ----------------------------------------------------------------- format rules

EVENT = re.compile(
    r"^(?P<num>\d{3})  (?P<reel>[A-Z0-9 ]{8}) (?P<track>V    |A    |B    ) (?P<trans>C   ) {5}"
    r"(?P<src_in>\d\d:\d\d:\d\d:\d\d) (?P<src_out>\d\d:\d\d:\d\d:\d\d) "
    r"(?P<rec_in>\d\d:\d\d:\d\d:\d\d) (?P<rec_out>\d\d:\d\d:\d\d:\d\d)$"
)


def tc_frames(tc: str, fps: int) -> int:
    h, m, s, f = (int(x) for x in tc.split(":"))
    assert 0 <= m < 60 and 0 <= s < 60 and 0 <= f < fps, tc
    return ((h * 60 + m) * 60 + s) * fps + f


def edl_events(text: str, fps: int) -> list[dict[str, object]]:
    lines = text.splitlines()
    assert lines[0].startswith("TITLE: ")
    events = []
    for line in lines[1:]:
        if not line or line.startswith("*") or line.startswith("FCM:"):
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
    clips = [e for e in expected if e.media]
    assert [e["num"] for e in events] == [f"{i:03d}" for i in range(1, len(clips) + 1)]
    assert [str(e["reel"]).strip() for e in events] == [c.number for c in clips]
    rec = 0
    for event, exp in zip(events, expected_with_gaps(expected), strict=True):
        gap_before, clip = exp
        rec += gap_before
        # source and record lengths agree, record in follows the previous event (plus any gap)
        assert event["src_out"] - event["src_in"] == clip.frames
        assert event["rec_out"] - event["rec_in"] == clip.frames
        assert event["rec_in"] == rec
        rec += clip.frames


def expected_with_gaps(expected: list[Expected]) -> list[tuple[int, Expected]]:
    out, gap = [], 0
    for e in expected:
        if e.media is None:
            gap += e.frames
        else:
            out.append((gap, e))
            gap = 0
    return out


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
    assert len(clipitems) == 5
    for ci in clipitems:
        url = ci.findtext("file/pathurl")
        assert url is not None and url.startswith("file://")  # Premiere wants absolute file URLs
        for tag in ("name", "start", "end", "in", "out"):
            assert ci.find(tag) is not None, tag
        marker = ci.find("marker")
        assert marker is not None and [c.tag for c in marker][:4] == ["name", "comment", "in", "out"]
    assert clipitems[-1].findtext("name") == f"2B - {HARD_NAME}"


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
    assert [el.tag for el in spine] == [
        "asset-clip",
        "asset-clip",
        "asset-clip",
        "gap",
        "asset-clip",
        "asset-clip",
    ]
    for el in spine:
        assert el.get("offset") and el.get("duration")
        if el.tag == "asset-clip":
            assert el.get("ref") in assets
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
