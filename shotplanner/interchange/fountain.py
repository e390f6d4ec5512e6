"""Fountain screenplay import: screenplain parses, this adapter turns the script into scenes and shots.

Scene headings (``INT./EXT.`` or forced with ``.``) become scenes, keeping a ``#12A#`` scene number.
Each action paragraph (also forced with ``!``) becomes one draft shot whose action layer is the
paragraph. Dialogue (with parentheticals; dual dialogue; forced ``@`` characters) is noted on the shot
it follows, and the speakers become the project's characters. Transitions (``CUT TO:``, forced ``>``)
are noted on the shot before them; centred text (``>THE END<``) goes to the scene description. The
title page's ``Title`` names an untitled project. Only screenplain's types are used here, so another
parser can replace it behind :func:`import_fountain`.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from screenplain import types as sp
from screenplain.parsers import fountain as sp_fountain

from shotplanner.core.models import Character, Project, PromptLayers, Scene, Shot
from shotplanner.core.numbering import next_free_number
from shotplanner.interchange.reports import BadInputError, ImportReport

DEFAULT_TITLE = Project.model_fields["title"].default
_EXTENSION = re.compile(r"\s*\((V\.O\.|O\.S\.|O\.C\.|CONT'D|CONT’D|[^)]*)\)\s*$", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain(rich: object) -> str:
    return " ".join(str(rich).split())


def _lines(text: str, source: str) -> None:
    """Reject what no screenplay holds, naming the line: control bytes, unclosed boneyard or note."""
    boneyard_open: int | None = None
    note_open: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        bad = _CONTROL.search(line)
        if bad:
            raise BadInputError(
                f"{source}: line {number}: control character {bad.group()!r} at column {bad.start() + 1};"
                " this does not look like a Fountain text file"
            )
        rest = line
        while rest:
            if boneyard_open is not None:
                end = rest.find("*/")
                if end < 0:
                    break
                boneyard_open, rest = None, rest[end + 2 :]
                continue
            if note_open is not None:
                end = rest.find("]]")
                if end < 0:
                    break
                note_open, rest = None, rest[end + 2 :]
                continue
            b, n = rest.find("/*"), rest.find("[[")
            if b < 0 and n < 0:
                break
            if b >= 0 and (n < 0 or b < n):
                boneyard_open, rest = number, rest[b + 2 :]
            else:
                note_open, rest = number, rest[n + 2 :]
        if note_open is not None and not line.strip() and note_open != number:
            # Fountain notes may span lines but not a blank line.
            raise BadInputError(f"{source}: line {note_open}: note '[[' is not closed with ']]'")
    if boneyard_open is not None:
        raise BadInputError(f"{source}: line {boneyard_open}: boneyard '/*' is never closed with '*/'")
    if note_open is not None:
        raise BadInputError(f"{source}: line {note_open}: note '[[' is not closed with ']]'")


def read_fountain(path: Path) -> str:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadInputError(
            f"{path.name}: line {line}: not UTF-8 text (byte {exc.start}); save the script as UTF-8"
        ) from None
    return text


class _Builder:
    def __init__(self, project: Project, report: ImportReport) -> None:
        self.project = project
        self.report = report
        self.scene: Scene | None = None
        self.taken = {s.number for s in project.all_shots()}
        self.scene_numbers = {s.number for s in project.scenes}
        self.characters = {c.name.casefold(): c for c in project.characters}

    def _next_scene_number(self) -> str:
        numeric = [int(n) for n in self.scene_numbers if n.isdigit()]
        return str(max(numeric, default=0) + 1)

    def start_scene(self, heading: str, number: str | None) -> Scene:
        if not number or number in self.scene_numbers:
            if number:
                self.report.warnings.append(
                    f"scene number {number} is already used; '{heading}' was renumbered"
                )
            number = self._next_scene_number()
        scene = Scene(number=number, heading=heading)
        self.project.scenes.append(scene)
        self.scene_numbers.add(number)
        self.scene = scene
        self.report.scenes_added += 1
        return scene

    def current_scene(self) -> Scene:
        return self.scene if self.scene is not None else self.start_scene("", None)

    def add_shot(self, action: str = "", subject: str = "") -> Shot:
        scene = self.current_scene()
        number = next_free_number(scene, len(scene.shots), self.taken)
        shot = Shot(number=number, layers=PromptLayers(action=action, subject=subject))
        scene.shots.append(shot)
        self.taken.add(number)
        self.report.shots_added += 1
        return shot

    def last_shot(self) -> Shot | None:
        return self.scene.shots[-1] if self.scene is not None and self.scene.shots else None

    def character(self, raw_name: str) -> Character:
        name = _EXTENSION.sub("", raw_name).strip().lstrip("@").strip() or raw_name.strip()
        key = name.casefold()
        if key not in self.characters:
            character = Character(name=name)
            self.project.characters.append(character)
            self.characters[key] = character
        return self.characters[key]

    def dialog(self, dialog: sp.Dialog, dual: bool = False) -> None:
        speaker = _plain(dialog.character)
        character = self.character(speaker)
        # Parentheticals keep their brackets in screenplain's text, so one join reads like the script.
        parts = [_plain(text) for _is_paren, text in dialog.blocks]
        line = f"{character.name}: {' '.join(parts)}" + (" (at the same time)" if dual else "")
        shot = self.last_shot()
        if shot is None:
            shot = self.add_shot(subject=character.name)
        shot.dialogue = f"{shot.dialogue}\n{line}" if shot.dialogue else line
        if character.id not in shot.character_ids:
            shot.character_ids.append(character.id)

    def note_on_last(self, text: str) -> None:
        shot = self.last_shot()
        if shot is not None:
            shot.notes = f"{shot.notes}\n{text}" if shot.notes else text
        else:
            scene = self.current_scene()
            scene.description = f"{scene.description}\n{text}" if scene.description else text


def import_fountain(path: Path, project: Project) -> ImportReport:
    """Append the screenplay at ``path`` to ``project`` as scenes and draft shots.

    Raises :class:`BadInputError` (with the line number) for input that is not a Fountain script;
    ``project`` is untouched then.
    """
    path = Path(path)
    text = read_fountain(path)
    _lines(text, path.name)
    if not text.strip():
        raise BadInputError(f"{path.name}: line 1: the file is empty")
    try:
        script = sp_fountain.parse(io.StringIO(text))
    except Exception as exc:  # screenplain gives no line numbers; say what it said
        raise BadInputError(f"{path.name}: line ?: the Fountain parser failed: {exc}") from exc

    staged = project.model_copy(deep=True)  # build on a copy: a failure half-way loses nothing
    report = ImportReport(source=path.name)
    build = _Builder(staged, report)
    title = " ".join(script.title_page.get("Title", [])).strip()
    if title and staged.title in ("", DEFAULT_TITLE):
        staged.title = " ".join(title.split())
    for para in script:
        if isinstance(para, sp.Slug):
            build.start_scene(_plain(para.line), _plain(para.scene_number) if para.scene_number else None)
            if para.synopsis:
                build.current_scene().description = _plain(para.synopsis)
        elif isinstance(para, sp.Action):
            body = " ".join(_plain(line) for line in para.lines).strip()
            if not body:
                continue
            if para.centered:
                scene = build.current_scene()
                scene.description = f"{scene.description}\n{body}" if scene.description else body
            else:
                build.add_shot(action=body)
        elif isinstance(para, sp.DualDialog):
            build.dialog(para.left, dual=True)
            build.dialog(para.right, dual=True)
        elif isinstance(para, sp.Dialog):
            build.dialog(para)
        elif isinstance(para, sp.Transition):
            build.note_on_last(f"Transition: {_plain(para.line)}")
    if report.shots_added == 0 and report.scenes_added == 0:
        raise BadInputError(f"{path.name}: line 1: no scene heading, action or dialogue found")
    # Commit: the staged copy becomes the project (same object, so callers' references stay valid).
    for name in type(project).model_fields:
        setattr(project, name, getattr(staged, name))
    return report
