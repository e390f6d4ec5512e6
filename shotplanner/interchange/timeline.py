"""Timeline export for editors: OpenTimelineIO (.otio), FCP7 XML, FCPXML and CMX3600 EDL.

One video track, one item per shot in storyboard order: the take ``Shot.cut_take()`` picks, else a gap
of the shot's length. Clip names start with the film number. Shot facts travel as a marker on each clip
(all formats) and as clip metadata where the format has room (.otio keeps everything; FCP7 gets the
prompt as the marker comment; FCPXML gets a note, a marker and metadata keys). Media references are
relative to the written file in .otio (OTIO allows relative URLs) and absolute ``file://`` URLs in the
XMLs and the EDL (Premiere, Resolve and Final Cut need those). Frame rate is the project's.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path
from typing import Literal
from xml.etree import ElementTree as ET

import opentimelineio as otio

from shotplanner.core.models import RESOLUTION_LINES, Project
from shotplanner.interchange.cut import CutItem, ExportReport, plan_cut, xml_safe
from shotplanner.interchange.facts import FactSource

TimelineFormat = Literal["otio", "fcp7", "fcpxml", "edl"]
TIMELINE_FORMATS: dict[str, str] = {"otio": ".otio", "fcp7": ".xml", "fcpxml": ".fcpxml", "edl": ".edl"}
#: The OpenTimelineIO adapter behind each format (our own writer does FCPXML, the adapter reads it back).
ADAPTERS: dict[str, str] = {"otio": "otio_json", "fcp7": "fcp_xml", "fcpxml": "fcpx_xml", "edl": "cmx_3600"}
#: Our namespace in OTIO metadata.
META_KEY = "shotplanner"
#: CMX3600 numbers events 001-999; longer cuts are split into several EDL files.
EDL_MAX_EVENTS = 999


class TimelineExportError(ValueError):
    """The format is unknown or the file could not be written; the message says which."""


def frame_size(project: Project) -> tuple[int, int]:
    """Pixel size for the sequence format: the first shot's resolution at the project's aspect."""
    shots = project.all_shots()
    lines = RESOLUTION_LINES.get(shots[0].resolution if shots else "1080p", 1080)
    w_ratio, h_ratio = (int(x) for x in project.aspect.split(":"))
    ratio = w_ratio / h_ratio
    if ratio >= 1:
        width, height = round(lines * ratio), lines
    else:
        width, height = lines, round(lines / ratio)
    return width + width % 2, height + height % 2


def file_url(path: Path) -> str:
    return otio.url_utils.url_from_filepath(str(path))


def relative_url(path: Path, start: Path) -> str:
    """A relative URL from ``start`` (a folder) to ``path``, or an absolute file URL across drives."""
    try:
        rel = os.path.relpath(path, start)
    except ValueError:  # Windows: different drives have no relative path
        return file_url(path)
    return urllib.parse.quote(Path(rel).as_posix(), safe="/")


def _rt(frames: int, fps: int) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, fps)


def _range(frames: int, fps: int) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_rt(0, fps), _rt(frames, fps))


def build_timeline(
    project: Project,
    project_dir: Path,
    report: ExportReport,
    *,
    relative_to: Path | None = None,
) -> tuple[otio.schema.Timeline, list[CutItem]]:
    """The cut as an OTIO timeline; media URLs are relative to ``relative_to`` when given."""
    fps = project.fps
    facts = FactSource(project)
    items = plan_cut(project, project_dir, report)
    timeline = otio.schema.Timeline(name=xml_safe(project.title))
    timeline.metadata[META_KEY] = {"title": project.title, "fps": fps, "aspect": project.aspect}
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for item in items:
        shot = item.shot
        model = item.take.model_id if item.take is not None else None
        fact = facts.facts(shot, model)
        meta: dict[str, object] = {
            "shot_id": shot.id,
            "number": shot.number,
            "scene": item.scene.number,
            "scene_heading": item.scene.heading,
            "size": fact.size,
            "angle": fact.angle,
            "movement": fact.movement,
            "lens": fact.lens,
            "duration_s": shot.duration_s,
            "model": fact.model,
            "prompt": fact.prompt,
            "notes": shot.notes,
            "dialogue": shot.dialogue,
            "take_id": item.take.id if item.take is not None else None,
            "audio": shot.audio,
            "media_missing": item.missing,
        }
        meta = {k: xml_safe(v) if isinstance(v, str) else v for k, v in meta.items()}
        prompt = xml_safe(fact.prompt)
        marker = otio.schema.Marker(
            name=xml_safe(" ".join(fact.marker_label().split())),
            marked_range=otio.opentime.TimeRange(_rt(0, fps), _rt(1, fps)),
            color=otio.schema.MarkerColor.RED
            if item.missing or item.is_gap
            else otio.schema.MarkerColor.GREEN,
            metadata={"fcp_xml": {"comment": prompt}},
        )
        if item.media is None:
            gap = otio.schema.Gap(source_range=_range(item.frames, fps), name=item.name)
            gap.metadata[META_KEY] = meta
            gap.markers.append(marker)
            track.append(gap)
            report.gaps += 1
            continue
        url = relative_url(item.media, relative_to) if relative_to is not None else file_url(item.media)
        ref = otio.schema.ExternalReference(target_url=url, available_range=_range(item.frames, fps))
        clip = otio.schema.Clip(name=item.name, media_reference=ref, source_range=_range(item.frames, fps))
        clip.metadata[META_KEY] = meta
        # The EDL reel: the film number, reduced to what CMX3600 allows (8 of A-Z, 0-9).
        clip.metadata["cmx_3600"] = {"reel": edl_reel(shot.number)}
        clip.markers.append(marker)
        track.append(clip)
        report.clips += 1
    return timeline, items


def edl_reel(number: str) -> str:
    cleaned = "".join(ch for ch in number.upper() if ch.isascii() and ch.isalnum())
    return (cleaned or "AX")[:8]


def export_timeline(project: Project, project_dir: Path, out_path: Path, fmt: str) -> ExportReport:
    """Write the cut to ``out_path`` in ``fmt`` (otio, fcp7, fcpxml, edl) and say what happened."""
    if fmt not in TIMELINE_FORMATS:
        raise TimelineExportError(
            f"unknown timeline format {fmt!r}; choose one of {', '.join(TIMELINE_FORMATS)}"
        )
    out_path = Path(out_path)
    report = ExportReport(fmt=fmt)
    relative_to = out_path.resolve().parent if fmt == "otio" else None
    timeline, _items = build_timeline(project, project_dir, report, relative_to=relative_to)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "otio":
            otio.adapters.write_to_file(timeline, str(out_path), adapter_name="otio_json")
            report.out_paths.append(out_path)
        elif fmt == "fcp7":
            _write_fcp7(timeline, project, out_path)
            report.out_paths.append(out_path)
        elif fmt == "fcpxml":
            from shotplanner.interchange.fcpxml import write_fcpxml

            write_fcpxml(timeline, project, frame_size(project), out_path)
            report.out_paths.append(out_path)
        else:
            _write_edl(timeline, project, out_path, report)
    except OSError as exc:
        raise TimelineExportError(f"could not write {out_path}: {exc.strerror or exc}") from exc
    return report


# ----------------------------------------------------------------- FCP7 XML


def _write_fcp7(timeline: otio.schema.Timeline, project: Project, out_path: Path) -> None:
    text = otio.adapters.write_to_string(timeline, adapter_name="fcp_xml")
    root = ET.fromstring(text)
    width, height = frame_size(project)
    # Resolve imports an empty timeline when <format> says nothing (OTIO#839): describe the frame.
    for fmt_e in root.iter("format"):
        if len(fmt_e):
            continue
        sample = ET.SubElement(fmt_e, "samplecharacteristics")
        rate = ET.SubElement(sample, "rate")
        ET.SubElement(rate, "timebase").text = str(project.fps)
        ET.SubElement(rate, "ntsc").text = "FALSE"
        ET.SubElement(sample, "width").text = str(width)
        ET.SubElement(sample, "height").text = str(height)
        ET.SubElement(sample, "anamorphic").text = "FALSE"
        ET.SubElement(sample, "pixelaspectratio").text = "square"
        ET.SubElement(sample, "fielddominance").text = "none"
    # xmeml orders a marker's children name, comment, in, out; the adapter puts metadata first.
    for marker in root.iter("marker"):
        comment = marker.find("comment")
        name = marker.find("name")
        if comment is not None and name is not None:
            marker.remove(comment)
            marker.insert(list(marker).index(name) + 1, comment)
    ET.indent(root, space="    ")
    body = ET.tostring(root, encoding="unicode")
    out_path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n' + body + "\n", encoding="utf-8"
    )


# ----------------------------------------------------------------- CMX3600 EDL


def _edl_title(title: str) -> str:
    # The TITLE is one line; line breaks would start a bogus event line.
    return " ".join(title.split())[:70] or "Untitled"


def _write_edl(
    timeline: otio.schema.Timeline, project: Project, out_path: Path, report: ExportReport
) -> None:
    fps = project.fps
    track = timeline.tracks[0]
    children = list(track)
    # Split every EDL_MAX_EVENTS clips; each later part starts with a gap as long as what came
    # before, so record timecodes continue across the files.
    parts: list[list[otio.core.Item]] = [[]]
    clips_in_part = 0
    for child in children:
        if isinstance(child, otio.schema.Clip):
            if clips_in_part == EDL_MAX_EVENTS:
                parts.append([])
                clips_in_part = 0
            clips_in_part += 1
        parts[-1].append(child)
    elapsed = 0
    for index, part in enumerate(parts):
        path = (
            out_path
            if index == 0
            else out_path.with_name(f"{out_path.stem}_part{index + 1}{out_path.suffix}")
        )
        title = _edl_title(project.title) + (f" part {index + 1}" if len(parts) > 1 else "")
        sub = otio.schema.Timeline(name=title)
        sub_track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
        sub.tracks.append(sub_track)
        if elapsed:
            sub_track.append(otio.schema.Gap(source_range=_range(elapsed, fps)))
        for child in part:
            sub_track.append(child.deepcopy())
            elapsed += round(child.duration().value)
        text = otio.adapters.write_to_string(sub, adapter_name="cmx_3600", rate=fps, style="avid")
        # Event lines are ASCII by construction (reels are cleaned); comment lines keep the clip names in
        # UTF-8, which Resolve and Premiere read, so non-Latin names survive.
        path.write_text(text, encoding="utf-8")
        report.out_paths.append(path)
    if len(parts) > 1:
        report.warnings.append(
            f"CMX3600 allows {EDL_MAX_EVENTS} events per list: the cut was split into {len(parts)} EDL files"
        )
