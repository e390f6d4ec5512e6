"""Conform: the editor's cut comes back, and its order and trims are applied to the plan.

The cut is an EDL, FCP7 XML, FCPXML or OTIO file that started as our export and was changed in an
editor. Its clips are matched to shots by what our export wrote into them, most certain first: the shot
id in OTIO metadata, the media file's name (a take's file, or a slate clip whose name holds the shot id),
the clip name's film number ("12A - …"), the EDL reel (the number again), FCPXML's shot metadata. Matched
shots take the cut's order (within their scenes; scenes in the order their first shot appears) and the
cut's length where the editor trimmed them. Clips that match nothing are reported, never guessed.

Everything is applied to the project passed in; the window passes a copy and pushes it as one undoable
step, the CLI saves it. ``read_cut`` refuses a file that is not a cut, by content (``sniff``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree as ET

from shotplanner.core.models import Project, Shot, fps_fraction
from shotplanner.interchange.cut import ExportReport, plan_cut, seconds_of
from shotplanner.interchange.placeholders import shot_id_from_name
from shotplanner.interchange.reports import BadInputError
from shotplanner.interchange.sniff import CUT_KINDS, describe, sniff
from shotplanner.interchange.timeline import ADAPTERS, META_KEY, edl_reel, otio_rate, path_from_url, timecode

#: A cut larger than this is not one of ours come back (a 5,000-shot FCP7 export is ~25 MB).
MAX_CUT_BYTES = 200 * 1024 * 1024


class ConformError(BadInputError):
    """The file is not a cut, or nothing in it matches the project; the project is unchanged."""


@dataclass(slots=True)
class CutClip:
    """One clip of the editor's cut, as the formats agree on it."""

    name: str
    #: Length on the record side, in project frames.
    frames: int
    #: Record position (project frames from the start of the cut), for the report.
    record: int
    media: str = ""
    reel: str = ""
    metadata: dict[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class ConformReport:
    source: str
    matched: int = 0
    moved: int = 0
    trimmed: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    not_in_cut: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.moved or self.trimmed)

    def lines(self) -> list[str]:
        out = [
            f"{self.source}: {self.matched} clips matched to shots, {self.moved} shots moved,"
            f" {len(self.trimmed)} trimmed, {len(self.unmatched)} clips matched nothing"
        ]
        out += [f"trimmed {t}" for t in self.trimmed]
        out += [f"no shot for clip {u}" for u in self.unmatched]
        if self.not_in_cut:
            out.append(f"shots not in the cut (left in place): {', '.join(self.not_in_cut)}")
        return out + self.warnings


# ----------------------------------------------------------------- reading a cut


def _seconds(text: str | None) -> Fraction:
    """FCPXML time: ``0s``, ``5s``, ``1001/24000s``."""
    if not text:
        return Fraction(0)
    return Fraction(text.strip().removesuffix("s") or "0")


def _read_fcpxml(path: Path, fps: float) -> list[CutClip]:
    """The primary storyline of the first project's sequence (our own reader: the OTIO adapter rounds
    NTSC rates to whole numbers)."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ConformError(f"{path.name}: not well-formed XML ({exc})") from None
    assets: dict[str, str] = {}
    for asset in root.iter("asset"):
        src = asset.get("src") or ""
        rep = asset.find("media-rep")
        if rep is not None:
            src = rep.get("src") or src
        assets[asset.get("id", "")] = src
    sequence = next(root.iter("sequence"), None)
    spine = sequence.find("spine") if sequence is not None else None
    if spine is None:
        raise ConformError(f"{path.name}: the FCPXML has no sequence with a spine")
    rate = fps_fraction(fps)
    clips: list[CutClip] = []
    record = 0
    for item in spine:
        frames = round(_seconds(item.get("duration")) * rate)
        if item.tag in ("gap", "transition"):
            record += frames if item.tag == "gap" else 0
            continue
        ref = item.get("ref") or next((e.get("ref") for e in item.iter() if e.get("ref")), None) or ""
        metadata = {md.get("key", ""): md.get("value", "") for md in item.iter("md")}
        clips.append(
            CutClip(item.get("name", ""), frames, record, assets.get(ref, ""), "", {"fcpxml": metadata})
        )
        record += frames
    return clips


def _xmeml_rate(rate: ET.Element | None) -> Fraction | None:
    timebase = rate.findtext("timebase") if rate is not None else None
    if rate is None or not timebase or not timebase.strip().isdigit() or int(timebase) <= 0:
        return None
    ntsc = (rate.findtext("ntsc") or "").strip().upper() == "TRUE"
    return Fraction(int(timebase) * 1000, 1001) if ntsc else Fraction(int(timebase))


def _read_fcp7_cuts_only(path: Path, fps: float) -> list[CutClip] | None:
    """The first video track of an FCP7 XML made of straight cuts, read directly; ``None`` for anything
    else (transitions, generators, nested sequences, a clip without a place), which the OTIO adapter reads.

    The adapter resolves every clip's rate through XPath lookups up the tree: on a 5,000-clip cut that
    is ten seconds, where this takes a fraction of one. ``tests/interchange`` checks that the two agree.
    """
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ConformError(f"{path.name}: not well-formed XML ({exc})") from None
    sequence = next(root.iter("sequence"), None)  # document order: a top-level one comes first
    seq_rate = _xmeml_rate(sequence.find("rate")) if sequence is not None else None
    if sequence is None or seq_rate is None:
        return None
    tracks = sequence.findall("media/video/track") or sequence.findall("media/audio/track")
    if not tracks:
        return None
    files = {f.get("id", ""): f for f in root.iter("file") if len(f)}
    scale = fps_fraction(fps) / seq_rate
    clips: list[CutClip] = []
    record = last_end = 0  # the record position adds up rounded lengths, gaps included, as OTIO's does
    for element in tracks[0]:
        if element.tag in ("transitionitem", "generatoritem"):
            return None
        if element.tag != "clipitem":
            continue
        start, end = element.findtext("start", ""), element.findtext("end", "")
        if element.find("sequence") is not None or not start.isdigit() or not end.isdigit():
            return None  # a nested sequence, or a clip whose ends a transition decides (-1)
        file_e = element.find("file")
        if file_e is not None and not len(file_e):
            file_e = files.get(file_e.get("id", ""), file_e)
        url = (file_e.findtext("pathurl") or "") if file_e is not None else ""
        if int(start) < last_end:
            return None  # overlapping clips: not a plain sequence of cuts
        record += round((int(start) - last_end) * scale)
        frames = round((int(end) - int(start)) * scale)
        clips.append(CutClip(element.findtext("name") or "", frames, record, url))
        record += frames
        last_end = int(end)
    return clips


def _read_with_otio(path: Path, kind: str, fps: float) -> list[CutClip]:
    import opentimelineio as otio

    kwargs: dict[str, object] = {"rate": otio_rate(fps)} if kind == "edl" else {}
    try:
        result = otio.adapters.read_from_file(str(path), adapter_name=ADAPTERS[kind], **kwargs)
    except Exception as exc:  # the adapters raise many kinds; each is a file we cannot read
        raise ConformError(f"{path.name}: cannot read {describe(kind)}: {exc}") from None
    if isinstance(result, otio.schema.SerializableCollection):
        timelines = [t for t in result.find_children() if isinstance(t, otio.schema.Timeline)]
        result = timelines[0] if timelines else next(iter(result), None)
    if not isinstance(result, otio.schema.Timeline):
        raise ConformError(f"{path.name}: no timeline in the file")
    tracks = [t for t in result.tracks if t.kind == otio.schema.TrackKind.Video] or list(result.tracks)
    if not tracks:
        raise ConformError(f"{path.name}: the timeline has no video track")
    rate = otio_rate(fps)
    clips: list[CutClip] = []
    record = 0
    for item in tracks[0]:
        if isinstance(item, otio.schema.Transition):
            continue
        frames = round(item.duration().rescaled_to(rate).value)
        if isinstance(item, otio.schema.Clip):
            ref = item.media_reference
            url = getattr(ref, "target_url", "") or ""
            meta = dict(item.metadata.get(META_KEY, {}) or {})
            reel = str((item.metadata.get("cmx_3600", {}) or {}).get("reel", "") or "")
            clips.append(CutClip(item.name or "", frames, record, url, reel, {META_KEY: meta}))
        record += frames
    return clips


def read_cut(path: Path, fps: float) -> list[CutClip]:
    """The clips of the editor's cut in record order, lengths in project frames."""
    path = Path(path)
    try:
        size = path.stat().st_size
        kind = sniff(path)
    except OSError as exc:
        raise ConformError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if size > MAX_CUT_BYTES:
        raise ConformError(f"{path.name}: {size / 1e6:.0f} MB is too large for a cut")
    if kind not in CUT_KINDS:
        raise ConformError(
            f"{path.name}: this is {describe(kind)}, not an editor's cut (EDL, FCP7 XML, FCPXML or OTIO)"
        )
    if kind == "fcpxml":
        return _read_fcpxml(path, fps)
    if kind == "fcp7":
        clips = _read_fcp7_cuts_only(path, fps)
        if clips is not None:
            return clips
    return _read_with_otio(path, kind, fps)


# ----------------------------------------------------------------- matching


class _Index:
    def __init__(self, project: Project) -> None:
        self.by_id = {s.id: s for s in project.all_shots()}
        self.by_number = {s.number: s for s in project.all_shots() if s.number}
        self.by_file: dict[str, Shot] = {}
        reels: dict[str, list[Shot]] = {}
        for shot in project.all_shots():
            for take in shot.takes:
                if take.clip:
                    self.by_file.setdefault(Path(take.clip).name, shot)
            reels.setdefault(edl_reel(shot.number), []).append(shot)
        self.by_reel = {reel: shots[0] for reel, shots in reels.items() if len(shots) == 1}

    def match(self, clip: CutClip) -> tuple[Shot | None, str]:
        meta = clip.metadata.get(META_KEY)
        if isinstance(meta, dict):
            shot = self.by_id.get(str(meta.get("shot_id", "")))
            if shot is not None:
                return shot, "shot id"
        if clip.media:
            name = Path(path_from_url(clip.media).replace("\\", "/")).name
            slate = shot_id_from_name(name)
            if slate is not None and slate in self.by_id:
                return self.by_id[slate], "slate file"
            if name in self.by_file:
                return self.by_file[name], "media file"
        number = clip.name.split(" - ", 1)[0].strip()
        if number in self.by_number:
            return self.by_number[number], "clip name"
        # An EDL carries no media path, and editors (Resolve) name a clip after its file: the name is
        # the take's file name when the editor brought the takes in themselves.
        if clip.name.strip() in self.by_file:
            return self.by_file[clip.name.strip()], "media file"
        fcpx = clip.metadata.get("fcpxml")
        if isinstance(fcpx, dict):
            shot_number = str(fcpx.get("com.apple.proapps.studio.shot", ""))
            if shot_number in self.by_number:
                return self.by_number[shot_number], "shot metadata"
        if clip.reel and clip.reel in self.by_reel:
            return self.by_reel[clip.reel], "reel"
        return None, ""


# ----------------------------------------------------------------- applying


def _order_keys(items: list[object], position: dict[int, float]) -> dict[int, float]:
    """A sort key per item: its cut position, or (not in the cut) just after the item before it."""
    keys: dict[int, float] = {}
    last = -1.0
    for item in items:
        key = position.get(id(item))
        if key is None:
            key = last + 1e-6
        keys[id(item)] = key
        last = key
    return keys


def conform(project: Project, clips: list[CutClip], project_dir: Path, source: str) -> ConformReport:
    """Apply the cut's order and lengths to ``project`` (changed in place) and say what happened."""
    report = ConformReport(source=source)
    index = _Index(project)
    fps = project.fps
    first: dict[str, int] = {}
    lengths: dict[str, int] = {}
    for pos, clip in enumerate(clips):
        shot, _how = index.match(clip)
        if shot is None:
            report.unmatched.append(f"{clip.name or '(no name)'!r} at {timecode(clip.record, fps)}")
            continue
        if shot.id in first:
            report.warnings.append(
                f"shot {shot.number or shot.id} is in the cut more than once; its first use sets its place"
                " and length"
            )
            continue
        first[shot.id] = pos
        lengths[shot.id] = clip.frames
    report.matched = len(first)
    if not first:
        raise ConformError(
            f"{source}: no clip in the cut matches a shot of this project ({len(clips)} clips);"
            " nothing was changed"
        )
    # What our export would write now, to tell an editor's trim from a clip cut at the take's end.
    exported = {item.shot.id: item.frames for item in plan_cut(project, project_dir, ExportReport("conform"))}
    for shot in project.all_shots():
        if shot.id not in lengths:
            continue
        new = lengths[shot.id]
        old = exported.get(shot.id)
        if new > 0 and old is not None and new != old:
            before = shot.duration_s
            shot.duration_s = round(seconds_of(new, fps), 3)
            report.trimmed.append(f"shot {shot.number or shot.id}: {before:g} s → {shot.duration_s:g} s")

    before_order = [s.id for s in project.all_shots()]
    scene_pos = {
        id(scene): min(first[s.id] for s in scene.shots if s.id in first)
        for scene in project.scenes
        if any(s.id in first for s in scene.shots)
    }
    keys = _order_keys(list(project.scenes), {k: float(v) for k, v in scene_pos.items()})
    project.scenes = sorted(project.scenes, key=lambda sc: keys[id(sc)])
    for scene in project.scenes:
        in_cut = {id(s): float(first[s.id]) for s in scene.shots if s.id in first}
        shot_keys = _order_keys(list(scene.shots), in_cut)
        scene.shots = sorted(scene.shots, key=lambda s: shot_keys[id(s)])
    after_order = [s.id for s in project.all_shots()]
    report.moved = sum(1 for a, b in zip(before_order, after_order, strict=True) if a != b)
    cut_order = sorted(first, key=first.__getitem__)
    plan_order = [sid for sid in after_order if sid in first]
    if plan_order != cut_order:
        report.warnings.append(
            "the cut intercuts shots of different scenes; each shot stays in its scene, in the cut's order"
        )
    report.not_in_cut = [s.number or s.id for s in project.all_shots() if s.id not in first]
    return report


def conform_file(project: Project, cut: Path, project_dir: Path) -> ConformReport:
    """Read ``cut`` and apply it to ``project``; on any error ``project`` is unchanged."""
    clips = read_cut(cut, project.fps)
    staged = project.model_copy(deep=True)
    report = conform(staged, clips, project_dir, Path(cut).name)
    for name in type(project).model_fields:
        setattr(project, name, getattr(staged, name))
    return report
