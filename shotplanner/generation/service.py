"""The generation service: one object, no Qt, that owns the generation worker for the open project.

It starts the worker on first use (every new worker resumes the journal first), starts it again when it
stops on its own (at most ``RESTARTS_ALLOWED`` times in ``RESTART_WINDOW_S``), hands the next worker the
jobs a stopped one never took (they were never sent: re-queued, never failed or called unknown), cleans the
journal after a save, and answers questions about jobs (bounded waits, after the journal is loaded).

The window's controller gives it an ``emit`` (thread-safe, quick: its inbox) and a ``call_later`` (the
GUI's timer) and only applies what comes back; ``generate`` runs its queue in-process instead.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shotplanner.core.models import JobState
from shotplanner.generation import messages as m
from shotplanner.generation.hosts import Emit, ProcessHost, WorkerStopped
from shotplanner.generation.jobs import Job, JobEvent, QueueError, QueueSettings
from shotplanner.generation.messages import Item
from shotplanner.generation.spec import ProviderSpec

log = logging.getLogger(__name__)

#: How long a question waits for the worker's answer.
ASK_TIMEOUT_S = 5.0
#: How long closing may take: the queue and its clients, then the worker's exit.
CLOSE_TIMEOUT_S = 5.0
#: A worker that stopped on its own is started again after this pause, at most this often in this window.
RESTART_DELAY_S = 0.5
RESTARTS_ALLOWED = 3
RESTART_WINDOW_S = 60.0

CallLater = Callable[[float, Callable[[], None]], object]


class GenerationService:
    def __init__(self, specs: Callable[[], dict[str, ProviderSpec]], settings: QueueSettings, emit: Emit,
                 call_later: CallLater) -> None:
        self._specs = specs
        self.settings = settings
        self._emit = emit
        self._call_later = call_later
        self._restarts: deque[float] = deque(maxlen=RESTARTS_ALLOWED)
        self.host: ProcessHost | None = None
        self.folder: Path | None = None
        #: Done once the current worker loaded the journal.
        self.resumed: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._closing: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ the worker

    def ensure(self, folder: Path) -> ProcessHost:
        """The worker for ``folder`` (started on first use; again if it stopped or another folder opened)."""
        host = self.host
        if host is not None and self.folder == folder and host.running:
            return host
        if host is not None:
            self._retire(host)
        self.host = ProcessHost(folder, self._specs(), self.settings, self._emit)
        self.folder = folder
        # Every new worker starts from the journal: jobs an earlier session (or a worker that died) left
        # running are followed again, never sent again. Its events say what it picked up.
        self.resumed = self.host.ask(m.Resume())
        self.resumed.add_done_callback(_log_failure)
        return self.host

    def _retire(self, host: ProcessHost) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop running (a script): let it stop without waiting
            host.detach()
            return
        task = loop.create_task(host.aclose(CLOSE_TIMEOUT_S))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def stopped(self, stopped: WorkerStopped) -> str:
        """The worker stopped on its own: start a new one (its jobs resume; the ones it never took are
        handed over), unless it keeps stopping. Returns what to tell the user."""
        now = time.monotonic()
        if len(self._restarts) == self._restarts.maxlen and now - self._restarts[0] < RESTART_WINDOW_S:
            self._not_taken(stopped.unsent)
            return f"{stopped.message} again; its jobs are kept and resume when you send or retry"
        self._restarts.append(now)
        folder = self.folder
        self._call_later(RESTART_DELAY_S, lambda: self._restart(folder, stopped.unsent))
        return f"{stopped.message}; starting it again, its jobs resume"

    def _restart(self, folder: Path | None, unsent: tuple[Item, ...]) -> None:
        if self.host is None or folder is None or self.folder != folder:
            self._not_taken(unsent)
            return  # closed, or another project is open now
        try:
            host = self.ensure(folder)  # (the running one when a send restarted it meanwhile)
        except QueueError as exc:
            self._emit(str(exc))
            self._not_taken(unsent)
            return
        if unsent:
            host.enqueue(list(unsent))  # after its resume: any the journal already holds are skipped

    def _not_taken(self, unsent: tuple[Item, ...]) -> None:
        """No worker to take them: say so on each take (nothing was sent; sending again is safe)."""
        text = "the generation worker stopped before sending this job; nothing was sent: send it again"
        for request, _estimate in unsent:
            self._emit(JobEvent.not_taken(request, text, retryable=True))

    async def aclose(self) -> None:
        """Stop following jobs (they resume next session), close the clients, end the worker."""
        host, self.host, self.folder = self.host, None, None
        if host is not None:
            await host.aclose(CLOSE_TIMEOUT_S)
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    # ------------------------------------------------------------------ jobs

    def forget_saved(self, saved: dict[str, JobState]) -> None:
        """After a save: the journal drops the jobs whose end is in project.json (the queue's rule)."""
        if self.host is not None and self.host.running and saved:
            self.host.ask(m.ForgetSaved(saved))

    def set_limit(self, provider: str, limit: int) -> concurrent.futures.Future[Any] | None:
        """Apply a limit in the running worker: its answer is every provider's limit (None: no worker yet;
        a provider this worker lacks refuses, nothing changes)."""
        return self.host.ask(m.SetLimit(provider, limit)) if self.host is not None else None

    def _wait(self, future: concurrent.futures.Future[Any]) -> Any:
        """Wait (bounded) for an answer, after the journal is loaded: a job an earlier worker left must
        not look unknown."""
        concurrent.futures.wait([self.resumed], ASK_TIMEOUT_S)  # its failure is logged, not ours
        try:
            return future.result(ASK_TIMEOUT_S)
        except concurrent.futures.TimeoutError:
            raise QueueError("the queue did not answer in time; try again") from None

    def job(self, take_id: str) -> Job | None:
        """A copy of the queue's job for ``take_id``, or None (no worker, or no such job)."""
        if self.host is None or not self.host.running:
            return None
        result: Job | None = self._wait(self.host.ask(m.GetJob(take_id)))
        return result

    async def cancel(self, take_id: str) -> bool:
        if self.host is None:
            return False
        return bool(await asyncio.wrap_future(self.host.ask(m.Cancel(take_id))))

    def resume_job(self, take_id: str) -> None:
        """Follow a job the provider still has again (the queue decides whether it can: QueueError)."""
        if self.host is None:
            raise QueueError("the generation worker is not running")
        self._wait(self.host.ask(m.Retry(take_id)))


def _log_failure(future: concurrent.futures.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("resuming the journal failed: %s", future.exception())
