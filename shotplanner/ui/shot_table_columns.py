"""The shot table's columns and the facts each cell shows, with no Qt: what a column is called, how wide
it starts, which shot field an edit sets, the order crews read film numbers in, and the Frame cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shotplanner.core.models import ASPECT_RATIOS, LAYER_NAMES, Angle, Movement, Shot, ShotSize


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int
    field: str | None = None  # the shot field an edit sets; None: read-only
    choices: tuple[str, ...] = ()  # an edit picks one of these
    hidden: bool = False  # hidden until the user shows it


COLUMNS: tuple[Column, ...] = (
    Column("number", "No.", 56, "number"),
    Column("scene", "Scene", 130),
    Column("size", "Size", 60, "size", tuple(s.value for s in ShotSize)),
    Column("angle", "Angle", 92, "angle", tuple(a.value for a in Angle)),
    Column("movement", "Movement", 100, "movement", tuple(m.value for m in Movement)),
    Column("lens", "Lens", 60, "lens_mm"),
    Column("duration", "Dur.", 56, "duration_s"),
    Column("aspect", "Aspect", 64, "aspect", tuple(ASPECT_RATIOS)),
    Column("model", "Model", 130),
    Column("status", "Status", 96),
    Column("frame", "Frame", 80),  # the storyboard frame: "◯ circled", or how many; hover shows it
    Column("cost", "Cost", 70),
    Column("characters", "Characters", 120),
    Column("notes", "Notes", 200, "notes"),
    *(Column(name, name.capitalize(), 200, f"layers.{name}", hidden=name not in ("subject", "action"))
      for name in LAYER_NAMES),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
STATUS_COLUMN = COLUMN_KEYS.index("status")
_NUMBER_PART = re.compile(r"(\d+)|(\D+)")


def number_key(number: str) -> tuple[tuple[int, int | str], ...]:
    """Film numbers in the order crews read them: 2 < 2A < 2B < 10 < 10A (not 10 < 2)."""
    return tuple((0, int(d)) if d else (1, t.upper()) for d, t in _NUMBER_PART.findall(number))


def edit_value(shot: Shot, column: Column) -> Any:
    """The value an editor starts from: the shot field of ``column`` (lens in whole mm, enums by value);
    None for a read-only column."""
    if column.field is None:
        return None
    owner: Any = shot
    parts = column.field.split(".")
    for part in parts[:-1]:
        owner = getattr(owner, part)
    value = getattr(owner, parts[-1])
    if column.key == "lens":
        return int(value or 0)
    return value.value if hasattr(value, "value") else value


def frame_cell(shot: Shot) -> str:
    """The Frame column: "◯ circled" when a frame is chosen, else how many frames the shot has."""
    if shot.circled_frame is not None:
        return "◯ circled"
    count = sum(1 for t in shot.takes if t.kind == "frame" and t.clip)
    return f"{count} frame{'s' if count != 1 else ''}" if count else ""


def frame_tooltip(shot: Shot, project_dir: Path | None) -> str | None:
    """The frame the cards show, as a picture in the tooltip (rich text reads the file itself)."""
    from html import escape

    from shotplanner.core.frames import storyboard_picture

    picture = storyboard_picture(shot)
    if project_dir is None or picture is None or not any(t.clip == picture for t in shot.takes):
        return None
    path = (Path(project_dir) / picture).resolve()
    if not path.is_relative_to(Path(project_dir).resolve()) or not path.is_file():
        return None
    return f'<img src="{escape(str(path))}" width="256">'
