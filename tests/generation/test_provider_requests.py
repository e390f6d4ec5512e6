"""Provider request details: fal refusals keep the field name."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_a_fal_refusal_keeps_the_field_name() -> None:
    import httpx

    from shotplanner.generation.providers.fal import validation_text

    body = {"detail": [
        {"loc": ["body", "duration"], "msg": "'6' is not of type 'integer'", "type": "type_error"},
        {"loc": ["body", "resolution"], "msg": "unexpected value", "type": "enum"},
    ]}
    response = httpx.Response(422, json=body)
    assert validation_text(response) == "duration: '6' is not of type 'integer'; resolution: unexpected value"


@pytest.fixture
def clip_bytes() -> bytes:
    """A 10 s clip: what the LTX shots below ask for (the queue checks the clip's length)."""
    from tests.generation.conftest import make_mp4

    return make_mp4(10.0, 12, 64, 36)


@pytest.mark.parametrize(("model_id", "provider", "settings", "expected"), [
    ("ltx-2-pro", "replicate", {"duration_s": 10, "resolution": "4k"},
     {"duration": 10, "resolution": "4k", "generate_audio": False}),
    ("ltx-2.3", "fal", {"duration_s": 10, "resolution": "4k", "fps": 24},
     {"duration": 10, "resolution": "2160p", "fps": 24, "generate_audio": False}),
])
def test_ltx_shots_go_out_as_their_endpoints_want(serve, fast_settings, tmp_path: Path, model_id: str,
                                                  provider: str, settings: dict[str, object],
                                                  expected: dict[str, object]) -> None:
    import asyncio

    from shotplanner.core.catalog import load_catalog
    from shotplanner.core.models import JobState, Project, Scene, Shot
    from shotplanner.generation.planner import Planner
    from tests.generation.helpers import run_jobs

    server = serve(provider)  # also puts the provider's test key in the environment
    shot = Shot(number="1", model_id=model_id, **settings)  # type: ignore[arg-type]
    project = Project(scenes=[Scene(shots=[shot])])
    job = Planner(load_catalog()).plan(project, tmp_path, [shot], provider=provider).jobs[0]
    assert job.sendable, job.reasons()
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [job.request]))
    ran = queue.jobs[job.request.take_id]
    assert ran.state is JobState.DONE, ran.message
    body = server.create_bodies[0]
    sent = body["input"] if provider == "replicate" else body
    assert {k: sent[k] for k in expected} == expected
    assert "aspect_ratio" not in sent or provider == "fal"  # LTX 2 Pro has no aspect field
