"""``JobQueue.set_limit``: a provider's concurrency limit changes while its jobs run."""

from __future__ import annotations

import asyncio
from pathlib import Path

from shotplanner.core.models import JobState
from shotplanner.generation.jobs import JobEvent, QueueError
from shotplanner.generation.queue import JobQueue
from tests.generation.helpers import provider_for, request

BUSY = (JobState.SUBMITTING, JobState.SUBMITTED, JobState.RUNNING)


def _busy(queue: JobQueue) -> int:
    return sum(j.state in BUSY for j in queue.jobs.values())


def test_raising_the_limit_starts_waiting_jobs_at_once(serve, tmp_path: Path, fast_settings) -> None:
    server = serve("fal")
    server.faults.polls_to_finish = 4

    async def scenario() -> list[int]:
        queue = JobQueue(tmp_path, {"fal": provider_for(server, max_concurrency=1)}, fast_settings)
        starts: list[int] = []  # jobs busy when each job starts sending
        queue.subscribe(lambda e: starts.append(_busy(queue)) if e.state is JobState.SUBMITTING else None)
        for i in range(6):
            queue.enqueue(request("fal", f"t{i}"))
        while queue.jobs["t0"].state is not JobState.RUNNING:
            await asyncio.sleep(0.005)
        assert _busy(queue) == 1  # the old limit held
        queue.set_limit("fal", 3)
        assert queue.providers["fal"].max_concurrency == 3
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert _busy(queue) == 3  # two waiting jobs started without waiting for t0 to finish
        await queue.join()
        assert all(j.state is JobState.DONE for j in queue.jobs.values())
        await queue.aclose()
        return starts

    starts = asyncio.run(scenario())
    assert max(starts) == 3 and server.creates == 6


def test_lowering_the_limit_lets_running_jobs_finish_and_starts_fewer(
    serve, tmp_path: Path, fast_settings
) -> None:
    server = serve("fal")
    server.faults.polls_to_finish = 3

    async def scenario() -> list[int]:
        queue = JobQueue(tmp_path, {"fal": provider_for(server, max_concurrency=3)}, fast_settings)
        after: list[int] = []
        running_then: set[str] = set()
        lowered = [False]

        def watch(event: JobEvent) -> None:
            started_later = event.take_id not in running_then
            if lowered[0] and started_later and event.state is JobState.SUBMITTING:
                after.append(_busy(queue))

        queue.subscribe(watch)
        for i in range(8):
            queue.enqueue(request("fal", f"t{i}"))
        while _busy(queue) < 3:
            await asyncio.sleep(0.002)
        queue.set_limit("fal", 1)
        running_then.update(j.take_id for j in queue.jobs.values() if j.state in BUSY)
        lowered[0] = True
        await queue.join()
        # The three running jobs were not interrupted.
        assert all(j.state is JobState.DONE for j in queue.jobs.values())
        try:
            queue.set_limit("nobody", 2)
        except QueueError as exc:
            assert "nobody" in str(exc)
        else:
            raise AssertionError("an unknown provider must be refused")
        await queue.aclose()
        return after

    after = asyncio.run(scenario())
    # Every job started after the change found itself alone.
    assert len(after) == 5 and all(n == 1 for n in after), after
    assert server.creates == 8
