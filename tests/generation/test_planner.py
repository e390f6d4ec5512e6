"""The shared planner: route choice, route limits, what images are really sent, keys, cost, resume rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotplanner.core.catalog import Catalog, load_catalog
from shotplanner.core.models import Character, ImageRef, JobState, Project, Scene, Shot, Take
from shotplanner.generation.planner import DONE, NEW, RESUMES, UNKNOWN, Planner, decide


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _project(*shots: Shot, characters: list[Character] | None = None) -> Project:
    return Project(title="Plan", characters=characters or [], scenes=[Scene(number="1", shots=list(shots))])


def _plan(catalog: Catalog, project: Project, *, keys: set[str] | None = None, provider: str | None = None,
          folder: Path = Path("/film")):
    has = (lambda name: True) if keys is None else (lambda name: name in keys)
    return Planner(catalog, has_key=has).plan(project, folder, project.all_shots(), provider=provider)


def test_a_kling_close_up_starts_from_the_characters_reference_sheet(catalog: Catalog) -> None:
    mara = Character(name="Mara", reference_images=["media/refs/mara.png"])
    shot = Shot(number="4", duration_s=5, resolution="1080p", model_id="kling-v3", character_ids=[mara.id])
    plan = _plan(catalog, _project(shot, characters=[mara]), provider="kling")
    job = plan.jobs[0]
    assert job.sendable, job.reasons()
    assert job.request.start_image == Path("/film/media/refs/mara.png")
    assert job.request.provider_model == "kling-v3" and job.request.tier == "pro"
    assert job.choice.mode == "start" and job.choice.describe_images() == "starts from Mara's reference image"


def test_a_shot_reference_image_is_never_counted_as_a_start_frame_where_it_cannot_be_sent(
        catalog: Catalog) -> None:
    # Veo 3.1 Fast on fal has no reference input: an explicit reference would be lost, so it is refused;
    # on fal's Veo 3.1 it goes to the reference-to-video endpoint, which only makes 8 s.
    ref = ImageRef(path="media/look.png", role="reference")
    fast = Shot(number="1", duration_s=8, resolution="1080p", model_id="veo-3.1-fast", reference_images=[ref])
    job = _plan(catalog, _project(fast), provider="fal").jobs[0]
    assert job.choice.start_from == "reference" and job.request.start_image == Path("/film/media/look.png")
    veo = Shot(number="2", duration_s=6, resolution="1080p", model_id="veo-3.1", reference_images=[ref],
               aspect="16:9")
    job = _plan(catalog, _project(veo), provider="fal").jobs[0]
    assert job.request.provider_model == "fal-ai/veo3.1/reference-to-video"
    assert job.request.reference_images == (Path("/film/media/look.png"),) and job.request.start_image is None
    assert not job.sendable and any("8 s" in p.message for p in job.problems)


@pytest.mark.parametrize(("model", "provider", "change", "words"), [
    ("luma-ray-2", "fal", {"aspect": "1:1", "duration_s": 5, "resolution": "720p"}, "not 1:1"),
    ("veo-3.1", "replicate", {"resolution": "4k", "duration_s": 8}, "at most 1080p"),
    ("luma-ray-2", "replicate", {"resolution": "1080p", "duration_s": 5}, "at most 720p"),
    ("kling-v2.6", "kling", {"resolution": "720p", "duration_s": 5, "audio": True}, "only in its pro mode"),
    ("veo-3.1-fast", "fal", {"resolution": "1080p", "duration_s": 6}, "8 s at 1080p"),
])
def test_limits_of_the_route_refuse_the_shot_before_anything_is_sent(
        catalog: Catalog, model: str, provider: str, change: dict[str, object], words: str) -> None:
    shot = Shot(number="1", model_id=model, **change)  # type: ignore[arg-type]
    job = _plan(catalog, _project(shot), provider=provider).jobs[0]
    assert not job.sendable
    assert any(words in p.message for p in job.problems), [p.message for p in job.problems]


def test_an_end_frame_alone_is_refused_where_the_route_needs_a_start_frame(catalog: Catalog) -> None:
    end = ImageRef(path="media/end.png", role="end")
    shot = Shot(number="1", duration_s=5, resolution="720p", model_id="seedance-2.0", reference_images=[end])
    job = _plan(catalog, _project(shot), provider="replicate").jobs[0]
    assert not job.sendable and "only together with a start frame" in job.problems[0].message
    ray = Shot(number="2", duration_s=5, resolution="720p", model_id="luma-ray-2", reference_images=[end])
    job = _plan(catalog, _project(ray), provider="fal").jobs[0]
    assert job.sendable and job.request.end_image == Path("/film/media/end.png")  # fal's Ray 2 takes it


def test_tiers_pick_their_own_endpoint_and_price(catalog: Catalog) -> None:
    hailuo = Shot(number="1", duration_s=6, resolution="1080p", model_id="hailuo-2.3")
    job = _plan(catalog, _project(hailuo), provider="fal").jobs[0]
    assert job.request.provider_model == "fal-ai/minimax/hailuo-2.3/pro/text-to-video"
    assert job.estimate.usd == pytest.approx(0.49)
    std = hailuo.model_copy(update={"resolution": "768p", "duration_s": 10})
    job = _plan(catalog, _project(std), provider="fal").jobs[0]
    assert job.request.provider_model == "fal-ai/minimax/hailuo-2.3/standard/text-to-video"
    assert job.estimate.usd is None  # the standard price is not published: unknown, never guessed
    kling = Shot(number="3", duration_s=5, resolution="720p", model_id="kling-v3")
    job = _plan(catalog, _project(kling), provider="fal").jobs[0]
    assert job.request.provider_model == "fal-ai/kling-video/v3/standard/text-to-video"


def test_a_missing_key_is_reported_and_never_sendable(catalog: Catalog) -> None:
    shot = Shot(number="1", duration_s=5, resolution="1080p", model_id="kling-v3")
    plan = _plan(catalog, _project(shot), keys=set())
    assert plan.missing_keys == frozenset({"kling"}) and not plan.sendable
    assert "no kling key" in plan.problems[0]
    # With a fal key only, the planner takes the first route it can send: fal.
    plan = _plan(catalog, _project(shot), keys={"fal"})
    assert plan.sendable[0].provider == "fal" and not plan.missing_keys


def test_retired_models_and_no_model_are_skipped_with_the_reason(catalog: Catalog) -> None:
    plan = _plan(catalog, _project(Shot(number="9", duration_s=4, model_id="sora-2")))
    assert not plan.jobs and "retired on 2026-09-24" in plan.skipped[0].reason
    assert "Kling v3 Video" in plan.skipped[0].reason  # the successor


def test_resume_and_duplicate_rules() -> None:
    shot = Shot(number="1", model_id="kling-v3", takes=[
        Take(id="a", model_id="kling-v3", provider="kling", state=JobState.DONE),
        Take(id="b", model_id="kling-v3", provider="kling", state=JobState.UNKNOWN),
    ])
    assert decide(shot, "kling-v3", {}, again=False) == (DONE, "a")
    assert decide(shot, "kling-v3", {}, again=True) == (NEW, None)
    running = {"c": {"state": "running"}}
    shot.takes.append(Take(id="c", model_id="kling-v3", provider="kling", state=JobState.RUNNING))
    assert decide(shot, "kling-v3", running, again=True) == (RESUMES, "c")
    only_unknown = Shot(takes=[Take(id="u", model_id="x", provider="fal", state=JobState.UNKNOWN)])
    assert decide(only_unknown, "kling-v3", {}, again=False) == (UNKNOWN, "u")


def test_a_sheet_the_route_cannot_use_is_a_note_not_a_refusal(catalog: Catalog) -> None:
    mara = Character(name="Mara", reference_images=["media/refs/mara.png"])
    start = ImageRef(path="media/start.png", role="start")
    shot = Shot(number="5", duration_s=8, resolution="1080p", model_id="veo-3.1-fast",
                reference_images=[start], character_ids=[mara.id])
    job = _plan(catalog, _project(shot, characters=[mara]), provider="fal").jobs[0]
    assert job.sendable and job.request.reference_images == ()
    assert [n.message for n in job.notes] == [
        "Veo 3.1 Fast on fal already starts from the shot's start frame and takes no further references; "
        "Mara's reference sheet is not sent."]
    assert job.choice.describe_images() == "starts from the shot's start frame"
