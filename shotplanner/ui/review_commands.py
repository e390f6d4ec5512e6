"""Undo commands for reviewing takes: circle, NG, checklist, rating, note.

Each command acts on the core ``Storyboard`` only (never on widgets) and stores what its undo needs. The
note merges consecutive edits of the same take into one undo step, like typing in the shot form.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from shotplanner.core.models import ReviewChecklist, TakeKind
from shotplanner.core.storyboard import Storyboard

NOTE_MERGE_ID = 4101


class UpdateTakeCommand(QUndoCommand):
    """Set fields of one take (rating, note, checklist, ng…)."""

    def __init__(
        self,
        storyboard: Storyboard,
        shot_id: str,
        take_id: str,
        fields: dict[str, Any],
        text: str,
        *,
        merge: bool = False,
    ) -> None:
        super().__init__(text)
        self.sb = storyboard
        self.shot_id = shot_id
        self.take_id = take_id
        self.fields = dict(fields)
        self.old: dict[str, Any] | None = None
        self.merge = merge

    def redo(self) -> None:
        old = self.sb.update_take(self.shot_id, self.take_id, **self.fields)
        if self.old is None:
            self.old = old

    def undo(self) -> None:
        assert self.old is not None
        self.sb.update_take(self.shot_id, self.take_id, **self.old)

    def id(self) -> int:
        return NOTE_MERGE_ID if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, UpdateTakeCommand) or not other.merge:
            return False
        if (other.shot_id, other.take_id, set(other.fields)) != (
            self.shot_id,
            self.take_id,
            set(self.fields),
        ):
            return False
        self.fields = dict(other.fields)
        return True


class CircleTakeCommand(QUndoCommand):
    """Circle ``take_id`` (None: uncircle all of ``kind``): the clip the cut uses, or the shot's frame."""

    def __init__(self, storyboard: Storyboard, shot_id: str, take_id: str | None,
                 kind: TakeKind = "clip") -> None:
        what = "frame" if kind == "frame" else "take"
        super().__init__(f"Circle {what}" if take_id else f"Uncircle {what}")
        self.sb = storyboard
        self.shot_id = shot_id
        self.take_id = take_id
        self.kind = kind
        shot = storyboard.shot(shot_id)
        # circle_take also clears NG on the circled take: keep every take's marks to put them back.
        self.before = {t.id: (t.circled, t.ng) for t in shot.takes}
        # A circled frame becomes the shot's start image: keep the images to put them back too.
        self.images = [r.model_copy() for r in shot.reference_images]

    def redo(self) -> None:
        self.sb.circle_take(self.shot_id, self.take_id, self.kind)

    def undo(self) -> None:
        for take_id, (circled, ng) in self.before.items():
            self.sb.update_take(self.shot_id, take_id, circled=circled, ng=ng)
        if self.kind == "frame":
            self.sb.update_shot(self.shot_id, reference_images=[r.model_copy() for r in self.images])


def mark_ng(storyboard: Storyboard, shot_id: str, take_id: str, ng: bool = True) -> UpdateTakeCommand:
    """NG: no good. An NG take cannot stay circled."""
    fields: dict[str, Any] = {"ng": ng}
    if ng:
        fields["circled"] = False
    return UpdateTakeCommand(storyboard, shot_id, take_id, fields, "Mark take NG" if ng else "Clear NG")


def set_rating(storyboard: Storyboard, shot_id: str, take_id: str, rating: int) -> UpdateTakeCommand:
    return UpdateTakeCommand(storyboard, shot_id, take_id, {"rating": max(0, min(5, rating))}, "Rate take")


def set_note(storyboard: Storyboard, shot_id: str, take_id: str, note: str) -> UpdateTakeCommand:
    return UpdateTakeCommand(storyboard, shot_id, take_id, {"note": note}, "Edit take note", merge=True)


def set_answer(
    storyboard: Storyboard, shot_id: str, take_id: str, question: str, answer: bool | None
) -> UpdateTakeCommand:
    """Answer one review question (None: not answered)."""
    take = storyboard.take(shot_id, take_id)
    checklist = ReviewChecklist(**{**take.checklist.model_dump(), question: answer})
    return UpdateTakeCommand(storyboard, shot_id, take_id, {"checklist": checklist}, "Review checklist")
