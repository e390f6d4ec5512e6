"""Contract tests: every request the planner would send, for a matrix of shots on every route, validates
against the vendor's own input schema shipped in resources/contracts (and each schema names its source).

The matrix, per live model and route: every image mode (none, start, start+end, end alone, a reference
image, a character's reference sheet), audio on and off, and every duration, resolution and aspect the
route offers. A combination the shot check refuses is never sent, so it is counted apart; everything the
planner would send is built with the real body builders and validated.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from shotplanner.core.catalog import Catalog, load_catalog
from shotplanner.core.catalog_schema import ModelSpec, Route
from shotplanner.core.contracts import all_contracts, check, load_contract
from shotplanner.core.models import LOCAL_PROVIDER, Character, ImageRef, Project, Scene, Shot
from shotplanner.core.routes import route_facts
from shotplanner.generation.planner import Planner
from shotplanner.generation.preflight import PLACEHOLDER
from shotplanner.generation.providers.bodies import build_body, contract_for

IMAGE_MODES = ("text", "start", "start_end", "end", "reference", "character")


@dataclass
class Tally:
    built: int = 0  # requests the planner would send, built and checked against the schema
    valid: int = 0
    refused: int = 0  # combinations the planner refuses before building anything to send
    failures: list[str] = field(default_factory=list)


def _shot(mode: str, seconds: float, resolution: str, aspect: str, audio: bool, fps: float, model: ModelSpec,
          sheet: Character) -> Shot:
    images = {"start": [ImageRef(path="media/s.png", role="start")],
              "start_end": [ImageRef(path="media/s.png", role="start"),
                            ImageRef(path="media/e.png", role="end")],
              "end": [ImageRef(path="media/e.png", role="end")],
              "reference": [ImageRef(path="media/r.png", role="reference")]}.get(mode, [])
    return Shot(number="1", duration_s=seconds, resolution=resolution, aspect=aspect,  # type: ignore[arg-type]
                audio=audio, fps=fps, model_id=model.id, reference_images=images,
                character_ids=[sheet.id] if mode == "character" else [])


def route_matrix(catalog: Catalog, model: ModelSpec, route: Route) -> Tally:
    facts = route_facts(model, route)
    tally = Tally()
    sheet = Character(name="Mara", reference_images=["media/mara.png"])
    planner = Planner(catalog, has_key=lambda name: True)
    audios = {"none": [False], "always": [True]}.get(facts.audio, [False, True])
    durations = facts.durations or ((facts.continuous or (5.0, 5.0))[0],)
    resolutions = facts.resolutions or ("1080p",)
    aspects = facts.aspect_ratios or ("16:9",)
    rates = facts.frame_rates or (24.0,)
    for mode, audio, resolution, seconds, aspect, fps in itertools.product(
            IMAGE_MODES, audios, resolutions, durations, aspects, rates):
        shot = _shot(mode, seconds, resolution, aspect, audio, fps, model, sheet)
        project = Project(title="m", characters=[sheet], scenes=[Scene(shots=[shot])])
        job = planner.plan(project, Path("/film"), [shot], provider=route.provider, model_id=model.id).jobs[0]
        blocking = [p for p in job.problems if "would refuse it" not in p.message]
        if blocking:
            tally.refused += 1
            continue
        tally.built += 1
        label = (f"{model.id} via {route.provider} [{mode}, audio={audio}, {resolution}, {seconds:g} s, "
                 f"{aspect}, {fps:g} fps]")
        try:
            body = build_body(job.request, lambda p: PLACEHOLDER)
        except ValueError as exc:
            tally.failures.append(f"{label}: {exc}")
            continue
        found = contract_for(job.request).check(body)
        if found:
            tally.failures.append(f"{label}: " + "; ".join(v.message for v in found))
        else:
            tally.valid += 1
    return tally


def _live_routes() -> list[tuple[str, str]]:
    catalog = load_catalog()
    return [(m.id, r.provider) for m in catalog.live() for r in m.routes if r.provider != LOCAL_PROVIDER]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(("model_id", "provider"), _live_routes())
def test_every_request_of_the_route_validates_against_the_vendor_schema(
        catalog: Catalog, model_id: str, provider: str) -> None:
    model = catalog.get(model_id)
    tally = route_matrix(catalog, model, catalog.route(model_id, provider))
    assert not tally.failures, "\n".join(tally.failures[:10])
    if not model.needs_motion_video:
        assert tally.built > 0, f"{model_id} via {provider}: no shot of the matrix can be sent"


def test_every_live_model_has_a_route_whose_requests_validate(catalog: Catalog) -> None:
    unreachable = []
    for model in catalog.generative():
        if model.needs_motion_video:
            continue  # needs a performance video, which a shot does not carry (said by check_shot)
        if not any(route_matrix(catalog, model, r).valid for r in model.routes):
            unreachable.append(model.id)
    assert not unreachable


def test_each_schema_names_its_source_and_each_endpoint_has_one(catalog: Catalog) -> None:
    contracts = all_contracts()
    assert len(contracts) >= 60
    for contract in contracts:
        assert len(contract.source) > 40 and contract.retrieved, contract.path
        assert contract.schema.get("type") == "object" and contract.schema.get("properties"), contract.path
    for model in catalog.live():
        for route in model.routes:
            if route.provider in ("fal", "replicate"):
                for endpoint in route_facts(model, route).endpoints:
                    load_contract(route.provider, endpoint.id)  # raises when a schema is missing


def test_the_validator_names_the_field_the_value_and_what_is_accepted() -> None:
    schema = load_contract("fal", "fal-ai/ltx-2.3/text-to-video").schema
    found = check(schema, {"prompt": "p", "duration": "6", "resolution": "4k", "colour": "red"}, "ltx")
    by_field = {v.field: v for v in found}
    assert set(by_field) == {"duration", "resolution", "colour"}
    assert "'6' is not of type number" in by_field["duration"].message
    assert "'1080p', '1440p', '2160p'" in by_field["resolution"].message
    assert "no such field" in by_field["colour"].message
    assert check(schema, {"prompt": "p", "duration": 6, "resolution": "2160p", "fps": 24}) == []
