"""FCPXML 1.8 writer for Final Cut Pro (read back in tests with the OTIO ``fcpx_xml`` adapter).

Why our own writer: the adapter's writer looks clips up with XPath built from their names (a name
with an apostrophe raises), probes every file with ffprobe, leaves the format without a frame size and
writes loose ``asset-clip`` elements beside the project, which Final Cut and Resolve want wrapped in
``<library><event>`` (OTIO#742). The document here is the shape Final Cut itself exports: resources
(one format, one asset per media file), then library > event > project > sequence > spine.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import opentimelineio as otio

from shotplanner.core.models import Project, fps_fraction, is_ntsc
from shotplanner.interchange.timeline import path_from_url

FCPXML_VERSION = "1.8"
#: Final Cut's names for the common formats; anything else is described by width/height only.
_NAMED_HEIGHTS = {720: "720", 1080: "1080", 2160: "2160"}
_NAMED_RATES = {24.0: "24", 25.0: "25", 30.0: "30", 50.0: "50", 60.0: "60", 23.976: "2398", 29.97: "2997",
                59.94: "5994"}


def fcp_time(frames: int, fps: float) -> str:
    """Rational seconds as FCPXML writes them: ``0s``, ``5s``, ``121/24s``."""
    if frames == 0:
        return "0s"
    value = frames / fps_fraction(fps)
    return f"{value.numerator}s" if value.denominator == 1 else f"{value.numerator}/{value.denominator}s"


def format_name(width: int, height: int, fps: float) -> str | None:
    rate = next((name for value, name in _NAMED_RATES.items() if abs(value - fps) < 0.01), None)
    if width * 9 == height * 16 and height in _NAMED_HEIGHTS and rate:
        return f"FFVideoFormat{_NAMED_HEIGHTS[height]}p{rate}"
    return None


def _tc_format(fps: float) -> str:
    return "DF" if is_ntsc(fps) and round(fps) in (30, 60) else "NDF"


def _frames(rt: otio.opentime.RationalTime, fps: float) -> int:
    frames: float = rt.rescaled_to(float(fps_fraction(fps))).value
    return round(frames)


def write_fcpxml(
    timeline: otio.schema.Timeline, project: Project, size: tuple[int, int], out_path: Path
) -> None:
    fps = project.fps
    width, height = size
    root = ET.Element("fcpxml", version=FCPXML_VERSION)
    resources = ET.SubElement(root, "resources")
    fmt_attrs = {"id": "r1", "frameDuration": fcp_time(1, fps), "width": str(width), "height": str(height)}
    name = format_name(width, height, fps)
    if name:
        fmt_attrs["name"] = name
    ET.SubElement(resources, "format", fmt_attrs)

    track = timeline.tracks[0]
    # One asset per media file, as long as the longest use of it; each in a format of its own picture
    # size (a 720p take or a 640x360 slate in a 1080p sequence), so Final Cut scales it to fit.
    assets: dict[str, ET.Element] = {}
    asset_frames: dict[str, int] = {}
    formats: dict[tuple[int, int], str] = {(width, height): "r1"}
    next_id = 2
    for item in track:
        if not isinstance(item, otio.schema.Clip):
            continue
        url = item.media_reference.target_url
        frames = _frames(item.source_range.end_time_exclusive(), fps)
        if url not in assets:
            meta = item.metadata.get("shotplanner", {})
            media_size = meta.get("media_size")
            own = (int(media_size[0]), int(media_size[1])) if media_size else (width, height)
            if own not in formats:
                formats[own] = f"r{next_id}"
                next_id += 1
                ET.SubElement(
                    resources,
                    "format",
                    {"id": formats[own], "frameDuration": fcp_time(1, fps), "width": str(own[0]),
                     "height": str(own[1])},
                )
            assets[url] = ET.SubElement(
                resources,
                "asset",
                {
                    "id": f"r{next_id}",
                    "name": Path(path_from_url(url)).name,
                    "src": url,
                    "start": "0s",
                    "duration": "0s",
                    "hasVideo": "1",
                    "hasAudio": "0",
                    "format": formats[own],
                },
            )
            next_id += 1
            if meta.get("has_audio"):
                assets[url].set("hasAudio", "1")
        asset_frames[url] = max(asset_frames.get(url, 0), frames)
    for url, element in assets.items():
        element.set("duration", fcp_time(asset_frames[url], fps))

    library = ET.SubElement(root, "library")
    event = ET.SubElement(library, "event", name=timeline.name)
    proj = ET.SubElement(event, "project", name=timeline.name)
    total = _frames(track.duration(), fps)
    sequence = ET.SubElement(
        proj,
        "sequence",
        {
            "format": "r1",
            "duration": fcp_time(total, fps),
            "tcStart": "0s",
            "tcFormat": _tc_format(fps),
        },
    )
    spine = ET.SubElement(sequence, "spine")
    offset = 0
    for item in track:
        frames = _frames(item.duration(), fps)
        meta = item.metadata.get("shotplanner", {})
        if isinstance(item, otio.schema.Clip):
            element = ET.SubElement(
                spine,
                "asset-clip",
                {
                    "ref": assets[item.media_reference.target_url].get("id", ""),
                    "name": item.name,
                    "offset": fcp_time(offset, fps),
                    "start": fcp_time(_frames(item.source_range.start_time, fps), fps),
                    "duration": fcp_time(frames, fps),
                    "format": assets[item.media_reference.target_url].get("format", "r1"),
                    "tcFormat": _tc_format(fps),
                },
            )
        else:
            element = ET.SubElement(
                spine,
                "gap",
                {
                    "name": item.name or "Gap",
                    "offset": fcp_time(offset, fps),
                    "start": "0s",
                    "duration": fcp_time(frames, fps),
                },
            )
        _add_shot_details(element, item, meta, fps)
        offset += frames

    ET.indent(root, space="    ")
    body = ET.tostring(root, encoding="unicode")
    out_path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n' + body + "\n", encoding="utf-8"
    )


def _add_shot_details(element: ET.Element, item: otio.core.Item, meta: dict[str, object], fps: float) -> None:
    """The DTD order inside a clip: note, markers, then metadata."""
    if meta.get("prompt"):
        ET.SubElement(element, "note").text = str(meta["prompt"])
    for marker in item.markers:
        rng = marker.marked_range
        ET.SubElement(
            element,
            "marker",
            {
                "start": fcp_time(_frames(rng.start_time, fps), fps),
                "duration": fcp_time(max(1, _frames(rng.duration, fps)), fps),
                "value": marker.name,
            },
        )
    if meta:
        md = ET.SubElement(element, "metadata")
        for key, value in (
            ("com.apple.proapps.studio.scene", meta.get("scene")),
            ("com.apple.proapps.studio.shot", meta.get("number")),
            ("com.apple.proapps.spotlight.kMDItemDescription", meta.get("notes")),
        ):
            if value:
                ET.SubElement(md, "md", key=key, value=str(value))
        if not len(md):
            element.remove(md)
