"""A worker thread with its own asyncio event loop, for the job queue and its HTTP clients.

The GUI's event loop must only paint and react: the queue's network work (httpx/httpcore parsing, about
0.5 ms of CPU per request) and its bookkeeping run here instead. The object is small and explicit::

    runner = LoopThread("generation").start()
    future = runner.submit(queue.cancel(take_id))      # concurrent.futures.Future
    runner.call(queue.enqueue, request)                 # a plain function, run on the loop's thread
    runner.stop(timeout=5)                              # cancel what runs, close, join

Everything a coroutine on this loop touches (the ``JobQueue``, its providers and their clients) belongs to
this thread: other threads reach it only through ``submit``/``call``. Events flow back through an
:class:`EventInbox`, a thread-safe queue that wakes its consumer once per batch rather than once per event.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
E = TypeVar("E")



async def cancel_other_tasks(timeout: float) -> None:
    """Cancel every task of the running loop but the caller's, and give them ``timeout`` to finish."""
    current = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=timeout)

class RunnerClosed(RuntimeError):
    """Work was handed to a loop thread that is not running."""


class LoopThread:
    """One daemon thread running one asyncio loop until :meth:`stop`."""

    def __init__(self, name: str = "shotplanner-loop") -> None:
        self.name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> LoopThread:
        if self._closed:
            raise RunnerClosed(f"{self.name} was stopped; make a new one")
        if self._thread is None:
            # Daemon: a loop thread must never keep the process alive after the app has quit.
            self._thread = threading.Thread(target=self._main, name=self.name, daemon=True)
            self._thread.start()
            self._ready.wait()
        return self

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            try:
                loop.run_until_complete(cancel_other_tasks(timeout=2))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            except Exception:  # closing must finish even if a task misbehaves on its way out
                log.exception("%s: error while closing its loop", self.name)
            finally:
                asyncio.set_event_loop(None)
                loop.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._closed

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None or not self.running:
            raise RunnerClosed(f"{self.name} is not running")
        return self._loop

    def in_thread(self) -> bool:
        """True when called from the loop's own thread."""
        return self._thread is not None and threading.current_thread() is self._thread

    def stop(self, timeout: float = 5.0) -> bool:
        """Cancel every task, close the loop and join the thread; True when it ended within ``timeout``.

        Call :meth:`submit` with the owners' own ``aclose()`` first (e.g. ``JobQueue.aclose``): that closes
        HTTP clients on this loop, where they were used. Safe to call twice.
        """
        if self._thread is None:
            self._closed = True
            return True
        if not self._closed:
            self._closed = True
            if self._loop is not None and not self._loop.is_closed():
                with contextlib.suppress(RuntimeError):  # the loop may have just closed
                    self._loop.call_soon_threadsafe(self._loop.stop)
        if self.in_thread():
            return False  # cannot join oneself; the loop stops once this callback returns
        self._thread.join(timeout)
        ended = not self._thread.is_alive()
        if not ended:
            log.warning("%s did not stop within %.1f s; leaving the daemon thread behind", self.name, timeout)
        return ended

    # ------------------------------------------------------------------ handing work over

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run ``coro`` on the loop; the returned future completes on that thread."""
        try:
            loop = self.loop
        except RunnerClosed:
            coro.close()  # never awaited: close it so Python does not warn
            raise
        return asyncio.run_coroutine_threadsafe(coro, loop)

    def call(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        """Run the plain function ``fn(*args)`` on the loop's thread (it may create tasks there)."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args))
            except BaseException as exc:
                future.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return future


class EventInbox(Generic[E]):
    """Events from a worker thread for one consumer thread, delivered in batches.

    ``put`` (any thread) appends and, when the inbox was drained since the last wake, calls ``wake()``
    once: a burst of 1,000 events costs the consumer one wake-up, not 1,000. The consumer takes events
    with :meth:`take` and, when it has taken them all, :meth:`rearm` so that the next ``put`` wakes it.
    """

    def __init__(self, wake: Callable[[], None]) -> None:
        self._items: deque[E] = deque()
        self._wake = wake
        self._lock = threading.Lock()
        self._armed = True

    def put(self, item: E) -> None:
        with self._lock:
            self._items.append(item)
            wake = self._armed
            self._armed = False
        if wake:
            self._wake()

    def take(self) -> E | None:
        """The oldest event, or None when the inbox is empty."""
        try:
            return self._items.popleft()
        except IndexError:
            return None

    def rearm(self) -> bool:
        """After draining: the next ``put`` wakes the consumer. False when events arrived meanwhile
        (the consumer should go on taking; it stays responsible for them)."""
        with self._lock:
            if self._items:
                return False
            self._armed = True
            return True

    def __len__(self) -> int:
        return len(self._items)
