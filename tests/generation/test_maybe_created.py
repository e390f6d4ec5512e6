"""Kills during a create, with the real ``shotplanner generate``: a request that never left is sent once the
run is resumed (never called unknown); one that left is looked up (Kling) or shown as "may exist" (fal),
and never sent again by itself."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shotplanner.core.models import JobState
from shotplanner.core.storage import load_project
from tests.generation.servers import ContractServer, keys_env
from tests.generation.test_headless import generate, make_project


@pytest.fixture
def blackhole() -> Iterator[str]:
    """A loopback port whose accept queue is full: a connect there hangs (its SYNs are dropped), so a
    request to it provably never leaves."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    yield f"http://127.0.0.1:{port}"
    for sock in (*fillers, server):
        sock.close()


def _records(folder: Path) -> list[dict[str, object]]:
    out = []
    for path in (folder / ".shotplanner" / "jobs").glob("*.json"):
        try:
            out.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            pass
    return out


def _wait(predicate: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def test_a_kill_before_the_request_left_sends_it_on_resume_never_unknown(tmp_path: Path, clip_bytes: bytes,
                                                                         blackhole: str) -> None:
    folder = tmp_path / "film"
    make_project(folder, 1)
    server = ContractServer("fal", clip=clip_bytes).start()
    try:
        stuck = ContractServer.__new__(ContractServer)  # only its env(): the same keys, a dead-end URL
        stuck.kind, stuck.port, stuck.base = "fal", 0, blackhole
        first = generate(folder, stuck, "--yes", wait=False)
        _wait(lambda: any(r.get("state") == "submitting" for r in _records(folder)))
        time.sleep(0.3)  # connecting, forever
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        assert [r["sent"] for r in _records(folder)] == [False]  # the journal proves it never left
        rerun = generate(folder, server, "--yes")
        out = rerun.stdout.read() if rerun.stdout else ""
        assert rerun.returncode == 0, out
        assert "never sent before the stop" in out and "  unknown" not in out and "may exist" not in out, out
        assert server.creates == 1
        assert [t.state for t in load_project(folder).all_shots()[0].takes] == [JobState.DONE]
    finally:
        server.stop()


@pytest.mark.parametrize("kind", ["kling", "fal"])
def test_a_kill_after_the_request_left_is_looked_up_or_may_exist(kind: str, tmp_path: Path,
                                                                  clip_bytes: bytes) -> None:
    folder = tmp_path / "film"
    make_project(folder, 1)
    server = ContractServer(kind, clip=clip_bytes).start()
    for key, value in keys_env(kind).items():
        os.environ.setdefault(key, value)
    try:
        server.faults.hold_created = threading.Event()  # the job is made; its answer waits
        first = generate(folder, server, "--yes", wait=False)
        _wait(lambda: server.creates == 1)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        server.faults.hold_created.set()
        server.faults.hold_created = None
        assert [r["sent"] for r in _records(folder)] == [True]
        rerun = generate(folder, server, "--yes")
        out = rerun.stdout.read() if rerun.stdout else ""
        take = load_project(folder).all_shots()[0].takes[0]
        assert server.creates == 1, out  # never sent again by itself
        if kind == "kling":  # found by external_task_id, followed and downloaded
            assert rerun.returncode == 0 and take.state is JobState.DONE, out
        else:  # fal cannot be asked: "may exist at the provider", and the run says so with a non-zero exit
            assert rerun.returncode == 1 and take.state is JobState.UNKNOWN, out
            assert "may exist at fal" in take.message
    finally:
        server.stop()
