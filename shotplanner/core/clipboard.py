"""Shots on the clipboard: a small versioned JSON document, pasted into this or another project.

Copy writes the shots (their plan: layers, crew fields, references, characters; not their takes, which
are this project's generations) and the folder they came from. Paste reads it back, gives the shots new
ids and numbers, brings their reference images into the target project through ``copy_image`` (the
target's ``media/``, content-addressed, so pasting twice stores one file) and keeps only the characters
the target project has. Qt-free: the UI puts the text on the system clipboard under :data:`MIME`.

A reference is only read from inside the folder the payload names (a clipboard is outside input: a path
that leaves the source project is refused like one in a project file).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from shotplanner.core.models import ImageRef, Project, Shot, new_id

MIME = "application/x-shotplanner-shots+json"
FORMAT = "shotplanner-shots"
VERSION = 1


class ClipboardError(ValueError):
    """The clipboard holds no shots, or shots this version cannot read (the message says which)."""


@dataclass(slots=True)
class Pasted:
    shots: list[Shot]
    notes: list[str] = field(default_factory=list)  # what did not come along, for the status bar


def encode_shots(project: Project, folder: Path | None, shot_ids: list[str]) -> str:
    """The clipboard text for ``shot_ids`` (in storyboard order)."""
    wanted = set(shot_ids)
    shots = [s for s in project.all_shots() if s.id in wanted]
    names = {c.id: c.name for c in project.characters}
    payload: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "project": project.title,
        "folder": str(folder.resolve()) if folder is not None else None,
        "characters": {cid: names[cid] for s in shots for cid in s.character_ids if cid in names},
        "shots": [s.model_dump(mode="json", exclude={"takes"}) for s in shots],
    }
    return json.dumps(payload, ensure_ascii=False)


def summary_text(project: Project, shot_ids: list[str]) -> str:
    """Plain text for other programs (a text editor gets the shot list, not JSON)."""
    wanted = set(shot_ids)
    lines = []
    for shot in project.all_shots():
        if shot.id in wanted:
            what = " — ".join(t for t in (shot.layers.subject.strip(), shot.layers.action.strip()) if t)
            lines.append(f"{shot.number}\t{shot.size.label}\t{shot.duration_s:g} s\t{what}")
    return "\n".join(lines)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def decode_shots(text: str, target: Project, target_folder: Path | None,
                 copy_image: Callable[[Path], str] | None) -> Pasted:
    """Shots from clipboard ``text``, ready to insert into ``target``.

    ``copy_image(source_path)`` stores an image in the target project and returns its project-relative
    path (it raises ``ValueError`` for a file that is not a readable image); ``None`` when the target has
    no folder yet (references are then left out and a note says so).
    """
    try:
        payload = json.loads(text)
    except ValueError:
        raise ClipboardError("the clipboard holds no Shotplanner shots") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ClipboardError("the clipboard holds no Shotplanner shots")
    if not isinstance(payload.get("version"), int) or payload["version"] > VERSION:
        raise ClipboardError("the shots were copied from a newer Shotplanner; update to paste them")
    raw_shots = payload.get("shots")
    if not isinstance(raw_shots, list) or not raw_shots:
        raise ClipboardError("the clipboard holds no shots")
    folder_text = payload.get("folder")
    source = Path(folder_text) if isinstance(folder_text, str) and folder_text else None
    same_project = (source is not None and target_folder is not None
                    and source.resolve() == target_folder.resolve())
    known = {c.id for c in target.characters}
    raw_names = payload.get("characters")
    names: dict[str, Any] = raw_names if isinstance(raw_names, dict) else {}
    pasted = Pasted([])
    copied: dict[str, str] = {}
    for raw in raw_shots:
        try:
            shot = Shot.model_validate({**raw, "takes": []}) if isinstance(raw, dict) else None
        except ValidationError as exc:
            raise ClipboardError(f"a copied shot is not readable: {exc.errors()[0]['msg']}") from None
        if shot is None:
            raise ClipboardError("a copied shot is not readable")
        shot.id = new_id()
        shot.number = ""  # numbered where it lands
        dropped = [cid for cid in shot.character_ids if cid not in known]
        if dropped:
            shot.character_ids = [cid for cid in shot.character_ids if cid in known]
            who = ", ".join(str(names.get(cid, cid)) for cid in dropped)
            pasted.notes.append(f"{who} is not in this project's cast: left off the pasted shot")
        if not same_project:
            shot.reference_images = _bring_refs(shot.reference_images, source, target_folder, copy_image,
                                                copied, pasted.notes)
        pasted.shots.append(shot)
    pasted.notes = list(dict.fromkeys(pasted.notes))
    return pasted


def _bring_refs(refs: list[ImageRef], source: Path | None, target_folder: Path | None,
                copy_image: Callable[[Path], str] | None, copied: dict[str, str],
                notes: list[str]) -> list[ImageRef]:
    out: list[ImageRef] = []
    for ref in refs:
        label = ref.label or Path(ref.path).name
        if source is None or copy_image is None or target_folder is None:
            notes.append(f"reference {label} not pasted: save this project in a folder first")
            continue
        path = source / ref.path
        if not _inside(path, source):
            notes.append(f"reference {label} not pasted: its path leaves the project it came from")
            continue
        if ref.path not in copied:
            try:
                copied[ref.path] = copy_image(path)
            except (OSError, ValueError) as exc:
                notes.append(f"reference {label} not pasted: {exc}")
                continue
        out.append(ref.model_copy(update={"path": copied[ref.path]}))
    return out
