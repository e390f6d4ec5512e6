"""The generation worker process: the app's job queue, running beside the GUI rather than inside it.

Started by :class:`~shotplanner.generation.hosts.ProcessHost` as
``python -m shotplanner.generation.worker_process`` (the frozen app: ``shotplanner --generation-worker``).
It speaks in frames (``pipe.FramedPipe``) over its stdin and stdout:

- from the app: :class:`~shotplanner.generation.messages.Open` first; then ``Enqueue`` and ``Call``
  (a numbered command: ``Resume``, ``Cancel``, ``Retry``, ``GetJob``, ``SetLimit``, ``ForgetSaved``,
  ``Close``);
- to the app: each ``JobEvent``, a ``str`` (a sentence for the user) and ``Reply`` (to one call).

Anything else written to stdout would corrupt the conversation, so stdout is moved to stderr first. End of
input (the app quit, or died) is handled like ``close``: jobs stop being followed and are resumed from the
journal next time; nothing is canceled at the provider.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from shotplanner.generation import messages as m
from shotplanner.generation.base import GenerationError
from shotplanner.generation.jobs import JobEvent, QueueError
from shotplanner.generation.journal import FollowerLock
from shotplanner.generation.pipe import FramedPipe
from shotplanner.generation.queue import JobQueue
from shotplanner.generation.registry import provider_from_spec
from shotplanner.generation.runner import cancel_other_tasks

log = logging.getLogger(__name__)

#: How long a new worker waits for the project's previous follower (a worker still closing) to let go.
FOLLOWER_WAIT_S = 30.0


def enqueue_all(queue: JobQueue, items: list[m.Item], emit: Callable[[JobEvent | str], None]) -> None:
    """Enqueue each item; a refusal becomes a failed event for its take and a message (queue's thread)."""
    for request, estimate in items:
        if request.take_id in queue.jobs:
            continue  # handed over again after a worker stopped, and already resumed from the journal
        try:
            queue.enqueue(request, cost_estimate_usd=estimate)
        except QueueError as exc:
            emit(JobEvent.not_taken(request, str(exc)))
            emit(str(exc))


async def _answer(pipe: FramedPipe, call: m.Call, queue: JobQueue) -> None:
    try:
        value: Any = None
        match call.command:
            case m.Resume():
                await queue.resume()
                for text in queue.refused:  # journal records that break confinement: said once
                    pipe.send(text)
                queue.refused.clear()
            case m.Cancel(take_id):
                value = await queue.cancel(take_id)
            case m.Retry(take_id):
                queue.retry(take_id)
            case m.GetJob(take_id):
                job = queue.jobs.get(take_id)
                value = replace(job) if job is not None else None
            case m.SetLimit(provider, limit):
                queue.set_limit(provider, limit)
                value = {name: p.max_concurrency for name, p in queue.providers.items()}
            case m.ForgetSaved(saved):
                value = queue.forget_saved(saved)
            case other:
                raise QueueError(f"the worker does not know {type(other).__name__}")
    except QueueError as exc:
        pipe.send(m.Reply(call.id, False, QueueError(str(exc))))
    except Exception as exc:  # an answer always goes back: the app must not wait for nothing
        log.exception("%s failed", type(call.command).__name__)
        pipe.send(m.Reply(call.id, False, QueueError(f"{type(call.command).__name__} failed: "
                                                      f"{type(exc).__name__}")))
    else:
        pipe.send(m.Reply(call.id, True, value))


async def serve(reader: BinaryIO, writer: BinaryIO) -> None:
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[Any] = asyncio.Queue()

    def put(message: Any) -> None:
        loop.call_soon_threadsafe(inbox.put_nowait, message)

    pipe = FramedPipe(reader, writer, put, lambda: put(None), name="generation-worker").start()
    first = await inbox.get()
    if not isinstance(first, m.Open):
        pipe.close()
        return
    folder, specs, settings = Path(first.folder), first.specs, first.settings
    follower = FollowerLock(folder)
    # The previous worker of this project may still be closing: wait for it, never follow alongside it.
    try:
        held = await asyncio.to_thread(follower.acquire, FOLLOWER_WAIT_S)
        refusal = None if held else ("Another Shotplanner window is following this project's jobs; nothing "
                                     "was sent from this one. Close the other window, then send again.")
    except OSError as exc:  # a read-only project, a full disk: no journal, so no job may be sent
        refusal = (f"Cannot write this project's job folder ({exc.strerror or exc}); nothing can be "
                   "generated until it can.")
    if refusal is not None:
        pipe.send(refusal)
        pipe.close()
        return
    if "local" in specs:
        from shotplanner.media.qt import ensure_gui_app

        ensure_gui_app()  # the animatic renderer draws with QtGui; Qt wants its app made on this thread
    providers = {}
    for name, spec in specs.items():
        try:
            providers[name] = provider_from_spec(spec, folder)
        except GenerationError as exc:  # a refused base URL: that provider is left out, and the user told
            pipe.send(f"{name} is not set up: {exc}")
    queue = JobQueue(folder, providers, settings)
    queue.subscribe(pipe.send)  # each JobEvent goes as is
    answering: set[asyncio.Task[None]] = set()
    close_id: int | None = None
    while (message := await inbox.get()) is not None:
        if isinstance(message, m.Enqueue):
            enqueue_all(queue, message.items, pipe.send)
            continue
        if not isinstance(message, m.Call):
            continue
        if isinstance(message.command, m.Close):
            close_id = message.id
            break
        if isinstance(message.command, m.Cancel):  # waits on the network: answered by a task
            task = loop.create_task(_answer(pipe, message, queue))
            answering.add(task)
            task.add_done_callback(answering.discard)
        else:  # answered now, in the order asked (a resume loads the journal before any question)
            await _answer(pipe, message, queue)
    try:
        await queue.aclose()
        await cancel_other_tasks(timeout=2)  # answers still waiting on the network
    finally:
        follower.release()
        if close_id is not None:
            pipe.send(m.Reply(close_id, True))
        pipe.close()


#: How much lower the worker runs than the window (POSIX nice). Its work is waiting on the network,
#: checking clips and drawing animatics: none of it minds a few milliseconds, a frame of the window does.
WORKER_NICENESS = 10


def _yield_to_the_window() -> None:
    """Run below the window's priority: on a busy machine a core goes to the GUI first (a 2-core machine
    with 200 jobs reporting stalled the storyboard ~30 ms while the GUI thread waited for a CPU)."""
    if hasattr(os, "nice"):
        try:
            os.nice(WORKER_NICENESS)
        except OSError:  # not permitted here: the worker runs at the window's priority
            pass


def main() -> int:
    # The parent decides when this process ends (Ctrl+C in a terminal reaches the whole group).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _yield_to_the_window()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="generation worker: %(levelname)s %(name)s: %(message)s")
    # Unbuffered ends (see pipe.py): the reader thread may still be blocked on input when this exits.
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    requests = os.fdopen(os.dup(sys.stdin.fileno()), "rb", buffering=0)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    try:
        asyncio.run(serve(requests, channel))
    except Exception:
        log.exception("the generation worker failed")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
