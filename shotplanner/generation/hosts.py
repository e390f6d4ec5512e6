"""Where the job queue runs for the app: in a generation worker process, spoken to over a pipe.

The window reaches its queue only through the host::

    host = ProcessHost(folder, specs, settings, emit)
    host.enqueue([(request, estimate_usd), ...])         # refusals come back through emit
    await asyncio.wrap_future(host.ask(Cancel(take_id)))  # every command answers with a concurrent Future
    await host.aclose(timeout=5)                        # stop following jobs; they resume next time

``emit`` receives each :class:`~shotplanner.generation.jobs.JobEvent` (or a message for the status bar)
on a background thread: it must be thread-safe and quick (the controller's ``EventInbox.put``).

Why a process: the queue's HTTP work (httpx parsing, the connection pool's bookkeeping, the journal) is
Python code. On a thread it shares the GUI's interpreter lock, and while 200 jobs report, the GUI waited
for that lock in the middle of its paints: the storyboard stalled for tens of milliseconds. In a child
process it runs beside the GUI instead. Providers travel as :class:`~shotplanner.generation.spec.
ProviderSpec` and are built there; the messages are typed (``generation.messages``).

The job journal (``PROJECT/.shotplanner/jobs/``) stays the one truth. The worker holds the project's
:class:`~shotplanner.generation.journal.FollowerLock` while it runs, so a worker still closing and its
successor never follow one journal together. A worker that dies loses no job the journal holds: the next
host resumes them under the queue's own rules, and the jobs it never took are handed to the next one.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shotplanner.core.models import JobState
from shotplanner.generation import messages as m
from shotplanner.generation.jobs import JobEvent, QueueError, QueueSettings
from shotplanner.generation.messages import Item
from shotplanner.generation.pipe import FramedPipe, PipeClosed
from shotplanner.generation.spec import ProviderSpec

log = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class WorkerStopped:
    """The worker ended on its own (it was not closed): emitted once, for the user and for a restart.

    ``unsent`` are the jobs handed to it that it never took (none is in its journal past QUEUED, none was
    sent): the next worker gets them again, so they are re-queued, never failed or called unknown.
    """

    message: str
    unsent: tuple[Item, ...] = ()


#: Receives queue events, a message for the user, or the news that the worker stopped (any thread).
Emit = Callable[[JobEvent | str | WorkerStopped], None]


def worker_command() -> list[str]:
    """How to start the worker: this interpreter and module, or the frozen app with its worker flag."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--generation-worker"]
    return [sys.executable, "-m", "shotplanner.generation.worker_process"]


class ProcessHost:
    """The queue in a child process (``worker_process``), spoken to over its stdin and stdout.

    Starting returns at once: the child imports, waits for the project's follower lock and resumes the
    journal while the first messages wait in its pipe. If the child dies, every question still waiting
    fails with :class:`QueueError`, ``emit`` gets a :class:`WorkerStopped` carrying the jobs it never took
    and :attr:`running` turns False; the service then starts a new host, which
    resumes the journal under the queue's rules (an unanswered submit stays UNKNOWN unless the provider
    can look it up by our id).
    """

    def __init__(self, folder: Path, specs: Mapping[str, ProviderSpec], settings: QueueSettings,
                 emit: Emit) -> None:
        self._emit = emit
        self._ids = itertools.count(1)
        self._waiting: dict[int, concurrent.futures.Future[Any]] = {}
        # Jobs handed over that the worker has not yet reported past QUEUED: if it dies, these are the
        # jobs it may never have taken (a QUEUED record is written in a batch; SUBMITTING is on disk
        # before any submit), so they go to the next worker (which skips any its journal holds).
        self._unconfirmed: dict[str, Item] = {}
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
        self._pipe.send(m.Open(str(folder), dict(specs), settings))

    @property
    def running(self) -> bool:
        return not self._pipe.closed and self.process.poll() is None

    # ------------------------------------------------------------------ asking

    def ask(self, command: m.Command) -> concurrent.futures.Future[Any]:
        """Send a command; its future gets the worker's answer (the queue's refusal: QueueError)."""
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        request_id = next(self._ids)
        with self._lock:
            self._waiting[request_id] = future
        try:
            self._pipe.send(m.Call(request_id, command))
        except PipeClosed:
            with self._lock:
                mine = self._waiting.pop(request_id, None)  # else the reader thread resolved it
            if mine is not None:
                mine.set_exception(QueueError("the generation worker has stopped; send again to restart it"))
        return future

    def enqueue(self, items: list[Item]) -> None:
        with self._lock:
            for item in items:
                self._unconfirmed[item[0].take_id] = item
        try:
            self._pipe.send(m.Enqueue(items))
        except PipeClosed:
            unsent = self._take_unconfirmed()
            if unsent:
                self._emit(WorkerStopped("The generation worker had stopped", unsent))

    def _take_unconfirmed(self) -> tuple[Item, ...]:
        with self._lock:
            items, self._unconfirmed = tuple(self._unconfirmed.values()), {}
        return items

    # ------------------------------------------------------------------ the reader thread

    def _received(self, message: object) -> None:
        match message:
            case JobEvent():
                if message.state is not JobState.QUEUED:
                    with self._lock:
                        self._unconfirmed.pop(message.take_id, None)
                self._emit(message)
            case str():
                self._emit(message)
            case m.Reply(request_id, ok, value):
                with self._lock:
                    future = self._waiting.pop(request_id, None)
                if future is None or not future.set_running_or_notify_cancel():
                    return
                if ok:
                    future.set_result(value)
                else:
                    error = value if isinstance(value, BaseException) else QueueError(str(value))
                    future.set_exception(error)
            case _:
                log.error("the generation worker sent something unknown: %s", type(message).__name__)

    def _gone(self) -> None:
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if future.set_running_or_notify_cancel():
                future.set_exception(QueueError("the generation worker stopped before answering"))
        if not self._closing:
            code = self.process.poll()
            log.error("the generation worker stopped (exit code %s)", code)
            self._emit(WorkerStopped(f"The generation worker stopped (exit code {code})",
                                     self._take_unconfirmed()))

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
                    await asyncio.wait_for(asyncio.wrap_future(self.ask(m.Close())), timeout)
                except Exception as exc:
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
