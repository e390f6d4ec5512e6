"""Screenplay import time: a 10 MB Fountain script (the Big Fish sample repeated) into an empty project.

Run from the repo root with no argument: ``.venv/bin/python bench/fountain.py``. The budget (5 s for
10 MB) is issue 15's; 1 MB and 10 MB are both printed so the growth can be read as linear or not.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import report
from shotplanner.core.models import Project
from shotplanner.interchange.fountain import import_fountain

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "interchange" / "samples" / "Big Fish.fountain"
BUDGET_10MB_S = 5.0


def script_of(size: int) -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    title, _, body = text.partition("\n\n")
    parts = [title, "\n\n"]
    total = len(title)
    while total < size:
        parts.append(body)
        parts.append("\n\n")
        total += len(body.encode("utf-8")) + 2
    return "".join(parts)


def timed(size: int, folder: Path) -> tuple[float, int]:
    path = folder / f"script_{size}.fountain"
    path.write_text(script_of(size), encoding="utf-8")
    best = float("inf")
    shots = 0
    for _ in range(2):
        project = Project()
        start = time.perf_counter()
        report = import_fountain(path, project)
        best = min(best, time.perf_counter() - start)
        shots = report.shots_added
    return best, shots


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        one, shots_1 = timed(1_000_000, Path(tmp))
        ten, shots_10 = timed(10_000_000, Path(tmp))
    figures = [
        ("fountain_import_1mb", one, "s", BUDGET_10MB_S / 10),
        ("fountain_import_10mb", ten, "s", BUDGET_10MB_S),
        ("fountain_10mb_over_1mb", ten / one, "x", 15.0),  # linear is ~10x; GC adds a little
    ]
    print(f"(1 MB: {shots_1} shots; 10 MB: {shots_10} shots)")
    report(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
