"""Small helpers shared by the generation tests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from shotplanner.core.models import JobState
from shotplanner.generation.base import GenerationRequest, external_id_for
from shotplanner.generation.jobs import JobEvent, QueueSettings
from shotplanner.generation.queue import JobQueue
from shotplanner.generation.registry import create_provider
from tests.generation.servers import ContractServer

MODELS = {
    "fal": "fal-ai/kling-video/v3/pro/text-to-video",
    "replicate": "kwaivgi/kling-v3-video",
    "kling": "kling-v3",
}


def write_png(path: Path, width: int = 640, height: int = 360) -> Path:
    """A real PNG (written by Pillow) inside a project: a gradient a provider would accept."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image.save(path, "PNG")
    return path


def request(kind: str, take_id: str = "take1", duration: float = 3.0, **extra: Any) -> GenerationRequest:
    return GenerationRequest(take_id=take_id, shot_id=f"shot-{take_id}", model_id="test-model", provider=kind,
                             provider_model=MODELS[kind], prompt="A lighthouse at dusk, slow push-in.",
                             duration_s=duration, external_id=external_id_for(take_id), **extra)


def provider_for(server: ContractServer, **kwargs: Any) -> Any:
    kwargs.setdefault("timeout", httpx.Timeout(5.0))
    kwargs.setdefault("allow_loopback_http", True)
    return create_provider(server.kind, base_url=server.api_base, **kwargs)


async def run_jobs(project_dir: Path, server: ContractServer, settings: QueueSettings,
                   requests: list[GenerationRequest],
                   **provider_kwargs: Any) -> tuple[JobQueue, list[JobEvent]]:
    queue = JobQueue(project_dir, {server.kind: provider_for(server, **provider_kwargs)}, settings)
    events: list[JobEvent] = []
    queue.subscribe(events.append)
    for req in requests:
        queue.enqueue(req, cost_estimate_usd=0.5)
    await asyncio.wait_for(queue.join(), 30)
    await queue.aclose()
    return queue, events


def states(events: list[JobEvent]) -> list[JobState]:
    seen: list[JobState] = []
    for event in events:
        if not seen or seen[-1] is not event.state:
            seen.append(event.state)
    return seen
