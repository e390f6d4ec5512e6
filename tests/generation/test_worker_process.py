"""The generation worker process and its pipe: frames survive, the worker runs real jobs against a contract
server, answers questions, refuses what it cannot do, and exits when told or when the app goes away."""

from __future__ import annotations

import asyncio
import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from shotplanner.core.models import JobState
from shotplanner.generation import hosts, messages
from shotplanner.generation.hosts import ProcessHost, WorkerStopped
from shotplanner.generation.jobs import JobEvent, QueueError
from shotplanner.generation.journal import FollowerLock
from shotplanner.generation.pipe import FramedPipe, PipeClosed
from shotplanner.generation.spec import ProviderSpec
from tests.generation.helpers import provider_for, request

ROOT = Path(__file__).resolve().parents[2]
#: A fal provider pointed at a loopback port nobody serves (behind the test switch).
DEAD_END = ProviderSpec("fal", {"base_url": "http://127.0.0.1:9", "allow_loopback_http": True})


def _pipe_pair() -> tuple[FramedPipe, FramedPipe, list[Any], threading.Event]:
    a_read, b_write = os.pipe()
    b_read, a_write = os.pipe()
    got: list[Any] = []
    closed = threading.Event()
    a = FramedPipe(os.fdopen(a_read, "rb", buffering=0), os.fdopen(a_write, "wb", buffering=0), got.append,
                   closed.set, name="a")
    b = FramedPipe(os.fdopen(b_read, "rb", buffering=0), os.fdopen(b_write, "wb", buffering=0),
                   lambda m: None, lambda: None, name="b")
    return a.start(), b.start(), got, closed


def test_frames_arrive_whole_and_in_order_and_closing_is_seen() -> None:
    a, b, got, closed = _pipe_pair()
    big = b"x" * (3 * 1024 * 1024)  # larger than a pipe's buffer: written in many pieces, read whole
    for message in [("one", 1), ("big", big), ("three", {"k": [1, 2]})]:
        b.send(message)
    b.close()
    assert closed.wait(10)
    assert got == [("one", 1), ("big", big), ("three", {"k": [1, 2]})]
    assert a.closed
    with pytest.raises(PipeClosed):
        a.send("after the end")


def test_a_spec_never_shows_its_keys_and_an_app_spec_carries_none() -> None:
    given = ProviderSpec("fal", {"keys": ("fal-secret-value-1234",)})
    assert "secret" not in repr(given)
    from shotplanner.generation.providers.fal import FalProvider

    # keys looked up by whoever runs it
    made_by_app = FalProvider(base_url="http://127.0.0.1:9", allow_loopback_http=True)
    assert made_by_app.spec().kwargs["keys"] is None
    assert pickle.loads(pickle.dumps(made_by_app.spec())).kwargs["base_url"] == "http://127.0.0.1:9"


def test_the_frozen_app_starts_its_worker_with_its_own_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert hosts.worker_command() == [sys.executable, "--generation-worker"]
    monkeypatch.delattr(sys, "frozen")
    assert hosts.worker_command()[1:] == ["-m", "shotplanner.generation.worker_process"]


def test_the_cli_flag_runs_the_worker(tmp_path: Path) -> None:
    """``shotplanner --generation-worker`` (what the frozen app runs) speaks the worker's protocol."""
    proc = subprocess.Popen([sys.executable, "-m", "shotplanner", "--generation-worker"], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    assert proc.stdin is not None and proc.stdout is not None
    replies: list[Any] = []
    done = threading.Event()

    def received(message: Any) -> None:
        replies.append(message)
        if isinstance(message, messages.Reply) and message.id == 2:
            done.set()

    pipe = FramedPipe(proc.stdout, proc.stdin, received, done.set, name="test").start()
    pipe.send(messages.Open(str(tmp_path), {"fal": DEAD_END}, hosts.QueueSettings()))
    pipe.send(messages.Call(1, messages.SetLimit("fal", 3)))
    pipe.send(messages.Call(2, messages.Close()))
    assert done.wait(30)
    assert messages.Reply(1, True, {"fal": 3}) in replies
    assert proc.wait(10) == 0


def _events(host_events: list[Any], take_id: str) -> list[JobState]:
    return [e.state for e in host_events if isinstance(e, JobEvent) and e.take_id == take_id]


def test_the_worker_runs_jobs_answers_and_exits(tmp_path: Path, serve: Any, fast_settings: Any) -> None:
    server = serve("fal")
    server.faults.polls_to_finish = 2
    events: list[Any] = []
    provider = provider_for(server)

    async def scenario() -> None:
        host = ProcessHost(tmp_path, {"fal": provider.spec()}, fast_settings, events.append)
        assert host.process.pid != os.getpid()
        host.enqueue([(request("fal", "t1"), 0.5), (request("fal", "t2"), 0.5)])
        for _ in range(1000):
            if all(JobState.DONE in _events(events, t) for t in ("t1", "t2")):
                break
            await asyncio.sleep(0.02)
        job = await asyncio.wrap_future(host.ask(messages.GetJob("t1")))
        assert job is not None and job.state is JobState.DONE and job.cost_estimate_usd == 0.5
        assert await asyncio.wrap_future(host.ask(messages.GetJob("nobody"))) is None
        with pytest.raises(QueueError, match="done"):
            # The queue's own refusal crosses the pipe.
            await asyncio.wrap_future(host.ask(messages.Retry("t1")))
        with pytest.raises(QueueError, match="does not know"):
            await asyncio.wrap_future(host.ask("format_disk"))  # type: ignore[arg-type]
        await host.aclose(5)
        assert host.process.returncode == 0 and not host.running

    asyncio.run(scenario())
    await_provider_close(provider)
    for take in ("t1", "t2"):
        states = _events(events, take)
        assert states[0] is JobState.QUEUED and states[-1] is JobState.DONE
        assert (tmp_path / "media" / "takes" / f"{take}.mp4").read_bytes() == server.clip
    assert server.creates == 2


def await_provider_close(provider: Any) -> None:
    asyncio.run(provider.aclose())  # made here only to be described; its client was never used


def test_a_refused_enqueue_comes_back_as_a_failed_event_and_a_message(tmp_path: Path,
                                                                         fast_settings: Any) -> None:
    events: list[Any] = []

    async def scenario() -> None:
        host = ProcessHost(tmp_path, {"fal": DEAD_END},
                           fast_settings, events.append)
        host.enqueue([(request("kling", "t1"), None)])  # no kling provider in this worker
        for _ in range(500):
            if any(isinstance(e, str) for e in events):
                break
            await asyncio.sleep(0.02)
        await host.aclose(5)

    asyncio.run(scenario())
    failed = [e for e in events if isinstance(e, JobEvent)]
    assert failed and failed[-1].state is JobState.FAILED and "kling" in failed[-1].message
    assert any(isinstance(e, str) and "kling" in e for e in events)


def test_the_worker_exits_when_the_app_goes_away(tmp_path: Path, fast_settings: Any) -> None:
    """End of input (the app died) closes the queue and ends the worker; questions waiting fail at once."""
    events: list[Any] = []
    host = ProcessHost(tmp_path, {"fal": DEAD_END},
                       fast_settings, events.append)
    assert host.ask(messages.SetLimit("fal", 2)).result(30) == {"fal": 2}
    host.process.stdin.close()  # type: ignore[union-attr]  # as if this process had died
    assert host.process.wait(10) == 0
    with pytest.raises(QueueError):
        host.ask(messages.SetLimit("fal", 1)).result(5)
    deadline = time.monotonic() + 5
    while not any(isinstance(e, WorkerStopped) and "worker stopped" in e.message for e in events):
        assert time.monotonic() < deadline, events
        time.sleep(0.01)
    assert not host.running


def test_one_follower_per_project(tmp_path: Path) -> None:
    """A journal is followed by one queue at a time: a second lock waits for the first."""
    first = FollowerLock(tmp_path)
    assert first.try_acquire()
    assert not FollowerLock(tmp_path).try_acquire()
    first.release()
    second = FollowerLock(tmp_path)
    assert second.try_acquire()
    second.release()


def test_jobs_a_dying_worker_never_took_come_back_to_be_queued_again(tmp_path: Path, serve: Any,
                                                                    fast_settings: Any) -> None:
    """While another queue follows the project the new worker waits and takes no job; killed then, the
    jobs handed to it come back unsent (for the next worker, never failed) and nothing reached the
    provider."""
    server = serve("fal")
    holder = FollowerLock(tmp_path)
    assert holder.try_acquire()
    events: list[Any] = []
    host = ProcessHost(tmp_path, {"fal": provider_for(server).spec()}, fast_settings, events.append)
    host.enqueue([(request("fal", "t1"), 0.5), (request("fal", "t2"), 0.5)])
    time.sleep(0.5)
    host.process.kill()
    deadline = time.monotonic() + 10
    while not any(isinstance(e, WorkerStopped) for e in events):
        assert time.monotonic() < deadline, events
        time.sleep(0.01)
    stopped = next(e for e in events if isinstance(e, WorkerStopped))
    assert {request.take_id for request, _ in stopped.unsent} == {"t1", "t2"}
    assert not any(isinstance(e, JobEvent) and e.state is not JobState.QUEUED for e in events)
    assert server.creates == 0
    holder.release()
    host.process.wait(5)


def test_a_project_whose_job_folder_cannot_be_written_gets_a_clear_message(tmp_path: Path,
                                                                          fast_settings: Any) -> None:
    (tmp_path / ".shotplanner").write_text("not a folder")  # the journal cannot be made here
    events: list[Any] = []
    host = ProcessHost(tmp_path, {"fal": DEAD_END},
                       fast_settings, events.append)
    host.enqueue([(request("fal", "t1"), None)])
    assert host.process.wait(20) == 0
    deadline = time.monotonic() + 5
    while not any(isinstance(e, WorkerStopped) for e in events):
        assert time.monotonic() < deadline, events
        time.sleep(0.01)
    assert any(isinstance(e, str) and "Cannot write this project's job folder" in e for e in events)
    stopped = next(e for e in events if isinstance(e, WorkerStopped))
    assert [request.take_id for request, _ in stopped.unsent] == ["t1"]  # never sent: for the next worker
