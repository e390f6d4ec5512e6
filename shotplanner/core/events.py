"""Change events the storyboard emits, shaped so a Qt item model can adapt them 1:1.

Each structural change is announced twice: an ``*ing`` event before the document changes (Qt's
``begin*Rows``) and an ``*ed`` event after (``end*Rows``). Indices are flat rows over all shots in
storyboard order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ShotsInserting:
    row: int
    count: int


@dataclass(frozen=True, slots=True)
class ShotsInserted:
    row: int
    count: int


@dataclass(frozen=True, slots=True)
class ShotsRemoving:
    row: int
    count: int


@dataclass(frozen=True, slots=True)
class ShotsRemoved:
    row: int
    count: int


@dataclass(frozen=True, slots=True)
class ShotsReordering:
    """Shots are about to change places (Qt's ``layoutAboutToBeChanged``); no row appears or goes."""


@dataclass(frozen=True, slots=True)
class ShotsReordered:
    pass


@dataclass(frozen=True, slots=True)
class ShotChanged:
    row: int
    shot_id: str
    fields: frozenset[str]

    @property
    def only_takes(self) -> bool:
        """Only takes changed (a job's progress, a rating): the plan itself, its lint and its
        recommendation, did not."""
        return self.fields == {"takes"}


@dataclass(frozen=True, slots=True)
class ResetStarting:
    """Anything larger (scenes added or removed, a project loaded): views rebuild."""


@dataclass(frozen=True, slots=True)
class ResetDone:
    pass


@dataclass(frozen=True, slots=True)
class ProjectChanged:
    """Project-level fields (title, characters, scenes' headings) changed; rows are untouched."""

    what: str


Event = (
    ShotsInserting | ShotsInserted | ShotsRemoving | ShotsRemoved | ShotsReordering | ShotsReordered
    | ShotChanged | ResetStarting | ResetDone | ProjectChanged
)
Listener = Callable[[Event], None]


class Emitter:
    """A list of listeners; no Qt, no threads. Listeners run in connection order."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def connect(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def disconnect(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener(event)
