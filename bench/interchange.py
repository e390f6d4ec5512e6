"""Export times for a 5,000-shot project in every interchange format, and conform times for the cuts.

Run from the repo root: ``.venv/bin/python bench/interchange.py``. Two thirds of the shots have a take
whose file is absent (the exporters still write the clip and report it), one third have no take (the
first timeline export renders a slate clip for each, at most 0.1 s apiece; later exports reuse them).
Serialising the same project to JSON is printed first as this machine's baseline. Each timeline is then
conformed back (read, matched and applied to a copy, as File ▸ Import ▸ Editor's cut does on its worker).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shotplanner.core.models import JobState, Project, PromptLayers, Scene, Shot, Take
from shotplanner.interchange.conform import conform_file
from shotplanner.interchange.export_cli import export

SHOTS = 5000
#: (format, layout, budget in seconds). Timelines and CSV: an editor waits at most 10 s. The PDF of
#: 5,000 shots is an ~830-page storyboard and embeds a poster per shot when the clips exist (here they
#: do not, so only placeholders are drawn); 15 s leaves room for that.
CASES: tuple[tuple[str, str, float], ...] = (
    ("otio", "", 10.0),
    ("fcp7", "", 10.0),
    ("fcpxml", "", 10.0),
    ("edl", "", 10.0),
    ("csv", "", 10.0),
    ("pdf", "sheet", 15.0),
    ("pdf", "table", 15.0),
)
#: Cuts conformed back (an EDL holds at most 999 events, so its conform reads the first 999 shots).
CONFORMS: tuple[tuple[str, float], ...] = (("otio", 10.0), ("fcp7", 10.0), ("fcpxml", 10.0), ("edl", 10.0))
SUFFIX = {"otio": ".otio", "fcp7": ".xml", "fcpxml": ".fcpxml", "edl": ".edl", "csv": ".csv", "pdf": ".pdf"}


def big_project(count: int) -> Project:
    scenes = []
    for start in range(0, count, 20):
        number = str(start // 20 + 1)
        scene = Scene(number=number, heading=f"INT. ROOM {number} - DAY")
        for i in range(min(20, count - start)):
            n = start + i
            take = Take(model_id="kling-2.1", provider="fal", state=JobState.DONE,
                        clip=f"media/takes/{n}.mp4")
            takes = [] if n % 3 == 2 else [take]
            scene.shots.append(
                Shot(
                    number=f"{number}{'ABCDEFGHJKLMNPQRSTUVWXYZ'[i - 1] if i else ''}",
                    duration_s=2 + n % 5,
                    layers=PromptLayers(subject=f"Subject {n} & co", action="walks to the window",
                                        camera="slow push-in", light="soft window light from the left"),
                    notes="Keep the hands out of frame" if n % 4 == 0 else "",
                    takes=takes,
                )
            )
        scenes.append(scene)
    return Project(title="Bench film", fps=24, scenes=scenes)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    project = big_project(SHOTS)
    within = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bench"
        folder.mkdir()
        baseline = timed(lambda: (folder / "project.json").write_text(project.model_dump_json()))
        print(f"figure: baseline_project_json_{SHOTS} = {baseline:.2f} s (budget <= 5 s)")
        total += 1
        within += baseline <= 5
        # The first timeline export renders a slate clip for each shot with no take (a third of them
        # here) into media/placeholders; the exports after it reuse them.
        slates = timed(lambda: export(project, folder, Path(tmp) / "out" / "first.otio", "otio"))
        count = len(list((folder / "media" / "placeholders").glob("*.mp4")))
        print(f"({count} slate clips rendered by the first export)")
        print(f"figure: first_export_with_{count}_slates = {slates:.2f} s (budget <= {0.1 * count:g} s)")
        total += 1
        within += slates <= 0.1 * count
        for fmt, layout, budget in CASES:
            out = Path(tmp) / "out" / f"cut{'_' + layout if layout else ''}{SUFFIX[fmt]}"
            seconds = timed(lambda fmt=fmt, out=out, layout=layout: export(project, folder, out, fmt,
                                                                          layout=layout or "sheet"))
            name = f"export_{fmt}{'_' + layout if layout else ''}_{SHOTS}"
            print(f"figure: {name} = {seconds:.2f} s (budget <= {budget:g} s)")
            total += 1
            within += seconds <= budget
        for fmt, budget in CONFORMS:
            cut = Path(tmp) / "out" / f"cut{SUFFIX[fmt]}"
            seconds = timed(lambda cut=cut: conform_file(project.model_copy(deep=True), cut, folder))
            print(f"figure: conform_{fmt}_{SHOTS} = {seconds:.2f} s (budget <= {budget:g} s)")
            total += 1
            within += seconds <= budget
    print(f"{within}/{total} within budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
