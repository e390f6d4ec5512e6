"""The job queue: submit, follow, download, with limits, bounded polling, retries and a durable journal.

Usage (the UI or ``headless``)::

    queue = JobQueue(project_dir, providers)
    queue.subscribe(lambda event: storyboard.update_take(event.shot_id, event.take_id, **event.take_fields()))
    await queue.resume()                       # picks up jobs a previous run left in the journal
    queue.enqueue(request, cost_estimate_usd=0.42)
    await queue.join()
    await queue.aclose()

Rules it keeps (see DESIGN.md "Jobs"):
- a provider's slot is held from submit until the job finishes remotely (``max_concurrency``);
- the remote id is in the journal before anything else happens to the job;
- a submit that got no answer is never re-sent: the job becomes UNKNOWN, unless the provider can look it
  up by our own id (Kling) or the request provably never left (connection refused);
- only retryable errors are retried, with capped exponential backoff that honours Retry-After;
- polling is jittered and bounded in count and time;
- the clip is streamed to ``media/takes/.TAKE.part``, checked, fsynced and renamed to ``TAKE.mp4``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from shotplanner.core.confine import contains, inside, is_safe_id
from shotplanner.core.frames import FRAMES_DIR
from shotplanner.core.models import JobState
from shotplanner.generation.base import (
    GenerationError,
    GenerationRequest,
    JobFailed,
    LocalFault,
    NetworkError,
    Provider,
    RateLimited,
    RemoteState,
    RemoteStatus,
    SubmitUnknown,
    TransientError,
)
from shotplanner.generation.download import check_clip
from shotplanner.generation.http import before_send
from shotplanner.generation.image_check import check_image
from shotplanner.generation.jobs import Job, JobEvent, QueueError, QueueSettings
from shotplanner.generation.journal import Journal, fsync_path
from shotplanner.generation.redact import install_log_filter

log = logging.getLogger(__name__)

TAKES_DIR = "media/takes"


def _local_fault(job: Job, exc: OSError) -> LocalFault:
    reason = exc.strerror or type(exc).__name__
    if job.remote_id is not None:
        return LocalFault(f"paused: the clip could not be saved here ({reason}); free space (or fix the "
                          "project folder), then resume — it is fetched again, nothing is re-created",
                          provider=job.provider)
    return LocalFault(f"could not prepare the job here ({reason}); fix that, then send it again",
                      provider=job.provider)


def _maybe_created(exc: TransientError, job: Job) -> bool:
    """Whether a failed create may have made the job anyway (so it must not simply be sent again)."""
    if isinstance(exc, NetworkError):
        return exc.sent and job.sent  # refused or never connected: the request never left
    return not exc.not_created  # 5xx, 408/409, an unreadable 2xx


class _RemoteCanceled(Exception):
    """The provider reports the job canceled (state already recorded)."""


class PollTimeout(TransientError):
    """We stopped waiting; the job may still finish remotely. Retrying resumes polling, never resubmits."""


Listener = Callable[[JobEvent], None]


def _now() -> str:
    return datetime.now(UTC).isoformat()


class _Slots:
    """A provider's concurrency limit that can change while jobs hold slots (unlike a Semaphore).

    Raising the limit starts waiting jobs at once; lowering it lets running jobs finish and starts no new
    one until fewer than the new limit run. Slots are granted in arrival order, one wake-up per grant.
    """

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self.in_use = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def __aenter__(self) -> None:
        if self.in_use < self.limit and not self._waiters:
            self.in_use += 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # the granter counted our slot already
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # granted, then canceled: pass the slot on
                self.in_use -= 1
                self._grant()
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    async def __aexit__(self, *exc: object) -> None:
        self.in_use -= 1
        self._grant()

    def set_limit(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._grant()

    def _grant(self) -> None:
        while self._waiters and self.in_use < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self.in_use += 1


class JobQueue:
    def __init__(self, project_dir: Path, providers: Mapping[str, Provider],
                 settings: QueueSettings | None = None) -> None:
        install_log_filter()
        self.project_dir = Path(project_dir)
        self.providers = dict(providers)
        self.settings = settings or QueueSettings()
        self.journal = Journal(self.project_dir, durable=self.settings.durable)
        self.jobs: dict[str, Job] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._slots: dict[str, _Slots] = {}
        self._downloads = asyncio.Semaphore(self.settings.download_concurrency)
        self._listeners: list[Listener] = []
        self._cancel_requested: set[str] = set()
        self._rng = random.Random()
        #: Messages about journal records that were not resumed (they break confinement).
        self.refused: list[str] = []
        # Imported with the queue, not at the first poster: importing PyAV and QtGui while jobs run stalled
        # the queue's loop for ~0.4 s (bench/queue.py).
        from shotplanner.media.posters import poster_for

        self._poster_for = poster_for

    # ---------------------------------------------------------------------------------- events

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(event)`` on every change (on the event loop)."""
        self._listeners.append(listener)

    def _emit(self, job: Job, bytes_done: int | None = None, bytes_total: int | None = None) -> None:
        event = JobEvent(job.take_id, job.shot_id, job.provider, job.state, job.progress, job.message,
                         job.retryable, job.remote_id, job.clip, job.cost_usd, job.submitted_at,
                         job.finished_at, bytes_done, bytes_total, job.poster)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not stop the queue
                log.exception("job listener failed")

    async def _save(self, job: Job) -> None:
        await self.journal.write(job.take_id, job.to_record())

    async def _set(self, job: Job, state: JobState, message: str = "") -> None:
        job.state = state
        job.message = message
        await self._save(job)
        self._emit(job)

    # ------------------------------------------------------------------------------- public API

    def confinement_problem(self, request: GenerationRequest, *journaled: str | None) -> str | None:
        """Why ``request`` must not run here: a take id that is not a plain id (it names files), or an
        image (or a journaled clip or poster) outside the project folder. None when it is sound."""
        if not is_safe_id(request.take_id):
            return f"take id {request.take_id!r} is not a plain id; the job is not run"
        images = [request.start_image, request.end_image, *request.reference_images]
        for image in images:
            if image is not None and not contains(self.project_dir, image):
                return f"image '{image}' is outside the project folder; the job is not run"
        for path in journaled:
            if path and inside(self.project_dir, path) is None:
                return f"'{path}' is outside the project folder; the job is not run"
        return None

    def enqueue(self, request: GenerationRequest, *, cost_estimate_usd: float | None = None) -> Job:
        if request.take_id in self.jobs:
            raise QueueError(f"take {request.take_id} is already in the queue")
        problem = self.confinement_problem(request)
        if problem is not None:
            raise QueueError(problem)
        if request.provider not in self.providers:
            raise QueueError(f"no provider '{request.provider}' is set up")
        job = Job(request.take_id, request.shot_id, request, cost_estimate_usd=cost_estimate_usd,
                  message="queued")
        self.jobs[job.take_id] = job
        self.journal.write_later(job.take_id, job.to_record())
        self._emit(job)
        self._start(job)
        return job

    async def resume(self) -> list[Job]:
        """Load the journal: terminal jobs are reported once; every other job continues where it was."""
        resumed = []
        for record in self.journal.load():
            try:
                job = Job.from_record(record)
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("skipping a job record that does not fit: %s", exc)
                continue
            if job.take_id in self.jobs:
                continue
            problem = self.confinement_problem(job.request, job.clip, job.poster)
            if problem is not None:
                # Never read, sent, written or deleted: the record stays on disk, for a human to look at.
                log.warning("job record %s skipped: %s", record.get("take_id"), problem)
                self.refused.append(f"A job record of shot {job.shot_id!r} was not resumed: {problem}")
                continue
            self.jobs[job.take_id] = job
            self._emit(job)
            if job.state.is_active:
                if job.provider not in self.providers:
                    await self._fail(job, GenerationError(f"provider '{job.provider}' is not set up"))
                    continue
                self._start(job)
                resumed.append(job)
        return resumed

    async def join(self) -> None:
        """Wait until no job is running (and every record is on disk)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)
        await self.journal.drain()

    async def cancel(self, take_id: str) -> bool:
        """Stop a job. Returns False when it had already ended, or when it is DOWNLOADING.

        A job that is downloading finished at the provider and is paid for: canceling it would only throw
        the clip away, so it is left to finish (False tells the caller nothing was stopped).
        """
        job = self.jobs.get(take_id)
        if job is None or job.state.is_terminal or job.state is JobState.DOWNLOADING:
            return False
        if job.state is JobState.SUBMITTING:
            # The request may be on the wire: let the answer arrive, then cancel remotely.
            self._cancel_requested.add(take_id)
            return True
        task = self._tasks.get(take_id)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._cancel_remote(job)
        return True

    async def _cancel_remote(self, job: Job) -> None:
        message = "canceled"
        if job.remote_id and job.state in (JobState.SUBMITTED, JobState.RUNNING):
            stopped = False
            try:
                stopped = await self.providers[job.provider].cancel(job.remote_id)
            except GenerationError as exc:
                log.info("remote cancel of %s failed: %s", job.take_id, exc)
            if not stopped:
                message = f"canceled here; {job.provider} cannot stop a started job, so it may still bill"
        job.retryable = True
        job.finished_at = _now()
        await self._set(job, JobState.CANCELED, message)

    def retry(self, take_id: str) -> Job:
        """Run a failed or canceled job again (one that may exist at the provider: QueueError).

        With a remote id and a transient failure (poll timeout, network, download drop) the job resumes
        polling and downloading: nothing is re-sent. Otherwise it is submitted anew.
        """
        job = self.jobs.get(take_id)
        if job is None:
            raise QueueError(f"no job for take {take_id}")
        resumable = job.retry_resumes()
        if not resumable:
            job.remote_id = None
            job.attempt += 1
            if job.request.external_id:
                job.request = replace(job.request, external_id=f"{job.request.external_id}-r{job.attempt}")
        self._cancel_requested.discard(take_id)  # a cancel meant for an earlier attempt must not hit this
        job.state = JobState.SUBMITTED if resumable else JobState.QUEUED
        job.message = "resuming" if resumable else "queued again"
        job.retryable = False
        job.error_kind = ""
        job.finished_at = None
        self.journal.write_later(job.take_id, job.to_record())
        self._emit(job)
        self._start(job)
        return job

    def set_limit(self, provider: str, limit: int) -> None:
        """Run at most ``limit`` (>= 1) jobs of ``provider`` at once, from now on.

        Raising it starts waiting jobs at once; lowering it lets running jobs finish (they are never
        interrupted) and starts no new one until fewer than ``limit`` run. Call it on the queue's loop.
        """
        p = self.providers.get(provider)
        if p is None:
            raise QueueError(f"no provider '{provider}' is set up")
        p.max_concurrency = max(1, limit)
        self._slot(p).set_limit(p.max_concurrency)

    def forget_saved(self, saved: Mapping[str, JobState]) -> int:
        """Clean the journal of jobs that ended and whose take is saved in project.json with that state
        (``saved``: take id → saved state). A failed job that may still finish remotely (a remote id and
        a passing reason: paused, poll timeout) stays, so the next run follows it again. Returns how many
        were dropped. The one rule, for the window (after each save) and ``generate`` (at its end)."""
        dropped = 0
        for job in list(self.jobs.values()):
            if not job.state.is_terminal or saved.get(job.take_id) is not job.state:
                continue
            if job.state is JobState.FAILED and job.retryable and job.remote_id:
                continue
            del self.jobs[job.take_id]
            self.journal.remove(job.take_id)
            dropped += 1
        return dropped

    async def aclose(self) -> None:
        """Stop following jobs (they stay in the journal and resume next time) and close the clients."""
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)
        await self.journal.drain()
        for provider in self.providers.values():
            await provider.aclose()

    # ------------------------------------------------------------------------------- the job run

    def _start(self, job: Job) -> None:
        task = asyncio.get_running_loop().create_task(self._run(job), name=f"job-{job.take_id}")
        self._tasks[job.take_id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(job.take_id, None))

    def _slot(self, provider: Provider) -> _Slots:
        if provider.name not in self._slots:
            self._slots[provider.name] = _Slots(provider.max_concurrency)
        return self._slots[provider.name]

    async def _run(self, job: Job) -> None:
        provider = self.providers[job.provider]
        try:
            async with self._slot(provider):
                if job.remote_id is None:
                    if job.state is JobState.SUBMITTING:  # left by a previous run without an answer
                        await self._recover_unanswered(job, provider)
                    if job.remote_id is None and job.state.is_active:
                        await self._submit(job, provider)
                if job.remote_id is None or job.state.is_terminal:
                    return
                if job.take_id in self._cancel_requested:
                    self._cancel_requested.discard(job.take_id)
                    await self._cancel_remote(job)
                    return
                status = await self._follow(job, provider)
            async with self._downloads:
                await self._download(job, provider, status)
        except _RemoteCanceled:
            return
        except GenerationError as exc:
            await self._fail(job, exc)
        except OSError as exc:  # this machine's trouble (disk full, permissions), not the provider's
            await self._fail(job, _local_fault(job, exc))
        except Exception as exc:  # a bug must end the job visibly, not kill the queue
            log.exception("job %s crashed", job.take_id)
            error = GenerationError(f"internal error: {type(exc).__name__}", provider=job.provider)
            # A job the provider accepted stays followable: retrying resumes it, never re-creates it.
            error.retryable = job.remote_id is not None
            await self._fail(job, error)

    async def _fail(self, job: Job, exc: GenerationError) -> None:
        self._cancel_requested.discard(job.take_id)
        job.retryable = exc.retryable
        job.error_kind = type(exc).__name__
        job.finished_at = _now()
        state = JobState.UNKNOWN if isinstance(exc, SubmitUnknown) else JobState.FAILED
        try:
            await self._set(job, state, exc.message)
        except OSError as write_error:  # the journal cannot be written either (the same full disk)
            log.error("job %s: its record could not be written: %s", job.take_id, write_error)
            self._emit(job)

    def _backoff(self, attempt: int, hint: float | None = None) -> float:
        s = self.settings
        delay = min(s.backoff_max_s, s.backoff_base_s * 2.0 ** max(0, attempt - 1))
        delay *= self._rng.uniform(0.5, 1.0)  # full-ish jitter so a burst of 429s does not resync
        if hint is not None:
            if hint > s.max_retry_after_s:
                raise RateLimited(f"asked to wait {hint:.0f} s, longer than we wait", retry_after=hint)
            delay = max(delay, hint)
        return delay

    async def _submit(self, job: Job, provider: Provider) -> None:
        job.submitted_at = None
        job.sent = False
        await self._set(job, JobState.SUBMITTING, "sending")  # on disk BEFORE the request leaves

        async def leaving() -> None:
            # Called by generation.http just before the create's first byte goes out: from here on a
            # kill leaves a job that may exist. Before it, the journal proves the request never left.
            if not job.sent:
                job.sent = True
                job.sending_since = _now()
                await self._save(job)

        attempt = 0
        while True:
            attempt += 1
            token = before_send.set(leaving)
            try:
                remote_id: str | None = await provider.submit(job.request)
                break
            except TransientError as exc:
                if _maybe_created(exc, job):
                    # A 5xx, an unreadable 2xx, a timeout after sending: the job may exist. Look it up where
                    # the API can; otherwise stop here (UNKNOWN: "may exist at the provider").
                    remote_id = await self._lookup_or_unknown(job, provider, exc)
                    if remote_id is not None:
                        break
                    job.sent = False  # the provider's own records say it was never created
                # Else it provably never reached the provider (no connection; a 429 or another documented
                # not-created answer). Either way sending it again cannot bill twice.
                if attempt > self.settings.max_retries:
                    raise
                await asyncio.sleep(self._backoff(attempt, getattr(exc, "retry_after", None)))
            finally:
                before_send.reset(token)
        job.remote_id = remote_id
        job.submitted_at = _now()
        await self._set(job, JobState.SUBMITTED, "submitted")  # the remote id is on disk now

    async def _lookup_or_unknown(self, job: Job, provider: Provider, exc: GenerationError) -> str | None:
        """After a create that may have worked: the provider's lookup, else UNKNOWN (raises SubmitUnknown)."""
        # The local renderer "looks up" too: it never finds a job, so it renders again (free).
        if getattr(provider, "supports_lookup", False):
            for attempt in range(1, self.settings.max_retries + 1):
                try:
                    found = await provider.find_created(job.request, job.sending_since)
                except TransientError:
                    await asyncio.sleep(self._backoff(attempt))
                    continue
                if found is None:
                    log.info("job %s was never created at %s; sending again", job.take_id, provider.name)
                return found
        raise SubmitUnknown(
            f"the create may have reached {job.provider} ({exc.message}): the job may exist at "
            f"{job.provider} and bill, so it is not sent again automatically; check there before a new take",
            provider=job.provider)

    async def _recover_unanswered(self, job: Job, provider: Provider) -> None:
        if not job.sent:
            # The journal says its first byte never left: re-queued, never called unknown.
            await self._set(job, JobState.QUEUED, "never sent before the stop; sending now")
            return
        try:
            remote_id = await self._lookup_or_unknown(
                job, provider, GenerationError("the app stopped while sending"))
        except SubmitUnknown as exc:
            await self._fail(job, exc)
            return
        if remote_id is not None:
            job.remote_id = remote_id
            job.submitted_at = job.submitted_at or _now()
            await self._set(job, JobState.SUBMITTED, "found at the provider")

    async def _follow(self, job: Job, provider: Provider) -> RemoteStatus:
        s = self.settings
        assert job.remote_id is not None
        started = time.monotonic()
        # A provider that knows its jobs are quick (the local renderer) says how soon to look first.
        delay = min(s.poll_initial_s, getattr(provider, "poll_initial_s", s.poll_initial_s))
        polls = 0
        errors = 0
        while True:
            waited = time.monotonic() - started
            if polls >= s.max_polls or waited > s.poll_timeout_s:
                raise PollTimeout(
                    f"no result after {polls} checks in {waited:.0f} s; the job may still finish at "
                    f"{job.provider} — retry to keep waiting (nothing is sent again)", provider=job.provider)
            await asyncio.sleep(max(0.0, delay * self._rng.uniform(1 - s.poll_jitter, 1 + s.poll_jitter)))
            polls += 1
            try:
                status = await provider.poll(job.remote_id)
            except TransientError as exc:
                errors += 1
                if errors > s.max_retries:
                    raise
                delay = self._backoff(errors, getattr(exc, "retry_after", None))
                continue
            errors = 0
            if status.state is RemoteState.DONE:
                return status
            if status.state is RemoteState.FAILED:
                raise status.error or JobFailed(status.message or "the job failed", provider=job.provider)
            if status.state is RemoteState.CANCELED:
                job.finished_at = _now()
                await self._set(job, JobState.CANCELED, status.message or "canceled at the provider")
                raise _RemoteCanceled
            new_state = JobState.RUNNING if status.state is RemoteState.RUNNING else JobState.SUBMITTED
            if status.progress is not None:
                job.progress = max(0.0, min(1.0, status.progress))
            changed = new_state is not job.state
            job.state = new_state
            job.message = status.message or job.message
            if changed:
                await self._save(job)
            self._emit(job)
            delay = min(delay * s.poll_growth, s.poll_max_s)
            if status.poll_after is not None:
                delay = max(delay, min(status.poll_after, s.poll_max_s))

    def _poster(self, clip: Path) -> str | None:
        """The card's still for a new clip, made here (the worker) so the GUI never decodes video. A
        clip the checks passed but the poster cannot be taken from is still the clip: no poster."""
        from shotplanner.media.errors import MediaError

        try:
            return self._poster_for(clip).relative_to(self.project_dir).as_posix()
        except (MediaError, OSError, ValueError) as exc:
            log.warning("no poster for %s: %s", clip.name, exc)
            return None

    async def _download(self, job: Job, provider: Provider, status: RemoteStatus) -> None:
        s = self.settings
        takes = self.project_dir / TAKES_DIR
        takes.mkdir(parents=True, exist_ok=True)
        tmp = takes / f".{job.take_id}.part"
        job.progress = 1.0
        await self._set(job, JobState.DOWNLOADING, "downloading")
        last = [0.0]

        def on_bytes(done: int, total: int | None) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.2 or (total is not None and done >= total):
                last[0] = now
                self._emit(job, done, total)

        attempt = 0
        while True:
            attempt += 1
            try:
                await provider.fetch(status, tmp, on_bytes)
                break
            except TransientError as exc:
                if attempt > s.max_retries:
                    raise
                log.info("download of %s interrupted (%s); resuming", job.take_id, exc.message)
                await asyncio.sleep(self._backoff(attempt, getattr(exc, "retry_after", None)))
        suffix = ".mp4"
        try:
            if job.request.kind == "frame":  # a storyboard still: an image, kept with the other frames
                suffix = await asyncio.to_thread(check_image, tmp, job.provider)
            else:
                await asyncio.to_thread(check_clip, tmp, job.request.duration_s, s.check, job.provider)
        except GenerationError as exc:
            # Paid-for bytes are kept for a human to look at, under our name, never used as the clip.
            rejected = takes / f"{job.take_id}.rejected"
            with contextlib.suppress(OSError):
                os.replace(tmp, rejected)
            raise type(exc)(f"{exc.message} (kept as {TAKES_DIR}/{rejected.name})",
                            provider=job.provider) from exc
        folder = FRAMES_DIR if job.request.kind == "frame" else TAKES_DIR
        final = self.project_dir / folder / f"{job.take_id}{suffix}"
        final.parent.mkdir(parents=True, exist_ok=True)
        if s.durable:
            await asyncio.to_thread(fsync_path, tmp)
        os.replace(tmp, final)
        job.clip = f"{folder}/{final.name}"
        if job.request.kind != "frame":  # a frame is its own picture
            job.poster = await asyncio.to_thread(self._poster, final)
        job.cost_usd = status.cost_usd if status.cost_usd is not None else job.cost_estimate_usd
        job.finished_at = _now()
        job.retryable = False
        # What the provider said about the clip (the animatic: "4k requested … 1080p") stays on the take.
        await self._set(job, JobState.DONE, status.message or "done")
