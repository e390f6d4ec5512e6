"""File ▸ Import ▸ Editor's cut, off the GUI thread.

Reading a 5,000-clip FCP7 cut takes seconds and matching it probes every take's media, so both run on the
interchange menu's one background worker, on a snapshot of the document taken on the GUI thread. The
worker touches no Qt object; a GUI-side timer picks the result up and pushes it as one undoable step.

The user keeps editing meanwhile, and takes keep arriving from the queue. Pushing a snapshot taken before
those edits would undo them, so every storyboard event during the run marks the result stale: it is then
staged again from a fresh snapshot (the cut already read is reused while the frame rate is the same), a
few times at most, and otherwise refused with a message. Nothing is changed until a result is pushed.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from shotplanner.core.events import Event
from shotplanner.core.models import Project
from shotplanner.core.storyboard import Storyboard

if TYPE_CHECKING:  # the readers pull in OpenTimelineIO: imported on first use, not at window start
    from shotplanner.interchange.conform import ConformReport, CutClip

#: How often a result made stale by edits is staged again before the user is asked to retry.
MAX_ATTEMPTS = 3


@dataclass(slots=True)
class Staged:
    """A conform applied to a snapshot: the snapshot is the new document if nothing changed meanwhile."""

    project: Project
    report: ConformReport
    #: The cut as read, at ``fps`` (kept for a second attempt at the same rate).
    clips: list[CutClip]
    fps: float


def stage(snapshot: Project, cut: Path, folder: Path, clips: list[CutClip] | None) -> Staged:
    """Read ``cut`` (unless ``clips`` are given) and apply it to ``snapshot``. Runs on the worker."""
    from shotplanner.interchange.conform import conform, read_cut

    fps = snapshot.fps
    read = read_cut(cut, fps) if clips is None else clips
    return Staged(snapshot, conform(snapshot, read, folder, cut.name), read, fps)


class ConformRunner(QObject):
    """One editor's cut at a time: start it, let the window run, land it as one undoable step."""

    def __init__(
        self,
        storyboard: Callable[[], Storyboard],
        pool: Executor,
        push: Callable[[Project, str], None],
        say: Callable[[str], None],
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self._storyboard = storyboard
        self._pool = pool
        self._push = push
        self._say = say
        self._future: Future[Staged] | None = None
        self._cut: Path | None = None
        self._folder: Path | None = None
        self._attempt = 0
        self._stale = False
        self._watched: Storyboard | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(50)
        self._poll.timeout.connect(self._collect)

    @property
    def running(self) -> bool:
        return self._future is not None

    def start(self, cut: Path, folder: Path) -> bool:
        if self._future is not None:
            self._say(f"Still reading {self._cut.name if self._cut else 'a cut'}; try again when it is done")
            return False
        self._cut, self._folder, self._attempt = cut, folder, 0
        self._submit(None)
        self._say(f"Reading the editor's cut {cut.name}…")
        return True

    def _submit(self, clips: list[CutClip] | None) -> None:
        assert self._cut is not None and self._folder is not None
        storyboard = self._storyboard()
        if self._watched is None:
            storyboard.events.connect(self._edited)
            self._watched = storyboard
        self._stale = False
        self._attempt += 1
        snapshot = storyboard.project.model_copy(deep=True)
        self._future = self._pool.submit(stage, snapshot, self._cut, self._folder, clips)
        self._poll.start()

    def _edited(self, _event: Event) -> None:
        self._stale = True

    def _unwatch(self) -> None:
        if self._watched is not None:
            self._watched.events.disconnect(self._edited)
            self._watched = None

    def _collect(self) -> None:
        future, cut = self._future, self._cut
        if future is None or cut is None or not future.done():
            return
        self._future = None
        self._poll.stop()
        from shotplanner.interchange.reports import BadInputError

        try:
            staged = future.result()
        except (BadInputError, OSError) as exc:
            self._finish(f"Nothing was changed: {exc}")
            return
        except Exception as exc:  # a reader that fails in a way we did not foresee: reported, not a crash
            kind = type(exc).__name__
            self._finish(f"Nothing was changed: {cut.name} could not be conformed ({kind}: {exc})")
            return
        if self._storyboard() is not self._watched:
            self._finish(f"Nothing was changed: another project was opened while {cut.name} was read")
            return
        if self._stale:
            if self._attempt < MAX_ATTEMPTS:
                same_rate = self._storyboard().project.fps == staged.fps
                self._submit(staged.clips if same_rate else None)
                return
            self._finish(
                f"Nothing was changed: the project kept changing while {cut.name} was read"
                " (takes arriving?); import the cut again when it is quiet"
            )
            return
        self._unwatch()
        self._push(staged.project, f"Conform to {cut.name}")
        self._finish("\n".join(staged.report.lines()))

    def _finish(self, message: str) -> None:
        self._unwatch()
        self._cut = self._folder = None
        self._say(message)

    def close(self) -> None:
        """Stop listening; a result still on the worker is dropped (the pool's owner shuts it down)."""
        self._poll.stop()
        self._unwatch()
        if self._future is not None:
            self._future.cancel()
            self._future = None
