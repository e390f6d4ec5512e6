"""The cut as the exporters see it: one entry per shot in storyboard order, and the export report.

Every exporter (timelines, shot lists) starts from :func:`plan_cut`, so they agree on which take a
shot uses (``Shot.cut_take()``), how long it runs, what it is called and which media file is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from shotplanner.core.confine import inside
from shotplanner.core.models import Project, Scene, Shot, Take

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
    #: Anything else worth saying: shots left out (zero duration), files split, …
    warnings: list[str] = field(default_factory=list)

    @property
    def out_path(self) -> Path | None:
        return self.out_paths[0] if self.out_paths else None

    def lines(self) -> list[str]:
        """Human-readable summary, one line each (the CLI prints these)."""
        out = [
            f"{self.fmt}: wrote {', '.join(str(p) for p in self.out_paths)}"
            f" ({self.clips} clips, {self.gaps} gaps)"
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
    frames: int
    name: str
    #: Absolute path of the take's clip (``None`` for a gap); may not exist, see ``missing``.
    media: Path | None
    missing: bool

    @property
    def is_gap(self) -> bool:
        return self.media is None


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


def frames_of(seconds: float, fps: int) -> int:
    return max(0, round(seconds * fps))


def plan_cut(project: Project, project_dir: Path, report: ExportReport) -> list[CutItem]:
    """The shots in storyboard order with their take, length in project frames and media path.

    Shots that last zero frames at the project rate cannot be an event in any timeline format; they are
    left out and named in ``report.warnings``. Missing media files are recorded in ``report.missing``.
    """
    project_dir = Path(project_dir).resolve()
    items: list[CutItem] = []
    for scene in project.scenes:
        for shot in scene.shots:
            frames = frames_of(shot.duration_s, project.fps)
            if frames == 0:
                report.warnings.append(
                    f"shot {shot.number or shot.id} lasts {shot.duration_s:g} s"
                    f" (0 frames at {project.fps} fps) and was left out of the timeline"
                )
                continue
            take = shot.cut_take()
            inner = inside(project_dir, take.clip) if take is not None else None
            media = inner.resolve() if inner is not None else None
            missing = media is not None and not media.is_file()
            if missing and media is not None:
                report.missing.append((shot.number or shot.id, media))
            items.append(CutItem(scene, shot, take, frames, clip_name(shot), media, missing))
    return items
