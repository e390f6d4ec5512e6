"""A Fountain 1.1 parser (https://fountain.io/syntax), in one pass over the text.

Why our own: the spec's notes may span lines (a line of two spaces keeps a note open across what
looks like a blank line), boneyard and notes may sit anywhere (also before the title page), the title
page's values carry emphasis markup that a plan must not keep, ``\\*`` and ``\\_`` are escapes, and a
character line may stack extensions (``DONNA (V.O.) (CONT'D)``). Each step below touches every
character a bounded number of times, so a 10 MB script parses in linear time (``bench/fountain.py``).

The result is plain data (:class:`Script`); ``fountain.py`` turns it into scenes and shots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Title-page keys the spec names (any casing); a first block starting with one of them is the title page.
TITLE_KEYS = frozenset(
    {
        "title", "credit", "author", "authors", "source", "draft date", "date", "contact",
        "copyright", "notes", "revision", "based on", "format",
    }
)
_TITLE_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z ]*?)\s*:(.*)$")
_HEADING = re.compile(r"^(INT|EXT|EST|INT\.?/EXT|EXT\.?/INT|I/E)[.\s]", re.IGNORECASE)
_SCENE_NUMBER = re.compile(r"\s*#([^#\s][^#]*)#\s*$")
_EXTENSIONS = re.compile(r"(\s*\([^()]*\))+\s*$")
_EXTENSION = re.compile(r"\(([^()]*)\)")
#: A note or boneyard removed from the text leaves this sentinel (the note's index between).
_MARK_OPEN, _MARK_CLOSE = "\x00", "\x01"
_MARK = re.compile("\x00(\\d+)\x01")
_ESCAPED_STAR, _ESCAPED_UNDERSCORE = "\ue010", "\ue011"
_EMPHASIS = (
    re.compile(r"\*\*\*(?=\S)(.+?)(?<=\S)\*\*\*"),
    re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"),
    re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"),
    re.compile(r"_(?=\S)(.+?)(?<=\S)_"),
)


class FountainSyntaxError(ValueError):
    """The text cannot be read as Fountain; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(slots=True)
class Element:
    """One paragraph of the script body."""

    kind: str  # heading, action, dialogue, transition, centered, synopsis, section, note
    text: str = ""
    line: int = 0
    #: Scene number from ``#12A#`` (headings only).
    number: str | None = None
    #: Dialogue: the speaker without extensions, the extensions in order, and (parenthetical?, text) lines.
    character: str = ""
    extensions: list[str] = field(default_factory=list)
    lines: list[tuple[bool, str]] = field(default_factory=list)
    dual: bool = False
    #: ``[[notes]]`` written inside this paragraph, in order.
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Script:
    #: Lower-case key → plain value ("title", "author", "draft date", …).
    title_page: dict[str, str] = field(default_factory=dict)
    elements: list[Element] = field(default_factory=list)


def plain(text: str) -> str:
    """``text`` without emphasis markup, with escapes resolved and whitespace collapsed."""
    text = text.replace("\\*", _ESCAPED_STAR).replace("\\_", _ESCAPED_UNDERSCORE)
    if "*" in text or "_" in text:
        for pattern in _EMPHASIS:
            text = pattern.sub(r"\1", text)
    text = text.replace(_ESCAPED_STAR, "*").replace(_ESCAPED_UNDERSCORE, "_")
    return " ".join(text.split())


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


def _line_of(starts: list[int], offset: int) -> int:
    from bisect import bisect_right

    return bisect_right(starts, offset)


def _cut_boneyard(text: str) -> str:
    """Remove every ``/* … */`` (it may span lines); an unclosed one is an error naming its line."""
    if "/*" not in text:
        return text
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("/*", pos)
        if start < 0:
            out.append(text[pos:])
            return "".join(out)
        end = text.find("*/", start + 2)
        if end < 0:
            line = _line_of(_line_starts(text), start)
            raise FountainSyntaxError(line, "boneyard '/*' is never closed with '*/'")
        out.append(text[pos:start])
        # Keep the line breaks the boneyard held, so a cut block between paragraphs stays a break.
        out.append("\n" * text.count("\n", start, end))
        pos = end + 2


def _cut_notes(text: str, notes: list[str]) -> str:
    """Replace each ``[[note]]`` by a sentinel holding its index in ``notes``.

    A note may span lines but not an empty line (a line of spaces, e.g. the spec's two spaces, keeps it
    open); ``[[`` with no such close is plain text, as the spec says. The next ``]]`` and the next empty
    line are found once and reused until the scan passes them, so this stays linear.
    """
    if "[[" not in text:
        return text
    out: list[str] = []
    pos = 0
    next_close = -2
    next_blank = -2
    n = len(text)
    while True:
        start = text.find("[[", pos)
        if start < 0:
            out.append(text[pos:])
            return "".join(out)
        if next_close != -1 and next_close < start + 2:
            next_close = text.find("]]", start + 2)
        if next_close == -1:  # nothing closes any more: the rest is plain text
            out.append(text[pos:])
            return "".join(out)
        if next_blank != -1 and next_blank < start + 2:
            next_blank = text.find("\n\n", start + 2)
        if next_blank != -1 and next_blank < next_close:
            out.append(text[pos : start + 2])  # not a note: keep "[[" as written
            pos = start + 2
            continue
        out.append(text[pos:start])
        body = text[start + 2 : next_close]
        notes.append(" ".join(body.split()))
        out.append(f"{_MARK_OPEN}{len(notes) - 1}{_MARK_CLOSE}")
        pos = min(next_close + 2, n)


def _take_notes(line: str, notes: list[str], into: list[str]) -> str:
    """``line`` without its note sentinels; the notes go to ``into``."""
    if _MARK_OPEN not in line:
        return line
    into.extend(notes[int(m.group(1))] for m in _MARK.finditer(line))
    return _MARK.sub("", line)


def _is_blank(line: str) -> bool:
    # Two spaces are the spec's way to write an empty line inside a paragraph (dialogue, notes).
    return not line.strip() and line != "  "


def _is_character(first: str) -> bool:
    name = _EXTENSIONS.sub("", first.rstrip("^ ").strip())
    return any(ch.isalpha() for ch in name) and name == name.upper() and not name.startswith("!")


def parse(text: str) -> Script:
    """Parse a whole script (newlines already ``\\n``)."""
    text = _cut_boneyard(text)
    notes: list[str] = []
    text = _cut_notes(text, notes)
    lines = text.split("\n")
    script = Script()
    i, n = 0, len(lines)

    def note_only(line: str) -> bool:
        return not _MARK.sub("", line).strip()

    # Notes and blank lines before the title page do not hide it.
    lead_notes: list[str] = []
    while i < n and (not lines[i].strip() or note_only(lines[i])):
        _take_notes(lines[i], notes, lead_notes)
        i += 1
    if i < n:
        match = _TITLE_LINE.match(_MARK.sub("", lines[i]))
        if match and match.group(1).strip().lower() in TITLE_KEYS:
            i = _title_page(lines, i, notes, script)
    if lead_notes:
        script.elements.append(Element("note", line=1, notes=lead_notes))

    while i < n:
        if _is_blank(lines[i]):
            i += 1
            continue
        start = i
        while i < n and not _is_blank(lines[i]):
            i += 1
        _paragraph(lines[start:i], start + 1, notes, script.elements)
    return script


def _title_page(lines: list[str], i: int, notes: list[str], script: Script) -> int:
    key = ""
    values: dict[str, list[str]] = {}
    dump: list[str] = []
    while i < len(lines) and lines[i].strip():
        line = _take_notes(lines[i], notes, dump)
        match = _TITLE_LINE.match(line)
        if match and not line[:1].isspace():
            key = match.group(1).strip().lower()
            values.setdefault(key, [])
            if match.group(2).strip():
                values[key].append(match.group(2))
        elif key:
            values[key].append(line)
        i += 1
    script.title_page = {k: plain(" ".join(v)) for k, v in values.items()}
    return i


def _paragraph(block: list[str], line_no: int, notes: list[str], out: list[Element]) -> None:
    found: list[str] = []
    clean = [_take_notes(line, notes, found) for line in block]
    while clean and not clean[0].strip():  # a line that held only a note
        clean.pop(0)
        line_no += 1
    if not clean:
        out.append(Element("note", line=line_no, notes=found))
        return
    first = clean[0].strip()
    rest = clean[1:]
    element: Element | None = None
    if re.fullmatch(r"={3,}", first):
        return  # page break
    if first.startswith("#"):
        element = Element("section", plain(first.lstrip("#")), line_no)
    elif first.startswith("=") and not first.startswith("=="):
        element = Element("synopsis", plain(first[1:]), line_no)
    elif (first.startswith(".") and not first.startswith("..")) or _HEADING.match(first):
        heading = first[1:] if first.startswith(".") and not _HEADING.match(first) else first
        number = None
        m = _SCENE_NUMBER.search(heading)
        if m:
            number, heading = m.group(1).strip(), heading[: m.start()]
        element = Element("heading", plain(heading), line_no, number=number)
        out.append(element)
        element.notes = found
        if any(line.strip() for line in rest):  # action written right under the heading
            _paragraph(rest, line_no + 1, notes, out)
        return
    elif first.startswith(">") and first.endswith("<"):
        text = " ".join(line.strip().lstrip(">").rstrip("<") for line in clean)
        element = Element("centered", plain(text), line_no)
    elif first.startswith(">") or (not rest and first.isupper() and first.endswith("TO:")):
        element = Element("transition", plain(first.lstrip(">")), line_no)
    elif first.startswith("!"):
        element = Element("action", plain(" ".join([first[1:], *rest])), line_no)
    elif rest and (first.startswith("@") or _is_character(first)):
        element = _dialogue(first, rest, line_no)
    else:
        body = " ".join(line.strip().lstrip("~") for line in clean)
        element = Element("action", plain(body), line_no)
    element.notes = found
    out.append(element)


def _dialogue(first: str, rest: list[str], line_no: int) -> Element:
    raw = first.strip()
    dual = raw.endswith("^")
    raw = raw.rstrip("^").strip().removeprefix("@").strip()
    ext_match = _EXTENSIONS.search(raw)
    extensions: list[str] = []
    if ext_match:
        extensions = [e.strip() for e in _EXTENSION.findall(ext_match.group(0))]
        raw = raw[: ext_match.start()]
    element = Element("dialogue", line=line_no, character=plain(raw), extensions=extensions, dual=dual)
    for line in rest:
        stripped = line.strip().lstrip("~").strip()
        if not stripped:
            continue
        is_paren = stripped.startswith("(") and stripped.endswith(")")
        element.lines.append((is_paren, plain(stripped)))
    element.text = " ".join(text for _, text in element.lines)
    return element
