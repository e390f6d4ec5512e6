"""Splitting a shot longer than any model holds into segments chained by frame.

The article's long takes (20 s, lines 22-23) are longer than any live model holds in one coherent
generation, and most models cap at 5–10 s "that require assembly" (line 37). A split keeps the plan
honest: the shot becomes consecutive shots in its scene, each one a length the chosen model makes, and
every segment after the first carries ``chain_from`` — the segment before it, whose last frame is its
first. The original shot stays as segment 1 (with its takes and its number); the end frame, if any,
moves to the last segment.

``split_shot`` is one storyboard operation returning what ``unsplit`` needs, so the UI's undo command is
a thin wrapper (one undo step for the whole split).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shotplanner.core.models import Shot, new_id
from shotplanner.core.storyboard import RemovedShot, Storyboard, StoryboardError

#: The fields a split changes on the original shot.
_CHANGED = ("duration_s", "model_id", "reference_images", "notes")


@dataclass(frozen=True, slots=True)
class SplitRecord:
    """What a split did: the original's fields before and after, and the segments it inserted."""

    shot_id: str
    before: dict[str, Any]
    after: dict[str, Any]
    segment_ids: tuple[str, ...]


def _note(notes: str, line: str) -> str:
    return f"{notes.rstrip()}\n{line}" if notes.strip() else line


def split_shot(sb: Storyboard, shot_id: str, segments: Sequence[float], model_id: str | None) -> SplitRecord:
    """Cut ``shot_id`` into ``segments`` (seconds, in order) right where it stands, as one operation."""
    if len(segments) < 2 or any(d <= 0 for d in segments):
        raise StoryboardError("a split needs at least two segments, each longer than zero")
    shot = sb.shot(shot_id)
    place = sb.placement(shot_id)
    total = shot.duration_s
    count = len(segments)
    number = shot.number or "?"
    end_images = [r for r in shot.reference_images if r.role == "end"]
    kept = [r for r in shot.reference_images if r.role != "end"]
    # Later segments start from the frame before them, not from the original's start image.
    later_refs = [r for r in kept if r.role == "reference"]
    segment_ids: list[str] = []
    previous = shot.id
    for index, seconds in enumerate(segments[1:], start=2):
        segment: Shot = shot.model_copy(deep=True, update={"takes": []})
        segment.id = new_id()
        segment.number = ""
        segment.duration_s = float(seconds)
        segment.model_id = model_id
        segment.chain_from = previous
        refs = [r.model_copy() for r in later_refs]
        if index == count:
            refs += [r.model_copy() for r in end_images]
        segment.reference_images = refs
        sb.insert_shot(segment, place.scene_id, place.index + index - 1)
        segment_ids.append(segment.id)
        previous = segment.id
    numbers = [sb.shot(i).number for i in segment_ids]
    for index, sid in enumerate(segment_ids, start=2):
        before = numbers[index - 3] if index > 2 else number
        line = (f"Segment {index} of {count} of shot {number} ({total:g} s): starts on the last frame of "
                f"{before}.")
        sb.update_shot(sid, notes=_note(shot.notes, line))
    after: dict[str, Any] = {
        "duration_s": float(segments[0]),
        "model_id": model_id,
        "reference_images": [r.model_copy() for r in kept],
        "notes": _note(shot.notes, f"Segment 1 of {count} ({total:g} s split into "
                                   f"{', '.join(f'{d:g}' for d in segments)} s); continues in {numbers[0]}."),
    }
    before_fields = sb.update_shot(shot_id, **after)
    return SplitRecord(shot_id, before_fields, after, tuple(segment_ids))


def unsplit(sb: Storyboard, record: SplitRecord) -> list[RemovedShot]:
    """Undo ``split_shot``: remove the segments and give the original its fields back. Returns the removed
    segments, which ``resplit`` puts back exactly."""
    removed = sb.remove_shots(list(record.segment_ids))
    sb.update_shot(record.shot_id, **record.before)
    return removed


def resplit(sb: Storyboard, record: SplitRecord, removed: list[RemovedShot]) -> None:
    """Redo a split that ``unsplit`` undid, with the same segments (ids, numbers) as the first time."""
    sb.restore_shots(removed)
    fields = {k: ([r.model_copy() for r in v] if isinstance(v, list) else v)
              for k, v in record.after.items() if k in _CHANGED}
    sb.update_shot(record.shot_id, **fields)
