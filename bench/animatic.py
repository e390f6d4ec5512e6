"""Animatic rendering speed: a 10-second 1080p24 shot against the cost of just encoding its frames.

Run from the repo root: ``.venv/bin/python bench/animatic.py``. Prints one ``figure:`` line per figure
and ``N/M within budget`` last. The floor is a pure PyAV encode of the same number of plain frames with
the same encoder settings, measured in the same run, so the ratio is about drawing, not about the machine.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from shotplanner.core.models import Movement, PromptLayers, Shot, ShotSize
from shotplanner.media.animatic import render_animatic
from shotplanner.media.encode import ClipWriter
from shotplanner.media.posters import poster_for
from shotplanner.media.qt import ensure_gui_app

SECONDS, FPS, WIDTH, HEIGHT = 10.0, 24, 1920, 1080
RUNS = 2  # best of: the first run also pays one-off start-up costs (fonts, codec set-up)


def shot() -> Shot:
    # A push-in resamples every frame (the costliest path); handheld adds shake on top.
    layers = PromptLayers(subject="A courier", action="runs through the night market",
                          environment="city street", camera="slow push-in, handheld",
                          light="neon signs at night", mood="tense")
    return Shot(number="12A", layers=layers, movement=Movement.PUSH_IN, size=ShotSize.MS, lens_mm=35,
                duration_s=SECONDS, fps=FPS, resolution="1080p", aspect="16:9", model_id="kling-v3")


def plain_encode(path: Path, frames: int) -> float:
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    plain = np.stack([xx * 255 // WIDTH, yy * 255 // HEIGHT, np.full_like(xx, 90)], axis=2).astype(np.uint8)
    start = time.perf_counter()
    with ClipWriter(path, WIDTH, HEIGHT, FPS) as writer:
        for _ in range(frames):
            writer.write_array(plain, "rgb24")
        writer.finish()
    return time.perf_counter() - start


def main() -> int:
    ensure_gui_app()
    frames = round(SECONDS * FPS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        renders, floors = [], []
        for k in range(RUNS):
            start = time.perf_counter()
            render_animatic(shot(), None, folder, folder / f"render{k}.mp4")
            renders.append(time.perf_counter() - start)
            floors.append(plain_encode(folder / f"plain{k}.mp4", frames))
        render_s, floor_s = min(renders), min(floors)
        posters = []
        for k in range(7):
            start = time.perf_counter()
            poster_for(folder / "render0.mp4", cache_dir=folder / f"posters{k}")
            posters.append(time.perf_counter() - start)
        poster_ms = statistics.median(posters) * 1000
    print(f"# {SECONDS:g} s {HEIGHT}p{FPS} push-in+handheld rendered in {render_s:.2f} s "
          f"(real-time factor {SECONDS / render_s:.2f}x); plain encode of {frames} frames {floor_s:.2f} s; "
          f"{os.cpu_count()} cores")
    figures = [
        ("render_seconds_per_video_second", render_s / SECONDS, "s", 1.0),
        ("render_over_plain_encode_ratio", render_s / floor_s, "x", 2.0),
        ("poster_ms_per_clip", poster_ms, "ms", 50.0),
    ]
    ok = 0
    for name, value, unit, limit in figures:
        print(f"figure: {name} = {value:.3f} {unit} (budget <= {limit:g})")
        ok += value <= limit
    print(f"{ok}/{len(figures)} within budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
