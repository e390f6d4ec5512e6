"""Where the job queue runs for the app: in a worker process (the default) or on a worker thread.

The window reaches its queue only through a host; both hosts have the same small surface::

    host = ProcessHost(folder, specs, settings, emit)   # or ThreadHost(folder, providers, settings, emit)
    host.enqueue([(request, estimate_usd), ...])         # refusals come back through emit
    await asyncio.wrap_future(host.cancel(take_id))     # every question answers with a concurrent Future
    await host.aclose(timeout=5)                        # stop following jobs; they resume next time

``emit`` receives each :class:`~shotplanner.generation.queue.JobEvent` (or a message for the status bar)
on a background thread: it must be thread-safe and quick (the controller's ``EventInbox.put``).

Why a process: the queue's HTTP work (httpx parsing, the connection pool's bookkeeping, the journal) is
Python code. On a thread it shares the GUI's interpreter lock, and while 200 jobs report, the GUI waited
for that lock in the middle of its paints: the storyboard stalled for tens of milliseconds. In a child
process it runs beside the GUI instead. The thread host remains for providers that cannot be rebuilt
from a :class:`~shotplanner.generation.registry.ProviderSpec` (objects made in code, tests' doubles).

The job journal (``PROJECT/.shotplanner/jobs/``) stays the one truth in both. Each host holds the
project's :class:`~shotplanner.generation.journal.FollowerLock` while it runs, so a worker still closing
and its successor never follow one journal together. A worker that dies loses no job the journal holds:
the next host resumes them under the queue's own rules (an unanswered submit stays UNKNOWN unless the
provider can look it up by our id).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from shotplanner.core.models import JobState
from shotplanner.generation.base import GenerationRequest, Provider
from shotplanner.generation.journal import FollowerLock
from shotplanner.generation.pipe import FramedPipe, PipeClosed
from shotplanner.generation.queue import Job, JobEvent, JobQueue, QueueError, QueueSettings
from shotplanner.generation.registry import ProviderSpec
from shotplanner.generation.runner import LoopThread, RunnerClosed

log = logging.getLogger(__name__)

#: Each item handed over: a request and its estimated cost.
Item = tuple[GenerationRequest, float | None]


@dataclass(frozen=True, slots=True)
class WorkerStopped:
    """The worker ended on its own (it was not closed): emitted once, for the user and for a restart."""

    message: str


#: Receives queue events, a message for the user, or the news that the worker stopped (any thread).
Emit = Callable[[JobEvent | str | WorkerStopped], None]
#: How long a thread host waits (on the GUI thread) for the project's previous follower to let go.
THREAD_FOLLOWER_WAIT_S = 5.0


class QueueHost(Protocol):
    provider_names: frozenset[str]

    @property
    def running(self) -> bool: ...

    def enqueue(self, items: list[Item]) -> None: ...

    def resume(self) -> concurrent.futures.Future[Any]: ...

    def cancel(self, take_id: str) -> concurrent.futures.Future[bool]: ...

    def retry(self, take_id: str) -> concurrent.futures.Future[None]: ...

    def job(self, take_id: str) -> concurrent.futures.Future[Job | None]: ...

    def set_limit(self, provider: str, limit: int) -> concurrent.futures.Future[None]: ...

    def limits(self) -> concurrent.futures.Future[dict[str, int]]: ...

    async def aclose(self, timeout: float) -> None: ...

    def detach(self) -> None:
        """Stop following jobs without waiting (no event loop to wait on); they resume next time."""
        ...


def enqueue_all(queue: JobQueue, items: list[Item], emit: Callable[[JobEvent | str], None]) -> None:
    """Enqueue each item; a refusal becomes a failed event for its take and a message (queue's thread)."""
    for request, estimate in items:
        try:
            queue.enqueue(request, cost_estimate_usd=estimate)
        except QueueError as exc:
            emit(JobEvent.not_taken(request, str(exc)))
            emit(str(exc))


def job_copy(queue: JobQueue, take_id: str) -> Job | None:
    job = queue.jobs.get(take_id)
    return replace(job) if job is not None else None


def queue_limits(queue: JobQueue) -> dict[str, int]:
    return {name: p.max_concurrency for name, p in queue.providers.items()}


# ---------------------------------------------------------------------------------------------- thread


class ThreadHost:
    """The queue on a worker thread with its own asyncio loop (``runner.LoopThread``)."""

    def __init__(self, folder: Path, providers: Mapping[str, Provider], settings: QueueSettings,
                 emit: Emit) -> None:
        self._follower = FollowerLock(folder)
        if not self._follower.acquire(THREAD_FOLLOWER_WAIT_S):
            raise QueueError("another queue is following this project's jobs; close it, then send again")
        self.provider_names = frozenset(providers)
        self.runner = LoopThread("shotplanner-generation").start()
        # Built here, used only on the worker loop: its asyncio parts bind to a loop on first use.
        self.queue = JobQueue(folder, providers, settings)
        self.queue.subscribe(emit)  # called on the worker thread
        self._emit = emit

    @property
    def running(self) -> bool:
        return self.runner.running

    def enqueue(self, items: list[Item]) -> None:
        self.runner.call(enqueue_all, self.queue, items, self._emit)

    def resume(self) -> concurrent.futures.Future[Any]:
        return self.runner.submit(self.queue.resume())

    def cancel(self, take_id: str) -> concurrent.futures.Future[bool]:
        return self.runner.submit(self.queue.cancel(take_id))

    def retry(self, take_id: str) -> concurrent.futures.Future[None]:
        def retry() -> None:
            self.queue.retry(take_id)  # the new job reaches the window through the queue's events

        return self.runner.call(retry)

    def job(self, take_id: str) -> concurrent.futures.Future[Job | None]:
        return self.runner.call(job_copy, self.queue, take_id)

    def set_limit(self, provider: str, limit: int) -> concurrent.futures.Future[None]:
        return self.runner.call(self.queue.set_limit, provider, limit)

    def limits(self) -> concurrent.futures.Future[dict[str, int]]:
        return self.runner.call(queue_limits, self.queue)

    async def aclose(self, timeout: float) -> None:
        if self.runner.running:
            try:
                # On the worker loop: its tasks are canceled and its httpx clients closed where they ran.
                await asyncio.wait_for(asyncio.wrap_future(self.runner.submit(self.queue.aclose())), timeout)
            except (Exception, RunnerClosed) as exc:  # the thread must end even if a client is stuck
                log.warning("closing the job queue failed: %s", exc or type(exc).__name__)
        # The loop has nothing left to do, so the join is short; it is bounded anyway (no hang at quit).
        if self.runner.stop(timeout):
            self._follower.release()

    def detach(self) -> None:
        def closed(_future: concurrent.futures.Future[None]) -> None:
            self.runner.stop(0)
            self._follower.release()

        if self.runner.running:
            self.runner.submit(self.queue.aclose()).add_done_callback(closed)


# ---------------------------------------------------------------------------------------------- process


def worker_command() -> list[str]:
    """How to start the worker: this interpreter and module, or the frozen app with its worker flag."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--generation-worker"]
    return [sys.executable, "-m", "shotplanner.generation.worker_process"]


class ProcessHost:
    """The queue in a child process (``worker_process``), spoken to over its stdin and stdout.

    Starting returns at once: the child imports, waits for the project's follower lock and resumes the
    journal while the first messages wait in its pipe. If the child dies, every question still waiting
    fails with :class:`QueueError`, jobs it never took come back FAILED (to send again), ``emit`` gets a
    :class:`WorkerStopped` and :attr:`running` turns False; the controller then starts a new host, which
    resumes the journal under the queue's rules (an unanswered submit stays UNKNOWN unless the provider
    can look it up by our id).
    """

    def __init__(self, folder: Path, specs: Mapping[str, ProviderSpec], settings: QueueSettings,
                 emit: Emit) -> None:
        self.provider_names = frozenset(specs)
        self._emit = emit
        self._ids = itertools.count(1)
        self._waiting: dict[int, concurrent.futures.Future[Any]] = {}
        # Jobs handed over that the worker has not yet reported past QUEUED: if it dies, these are the
        # jobs it may never have taken (a QUEUED record is written in a batch; SUBMITTING is on disk
        # before any submit), so they are reported failed, to send again.
        self._unconfirmed: dict[str, GenerationRequest] = {}
        self._lock = threading.Lock()
        self._closing = False
        env = dict(os.environ)
        # The worker draws animatics with QtGui but never shows a window.
        env["QT_QPA_PLATFORM"] = "offscreen"
        env.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)
        self.process = subprocess.Popen(
            worker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True,
            bufsize=0,  # unbuffered ends for the pipe's threads (see pipe.py)
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._pipe = FramedPipe(self.process.stdout, self.process.stdin, self._received, self._gone,
                                name="generation-worker").start()
        self._pipe.send(("open", str(folder), dict(specs), settings))

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def running(self) -> bool:
        return not self._pipe.closed and self.process.poll() is None

    # ------------------------------------------------------------------ asking

    def _ask(self, op: str, *args: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        request_id = next(self._ids)
        with self._lock:
            self._waiting[request_id] = future
        try:
            self._pipe.send(("call", request_id, op, args))
        except PipeClosed:
            with self._lock:
                mine = self._waiting.pop(request_id, None)  # else the reader thread resolved it
            if mine is not None:
                mine.set_exception(QueueError("the generation worker has stopped; send again to restart it"))
        return future

    def enqueue(self, items: list[Item]) -> None:
        with self._lock:
            for request, _estimate in items:
                self._unconfirmed[request.take_id] = request
        try:
            self._pipe.send(("enqueue", items))
        except PipeClosed:
            self._fail_unconfirmed()

    def _fail_unconfirmed(self) -> None:
        with self._lock:
            requests, self._unconfirmed = list(self._unconfirmed.values()), {}
        text = "the generation worker stopped before sending this job; send it again"
        for request in requests:
            self._emit(JobEvent.not_taken(request, text, retryable=True))

    def resume(self) -> concurrent.futures.Future[Any]:
        return self._ask("resume")

    def cancel(self, take_id: str) -> concurrent.futures.Future[bool]:
        return self._ask("cancel", take_id)

    def retry(self, take_id: str) -> concurrent.futures.Future[None]:
        return self._ask("retry", take_id)

    def job(self, take_id: str) -> concurrent.futures.Future[Job | None]:
        return self._ask("job", take_id)

    def set_limit(self, provider: str, limit: int) -> concurrent.futures.Future[None]:
        return self._ask("set_limit", provider, limit)

    def limits(self) -> concurrent.futures.Future[dict[str, int]]:
        return self._ask("limits")

    # ------------------------------------------------------------------ the reader thread

    def _received(self, message: Any) -> None:
        kind = message[0]
        if kind == "event":
            event: JobEvent = message[1]
            if event.state is not JobState.QUEUED:
                with self._lock:
                    self._unconfirmed.pop(event.take_id, None)
            self._emit(event)
        elif kind == "message":
            self._emit(message[1])
        elif kind == "reply":
            _kind, request_id, ok, value = message
            with self._lock:
                future = self._waiting.pop(request_id, None)
            if future is None or not future.set_running_or_notify_cancel():
                return
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value if isinstance(value, BaseException) else QueueError(str(value)))

    def _gone(self) -> None:
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if future.set_running_or_notify_cancel():
                future.set_exception(QueueError("the generation worker stopped before answering"))
        if not self._closing:
            code = self.process.poll()
            log.error("the generation worker stopped (exit code %s)", code)
            self._fail_unconfirmed()
            self._emit(WorkerStopped(f"The generation worker stopped (exit code {code})"))

    # ------------------------------------------------------------------ closing

    def detach(self) -> None:
        # End of input is the worker's signal to close its queue and exit by itself.
        self._closing = True
        self._pipe.close(timeout=0)

    async def aclose(self, timeout: float) -> None:
        """Ask the worker to stop following jobs (they resume next time) and to exit; kill it if it hangs."""
        self._closing = True
        deadline = time.monotonic() + timeout
        try:
            if self.running:
                try:
                    await asyncio.wait_for(asyncio.wrap_future(self._ask("close")), timeout)
                except (TimeoutError, Exception) as exc:
                    log.warning("closing the generation worker failed: %s", exc or type(exc).__name__)
            self._pipe.close(timeout=0)
            while self.process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        finally:
            # Even when this is canceled (the app quitting): no worker outlives its host. End of input
            # makes a healthy worker close its queue and exit; one that does not is killed.
            self._pipe.close(timeout=0)
            if self.process.poll() is None:
                try:
                    self.process.wait(0.5)
                except subprocess.TimeoutExpired:
                    log.warning("the generation worker did not exit; killing it")
                    self.process.kill()
                    self.process.wait(2)
