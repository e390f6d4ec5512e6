"""Pre-flight validation per request: build the body a provider would send and check it against the
endpoint's shipped vendor schema (``generation.preflight.problems``), for a mix of requests over every
live route (run from the repo root, no argument: ``.venv/bin/python bench/preflight.py``).

The requests come from the planner, one per (route, image mode, audio) with the route's first duration,
resolution and aspect, so every endpoint and every schema shape is in the mix. The figure is the mean time
per request, best of several rounds over the whole mix (schema files already loaded, as after the first
plan).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shotplanner.core.catalog import load_catalog
from shotplanner.core.models import LOCAL_PROVIDER, Character, ImageRef, Project, Scene, Shot
from shotplanner.core.routes import route_facts
from shotplanner.generation.base import GenerationRequest
from shotplanner.generation.planner import Planner
from shotplanner.generation.preflight import problems

ROUNDS = 7
BUDGET_MS = 1.0


def requests() -> list[GenerationRequest]:
    catalog = load_catalog()
    planner = Planner(catalog, has_key=lambda name: True, preflight=lambda request: [])
    sheet = Character(name="Mara", reference_images=["media/mara.png"])
    images = {"text": [], "start": [ImageRef(path="media/s.png", role="start")],
              "start_end": [ImageRef(path="media/s.png", role="start"),
                            ImageRef(path="media/e.png", role="end")],
              "reference": [ImageRef(path="media/r.png", role="reference")]}
    out = []
    for model in catalog.generative():
        for route in model.routes:
            if route.provider == LOCAL_PROVIDER:
                continue
            facts = route_facts(model, route)
            for refs in images.values():
                for audio in (False, True):
                    shot = Shot(number="1", model_id=model.id, reference_images=refs, audio=audio,
                                duration_s=(facts.durations or (5.0,))[0],
                                resolution=(facts.resolutions or ("1080p",))[0],  # type: ignore[arg-type]
                                aspect=(facts.aspect_ratios or ("16:9",))[0],  # type: ignore[arg-type]
                                character_ids=[sheet.id])
                    project = Project(characters=[sheet], scenes=[Scene(shots=[shot])])
                    job = planner.plan(project, Path("/film"), [shot], provider=route.provider).jobs[0]
                    if not job.problems:
                        out.append(job.request)
    return out


def main() -> int:
    mix = requests()
    for request in mix:  # load every schema once, as the first plan does
        problems(request)
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for request in mix:
            problems(request)
        best = min(best, (time.perf_counter() - start) / len(mix))
    per_request_ms = best * 1000
    print(f"{len(mix)} requests over every live route, best of {ROUNDS} rounds")
    print(f"figure: preflight_per_request = {per_request_ms:.3f} ms (budget <= {BUDGET_MS:.3g})")
    within = int(per_request_ms <= BUDGET_MS)
    print(f"{within}/1 within budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
