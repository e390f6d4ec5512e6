"""Scene headings as screenplays write them: ``INT. KITCHEN - NIGHT``, ``EXT./INT. CAR - MOVING - DAY``.

A heading is kept as the text the writer typed; its parts (interior/exterior, location, time of day)
are derived from it so the plan, the shot list and the exports can sort and filter by them.
"""

from __future__ import annotations

import re
from typing import NamedTuple

#: Prefixes Fountain 1.1 recognises (case-insensitive), mapped to the form the plan stores.
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("INT./EXT.", "INT./EXT."), ("INT/EXT.", "INT./EXT."), ("INT/EXT", "INT./EXT."), ("I/E.", "INT./EXT."),
    ("I/E", "INT./EXT."), ("EXT./INT.", "EXT./INT."), ("EXT/INT.", "EXT./INT."), ("EXT/INT", "EXT./INT."),
    ("INT.", "INT."), ("INT ", "INT."), ("EXT.", "EXT."), ("EXT ", "EXT."),
    ("EST.", "EST."), ("EST ", "EST."),
)
INT_EXT_CHOICES: tuple[str, ...] = ("", "INT.", "EXT.", "INT./EXT.", "EXT./INT.", "EST.")
#: Times of day crews write after the last dash; anything else after a dash stays part of the location.
TIMES_OF_DAY: tuple[str, ...] = (
    "DAY", "NIGHT", "MORNING", "AFTERNOON", "EVENING", "DAWN", "DUSK", "SUNRISE", "SUNSET", "MAGIC HOUR",
    "LATER", "CONTINUOUS", "MOMENTS LATER", "SAME", "SAME TIME", "CONT'D", "NEXT DAY", "NEXT MORNING",
    "NEXT NIGHT",
)
_SCENE_NUMBER = re.compile(r"\s*#[^#]*#\s*$")


class HeadingParts(NamedTuple):
    int_ext: str
    location: str
    time_of_day: str


def parse_heading(text: str) -> HeadingParts:
    """Split a heading into its parts; a heading with no known prefix is all location."""
    rest = _SCENE_NUMBER.sub("", text.strip()).lstrip(".").strip()
    int_ext = ""
    upper = rest.upper()
    for prefix, canonical in _PREFIXES:
        if upper.startswith(prefix):
            int_ext, rest = canonical, rest[len(prefix):].strip()
            break
    time_of_day = ""
    # The time of day is the last " - " part, when it reads as one ("DAY", "LATER", "NIGHT (1985)").
    head, sep, tail = rest.rpartition(" - ")
    if not sep:
        head, sep, tail = rest.rpartition("-")
    candidate = tail.strip()
    if sep and candidate and candidate.upper().split(" (")[0].strip() in TIMES_OF_DAY:
        time_of_day, rest = candidate.upper(), head.strip()
    return HeadingParts(int_ext, rest.strip(" -"), time_of_day)


def format_heading(int_ext: str, location: str, time_of_day: str) -> str:
    """The heading text for its parts, as a screenplay would print it."""
    head = " ".join(part for part in (int_ext.strip(), location.strip()) if part)
    return f"{head} - {time_of_day.strip()}" if time_of_day.strip() else head
