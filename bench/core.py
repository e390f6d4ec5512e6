"""Core figures for a 5,000-shot project: load+validate and save against plain json, and recommend-all.

Run from the repo root with no argument: ``.venv/bin/python bench/core.py``. Each time is the best of
several runs; the json baselines are measured in the same run on the same bytes / the same dict.
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import best, report
from shotplanner.core.models import (
    Character,
    ImageRef,
    JobState,
    Movement,
    Project,
    PromptLayers,
    Quality,
    Scene,
    Shot,
    ShotSize,
    Take,
)
from shotplanner.core.storage import PROJECT_FILE, load_project, save_project

SHOTS = 5000
SCENES = 100
REPEAT = 9
STAMP = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

SUBJECTS = ["a woman in her thirties in a grey wool coat", "a fisherman in a yellow oilskin",
            "a small wooden boat", "an empty station concourse", "a brass suitcase clasp",
            "two figures on a quay"]
ACTIONS = ["walks slowly away from camera", "hauls a wet rope hand over hand", "climbs a long grey swell",
           "stands still as the wind pulls at her coat", "springs open with a small jolt",
           "turns toward the sea"]
PLACES = ["a vaulted station at 4 a.m., wet marble floor", "the open Atlantic at dusk, rain on the horizon",
          "a stone harbour wall at dawn", "a macro world of worn leather and brass"]
CAMERAS = ["slow tracking shot from behind at shoulder height", "static wide, horizon on the upper third",
           "handheld at chest height riding the roll", "slow push-in on an 85mm lens",
           "aerial tracking, 30 m up"]
LIGHTS = ["cold fluorescent pools from overhead", "last amber light low in the west",
          "soft overcast light from the east", "hard side light from the right"]
MOODS = ["quiet resolve", "small against something immense", "patient, hopeful", "intimate, tactile"]


def build_project() -> Project:
    rng = random.Random(5000)
    characters = [Character(id=f"c{i:02d}", name=f"Character {i}", description="recurring",
                            reference_images=[f"media/refs/c{i:02d}.png"]) for i in range(20)]
    scenes = []
    n = 0
    for s in range(SCENES):
        scene = Scene(id=f"sc{s:03d}", number=str(s + 1), heading=f"INT. PLACE {s + 1} - NIGHT")
        for k in range(SHOTS // SCENES):
            size = rng.choice(list(ShotSize))
            shot = Shot(
                id=f"sh{n:05d}", number=f"{s + 1}{'' if k == 0 else chr(64 + k % 26 or 1)}{k // 26 or ''}",
                layers=PromptLayers(subject=rng.choice(SUBJECTS), action=rng.choice(ACTIONS),
                                    environment=rng.choice(PLACES), camera=rng.choice(CAMERAS),
                                    light=rng.choice(LIGHTS), mood=rng.choice(MOODS)),
                size=size, movement=rng.choice(list(Movement)), lens_mm=rng.choice([18, 24, 35, 50, 85, 100]),
                duration_s=rng.choice([3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0]),
                resolution="4k" if size is ShotSize.INSERT and rng.random() < 0.3 else "1080p",
                audio=rng.random() < 0.1, quality=Quality.DRAFT if rng.random() < 0.1 else Quality.FINAL,
                character_ids=[f"c{rng.randrange(20):02d}"] if rng.random() < 0.6 else [],
                reference_images=[ImageRef(path=f"media/refs/c{rng.randrange(20):02d}.png")]
                if size.is_close and rng.random() < 0.5 else [],
            )
            if n % 5 == 0:
                shot.takes.append(Take(
                    id=f"t{n:05d}", created_at=STAMP + timedelta(minutes=n), model_id="kling-v3",
                    provider="fal", prompt=", ".join(shot.layers.model_dump().values()),
                    settings={"duration": 5, "aspect": "16:9"}, state=JobState.DONE, progress=1.0,
                    clip=f"media/takes/t{n:05d}.mp4", rating=3))
            scene.shots.append(shot)
            n += 1
        scenes.append(scene)
    return Project(title="Bench film", characters=characters, scenes=scenes, created_at=STAMP,
                   modified_at=STAMP)


def best_pair(baseline: Callable[[], object], ours: Callable[[], object]) -> tuple[float, float]:
    """Best-of-N of both, run alternately so a busy machine weighs on both the same way."""
    base_times, our_times = [], []
    for _ in range(REPEAT):
        base_times.append(best(baseline, 1))
        our_times.append(best(ours, 1))
    return min(base_times), min(our_times)


def baseline_write(folder: Path, doc: dict[str, object]) -> None:
    data = json.dumps(doc).encode("utf-8")
    with open(folder / "baseline.json", "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def main() -> int:
    project = build_project()
    assert len(project.all_shots()) == SHOTS
    figures: list[tuple[str, float, str, float]] = []
    with tempfile.TemporaryDirectory(prefix="shotplanner-bench-") as tmp:
        folder = Path(tmp)
        save_project(project, folder, now=STAMP)
        data = (folder / PROJECT_FILE).read_bytes()

        plain_load, our_load = best_pair(lambda: json.loads(data), lambda: load_project(folder))
        figures.append(("load_validate_5000", our_load * 1000, "ms", 3 * plain_load * 1000))
        figures.append(("load_vs_json_loads", our_load / plain_load, "x", 3.0))

        doc = json.loads(data)
        plain_save, our_save = best_pair(lambda: baseline_write(folder, doc),
                                         lambda: save_project(project, folder, now=STAMP))
        figures.append(("save_5000_with_fsync", our_save * 1000, "ms", 3 * plain_save * 1000))
        figures.append(("save_vs_json_dumps_write_fsync", our_save / plain_save, "x", 3.0))

    try:
        from shotplanner.core.catalog import load_catalog
        from shotplanner.core.recommend import recommend
    except ImportError as e:
        print(f"recommender not available: {e}", file=sys.stderr)
        figures.append(("recommend_all_5000", float("inf"), "s", 0.5))
    else:
        from shotplanner.core.recommend import clear_memos
        from shotplanner.core.recommend_prepared import character_usage

        shots = project.all_shots()
        usage = character_usage(project)

        def rank_all(catalog: object) -> list[object]:
            # What the storyboard and `generate` read: each shot's ranking and its first choice.
            return [recommend(shot, project, catalog, usage=usage).best  # type: ignore[arg-type]
                    for shot in shots]

        # Cold: a fresh catalog and empty memos, as on the first ranking after the app starts.
        cold_times = []
        for _ in range(3):
            fresh = load_catalog()
            clear_memos()
            t0 = time.perf_counter()
            rank_all(fresh)
            cold_times.append(time.perf_counter() - t0)
        figures.append(("recommend_all_5000_cold", min(cold_times), "s", 0.5))
        catalog = load_catalog()
        rank_all(catalog)
        rec_all = best(lambda: rank_all(catalog), repeat=3)
        figures.append(("recommend_all_5000", rec_all, "s", 0.5))

    report(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
