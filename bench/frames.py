"""Storyboard frame figures: one offline frame at 1080p, and planning a frame for every shot of 5,000.

Run from the repo root with no argument: ``.venv/bin/python bench/frames.py``. The plan figure is what
"Frame selected shots" costs the window before its confirmation shows (prompts, every character's look,
the scene's location, the schema pre-flight); the render figure is one local frame, drawn and written.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.core import build_project
from bench.report import best, report
from shotplanner.core.frame_models import frame_model
from shotplanner.core.models import JobState, Take
from shotplanner.generation.frame_plan import plan_frames
from shotplanner.media.frame import render_frame
from shotplanner.media.qt import ensure_gui_app

REPEAT = 5
DEMO_PNG = Path(__file__).resolve().parents[1] / "resources/demo/media/refs/mara.png"


def main() -> int:
    ensure_gui_app()
    project = build_project()
    shots = project.all_shots()
    # A circled frame on every tenth shot: the looks then carry frames as well as sheets.
    for i, shot in enumerate(shots[::10]):
        shot.takes.append(Take(id=f"f{i:05d}", kind="frame", model_id="nano-banana-2", provider="fal",
                               state=JobState.DONE, clip=f"media/frames/f{i:05d}.png", circled=True))
    figures: list[tuple[str, float, str, float]] = []
    with tempfile.TemporaryDirectory(prefix="shotplanner-bench-frames-") as tmp:
        folder = Path(tmp)
        (folder / "media/refs").mkdir(parents=True)
        (folder / "media/frames").mkdir(parents=True)
        for c in project.characters:
            for ref in c.reference_images:
                (folder / ref).write_bytes(DEMO_PNG.read_bytes())
        for shot in shots[::10]:
            take = shot.takes[-1]
            assert take.clip
            (folder / take.clip).write_bytes(DEMO_PNG.read_bytes())
        model = frame_model("nano-banana-2")
        plan = plan_frames(project, folder, shots, model, has_key=lambda _p: True)
        assert len(plan.jobs) == len(shots) and not plan.skipped, plan.problems[:3]
        plan_s = best(lambda: plan_frames(project, folder, shots, model, has_key=lambda _p: True), repeat=3)
        figures.append(("frame_plan_5000", plan_s, "s", 2.0))  # 0.4 ms a frame, pre-flight included

        demo = next(s for s in shots if s.character_ids)
        out = folder / "media/frames/bench.png"
        render_frame(demo, project, folder, out)  # fonts and image plugins load once, as in the app
        render_ms = best(lambda: render_frame(demo, project, folder, out), REPEAT) * 1000
        figures.append(("local_frame_1080p", render_ms, "ms", 1000.0))

    report(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
