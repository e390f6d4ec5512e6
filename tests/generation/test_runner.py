"""The queue's worker thread: work handed over runs on its own loop, results come back as futures, events
come back in batches, and stopping cancels what runs and ends the thread."""

from __future__ import annotations

import asyncio
import threading

import pytest

from shotplanner.generation.runner import EventInbox, LoopThread, RunnerClosed


def test_work_runs_on_the_loop_thread_and_answers_through_futures() -> None:
    runner = LoopThread("test-loop").start()
    try:

        async def where() -> int:
            await asyncio.sleep(0)
            return threading.get_ident()

        assert runner.submit(where()).result(5) not in (None, threading.get_ident())
        # ``call`` runs a plain function there, inside the running loop (it may create tasks).
        loop_of_call = runner.call(asyncio.get_running_loop).result(5)
        assert loop_of_call is runner.loop
        with pytest.raises(ValueError, match="bad"):
            runner.call(int, "bad").result(5)
        assert not runner.in_thread()
    finally:
        assert runner.stop(5)


def test_stop_cancels_running_tasks_joins_and_refuses_new_work() -> None:
    runner = LoopThread("test-loop").start()
    cleaned = threading.Event()
    started = threading.Event()

    async def forever() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.set()  # the task's own cleanup ran: it was canceled, not abandoned

    future = runner.submit(forever())
    assert started.wait(5)
    assert runner.stop(5)
    assert cleaned.is_set() and future.cancelled()
    assert not runner.running
    coro = asyncio.sleep(0)
    with pytest.raises(RunnerClosed):
        runner.submit(coro)
    assert runner.stop(1)  # twice is fine
    with pytest.raises(RunnerClosed):
        runner.start()


def test_the_inbox_wakes_once_per_burst_and_keeps_every_event_in_order() -> None:
    wakes: list[int] = []
    inbox: EventInbox[int] = EventInbox(lambda: wakes.append(1))

    def produce() -> None:
        for i in range(1000):
            inbox.put(i)

    producer = threading.Thread(target=produce)
    producer.start()
    producer.join()
    assert len(wakes) == 1 and len(inbox) == 1000
    taken = []
    while (item := inbox.take()) is not None:
        taken.append(item)
    assert taken == list(range(1000))
    inbox.put(1000)  # not re-armed yet: no new wake, the consumer is still responsible
    assert len(wakes) == 1
    assert not inbox.rearm()  # an event is waiting: keep taking
    assert inbox.take() == 1000 and inbox.rearm()
    inbox.put(1001)
    assert len(wakes) == 2
