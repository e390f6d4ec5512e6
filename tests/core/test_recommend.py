"""The recommender: a table case per film-craft rule, retired routing, exclusions, the impossible shot."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shotplanner.core.catalog import Catalog, load_catalog
from shotplanner.core.models import (
    ASPECT_RATIOS,
    RESOLUTIONS,
    Angle,
    Character,
    ImageRef,
    Project,
    PromptLayers,
    Quality,
    Scene,
    Shot,
    ShotSize,
)
from shotplanner.core.recommend import recommend, recommend_all, resolve_model


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _mara_project(close_size: ShotSize = ShotSize.CU) -> tuple[Project, Shot]:
    mara = Character(name="Mara", description="a woman in her 30s", reference_images=["media/refs/mara.png"])
    close = Shot(
        size=close_size, character_ids=[mara.id], layers=PromptLayers(subject="Mara", action="listens")
    )
    wide = Shot(size=ShotSize.WS, character_ids=[mara.id])
    project = Project(characters=[mara], scenes=[Scene(shots=[wide, close])])
    return project, close


@dataclass
class Case:
    rule: str
    make: Callable[[], tuple[Shot, Project | None]]
    best: set[str]  # acceptable first choices
    reason: str  # appears in the best candidate's reasons


CASES = {
    "establishing wide shot → longest coherent take": Case(
        "long_take",
        lambda: (
            Shot(size=ShotSize.EWS, duration_s=12, layers=PromptLayers(camera="slow aerial drift")),
            None,
        ),
        {"kling-v3"},
        "coherent take up to 15 s",
    ),
    "long continuous take by length alone": Case(
        "long_take",
        lambda: (Shot(size=ShotSize.MS, duration_s=14), None),
        {"kling-v3", "seedance-2.0"},
        "coherent take",
    ),
    "aerial angle counts as establishing": Case(
        "long_take",
        lambda: (Shot(size=ShotSize.MS, angle=Angle.AERIAL, duration_s=8), None),
        {"kling-v3"},
        "coherent take",
    ),
    "character close-up with reference → Kling image-to-video": Case(
        "character_closeup",
        lambda: (
            Shot(
                size=ShotSize.CU,
                layers=PromptLayers(subject="an old fisherman"),
                reference_images=[ImageRef(path="media/refs/fisher.png", role="start")],
            ),
            None,
        ),
        {"kling-v3"},
        "the article's pick for character close-ups",
    ),
    "synced audio → Veo 3.1 / Seedance 2.0": Case(
        "synced_audio",
        lambda: (Shot(audio=True, duration_s=8), None),
        {"veo-3.1", "seedance-2.0"},
        "sound in sync",
    ),
    "4K product insert → LTX 2 Pro": Case(
        "4k_detail",
        lambda: (Shot(size=ShotSize.INSERT, resolution="4k", duration_s=6), None),
        {"ltx-2-pro"},
        "the article's pick for 4K product",
    ),
    "draft quality → Ray": Case(
        "draft",
        lambda: (Shot(quality=Quality.DRAFT, duration_s=5), None),
        {"luma-ray-2"},
        "the article's pick for quick drafts",
    ),
    "walking in the action layer → Hailuo": Case(
        "human_motion",
        lambda: (
            Shot(duration_s=6, layers=PromptLayers(action="she walks slowly across the platform")),
            None,
        ),
        {"hailuo-2.3"},
        "natural human movement",
    ),
    "dancing counts as human motion": Case(
        "human_motion",
        lambda: (
            Shot(duration_s=10, resolution="768p", layers=PromptLayers(action="two kids dancing")),
            None,
        ),
        {"hailuo-2.3"},
        "natural human movement",
    ),
    "recurring character close-up → image-to-video from the character's reference": Case(
        "recurring_character",
        lambda: tuple(reversed(_mara_project())),  # type: ignore[arg-type,return-value]
        {"kling-v3"},
        "Mara appears in several shots",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_rule_table(case: Case, catalog: Catalog) -> None:
    shot, project = case.make()
    rec = recommend(shot, project, catalog)
    assert case.rule in rec.rules
    assert rec.best is not None, rec.message
    assert rec.best.model.id in case.best, [(c.model.id, c.score) for c in rec.candidates[:4]]
    assert any(case.reason in r for r in rec.best.reasons), rec.best.reasons
    assert rec.message == ""
    scores = [c.score for c in rec.candidates]
    assert scores == sorted(scores, reverse=True)


def test_plain_shot_triggers_no_rule_and_still_ranks(catalog: Catalog) -> None:
    rec = recommend(Shot(duration_s=5), None, catalog)
    assert rec.rules == []
    assert len(rec.candidates) >= 5 and rec.best is not None
    assert all(c.reasons for c in rec.candidates)


def test_retired_pick_is_named_and_routed_to_a_live_model(catalog: Catalog) -> None:
    rec = recommend(Shot(size=ShotSize.WS, duration_s=12), None, catalog)
    assert rec.best is not None
    note = next(n for n in rec.notes if n.startswith("Sora 2 Pro"))
    assert "the article's pick" in note and "retired on 2026-09-24" in note
    assert f"routed to {rec.best.model.name} instead" in note
    audio = recommend(Shot(audio=True, duration_s=8), None, catalog)
    assert any("Veo 3, the article's pick" in n and "2026-06-30" in n and "Veo 3.1" in n for n in audio.notes)


def test_retired_models_are_never_candidates(catalog: Catalog) -> None:
    rec = recommend(Shot(size=ShotSize.WS, duration_s=8), None, catalog)
    ids = {c.model.id for c in rec.candidates}
    assert not ids & {"sora-2", "sora-2-pro", "veo-3", "local-animatic"}
    reasons = {m.id: r for m, r in rec.excluded}
    assert reasons["sora-2-pro"].startswith("retired on 2026-09-24")
    assert "successor: Kling v3 Video" in reasons["sora-2-pro"]


def test_successor_excluded_routes_to_best_live_alternative(catalog: Catalog) -> None:
    # 18 s is beyond Kling v3 (15 s): the long-take rule must route elsewhere, not to an excluded model.
    rec = recommend(Shot(size=ShotSize.EWS, duration_s=18), None, catalog)
    assert rec.best is not None and rec.best.model.id == "ltx-2-fast"
    assert any(f"routed to {rec.best.model.name}" in n for n in rec.notes)
    assert "kling-v3" in {m.id for m, _ in rec.excluded}


def test_nobody_can_make_the_shot(catalog: Catalog) -> None:
    rec = recommend(Shot(duration_s=40), None, catalog)
    assert rec.candidates == [] and rec.best is None
    assert "No live model" in rec.message and "split it" in rec.message and "LTX-2 Fast" in rec.message
    assert len(rec.excluded) == len(catalog.models) - 1  # everything but the local animatic


def test_nobody_can_because_of_sound_and_aspect(tmp_path: Path) -> None:
    # A catalog reduced to silent landscape models: a vertical shot with sound fits none of them.
    user = tmp_path / "catalog.json"
    retire = [
        {"id": m.id, "lifecycle": "retired"}
        for m in load_catalog().generative()
        if m.id not in {"hailuo-2.3", "kling-v2.5-turbo"}
    ]
    user.write_text(json.dumps({"schema": 1, "models": retire}), "utf-8")
    small = load_catalog(user)
    rec = recommend(Shot(audio=True, aspect="21:9"), None, small)
    assert rec.candidates == []
    assert "choose another aspect ratio" in rec.message and "turn sound off" in rec.message


@pytest.mark.parametrize(
    ("shot", "model_id", "reason"),
    [
        (Shot(audio=True, duration_s=6), "hailuo-2.3", "silent"),
        (Shot(aspect="9:16", duration_s=6), "hailuo-2.3", "renders only 16:9"),
        (Shot(duration_s=12), "veo-3.1", "at most 8 s"),
        (Shot(duration_s=5), "kling-v2.6-motion-control", "only from a start image"),
        (
            Shot(duration_s=5, reference_images=[ImageRef(path="a.png", role="start")]),
            "kling-v2.6-motion-control",
            "reference video",
        ),
    ],
)
def test_models_that_cannot_do_the_shot_are_excluded_with_the_reason(
    shot: Shot, model_id: str, reason: str, catalog: Catalog
) -> None:
    rec = recommend(shot, None, catalog)
    excluded = {m.id: r for m, r in rec.excluded}
    assert reason in excluded[model_id]
    assert model_id not in {c.model.id for c in rec.candidates}


def test_start_image_lifts_the_aspect_limit_of_image_led_models(catalog: Catalog) -> None:
    shot = Shot(aspect="9:16", duration_s=6, reference_images=[ImageRef(path="a.png", role="start")])
    rec = recommend(shot, None, catalog)
    hailuo = next(c for c in rec.candidates if c.model.id == "hailuo-2.3")
    assert any("from the start image" in w for w in hailuo.warnings)


def test_hailuo_pick_that_cannot_do_the_shot_is_explained(catalog: Catalog) -> None:
    shot = Shot(aspect="9:16", duration_s=6, layers=PromptLayers(action="a man runs for the bus"))
    rec = recommend(shot, None, catalog)
    assert any(n.startswith("Hailuo 2.3, the article's pick") and "16:9" in n for n in rec.notes)


def test_recurring_character_penalises_text_only_models(catalog: Catalog) -> None:
    project, close = _mara_project(ShotSize.MCU)
    rec = recommend(close, project, catalog)
    ltx = next(
        (c for c in rec.candidates if not (c.model.image_input.start_frame or c.model.image_input.reference)),
        None,
    )
    if ltx is not None:
        assert any("Mara's reference image" in w for w in ltx.warnings)
    # Only one shot with Mara: the rule does not fire.
    alone = Project(characters=project.characters, scenes=[Scene(shots=[close])])
    assert "recurring_character" not in recommend(close, alone, catalog).rules


def test_recommend_all_matches_single_calls_and_resolve_model(catalog: Catalog) -> None:
    project, close = _mara_project()
    everything = recommend_all(project, catalog)
    single = recommend(close, project, catalog)
    assert [c.model.id for c in everything[close.id].candidates] == [c.model.id for c in single.candidates]
    assert resolve_model(close, project, catalog) is single.candidates[0].model
    close.model_id = "luma-ray-2"
    assert resolve_model(close, project, catalog) is catalog.get("luma-ray-2")
    close.model_id = "gone-model"
    assert resolve_model(close, project, catalog) is single.candidates[0].model
    assert resolve_model(Shot(duration_s=40), None, catalog) is None


@settings(max_examples=150, deadline=None)
@given(
    duration=st.floats(min_value=0.5, max_value=30, allow_nan=False),
    aspect=st.sampled_from(ASPECT_RATIOS),
    resolution=st.sampled_from(RESOLUTIONS),
    size=st.sampled_from(list(ShotSize)),
    audio=st.booleans(),
    image=st.booleans(),
    draft=st.booleans(),
)
def test_no_candidate_ever_fails_a_hard_limit(
    duration: float, aspect: str, resolution: str, size: ShotSize, audio: bool, image: bool, draft: bool
) -> None:
    catalog = load_catalog()
    shot = Shot(
        duration_s=duration,
        aspect=aspect,
        resolution=resolution,
        size=size,
        audio=audio,
        quality=Quality.DRAFT if draft else Quality.FINAL,
        reference_images=[ImageRef(path="a.png", role="start")] if image else [],
    )
    rec = recommend(shot, None, catalog)
    assert bool(rec.candidates) != bool(rec.message)
    for cand in rec.candidates:
        model = cand.model
        assert model.is_live and model.id != "local-animatic"
        assert duration <= model.max_duration + 1e-6
        assert aspect in model.aspect_ratios or (model.image_sets_aspect and image)
        assert not (audio and model.audio == "none")
        assert not (model.image_required and not image)
    assert len(rec.candidates) + len(rec.excluded) == len(catalog.models) - 1


def test_shared_plans_never_leak_between_shots(catalog: Catalog) -> None:
    first = recommend(Shot(duration_s=6, dialogue="Where were you?"), None, catalog)
    assert any("dialogue" in n for n in first.notes)
    first.notes.clear()
    first.candidates.clear()
    first.excluded.clear()
    again = recommend(Shot(duration_s=6), None, catalog)  # same settings, no dialogue
    assert again.candidates and again.excluded
    assert not any("dialogue" in n for n in again.notes)
    with pytest.raises(AttributeError):
        again.candidates[0].score = 0.0  # type: ignore[misc]
    # Two recurring characters with otherwise identical shots are each named in their own reasons.
    a = Character(name="Ada", reference_images=["a.png"])
    b = Character(name="Bo", reference_images=["b.png"])
    shots = [Shot(size=ShotSize.CU, character_ids=[c.id]) for c in (a, b, a, b)]
    project = Project(characters=[a, b], scenes=[Scene(shots=shots)])
    names = [recommend(s, project, catalog).best.reasons for s in shots[:2]]  # type: ignore[union-attr]
    assert any("Ada appears" in r for r in names[0]) and any("Bo appears" in r for r in names[1])
