"""What the app and its generation worker say to each other: one small dataclass per message.

The app sends :class:`Open` first, then :class:`Enqueue` and :class:`Call` (a numbered command); the worker
sends each :class:`~shotplanner.generation.jobs.JobEvent` (a job changed) as is, a ``str`` (a sentence for
the user) and :class:`Reply` (the answer to one call). Commands are types, so the worker dispatches with
``match`` and a misspelt command is a type error, not a string nobody handles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shotplanner.core.models import JobState
    from shotplanner.generation.base import GenerationRequest
    from shotplanner.generation.jobs import QueueSettings
    from shotplanner.generation.spec import ProviderSpec

#: Each job handed over: a request and its estimated cost.
Item = tuple["GenerationRequest", "float | None"]


# ------------------------------------------------------------------------------- app → worker


@dataclass(frozen=True, slots=True)
class Open:
    folder: str
    specs: dict[str, ProviderSpec]
    settings: QueueSettings


@dataclass(frozen=True, slots=True)
class Enqueue:
    items: list[Item]


@dataclass(frozen=True, slots=True)
class Resume:
    """Load the journal (answered before any later question: a job an earlier worker left is known)."""


@dataclass(frozen=True, slots=True)
class Cancel:
    take_id: str


@dataclass(frozen=True, slots=True)
class Retry:
    take_id: str


@dataclass(frozen=True, slots=True)
class GetJob:
    take_id: str


@dataclass(frozen=True, slots=True)
class SetLimit:
    """Answered with every provider's limit, as the worker now has them."""

    provider: str
    limit: int


@dataclass(frozen=True, slots=True)
class ForgetSaved:
    saved: dict[str, JobState] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Close:
    pass


Command = Resume | Cancel | Retry | GetJob | SetLimit | ForgetSaved | Close


@dataclass(frozen=True, slots=True)
class Call:
    id: int
    command: Command


# ------------------------------------------------------------------------------- worker → app


@dataclass(frozen=True, slots=True)
class Reply:
    id: int
    ok: bool
    value: Any = None
