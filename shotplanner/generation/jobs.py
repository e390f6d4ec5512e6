"""A job and what is said about it: the queue's settings, its record of one job (journaled as is), the
event it reports for each change, and the one retry rule.

Shared by the queue (``generation.queue``), its worker process, the window and ``generate``; no I/O here.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from shotplanner.core.models import JobState
from shotplanner.generation.base import SNAPSHOT_FIELDS, GenerationRequest
from shotplanner.generation.download import ClipCheck

log = logging.getLogger(__name__)


class QueueError(Exception):
    """A queue operation the user asked for that cannot be done (message says why)."""



@dataclass(frozen=True, slots=True)
class QueueSettings:
    poll_initial_s: float = 5.0
    poll_max_s: float = 30.0
    poll_growth: float = 1.5
    poll_jitter: float = 0.2  # ± fraction
    poll_timeout_s: float = 30 * 60.0
    max_polls: int = 400
    max_retries: int = 5  # per step, for retryable errors only
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    #: A Retry-After longer than this is not waited out: the step fails (retryable) instead.
    max_retry_after_s: float = 300.0
    download_concurrency: int = 4
    check: ClipCheck = field(default_factory=ClipCheck)
    #: fsync journal records and clips. Only a benchmark of something else would turn this off.
    durable: bool = True

    @classmethod
    def from_env(cls) -> QueueSettings:
        """Defaults, with polling cadence overridable (``SHOTPLANNER_POLL_INITIAL_S``/``_MAX_S``, tests)."""
        settings = cls()
        overrides: dict[str, Any] = {}
        for name, var in (("poll_initial_s", "SHOTPLANNER_POLL_INITIAL_S"),
                          ("poll_max_s", "SHOTPLANNER_POLL_MAX_S"),
                          ("backoff_base_s", "SHOTPLANNER_BACKOFF_BASE_S")):
            value = os.environ.get(var)
            if value:
                try:
                    overrides[name] = float(value)
                except ValueError:
                    log.warning("ignoring %s=%r: not a number", var, value)
        return replace(settings, **overrides) if overrides else settings


def retry_resumes(state: JobState, remote_id: str | None, retryable: bool, provider: str) -> bool:
    """The retry rule (the queue's; the window asks it of a job or of a take an earlier session left):
    True when retrying follows the job again at its provider (a remote id and a passing failure: nothing
    is sent), False when it is a new create; QueueError when it cannot be retried (running, done, or
    "may exist")."""
    if state.is_active:
        raise QueueError("the job is still running")
    if state is JobState.DONE:
        raise QueueError("the job is done; generate a new take instead")
    if state is JobState.UNKNOWN:
        raise QueueError(f"the create may have reached {provider}, so the job may exist there: "
                         "check there first; if it is not there, generate a new take")
    return state is JobState.FAILED and remote_id is not None and retryable


@dataclass
class Job:
    take_id: str
    shot_id: str
    request: GenerationRequest
    state: JobState = JobState.QUEUED
    remote_id: str | None = None
    progress: float = 0.0
    message: str = ""
    retryable: bool = False
    error_kind: str = ""
    cost_estimate_usd: float | None = None
    cost_usd: float | None = None
    clip: str | None = None
    poster: str | None = None
    submitted_at: str | None = None
    finished_at: str | None = None
    attempt: int = 1
    #: The create's first byte may have left (journaled before it does): a kill after this leaves a job
    #: that may exist; before it, the request provably never left.
    sent: bool = False
    sending_since: str | None = None

    @property
    def provider(self) -> str:
        return self.request.provider

    def retry_resumes(self) -> bool:
        return retry_resumes(self.state, self.remote_id, self.retryable, self.provider)

    def to_record(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies recursively and is the slow part of a big batch.
        r = self.request
        request = {f.name: getattr(r, f.name) for f in fields(r) if f.name not in SNAPSHOT_FIELDS}
        request["start_image"] = str(r.start_image) if r.start_image else None
        request["end_image"] = str(r.end_image) if r.end_image else None
        request["reference_images"] = [str(p) for p in r.reference_images]
        request["extra"] = [list(pair) for pair in r.extra]
        record = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "request"}
        record["state"] = self.state.value
        record["request"] = request
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Job:
        raw = dict(record["request"])
        for key in ("start_image", "end_image"):
            raw[key] = Path(raw[key]) if raw.get(key) else None
        raw["reference_images"] = tuple(Path(p) for p in raw.get("reference_images", ()))
        raw["extra"] = tuple(tuple(pair) for pair in raw.get("extra", ()))
        values = {k: v for k, v in record.items() if k != "request"}
        values["state"] = JobState(values["state"])
        return cls(request=GenerationRequest(**raw), **values)


@dataclass(frozen=True, slots=True)
class JobEvent:
    """One change of one job. ``take_fields()`` is ready for ``Storyboard.update_take``."""

    take_id: str
    shot_id: str
    provider: str
    state: JobState
    progress: float
    message: str
    retryable: bool
    remote_id: str | None
    clip: str | None
    cost_usd: float | None
    submitted_at: str | None
    finished_at: str | None
    bytes_done: int | None = None
    bytes_total: int | None = None
    poster: str | None = None

    @classmethod
    def not_taken(cls, request: GenerationRequest, message: str, *, retryable: bool = False) -> JobEvent:
        """A job that failed before the queue took it (refused, or its queue stopped): nothing was sent."""
        return cls(request.take_id, request.shot_id, request.provider, JobState.FAILED, 0.0, message,
                   retryable, None, None, None, None, None)

    def take_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "state": self.state, "progress": max(0.0, min(1.0, self.progress)), "message": self.message,
            "retryable": self.retryable, "remote_id": self.remote_id, "cost_usd": self.cost_usd,
        }
        if self.clip:
            fields["clip"] = self.clip
        if self.poster:
            fields["poster"] = self.poster
        if self.submitted_at:
            fields["submitted_at"] = datetime.fromisoformat(self.submitted_at)
        if self.finished_at:
            fields["finished_at"] = datetime.fromisoformat(self.finished_at)
        return fields
