"""The model catalog: the built-in data, lookups, and the user file laid over it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from shotplanner.core.catalog import CatalogError, load_catalog
from shotplanner.core.catalog_schema import Lifecycle
from shotplanner.core.models import LOCAL_MODEL_ID, LOCAL_PROVIDER
from shotplanner.core.paths import config_dir, resources_dir, user_catalog_path

ARTICLE_MODELS = {
    "Sora 2 Pro": "sora-2-pro",
    "Sora 2": "sora-2",
    "Veo 3": "veo-3",
    "Kling v3 Video": "kling-v3",
    "Kling v2.6 Motion Control": "kling-v2.6-motion-control",
    "Video 01 Director": "video-01-director",
    "Seedance 2.0": "seedance-2.0",
    "LTX 2 Pro": "ltx-2-pro",
    "Hailuo 2.3": "hailuo-2.3",
    "Ray": "luma-ray-2",
}
SUCCESSORS = [
    "veo-3.1",
    "veo-3.1-fast",
    "kling-v2.5-turbo",
    "ltx-2-fast",
    "ltx-2.3",
    "hailuo-02",
    "luma-ray-2",
    "luma-ray-3.2",
    "minimax-h3",
    "seedance-1-pro",
    "seedance-1.5-pro",
]
KNOWN_TAGS = {
    "long_take",
    "establishing",
    "character_closeup",
    "image_to_video",
    "synced_audio",
    "4k_detail",
    "draft",
    "human_motion",
    "action",
    "motion_control",
    "camera_motion",
    "multi_shot",
    "atmosphere",
    "product",
    "previs",
}


def test_builtin_catalog_loads_cleanly_with_every_named_model() -> None:
    catalog = load_catalog()
    assert catalog.problems == []
    for name, model_id in ARTICLE_MODELS.items():
        assert catalog.find(name) is catalog.get(model_id), name
    for model_id in SUCCESSORS:
        assert catalog.get(model_id).is_live, model_id


def test_retirements_and_successors() -> None:
    catalog = load_catalog()
    for model_id in ("sora-2", "sora-2-pro"):
        model = catalog.get(model_id)
        assert model.lifecycle is Lifecycle.RETIRED
        assert model.retired_on == date(2026, 9, 24)
        successor = catalog.successor_of(model)
        assert successor is not None and successor.is_live
        assert successor.max_duration >= 15  # "the best live long-duration model"
        assert successor.name in model.lifecycle_note  # and the catalog says why
    veo3 = catalog.get("veo-3")
    assert veo3.retired_on == date(2026, 6, 30)
    assert catalog.successor_of(veo3) is catalog.get("veo-3.1")
    assert all(m.is_live for m in catalog.live())
    assert {m.id for m in catalog.models} - {m.id for m in catalog.live()} == {
        "sora-2",
        "sora-2-pro",
        "veo-3",
    }


def test_every_entry_has_routes_prices_with_sources_and_known_tags() -> None:
    catalog = load_catalog()
    for model in catalog.models:
        assert model.routes, model.id
        assert model.allowed_durations() or model.continuous_duration, model.id
        assert model.resolutions and model.aspect_ratios, model.id
        assert set(model.strengths) <= KNOWN_TAGS, model.id
        for route in model.routes:
            assert route.provider in {"fal", "replicate", "kling", "openai", "local"}
            assert route.price_source, (model.id, route.provider)
            if route.price_per_second is not None or route.price_per_second_by_resolution:
                assert route.price_date is not None, (model.id, route.provider)


def test_local_animatic_is_free_and_local() -> None:
    catalog = load_catalog()
    local = catalog.get(LOCAL_MODEL_ID)
    route = catalog.route(LOCAL_MODEL_ID)
    assert route.provider == LOCAL_PROVIDER and route.price_per_second == 0.0
    assert local not in catalog.generative() and local in catalog.live()


def test_lookups_and_routes() -> None:
    catalog = load_catalog()
    assert catalog.route("kling-v3").provider == "kling"
    assert catalog.route("kling-v3", "fal").model == "fal-ai/kling-video/v3/pro/text-to-video"
    with pytest.raises(CatalogError, match="not offered by 'openai'"):
        catalog.route("kling-v3", "openai")
    with pytest.raises(CatalogError, match="no model 'nope'"):
        catalog.get("nope")
    assert catalog.find("nope") is None
    assert catalog.find("kling 3.0") is catalog.get("kling-v3")  # aliases, any case


def test_paths_follow_xdg_and_resources_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert config_dir() == tmp_path / "cfg" / "shotplanner"
    assert user_catalog_path() == tmp_path / "cfg" / "shotplanner" / "catalog.json"
    assert (resources_dir() / "catalog.json").is_file()
    monkeypatch.setenv("SHOTPLANNER_RESOURCES", str(tmp_path / "res"))
    assert resources_dir() == tmp_path / "res"


USER_FILE = """{
  "schema": 1,
  "models": [
    {"id": "kling-v3", "quality_tier": 1},
    {
      "id": "broken-one",
      "name": "Broken",
      "durations": "five"
    },
    {
      "id": "my-model",
      "name": "My Model",
      "routes": [{"provider": "fal", "model": "me/my-model", "price_per_second": 0.01,
                  "price_source": "my invoice", "price_date": "2026-11-01"}],
      "durations": [5],
      "resolutions": ["720p"],
      "aspect_ratios": ["16:9"]
    },
    {"name": "No id at all", "routes": []}
  ]
}
"""


def test_user_file_overrides_adds_and_reports_bad_entries_by_line(tmp_path: Path) -> None:
    user = tmp_path / "catalog.json"
    user.write_text(USER_FILE, encoding="utf-8")
    catalog = load_catalog(user)
    # The override changes only what it says; the rest of the built-in entry stays.
    kling = catalog.get("kling-v3")
    assert kling.quality_tier == 1 and kling.name == "Kling v3 Video" and len(kling.routes) == 3
    assert catalog.get("my-model").routes[0].price_per_second == 0.01
    assert catalog.find("broken-one") is None
    assert len(catalog.models) == len(load_catalog(tmp_path / "absent.json").models) + 1
    by_id = {p.model_id: p for p in catalog.problems if p.source == str(user)}
    assert by_id["broken-one"].line == 5
    assert "durations" in by_id["broken-one"].message
    assert by_id["No id at all"].line == 19
    assert f"{user}:5: model 'broken-one':" in str(by_id["broken-one"])


def test_invalid_json_reports_the_line_and_keeps_the_builtin(tmp_path: Path) -> None:
    user = tmp_path / "catalog.json"
    user.write_text('{\n  "schema": 1,\n  "models": [\n    {"id": "x",}\n  ]\n}\n', encoding="utf-8")
    catalog = load_catalog(user)
    assert [p.line for p in catalog.problems] == [4]
    assert "not valid JSON" in catalog.problems[0].message
    assert catalog.get("kling-v3").quality_tier == 3


def test_wrong_shape_and_future_schema_are_reported(tmp_path: Path) -> None:
    shapes = {"list.json": "[1, 2]", "future.json": json.dumps({"schema": 9, "models": []})}
    for name, text in shapes.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        catalog = load_catalog(path)
        assert len(catalog.problems) == 1, name
        assert catalog.problems[0].source == str(path)
        assert catalog.get("veo-3.1")


def test_default_user_file_is_read_from_the_config_dir() -> None:
    path = user_catalog_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"schema": 1, "models": [{"id": "hailuo-2.3", "quality_tier": 3}]}), "utf-8")
    assert load_catalog().get("hailuo-2.3").quality_tier == 3


def test_successor_pointing_nowhere_is_a_problem(tmp_path: Path) -> None:
    user = tmp_path / "catalog.json"
    user.write_text(json.dumps({"schema": 1, "models": [{"id": "veo-3", "successor": "veo-99"}]}), "utf-8")
    catalog = load_catalog(user)
    assert any(p.model_id == "veo-3" and "veo-99" in p.message for p in catalog.problems)
    assert catalog.successor_of(catalog.get("veo-3")) is None
