"""Timeline export for editors: OpenTimelineIO (.otio), FCP7 XML, FCPXML and CMX3600 EDL.

One video track, one clip per shot in storyboard order: the take ``Shot.cut_take()`` picks, running the
shot's length but never past the take's real end (the report says where a shot wants more); a shot with
no take gets a slate clip (``placeholders``), so no editor ever opens an empty track. Clip names start
with the film number. Shot facts travel as a marker on each clip (all formats; at the clip's record time
in the EDL) and as clip metadata where the format has room (.otio keeps everything; FCP7 gets the
prompt as the marker comment; FCPXML gets a note, a marker and metadata keys). Media references are
relative to the written file in .otio (OTIO allows relative URLs) and absolute RFC 8089 ``file:`` URLs,
percent-encoded, in the XMLs (Premiere, Resolve and Final Cut need those); the EDL names the file path.
Frame rate is the project's, with NTSC rates exact (24000/1001) and 29.97/59.94 in drop-frame timecode.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path, PurePath
from typing import Literal
from xml.etree import ElementTree as ET

import opentimelineio as otio

from shotplanner.core.models import RESOLUTION_LINES, Project, fps_fraction, is_ntsc
from shotplanner.interchange.cut import CutItem, ExportReport, plan_cut, xml_safe
from shotplanner.interchange.facts import FactSource

TimelineFormat = Literal["otio", "fcp7", "fcpxml", "edl"]
TIMELINE_FORMATS: dict[str, str] = {"otio": ".otio", "fcp7": ".xml", "fcpxml": ".fcpxml", "edl": ".edl"}
#: The OpenTimelineIO adapter behind each format (our own writers do FCPXML and EDL; the adapters read them).
ADAPTERS: dict[str, str] = {"otio": "otio_json", "fcp7": "fcp_xml", "fcpxml": "fcpx_xml", "edl": "cmx_3600"}
#: Our namespace in OTIO metadata.
META_KEY = "shotplanner"
#: CMX3600 numbers events 001-999; longer cuts are split into several EDL files.
EDL_MAX_EVENTS = 999


class TimelineExportError(ValueError):
    """The format is unknown or the file could not be written; the message says which."""


def otio_rate(fps: float) -> float:
    """The rate OTIO and its adapters expect: 23.976 as 24000/1001 exactly, so NTSC flags come out right."""
    return float(fps_fraction(fps))


def is_drop_frame(fps: float) -> bool:
    """29.97 and 59.94 are written in drop-frame timecode (broadcast practice); 23.976 has no drop frame."""
    return is_ntsc(fps) and round(fps) in (30, 60)


def timecode(frame: int, fps: float, drop: bool | None = None) -> str:
    """``HH:MM:SS:FF`` at the nominal rate; drop-frame (``HH:MM:SS;FF``) skips labels, never frames."""
    base = round(fps)
    drop = is_drop_frame(fps) if drop is None else drop
    if drop:
        d = 2 * base // 30  # 2 labels a minute at 29.97, 4 at 59.94
        per10 = base * 600 - 9 * d
        per1 = base * 60 - d
        tens, rest = divmod(frame, per10)
        frame += 9 * d * tens + (d * ((rest - d) // per1) if rest >= d else 0)
    ff = frame % base
    total = frame // base
    sep = ";" if drop else ":"
    return f"{total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}{sep}{ff:02d}"


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


def file_url(path: Path | PurePath, *, localhost: bool = False) -> str:
    """An RFC 8089 ``file:`` URL: absolute, every byte outside the unreserved set percent-encoded (UTF-8).

    ``#``, ``?``, spaces and non-Latin names would otherwise cut or break the link (OTIO's own
    ``url_from_filepath`` un-quotes them). Premiere writes ``file://localhost/...``; ``localhost`` does too.
    """
    pure = path if isinstance(path, PurePath) else PurePath(path)
    posix = pure.as_posix()
    if not posix.startswith("/"):
        posix = "/" + posix  # C:/media/x.mp4 → /C:/media/x.mp4
    quoted = urllib.parse.quote(posix, safe="/:" if pure.drive else "/")
    return f"file://{'localhost' if localhost else ''}{quoted}"


def path_from_url(url: str) -> str:
    """The path a ``file:`` URL (or a relative, percent-encoded one) names: ``file_url`` undone."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("file", ""):
        return url
    path = urllib.parse.unquote(parts.path)
    if len(path) > 2 and path[0] == "/" and path[2] == ":":  # /C:/media → C:/media
        path = path[1:]
    return path


def relative_url(path: Path, start: Path) -> str:
    """A relative URL from ``start`` (a folder) to ``path``, or an absolute file URL across drives."""
    try:
        rel = os.path.relpath(path, start)
    except ValueError:  # Windows: different drives have no relative path
        return file_url(path)
    return urllib.parse.quote(Path(rel).as_posix(), safe="/")


def _rt(frames: int, fps: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, otio_rate(fps))


def _range(frames: int, fps: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_rt(0, fps), _rt(frames, fps))


def build_timeline(
    project: Project,
    project_dir: Path,
    report: ExportReport,
    *,
    relative_to: Path | None = None,
    localhost: bool = False,
    placeholders: bool = True,
    ours: bool = True,
) -> tuple[otio.schema.Timeline, list[CutItem]]:
    """The cut as an OTIO timeline; media URLs are relative to ``relative_to`` when given.

    ``ours=False`` leaves out our metadata (the shot id, facts, sizes under ``META_KEY``): FCP7 XML has no
    place for it, and OTIO converting it item by item is a third of a long cut's export.
    """
    fps = project.fps
    rate = otio_rate(fps)
    facts = FactSource(project)
    items = plan_cut(project, project_dir, report)
    timeline = otio.schema.Timeline(name=xml_safe(project.title))
    if ours:
        timeline.metadata[META_KEY] = {"title": project.title, "fps": fps, "aspect": project.aspect}
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    size = frame_size(project)
    record = 0
    #: Whether each child of the track is a clip with sound (its audio goes on A1 below).
    with_sound: list[bool] = []
    for item in items:
        shot = item.shot
        model = item.take.model_id if item.take is not None else None
        fact = facts.facts(shot, model)
        if item.media is None and placeholders:
            try:
                from shotplanner.interchange.placeholders import ensure_placeholder, slate_size

                item.placeholder = ensure_placeholder(
                    project, item.scene, shot, item.frames, size, project_dir, facts.model_name(fact.model)
                )
                item.media_size = slate_size(size)
            except Exception as exc:  # no slate (Qt or the encoder unavailable): the shot becomes a gap
                report.warnings.append(
                    f"shot {shot.number or shot.id}: no slate clip could be written ({exc}); left as a gap"
                )
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
            "frames": item.frames,
            "model": fact.model,
            "prompt": fact.prompt,
            "notes": shot.notes,
            "dialogue": shot.dialogue,
            "take_id": item.take.id if item.take is not None else None,
            "audio": shot.audio,
            "has_audio": item.has_audio,
            "media_missing": item.missing,
            "placeholder": item.placeholder is not None,
            "media_size": list(item.media_size) if item.media_size else None,
        }
        meta = {k: xml_safe(v) if isinstance(v, str) else v for k, v in meta.items()}
        prompt = xml_safe(fact.prompt)
        label = xml_safe(" ".join(fact.marker_label().split()))
        if item.placeholder is not None:
            label = f"NO TAKE YET: {label}"
        marker_meta: dict[str, object] = {"fcp_xml": {"comment": prompt}}
        if ours:
            marker_meta[META_KEY] = {"record_frame": record}
        marker = otio.schema.Marker(
            name=label,
            marked_range=otio.opentime.TimeRange(_rt(0, fps), _rt(1, fps)),
            color=otio.schema.MarkerColor.RED
            if item.missing or item.media is None
            else otio.schema.MarkerColor.GREEN,
            metadata=marker_meta,
        )
        record += item.frames
        source = item.media if item.media is not None else item.placeholder
        if source is None:
            gap = otio.schema.Gap(source_range=_range(item.frames, fps), name=item.name)
            if ours:
                gap.metadata[META_KEY] = meta
            gap.markers.append(marker)
            track.append(gap)
            with_sound.append(False)
            report.gaps += 1
            continue
        if relative_to is not None:
            url = relative_url(source, relative_to)
        else:
            url = file_url(source, localhost=localhost)
        available = item.media_frames if item.media_frames else item.frames
        ref = otio.schema.ExternalReference(
            target_url=url,
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, rate),
                otio.opentime.RationalTime(max(available, item.frames), rate),
            ),
        )
        clip = otio.schema.Clip(name=item.name, media_reference=ref, source_range=_range(item.frames, fps))
        if ours:
            clip.metadata[META_KEY] = meta
        # The EDL reel: the film number, reduced to what CMX3600 allows (8 of A-Z, 0-9).
        clip.metadata["cmx_3600"] = {"reel": edl_reel(shot.number)}
        clip.markers.append(marker)
        track.append(clip)
        with_sound.append(item.has_audio)
        if item.placeholder is not None:
            report.placeholders += 1
        else:
            report.clips += 1
    if not len(track):
        report.warnings.append("the cut has no shot longer than zero frames: the timeline is empty")
    if any(item.has_audio for item in items):
        # Takes with sound (Veo, Seedance, …) get their audio on A1, under their picture.
        audio = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
        for child, sound_on in zip(track, with_sound, strict=True):
            if isinstance(child, otio.schema.Clip) and sound_on:
                sound = otio.schema.Clip(
                    name=child.name, media_reference=child.media_reference.clone(),
                    source_range=child.source_range,
                )
                if ours:
                    shot_id = child.metadata[META_KEY].get("shot_id")
                    sound.metadata[META_KEY] = {"shot_id": shot_id, "audio_of": child.name}
                audio.append(sound)
            else:
                audio.append(otio.schema.Gap(source_range=child.source_range))
        timeline.tracks.append(audio)
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
    try:
        timeline, items = build_timeline(
            project, project_dir, report, relative_to=relative_to, localhost=fmt == "fcp7", ours=fmt != "fcp7"
        )
        out_path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "otio":
            otio.adapters.write_to_file(timeline, str(out_path), adapter_name="otio_json")
            report.out_paths.append(out_path)
        elif fmt == "fcp7":
            _write_fcp7(timeline, items, project, out_path)
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


def _sub(parent: ET.Element, tag: str, text: str | None = None, index: int | None = None) -> ET.Element:
    element = ET.Element(tag)
    if text is not None:
        element.text = text
    if index is None:
        parent.append(element)
    else:
        parent.insert(index, element)
    return element


def _rate_element(parent: ET.Element, fps: float) -> None:
    rate = _sub(parent, "rate")
    _sub(rate, "timebase", str(round(fps)))
    _sub(rate, "ntsc", "TRUE" if is_ntsc(fps) else "FALSE")


def _fcp7_tree(timeline: otio.schema.Timeline) -> ET.Element:
    """The adapter's xmeml as an element tree.

    The adapter's ``write_to_string`` pretty-prints through minidom, which is most of its time on a long
    cut (and we indent the tree ourselves), so its builder is called directly when it is there.
    """
    import collections

    try:  # the plugin system loads the adapter's module (it imports relatively)
        build = otio.adapters.from_name("fcp_xml").module()._build_sequence_for_timeline
    except (ImportError, AttributeError, otio.exceptions.NotSupportedError):
        return ET.fromstring(otio.adapters.write_to_string(timeline, adapter_name="fcp_xml"))
    root = ET.Element("xmeml", version="4")
    project_e = ET.SubElement(root, "project")
    ET.SubElement(project_e, "name").text = timeline.name
    children = ET.SubElement(project_e, "children")
    whole = otio.opentime.TimeRange(start_time=timeline.global_start_time, duration=timeline.duration())
    children.append(build(timeline, whole, collections.defaultdict(dict)))
    return root


def _write_fcp7(
    timeline: otio.schema.Timeline, items: list[CutItem], project: Project, out_path: Path
) -> None:
    """The adapter's xmeml, completed with what Premiere and Resolve write themselves.

    Compared with ``samples/premiere_example.xml`` (written by Premiere Pro): a ``masterclipid`` per
    source file, the file's own ``duration``, ``timecode`` and ``media/video/samplecharacteristics``, a
    ``link`` from each clip item to itself, and a described sequence ``format`` (Resolve imports an empty
    timeline when the format says nothing, OTIO#839).
    """
    # Each file's own picture size (a 720p take, a 640x360 slate), else the sequence's (the timeline
    # was built without our metadata, ``ours=False``: the sizes come from the cut's items).
    sizes: dict[str, tuple[int, int]] = {}
    for item in items:
        source = item.media if item.media is not None else item.placeholder
        if source is not None and item.media_size:
            sizes[file_url(source, localhost=True)] = item.media_size
    root = _fcp7_tree(timeline)
    fps = project.fps
    width, height = frame_size(project)
    drop = is_drop_frame(fps)
    for fmt_e in root.iter("format"):
        if len(fmt_e):
            continue
        sample = _sub(fmt_e, "samplecharacteristics")
        _rate_element(sample, fps)
        for tag, value in (("width", str(width)), ("height", str(height)), ("anamorphic", "FALSE"),
                           ("pixelaspectratio", "square"), ("fielddominance", "none")):
            _sub(sample, tag, value)
    for tc in root.iter("timecode"):
        display = tc.find("displayformat")
        if display is None:
            display = _sub(tc, "displayformat")
        display.text = "DF" if drop else "NDF"
    masters: dict[str, str] = {}
    files: dict[str, ET.Element] = {e.get("id", ""): e for e in root.iter("file") if len(e)}
    # (media type, track index, clip index) of every clip item, for the links Premiere writes.
    placed: dict[int, tuple[str, int, int]] = {}
    by_media: dict[tuple[str, str], ET.Element] = {}
    for media_type in ("video", "audio"):
        for track_index, track in enumerate(root.findall(f".//sequence/media/{media_type}/track"), start=1):
            for clip_index, clipitem in enumerate(track.findall("clipitem"), start=1):
                placed[id(clipitem)] = (media_type, track_index, clip_index)
                file_e = clipitem.find("file")
                file_id = file_e.get("id", "") if file_e is not None else ""
                if file_id and file_id not in masters:
                    masters[file_id] = f"masterclip-{len(masters) + 1}"
                if file_id and clipitem.find("masterclipid") is None:
                    _sub(clipitem, "masterclipid", masters[file_id], index=0)
                full = files.get(file_id)
                if full is not None:
                    own = sizes.get(full.findtext("pathurl") or "", (width, height))
                    _complete_file(full, clipitem, fps, *own)
                if media_type == "audio":
                    if full is not None:
                        _complete_audio(full)
                    sourcetrack = _sub(clipitem, "sourcetrack")
                    _sub(sourcetrack, "mediatype", "audio")
                    _sub(sourcetrack, "trackindex", "1")
                by_media[(media_type, f"{file_id}@{clipitem.findtext('start')}")] = clipitem
    for (media_type, key), clipitem in by_media.items():
        partner = by_media.get(("audio" if media_type == "video" else "video", key))
        group = [clipitem] if partner is None else sorted(
            (clipitem, partner), key=lambda c: placed[id(c)][0] != "video"
        )
        if clipitem.find("link") is not None:
            continue
        for member in group:  # the picture first, then its sound, as Premiere lists them
            kind, track_index, clip_index = placed[id(member)]
            link = _sub(clipitem, "link")
            _sub(link, "linkclipref", member.get("id", ""))
            _sub(link, "mediatype", kind)
            _sub(link, "trackindex", str(track_index))
            _sub(link, "clipindex", str(clip_index))
            if partner is not None and kind == "audio":
                _sub(link, "groupindex", "1")
    for clipitem in root.iter("clipitem"):
        _premiere_order(clipitem)
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


#: A clip item's children in the order Premiere writes them (samples/premiere_example.xml).
_CLIPITEM_ORDER = ("masterclipid", "name", "enabled", "duration", "rate", "start", "end", "in", "out",
                   "file", "sourcetrack", "link", "logginginfo", "labels", "marker")


def _premiere_order(clipitem: ET.Element) -> None:
    children = list(clipitem)
    for child in children:
        clipitem.remove(child)
    seen_rate = False
    if not any(c.tag == "enabled" for c in children):
        enabled = ET.Element("enabled")
        enabled.text = "TRUE"
        children.append(enabled)
    kept = []
    for child in children:
        if child.tag == "rate":  # the adapter writes the clip's rate twice
            if seen_rate:
                continue
            seen_rate = True
        kept.append(child)
    rank = {tag: i for i, tag in enumerate(_CLIPITEM_ORDER)}
    kept.sort(key=lambda c: rank.get(c.tag, len(rank)))  # stable: links and markers keep their order
    clipitem.extend(kept)
    for audio in clipitem.findall("file/media/audio"):
        if not len(audio):  # an empty <audio/> claims a sound stream the take does not have
            media = clipitem.find("file/media")
            if media is not None:
                media.remove(audio)


def _complete_audio(file_e: ET.Element) -> None:
    """The file's sound, described as Premiere describes it (48 kHz, 16 bit, stereo)."""
    media = file_e.find("media")
    if media is None:
        media = _sub(file_e, "media")
    audio = media.find("audio")
    if audio is None:
        audio = _sub(media, "audio")
    if audio.find("samplecharacteristics") is None:
        sample = _sub(audio, "samplecharacteristics", index=0)
        _sub(sample, "depth", "16")
        _sub(sample, "samplerate", "48000")
    if audio.find("channelcount") is None:
        _sub(audio, "channelcount", "2")


def _complete_file(file_e: ET.Element, clipitem: ET.Element, fps: float, width: int, height: int) -> None:
    if file_e.find("rate") is None:
        _rate_element(file_e, fps)
    if file_e.find("duration") is None:
        out = clipitem.findtext("out") or clipitem.findtext("duration") or "0"
        _sub(file_e, "duration", out)
    media = file_e.find("media")
    if media is None:
        media = _sub(file_e, "media")
    video = media.find("video")
    if video is None:
        video = _sub(media, "video")
    if video.find("samplecharacteristics") is None:
        sample = _sub(video, "samplecharacteristics")
        _rate_element(sample, fps)
        for tag, value in (("width", str(width)), ("height", str(height)), ("anamorphic", "FALSE"),
                           ("pixelaspectratio", "square"), ("fielddominance", "none")):
            _sub(sample, tag, value)


# ----------------------------------------------------------------- CMX3600 EDL


def _edl_title(title: str) -> str:
    # The TITLE is one line; line breaks would start a bogus event line.
    return " ".join(title.split())[:70] or "Untitled"


def _edl_text(line: str) -> str:
    """A comment line's text: one line (event lines are ASCII; comments keep UTF-8, which Resolve and
    Premiere read, so non-Latin names survive)."""
    return " ".join(line.split())


_EDL_COLOURS = {otio.schema.MarkerColor.RED: "RED", otio.schema.MarkerColor.GREEN: "GREEN"}


def _edl_events(children: list[otio.core.Item], fps: float, start_record: int) -> tuple[list[str], int]:
    lines: list[str] = []
    record = start_record
    number = 0
    for child in children:
        frames = round(child.duration().value)
        if isinstance(child, otio.schema.Clip):
            number += 1
            src_in = round(child.source_range.start_time.value)
            reel = child.metadata.get("cmx_3600", {}).get("reel", "AX")
            url = child.media_reference.target_url
            path = path_from_url(url)
            lines.append(
                f"{number:03d}  {reel:<8} V     C        "
                f"{timecode(src_in, fps)} {timecode(src_in + frames, fps)} "
                f"{timecode(record, fps)} {timecode(record + frames, fps)}"
            )
            lines.append(f"* FROM CLIP NAME:  {_edl_text(child.name)}")
            lines.append(f"* FROM CLIP: {_edl_text(path)}")
            for marker in child.markers:
                colour = _EDL_COLOURS.get(marker.color, "WHITE")
                at = record + round(marker.marked_range.start_time.value)
                lines.append(f"* LOC: {timecode(at, fps)} {colour:<7} {_edl_text(marker.name)}")
        record += frames
    return lines, record


def _write_edl(
    timeline: otio.schema.Timeline, project: Project, out_path: Path, report: ExportReport
) -> None:
    fps = project.fps
    track = timeline.tracks[0]
    children = list(track)
    # Split every EDL_MAX_EVENTS clips; each later part continues the record timecode where the last
    # one stopped.
    parts: list[list[otio.core.Item]] = [[]]
    clips_in_part = 0
    for child in children:
        if isinstance(child, otio.schema.Clip):
            if clips_in_part == EDL_MAX_EVENTS:
                parts.append([])
                clips_in_part = 0
            clips_in_part += 1
        parts[-1].append(child)
    record = 0
    fcm = "DROP FRAME" if is_drop_frame(fps) else "NON-DROP FRAME"
    for index, part in enumerate(parts):
        path = (
            out_path
            if index == 0
            else out_path.with_name(f"{out_path.stem}_part{index + 1}{out_path.suffix}")
        )
        title = _edl_title(project.title) + (f" part {index + 1}" if len(parts) > 1 else "")
        events, record = _edl_events(part, fps, record)
        path.write_text("\n".join([f"TITLE: {title}", f"FCM: {fcm}", "", *events]) + "\n", encoding="utf-8")
        report.out_paths.append(path)
    if len(parts) > 1:
        report.warnings.append(
            f"CMX3600 allows {EDL_MAX_EVENTS} events per list: the cut was split into {len(parts)} EDL files"
        )
