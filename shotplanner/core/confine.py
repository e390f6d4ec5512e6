"""Confinement: what a project file names must stay inside its folder, and ids used as file names are plain.

A project file (and the job journal beside it) is data anyone can hand over: a reference image
``/home/me/.ssh/id_rsa`` or ``../../x`` would be uploaded to a provider, and a take id
``../../../outside/victim`` would become a journal file written and then deleted outside the project.
Every path read from a project goes through :func:`inside` (None when it leaves the folder, after
following symlinks), every id used in a file name through :func:`is_safe_id`. :func:`breaches` lists what
a project names outside itself, so it opens with a message naming the shot and the path; the offending
entries stay in the document as they are (nothing is dropped), and are never read, sent, written or
deleted.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shotplanner.core.models import Project, Shot

#: Ids that become file names (takes, journal records): letters, digits, ``_`` and ``-``, at most 64.
SAFE_ID = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")


class OutsideProject(ValueError):
    """A path or id from a project that would reach outside its folder. The message names both."""


def is_safe_id(value: object) -> bool:
    return isinstance(value, str) and SAFE_ID.match(value) is not None


def require_safe_id(value: object, what: str = "id") -> str:
    if not is_safe_id(value):
        raise OutsideProject(f"{what} {value!r} is not a plain id (letters, digits, '_' and '-' only)")
    assert isinstance(value, str)
    return value


def inside(folder: Path | str, rel: str | Path | None) -> Path | None:
    """``folder / rel`` when it stays inside ``folder`` (symlinks followed), else None.

    Absolute paths (POSIX or Windows, drive or UNC) are refused outright: the document stores relative
    paths only.
    """
    if rel is None or str(rel) == "":
        return None
    text = str(rel)
    if "\0" in text or PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute() \
            or PureWindowsPath(text).drive:
        return None
    root = Path(folder)
    return root / text if _resolves_inside(str(root), text) else None


@functools.lru_cache(maxsize=8192)
def _resolves_inside(folder: str, rel: str) -> bool:
    # Memoized: views ask for the same thumbnails on every paint, and resolving costs a syscall per part.
    try:
        resolved = (Path(folder) / rel).resolve()
        base = Path(folder).resolve()
    except (OSError, RuntimeError):  # a symlink loop, an unreadable parent
        return False
    return resolved == base or base in resolved.parents


def contains(folder: Path | str, path: Path | str) -> bool:
    """Whether the absolute ``path`` (a journaled image) lies inside ``folder``, symlinks followed."""
    try:
        resolved = Path(path).resolve()
        base = Path(folder).resolve()
    except (OSError, RuntimeError):
        return False
    return Path(path).is_absolute() and base in resolved.parents


def require_inside(folder: Path | str, rel: str | Path, what: str) -> Path:
    path = inside(folder, rel)
    if path is None:
        raise OutsideProject(f"{what} '{rel}' is outside the project folder; it is not used")
    return path


@dataclass(frozen=True, slots=True)
class Breach:
    """One entry of a project that names something outside it (or an id that is not plain)."""

    shot: str  # the shot's number (or id), or "character NAME"
    what: str  # "reference image", "clip", "poster", "take id"
    value: str

    @property
    def reason(self) -> str:
        """What is wrong, without where (the planner says which shot)."""
        if self.what == "take id":
            return f"take id '{self.value}' is not a plain id; that take is not used"
        return f"{self.what} '{self.value}' is outside the project folder; it is not used"

    @property
    def message(self) -> str:
        where = self.shot if self.shot.startswith("character") else f"Shot {self.shot}"
        return f"{where}: {self.reason}"


def shot_breaches(shot: Shot, project: Project | None, folder: Path | str) -> list[Breach]:
    """The images one shot (with its characters' sheets) names outside ``folder``: it must not be sent."""
    found: list[Breach] = []
    label = shot.number or shot.id
    for ref in shot.reference_images:
        if inside(folder, ref.path) is None:
            found.append(Breach(label, "reference image", ref.path))
    if project is not None:
        for cid in shot.character_ids:
            character = project.character(cid)
            if character is None:
                continue
            for rel in character.reference_images:
                if inside(folder, rel) is None:
                    found.append(Breach(label, f"reference image of {character.name}", rel))
    return found


def breaches(project: Project, folder: Path | str) -> list[Breach]:
    """Every path and file-name id in ``project`` that breaks confinement (empty for a sound project)."""
    found: list[Breach] = []
    for shot in project.all_shots():
        found.extend(shot_breaches(shot, None, folder))
        label = shot.number or shot.id
        for take in shot.takes:
            if not is_safe_id(take.id):
                found.append(Breach(label, "take id", take.id))
            for what, rel in (("clip", take.clip), ("poster", take.poster)):
                if rel and inside(folder, rel) is None:
                    found.append(Breach(label, what, rel))
    for character in project.characters:
        for rel in character.reference_images:
            if inside(folder, rel) is None:
                found.append(Breach(f"character {character.name or character.id}", "reference image", rel))
    return found


def breach_report(found: list[Breach], limit: int = 8) -> str:
    """One message for the user: what was found, and that those entries are left alone."""
    lines = [b.message for b in found[:limit]]
    if len(found) > limit:
        lines.append(f"… and {len(found) - limit} more")
    return "\n".join(lines)
