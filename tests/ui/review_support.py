"""Shared parts of the review tests: the qasync loop, a project whose shots route to a contract server,
and providers pointed at those servers (the generation tests' loopback servers, reused)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync

from shotplanner.core import storage
from shotplanner.core.catalog import load_catalog
from shotplanner.core.models import Project, PromptLayers, Scene, Shot
from shotplanner.generation.jobs import QueueSettings
from shotplanner.generation.local import LocalAnimaticProvider
from tests.generation.helpers import provider_for
from tests.generation.servers import ContractServer, keys_env

T = TypeVar("T")

FAST = QueueSettings(
    poll_initial_s=0.01,
    poll_max_s=0.05,
    poll_timeout_s=10.0,
    max_polls=60,
    max_retries=2,
    backoff_base_s=0.01,
    backoff_max_s=0.05,
    durable=True,
)
#: A live model whose first route is fal, with a published price (so jobs are billable and estimated).
FAL_MODEL = "kling-v2.5-turbo"


@pytest.fixture
def aloop(qapp: Any) -> Iterator[qasync.QEventLoop]:
    # Closing a dialog when no other window is visible would quit the app and stop the loop (qasync
    # pitfall 2); the test windows are not shown, so keep the app running explicitly.
    quit_on_close = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)
    qapp.setQuitOnLastWindowClosed(quit_on_close)


def run(loop: asyncio.AbstractEventLoop, coro: Awaitable[T], timeout: float = 30) -> T:
    return loop.run_until_complete(asyncio.wait_for(coro, timeout))


async def until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def review_project(count: int = 3, model_id: str | None = FAL_MODEL, duration: float = 5.0) -> Project:
    shots = [
        Shot(
            id=f"shot{i}",
            number=str(i + 1),
            duration_s=duration,
            resolution="1080p",  # what Kling 2.5 Turbo renders (the planner refuses anything else)
            model_id=model_id,
            layers=PromptLayers(
                subject=f"A lighthouse keeper {i}",
                action="climbs the stairs",
                camera="slow push-in",
                light="warm lamp light",
                mood="quiet",
            ),
        )
        for i in range(count)
    ]
    return Project(
        title="Review film", scenes=[Scene(id="sc1", number="1", heading="INT. TOWER", shots=shots)]
    )


def saved(project: Project, folder: Path) -> Path:
    storage.save_project(project, folder)
    return folder


@pytest.fixture
def catalog() -> Any:
    return load_catalog()


@pytest.fixture
def fal_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ContractServer]:
    from tests.generation.conftest import make_mp4

    server = ContractServer("fal", clip=make_mp4(5.0, 12, 64, 36)).start()
    for key, value in keys_env("fal").items():
        monkeypatch.setenv(key, value)
    yield server
    server.stop()


def providers(server: ContractServer, project: Project, folder: Path) -> dict[str, Any]:
    return {"fal": provider_for(server), "local": LocalAnimaticProvider(project=project, project_dir=folder)}
