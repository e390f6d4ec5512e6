"""Fountain screenplay import: ``fountain_parse`` reads the script, this adapter makes scenes and shots.

Scene headings (``INT./EXT.`` or forced with ``.``) become scenes, keeping a ``#12A#`` scene number;
the heading's INT/EXT, location and time of day are derived by ``core.heading``. Each action paragraph
becomes one draft shot whose action layer is the paragraph. Dialogue (with parentheticals; dual
dialogue; forced ``@`` characters) is noted on the shot it follows, and the speakers, without their
extensions (``DONNA (V.O.) (CONT'D)`` is DONNA), become the project's characters. Transitions are noted on
the shot before them; centred text and synopses go to the scene description; ``[[notes]]`` go to the
notes of the shot (or scene) they were written in. The title page fills an untitled project's title,
author, credit and draft date, without markup.

Into a new or empty project the script's scene 1 is the project's scene 1: the empty scene ``new``
makes is dropped and whatever comes before the first heading becomes that scene's description.
"""

from __future__ import annotations

import re
from pathlib import Path

from shotplanner.core.models import Character, Project, PromptLayers, Scene, Shot
from shotplanner.core.numbering import standard_number
from shotplanner.interchange.fountain_parse import Element, FountainSyntaxError, Script, parse
from shotplanner.interchange.reports import BadInputError, ImportReport
from shotplanner.interchange.sniff import CUT_KINDS, describe, sniff_bytes

DEFAULT_TITLE = Project.model_fields["title"].default
#: Scripts larger than this are refused before parsing (a feature screenplay is 200-400 KB).
MAX_SCRIPT_BYTES = 20 * 1024 * 1024
DUAL_MARK = " (at the same time)"
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _check_control(text: str, source: str) -> None:
    """Reject what no screenplay holds (control bytes), naming the line and column."""
    bad = _CONTROL.search(text)
    if bad is not None:
        ch, pos = bad.group(), bad.start()
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        raise BadInputError(
            f"{source}: line {line}: control character {ch!r} at column {col};"
            " this does not look like a text file"
        )


def read_script_text(path: Path, *, expect: str = "a Fountain screenplay", allow_xml: bool = False) -> str:
    """The file's text, after the size cap, a content check and UTF-8 decoding (errors name the line)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if size > MAX_SCRIPT_BYTES:
        raise BadInputError(
            f"{path.name}: the file is {size / 1e6:.1f} MB; Shotplanner imports screenplays up to"
            f" {MAX_SCRIPT_BYTES // (1024 * 1024)} MB (a feature-length script is well under 1 MB)"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    kind = sniff_bytes(data[:65536])
    if kind in CUT_KINDS:
        raise BadInputError(
            f"{path.name}: this is {describe(kind)}, not {expect}; nothing was imported."
            " Bring an editor's cut back with File ▸ Import ▸ Editor's cut or `shotplanner conform`"
        )
    if kind == "pdf" or (kind in ("xml", "fdx") and not (allow_xml and kind == "fdx")):
        # Binary bytes are refused below, naming the line; a Final Draft file goes to its own reader.
        raise BadInputError(f"{path.name}: this is {describe(kind)}, not {expect}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadInputError(
            f"{path.name}: line {line}: not UTF-8 text (byte {exc.start}); save the script as UTF-8"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _check_control(text, path.name)
    return text


def is_empty_project(project: Project) -> bool:
    """No shots, no cast and no scene with a heading or description: what ``shotplanner new`` makes."""
    return not project.characters and all(
        not s.shots and not s.heading.strip() and not s.description.strip() for s in project.scenes
    )


class ScriptBuilder:
    """Turns script elements into scenes and shots on ``project`` (a staged copy); shared with .fdx."""

    def __init__(self, project: Project, report: ImportReport) -> None:
        self.project = project
        self.report = report
        self.fresh = is_empty_project(project)
        if self.fresh:
            project.scenes = []
        self.scene: Scene | None = None
        self.taken = {s.number for s in project.all_shots()}
        self.scene_numbers = {s.number for s in project.scenes}
        self.max_number = max((int(n) for n in self.scene_numbers if n.isdigit()), default=0)
        self.characters = {c.name.casefold(): c for c in project.characters}
        #: Text before the first heading, held until we know whether a heading comes.
        self.preamble: list[Element] = []
        self.seen_heading = False
        #: Index of the next standard number to try, per scene id (keeps numbering linear).
        self._next_index: dict[str, int] = {}

    # ------------------------------------------------------------------ title page

    def title_page(self, fields: dict[str, str]) -> None:
        p = self.project
        title = fields.get("title", "")
        if title and (self.fresh or p.title in ("", DEFAULT_TITLE)):
            p.title = title
        for key, attr in (("author", "author"), ("authors", "author"), ("credit", "credit"),
                          ("draft date", "draft_date"), ("date", "draft_date")):
            value = fields.get(key, "")
            if value and (self.fresh or not getattr(p, attr)):
                setattr(p, attr, value)

    # ------------------------------------------------------------------ elements

    def start_scene(self, heading: str, number: str | None) -> Scene:
        if not number or number in self.scene_numbers:
            if number:
                self.report.warnings.append(
                    f"scene number {number} is already used; '{heading}' was renumbered"
                )
            number = str(self.max_number + 1)
        if number.isdigit():
            self.max_number = max(self.max_number, int(number))
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
        k = self._next_index.get(scene.id, len(scene.shots))
        number = standard_number(scene.number, k)
        while number in self.taken:
            k += 1
            number = standard_number(scene.number, k)
        self._next_index[scene.id] = k + 1
        shot = Shot(number=number, layers=PromptLayers(action=action, subject=subject))
        scene.shots.append(shot)
        self.taken.add(number)
        self.report.shots_added += 1
        return shot

    def last_shot(self) -> Shot | None:
        return self.scene.shots[-1] if self.scene is not None and self.scene.shots else None

    def character(self, name: str) -> Character:
        key = name.casefold()
        if key not in self.characters:
            character = Character(name=name)
            self.project.characters.append(character)
            self.characters[key] = character
        return self.characters[key]

    def describe_scene(self, text: str) -> None:
        scene = self.current_scene()
        scene.description = f"{scene.description}\n{text}" if scene.description else text

    def note_on_last(self, text: str) -> None:
        shot = self.last_shot()
        if shot is not None:
            shot.notes = f"{shot.notes}\n{text}" if shot.notes else text
        else:
            self.describe_scene(text)

    def dialogue(self, name: str, parts: list[tuple[bool, str]], dual: bool = False) -> None:
        character = self.character(name or "?")
        line = f"{character.name}: {' '.join(t for _, t in parts)}".rstrip()
        if dual:
            line += DUAL_MARK
        shot = self.last_shot()
        if shot is None:
            shot = self.add_shot(subject=character.name)
        if dual and shot.dialogue and not shot.dialogue.endswith(DUAL_MARK):
            # The caret sits on the second speaker, but both speak at once.
            shot.dialogue += DUAL_MARK
        shot.dialogue = f"{shot.dialogue}\n{line}" if shot.dialogue else line
        if character.id not in shot.character_ids:
            shot.character_ids.append(character.id)

    def element(self, el: Element) -> None:
        if el.kind == "heading":
            self.heading(el.text, el.number, el.notes)
            return
        if not self.seen_heading:
            self.preamble.append(el)
            return
        self._body(el)

    def heading(self, text: str, number: str | None, notes: list[str] | None = None) -> None:
        preamble, self.preamble = self.preamble, []
        first = not self.seen_heading
        self.seen_heading = True
        self.start_scene(text, number)
        for note in notes or []:
            self.describe_scene(f"Note: {note}")
        if first and preamble:
            # Text before the first heading is the film's opening; it describes scene 1, it is no scene.
            for el in preamble:
                if el.kind == "dialogue" and el.character:
                    self.character(el.character)
            lines = [_as_text(el) for el in preamble]
            self.describe_scene("\n".join(line for line in lines if line))

    def _body(self, el: Element) -> None:
        if el.kind == "action":
            if el.text:
                shot = self.add_shot(action=el.text)
                for note in el.notes:
                    shot.notes = f"{shot.notes}\nNote: {note}" if shot.notes else f"Note: {note}"
                return
        elif el.kind == "dialogue":
            self.dialogue(el.character, el.lines, el.dual)
        elif el.kind == "transition":
            self.note_on_last(f"Transition: {el.text}")
        elif el.kind in ("centered", "synopsis") and el.text:
            self.describe_scene(el.text)
        for note in el.notes:
            self.note_on_last(f"Note: {note}")

    def finish(self) -> None:
        """A script with no heading at all: its text becomes shots of one scene."""
        preamble, self.preamble = self.preamble, []
        for el in preamble:
            self._body(el)


def _as_text(el: Element) -> str:
    if el.kind == "dialogue":
        return f"{el.character}: {el.text}"
    if el.kind == "transition":
        return f"Transition: {el.text}"
    if el.kind == "note":
        return " ".join(f"Note: {n}" for n in el.notes)
    if el.kind == "section":
        return ""
    return el.text


def commit(staged: Project, project: Project) -> None:
    """The staged copy becomes the project (same object, so callers' references stay valid)."""
    for name in type(project).model_fields:
        setattr(project, name, getattr(staged, name))


def import_script(script: Script, project: Project, source: str) -> ImportReport:
    staged = project.model_copy(deep=True)  # build on a copy: a failure half-way loses nothing
    report = ImportReport(source=source)
    build = ScriptBuilder(staged, report)
    build.title_page(script.title_page)
    for el in script.elements:
        build.element(el)
    build.finish()
    if report.shots_added == 0 and report.scenes_added == 0:
        raise BadInputError(f"{source}: line 1: no scene heading, action or dialogue found")
    commit(staged, project)
    return report


def import_fountain(path: Path, project: Project) -> ImportReport:
    """Append the screenplay at ``path`` to ``project`` as scenes and draft shots.

    Raises :class:`BadInputError` (with the line number) for input that is not a Fountain script;
    ``project`` is untouched then.
    """
    path = Path(path)
    text = read_script_text(path)
    if not text.strip():
        raise BadInputError(f"{path.name}: line 1: the file is empty")
    try:
        script = parse(text)
    except FountainSyntaxError as exc:
        raise BadInputError(f"{path.name}: {exc}") from None
    return import_script(script, project, path.name)
