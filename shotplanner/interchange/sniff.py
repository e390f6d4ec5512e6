"""What a file is, from its first bytes rather than its name: a timeline renamed ``.txt`` must be refused.

Import and conform both ask here first, so a file is never parsed as something it is not.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Kinds this module tells apart. Scripts: fountain, fdx. Shot lists: csv. Cuts: edl, fcp7, fcpxml, otio.
SCRIPT_KINDS = ("fountain", "fdx")
CUT_KINDS = ("edl", "fcp7", "fcpxml", "otio")
KIND_NAMES: dict[str, str] = {
    "fountain": "a Fountain screenplay",
    "fdx": "a Final Draft screenplay (.fdx)",
    "csv": "a shot list (CSV)",
    "edl": "a CMX3600 edit decision list (a timeline)",
    "fcp7": "an FCP7 XML timeline (Premiere/Resolve)",
    "fcpxml": "an FCPXML timeline (Final Cut)",
    "otio": "an OpenTimelineIO timeline",
    "xml": "an XML file of an unknown kind",
    "pdf": "a PDF document",
    "binary": "a binary file",
    "empty": "an empty file",
}
#: How much of a file is read to decide (the head of every format names it within a few hundred bytes).
HEAD_BYTES = 64 * 1024
_EDL_EVENT = re.compile(rb"^\s*\d{3,6}\s+\S+\s+(V|A\d*|AA|B|AA/V|A/V|NONE)\b", re.M | re.I)
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def sniff_bytes(head: bytes) -> str:
    data = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not data:
        return "empty"
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"<"):
        low = data[:4096].lower()
        for tag, kind in ((b"<xmeml", "fcp7"), (b"<fcpxml", "fcpxml"), (b"<finaldraft", "fdx")):
            if tag in low:
                return kind
        return "xml"
    if data.startswith(b"{") and b'"OTIO_SCHEMA"' in data[:4096]:
        return "otio"
    if _BINARY.search(data[:8192]):
        return "binary"
    first = data.split(b"\n", 1)[0].strip().upper()
    if (first.startswith(b"TITLE:") or first.startswith(b"FCM:")) and _EDL_EVENT.search(data[:8192]):
        return "edl"
    if _EDL_EVENT.search(data[:2048]) and b"FROM CLIP" in data[:8192].upper():
        return "edl"
    return "text"


def sniff(path: Path) -> str:
    """The kind of ``path`` by content; ``text`` is any other plain text (Fountain or CSV by name)."""
    with Path(path).open("rb") as fh:
        return sniff_bytes(fh.read(HEAD_BYTES))


def describe(kind: str) -> str:
    return KIND_NAMES.get(kind, kind)
