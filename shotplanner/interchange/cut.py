"""The cut as the exporters see it: one entry per shot in storyboard order, and the export report.

Every exporter (timelines, shot lists) starts from :func:`plan_cut`, so they agree on which take a
shot uses (``Shot.cut_take()``), how long it runs, what it is called and which media file is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from shotplanner.core.models import Project, Scene, Shot, Take, fps_fraction

#: How many characters of the shot's subject/action go into a clip name after the film number.
NAME_SNIPPET = 40


@dataclass(slots=True)
class ExportReport:
    """What an export wrote and what the user should know about it (nothing is dropped silently)."""

    fmt: str
    out_paths: list[Path] = field(default_factory=list)
    clips: int = 0
    gaps: int = 0
    #: (shot number, path) of every take whose media file is not on disk; the clip is still exported.
    missing: list[tuple[str, Path]] = field(default_factory=list)
    #: Slate clips written for shots with no take (so no track is ever empty).
    placeholders: int = 0
    #: Anything else worth saying: shots left out (zero duration), clips shorter than planned, …
    warnings: list[str] = field(default_factory=list)

    @property
    def out_path(self) -> Path | None:
        return self.out_paths[0] if self.out_paths else None

    def lines(self) -> list[str]:
        """Human-readable summary, one line each (the CLI prints these)."""
        out = [
            f"{self.fmt}: wrote {', '.join(str(p) for p in self.out_paths)}"
            f" ({self.clips} clips, {self.placeholders} placeholders, {self.gaps} gaps)"
        ]
        out += [f"missing media for shot {number}: {path}" for number, path in self.missing]
        out += self.warnings
        return out


@dataclass(slots=True)
class CutItem:
    """One shot's place in the cut."""

    scene: Scene
    shot: Shot
    take: Take | None
    #: How long the clip runs in the cut, in project frames (the take's real length when it is shorter).
    frames: int
    name: str
    #: Absolute path of the take's clip (``None`` for a shot without a take); may not exist, see ``missing``.
    media: Path | None
    missing: bool
    #: The take's own length in project frames (``None`` when it could not be read).
    media_frames: int | None = None
    #: The slate clip standing in for a shot with no take (timelines only).
    placeholder: Path | None = None
    #: The take's file has a sound stream (timelines give it an audio clip linked to the picture).
    has_audio: bool = False
    #: The picture size of the take (or slate) file, when it could be read.
    media_size: tuple[int, int] | None = None

    @property
    def is_gap(self) -> bool:
        return self.media is None and self.placeholder is None


#: Characters XML 1.0 cannot hold at all (control codes other than tab/newline, lone surrogates, FFFE/FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters no XML file may contain (they would make the export invalid)."""
    return _NOT_XML.sub("", text)


def clip_name(shot: Shot) -> str:
    """The film number first (editors sort and search by it), then a short hint of what the shot is."""
    text = (shot.layers.subject or shot.layers.action).strip()
    snippet = " ".join(text.split())[:NAME_SNIPPET].rstrip()
    number = shot.number or "?"
    return xml_safe(f"{number} - {snippet}" if snippet else number)


def frames_of(seconds: float, fps: float) -> int:
    """Frames at the exact rate (23.976 is 24000/1001 frames a second)."""
    return max(0, round(Fraction(seconds).limit_denominator(100000) * fps_fraction(fps)))


def seconds_of(frames: int, fps: float) -> float:
    return float(frames / fps_fraction(fps))


def media_length(path: Path, fps: float) -> int | None:
    """The clip's length in frames at the project rate, or ``None`` when it cannot be read."""
    return media_facts(path, fps)[0]


def media_facts(path: Path, fps: float) -> tuple[int | None, tuple[int, int] | None]:
    """(length in project frames, (width, height)) of a clip, ``None`` where it cannot be read."""
    from shotplanner.media.errors import MediaError
    from shotplanner.media.probe import probe

    try:
        info = probe(path)
    except (MediaError, OSError):
        return None, None
    size = (info.width, info.height) if info.width and info.height else None
    if info.frames and info.fps:
        return frames_of(info.frames / info.fps, fps), size
    return (frames_of(info.duration_s, fps) if info.duration_s else None), size


def has_sound(path: Path) -> bool:
    import av

    try:
        with av.open(str(path)) as container:
            return bool(container.streams.audio)
    except (av.FFmpegError, OSError):
        return False


def plan_cut(
    project: Project, project_dir: Path, report: ExportReport, *, probe_media: bool = True
) -> list[CutItem]:
    """The shots in storyboard order with their take, length in project frames and media path.

    A clip runs as long as the shot wants, but never past the end of its take: a model that snapped a
    7 s request to 5 s gives a 5 s clip, and the report says so. Shots that last zero frames at the
    project rate cannot be an event in any timeline format; they are left out and named in
    ``report.warnings``. Missing media files are recorded in ``report.missing``.
    """
    project_dir = Path(project_dir).resolve()
    items: list[CutItem] = []
    fps = project.fps
    for scene in project.scenes:
        for shot in scene.shots:
            frames = frames_of(shot.duration_s, fps)
            if frames == 0:
                report.warnings.append(
                    f"shot {shot.number or shot.id} lasts {shot.duration_s:g} s"
                    f" (0 frames at {fps:g} fps) and was left out of the timeline"
                )
                continue
            take = shot.cut_take()
            media = (project_dir / take.clip).resolve() if take is not None and take.clip else None
            missing = media is not None and not media.is_file()
            if missing and media is not None:
                report.missing.append((shot.number or shot.id, media))
            media_frames, media_size = (
                media_facts(media, fps) if media is not None and not missing and probe_media else (None, None)
            )
            if media_frames is not None and 0 < media_frames < frames:
                report.warnings.append(
                    f"shot {shot.number or shot.id} wants {shot.duration_s:g} s but its take lasts"
                    f" {seconds_of(media_frames, fps):g} s: the clip runs the take's length"
                )
                frames = media_frames
            item = CutItem(scene, shot, take, frames, clip_name(shot), media, missing, media_frames)
            item.has_audio = media_frames is not None and media is not None and has_sound(media)
            item.media_size = media_size
            items.append(item)
    return items
