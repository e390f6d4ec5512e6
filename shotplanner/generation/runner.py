"""Small asyncio helpers shared by the app and the generation worker.

:func:`cancel_other_tasks` ends a loop's stragglers at shutdown; :class:`EventInbox` carries events from a
background thread (the worker pipe's reader) to one consumer thread (the GUI), waking it once per burst.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")


async def cancel_other_tasks(timeout: float) -> None:
    """Cancel every task of the running loop but the caller's, and give them ``timeout`` to finish."""
    current = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=timeout)

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
