"""Shot settings against a model, the model-free sanity checks, and cost estimates."""

from __future__ import annotations

import pytest

from shotplanner.core.catalog import Catalog, load_catalog
from shotplanner.core.cost import (
    estimate_batch,
    estimate_project,
    estimate_scene,
    estimate_shot,
    estimate_total,
)
from shotplanner.core.models import MAX_SHOT_SECONDS, ImageRef, Project, Scene, Shot, ShotSize
from shotplanner.core.validation import check_basic, check_shot, nearest_duration


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(
    ("model_id", "seconds", "expected"),
    [
        ("kling-v2.5-turbo", 7, 5.0),  # 5/10: 7 is nearer 5
        ("kling-v2.5-turbo", 7.5, 10.0),  # a tie goes to the longer clip (trim, don't run short)
        ("kling-v3", 2, 3.0),  # 3–15 range
        ("kling-v3", 9.4, 9.0),
        ("veo-3.1", 12, 8.0),
        ("ltx-2-fast", 13, 14.0),  # 6–20 in steps of 2, tie → longer
        ("local-animatic", 2.37, 2.37),  # any length
        ("local-animatic", 900, 600.0),
    ],
)
def test_nearest_duration(model_id: str, seconds: float, expected: float, catalog: Catalog) -> None:
    assert nearest_duration(catalog.get(model_id), seconds) == pytest.approx(expected)


def _fields(problems: list) -> dict[str, object]:  # type: ignore[type-arg]
    return {p.field: p for p in problems}


def test_duration_proposes_the_nearest_allowed(catalog: Catalog) -> None:
    problems = _fields(check_shot(Shot(duration_s=7), catalog.get("kling-v2.5-turbo")))
    assert problems["duration_s"].suggestion == 5.0  # type: ignore[attr-defined]
    assert "5, 10 s" in problems["duration_s"].message  # type: ignore[attr-defined]
    assert check_shot(Shot(duration_s=10), catalog.get("kling-v2.5-turbo")) == []


def test_duration_limited_by_resolution(catalog: Catalog) -> None:
    hailuo = catalog.get("hailuo-2.3")
    problem = _fields(check_shot(Shot(duration_s=10, resolution="1080p"), hailuo))["duration_s"]
    assert "at 1080p" in problem.message and problem.suggestion == 6.0  # type: ignore[attr-defined]
    assert check_shot(Shot(duration_s=10, resolution="768p"), hailuo) == []


def test_aspect_and_resolution_are_explained_with_what_is_allowed(catalog: Catalog) -> None:
    veo = catalog.get("veo-3.1")
    problems = _fields(check_shot(Shot(duration_s=8, aspect="21:9", resolution="1440p"), veo))
    assert "16:9, 9:16" in problems["aspect"].message  # type: ignore[attr-defined]
    assert problems["aspect"].suggestion == "16:9"  # type: ignore[attr-defined]
    assert problems["resolution"].suggestion == "1080p"  # type: ignore[attr-defined]
    # 4K asked of a model that stops lower: the best it has is proposed.
    ray = _fields(check_shot(Shot(duration_s=5, resolution="4k"), catalog.get("luma-ray-2")))["resolution"]
    assert "at most 1080p" in ray.message and ray.suggestion == "1080p"  # type: ignore[attr-defined]


def test_image_required_audio_silent_end_frame_and_retired(catalog: Catalog) -> None:
    motion = check_shot(Shot(duration_s=5), catalog.get("kling-v2.6-motion-control"))
    assert any(p.field == "reference_images" and "only works from an image" in p.message for p in motion)
    silent = _fields(check_shot(Shot(duration_s=6, audio=True), catalog.get("hailuo-2.3")))
    assert "silent" in silent["audio"].message and silent["audio"].suggestion is False  # type: ignore[attr-defined]
    end = check_shot(
        Shot(duration_s=6, reference_images=[ImageRef(path="e.png", role="end")]), catalog.get("hailuo-2.3")
    )
    assert any("no end frame" in p.message for p in end)
    retired = _fields(check_shot(Shot(duration_s=8), catalog.get("sora-2-pro")))
    assert "retired on 2026-09-24" in retired["model_id"].message  # type: ignore[attr-defined]
    assert retired["model_id"].suggestion == "kling-v3"  # type: ignore[attr-defined]
    image_aspect = Shot(duration_s=6, aspect="9:16", reference_images=[ImageRef(path="s.png", role="start")])
    assert check_shot(image_aspect, catalog.get("hailuo-2.3")) == []


def test_check_basic() -> None:
    assert check_basic(Shot()) == []
    zero = _fields(check_basic(Shot(duration_s=0)))
    assert "no duration" in zero["duration_s"].message  # type: ignore[attr-defined]
    absurd = _fields(check_basic(Shot(duration_s=MAX_SHOT_SECONDS + 1)))
    assert absurd["duration_s"].suggestion == MAX_SHOT_SECONDS  # type: ignore[attr-defined]
    odd_fps = _fields(check_basic(Shot(fps=23)))
    assert odd_fps["fps"].suggestion == 24  # type: ignore[attr-defined]
    broken = Shot.model_construct(**{**Shot().__dict__, "aspect": "5:1", "resolution": "8k"})
    assert set(_fields(check_basic(broken))) == {"aspect", "resolution"}


def test_cost_per_shot(catalog: Catalog) -> None:
    kling = catalog.get("kling-v3")
    silent = estimate_shot(Shot(duration_s=5), kling)
    assert silent.usd == pytest.approx(0.56) and silent.per_second == pytest.approx(0.112)
    assert silent.provider == "kling" and "2026-08-20" in silent.source
    sound = estimate_shot(Shot(duration_s=5, audio=True), kling)
    assert sound.usd == pytest.approx(0.84) and sound.note == "with sound"
    fal = estimate_shot(Shot(duration_s=5), kling, catalog.route("kling-v3", "replicate"))
    assert fal.usd == pytest.approx(1.12)
    # Billed on what is rendered: 7 s on a 5/10 model bills 5 s.
    turbo = estimate_shot(Shot(duration_s=7), catalog.get("kling-v2.5-turbo"))
    assert turbo.seconds == 5 and turbo.usd == pytest.approx(0.35)
    # Prices depend on the route's resolution, tier and audio; an unpublished one stays unknown.
    luma = catalog.get("luma-ray-2")
    assert estimate_shot(Shot(duration_s=5, resolution="720p"), luma).usd == pytest.approx(0.71)
    assert estimate_shot(Shot(duration_s=5, resolution="1080p"), luma).usd == pytest.approx(1.59)
    veo = catalog.get("veo-3.1")
    veo4k = estimate_shot(Shot(duration_s=8, resolution="4k"), veo, catalog.route("veo-3.1", "fal"))
    assert veo4k.usd is None and "4k" in veo4k.note
    std = estimate_shot(Shot(duration_s=5, resolution="720p"), kling)
    assert std.per_second == pytest.approx(0.084)  # Kling std (720p) is not priced as pro


def test_unknown_price_is_none_and_local_is_free(catalog: Catalog) -> None:
    unknown = estimate_shot(Shot(duration_s=6), catalog.get("seedance-2.0"))
    assert unknown.usd is None and not unknown.known and unknown.text() == "price unknown"
    assert "no published price" in unknown.note
    local = estimate_shot(Shot(duration_s=12.5), catalog.get("local-animatic"))
    assert local.usd == 0.0 and local.seconds == 12.5


def test_batch_scene_and_project_totals(catalog: Catalog) -> None:
    a = Shot(duration_s=5, model_id="kling-v3")
    b = Shot(duration_s=10, model_id="kling-v2.5-turbo")
    c = Shot(duration_s=6, model_id="seedance-2.0")
    d = Shot(duration_s=40)  # no model can make it
    batch = estimate_batch(
        [
            (a, catalog.get("kling-v3")),
            (b, catalog.get("kling-v2.5-turbo")),
            (c, catalog.get("seedance-2.0")),
            (d, None),
        ]
    )
    assert batch.known_usd == pytest.approx(0.56 + 0.70)
    assert batch.unknown == 2 and not batch.complete
    assert batch.text() == "$1.26 + 2 shots with no known price"
    assert estimate_total([(a, catalog.get("kling-v3"))]) == pytest.approx(0.56)

    one, two = Scene(shots=[a, b]), Scene(shots=[c, d, Shot(duration_s=5, size=ShotSize.CU)])
    project = Project(scenes=[one, two])
    scene_one = estimate_scene(one, project, catalog)
    assert scene_one.known_usd == pytest.approx(1.26) and scene_one.complete
    totals = estimate_project(project, catalog)
    assert set(totals) == {one.id, two.id, "total"}
    assert totals["total"].known_usd == pytest.approx(totals[one.id].known_usd + totals[two.id].known_usd)
    assert totals["total"].unknown == totals[two.id].unknown >= 2
    assert len(totals["total"].estimates) == 5
