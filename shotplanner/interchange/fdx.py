"""Final Draft ``.fdx`` import: the paragraphs of ``<Content>`` as the same elements a Fountain script gives.

An .fdx is XML: ``<FinalDraft><Content>`` holds ``<Paragraph Type="Scene Heading|Action|Character|
Parenthetical|Dialogue|Transition|Shot|General">`` with one or more ``<Text>`` runs (styles split a line
into runs), a scene number in ``Number``, the scene's summary in ``SceneProperties/Summary``, notes as
``ScriptNote`` and dual dialogue wrapped in ``<DualDialogue>``. The title page is free-form centred
paragraphs; its first line is the title, the line after "Written by" the author. Final Draft shows
character names in capitals whatever was typed, so they are upper-cased here too.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

from shotplanner.core.models import Project
from shotplanner.interchange.fountain import import_script, read_script_text
from shotplanner.interchange.fountain_parse import Element, Script
from shotplanner.interchange.reports import BadInputError, ImportReport

_EXTENSIONS = re.compile(r"(\s*\([^()]*\))+\s*$")
_DATE = re.compile(r"\b(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|(19|20)\d{2})\b")
_CREDIT = re.compile(r"^(written|screenplay|story|teleplay)?\s*by$", re.I)
#: A copyright line carries a year but is not the draft date ("Copyright (c) 2018" above "2018-01-01").
_COPYRIGHT = re.compile(r"^(copyright\b|\(c\)|©)", re.I)


def _text(paragraph: ET.Element) -> str:
    """The paragraph's own text runs (not those of its summary or notes), whitespace collapsed."""
    return " ".join("".join(t.text or "" for t in paragraph.findall("Text")).split())


def _notes(paragraph: ET.Element) -> list[str]:
    out = []
    for note in paragraph.findall("ScriptNote"):
        body = " ".join(_text(p) for p in note.iter("Paragraph"))
        if body.strip():
            out.append(" ".join(body.split()))
    return out


def _summary(paragraph: ET.Element) -> str:
    summary = paragraph.find("SceneProperties/Summary")
    if summary is None:
        return ""
    return "\n".join(t for t in (_text(p) for p in summary.findall("Paragraph")) if t)


def _title_page(root: ET.Element) -> dict[str, str]:
    lines = [t for t in (_text(p) for p in root.findall("TitlePage/Content/Paragraph")) if t]
    fields: dict[str, str] = {}
    if not lines:
        return fields
    fields["title"] = lines[0]
    for i, line in enumerate(lines[1:], start=1):
        if _CREDIT.match(line) and i + 1 < len(lines):
            fields.setdefault("credit", line)
            fields.setdefault("author", lines[i + 1])
        elif _DATE.search(line) and not _COPYRIGHT.match(line) and "draft date" not in fields:
            fields["draft date"] = line
    return fields


def parse_fdx(text: str, source: str) -> Script:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else "?"
        raise BadInputError(f"{source}: line {line}: not well-formed XML ({exc})") from None
    if root.tag != "FinalDraft":
        raise BadInputError(f"{source}: line 1: the root element is <{root.tag}>, not <FinalDraft>")
    content = root.find("Content")
    if content is None:
        raise BadInputError(f"{source}: the file has no <Content> (no script)")
    script = Script(title_page=_title_page(root))
    out = script.elements
    speech: Element | None = None

    def paragraph(p: ET.Element, dual: bool) -> None:
        nonlocal speech
        kind = p.get("Type", "General")
        text = _text(p)
        notes = _notes(p)
        if kind == "Character":
            name = text.lstrip("@").strip()
            ext = _EXTENSIONS.search(name)
            extensions = re.findall(r"\(([^()]*)\)", ext.group(0)) if ext else []
            name = name[: ext.start()] if ext else name
            speech = Element("dialogue", character=name.strip().upper(), extensions=extensions, dual=dual)
            speech.notes = notes
            out.append(speech)
            return
        if kind in ("Dialogue", "Parenthetical") and speech is not None:
            if text:
                speech.lines.append((kind == "Parenthetical", text))
                speech.text = " ".join(t for _, t in speech.lines)
            speech.notes += notes
            return
        speech = None
        if kind == "Scene Heading":
            number = (p.get("Number") or "").strip() or None
            out.append(Element("heading", text, number=number, notes=notes))
            summary = _summary(p)
            if summary:
                out.append(Element("synopsis", summary))
        elif kind == "Transition":
            out.append(Element("transition", text, notes=notes))
        elif kind == "Cast List":
            return
        elif text or notes:  # Action, Shot, General and anything newer
            out.append(Element("action", text, notes=notes))

    for p in content.findall("Paragraph"):
        dual = p.find("DualDialogue")
        if dual is not None:
            for inner in dual.findall("Paragraph"):
                paragraph(inner, True)
            speech = None
            continue
        paragraph(p, False)
    return script


def import_fdx(path: Path, project: Project) -> ImportReport:
    """Append a Final Draft script to ``project``; ``project`` is untouched when it raises."""
    path = Path(path)
    text = read_script_text(path, expect="a Final Draft screenplay", allow_xml=True)
    script = parse_fdx(text, path.name)
    return import_script(script, project, path.name)
