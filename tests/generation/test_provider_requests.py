"""Provider request details: the OpenAI reference at its output size; fal refusals keep the field name."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from shotplanner.generation.base import BadRequest
from shotplanner.generation.providers.openai_videos import fit_to_size


def test_the_reference_is_scaled_to_cover_the_size_and_centre_cropped(tmp_path: Path) -> None:
    source = QImage(640, 480, QImage.Format.Format_RGB32)
    source.fill(QColor("#aa3300"))
    path = tmp_path / "start.jpg"
    assert source.save(str(path))
    for size, (w, h) in (("1280x720", (1280, 720)), ("720x1280", (720, 1280)), ("1792x1024", (1792, 1024))):
        out = QImage.fromData(fit_to_size(path, size), "PNG")
        assert (out.width(), out.height()) == (w, h)
        assert out.pixelColor(w // 2, h // 2).red() > 150  # the picture, not a blank canvas


def test_an_unreadable_reference_is_refused_before_sending(tmp_path: Path) -> None:
    bad = tmp_path / "start.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(BadRequest, match="cannot read the start image"):
        fit_to_size(bad, "1280x720")


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
