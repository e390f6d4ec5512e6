"""Storyboard window figures on a 5,000-shot project (offscreen), plus start-up against a bare window.

Run from the repo root: ``.venv/bin/python bench/window.py``. Prints one ``figure:`` line per figure and
``N/M within budget`` last. Start-up is measured in child processes (the parent stamps the monotonic
clock before spawning; the child prints it at its first paint), so import time counts for both.

The app shows its window frame ("Opening …") first and builds the storyboard into place right after, so
the start-up ratio compares the two windows' first paints, and a second figure reports, in the same
child runs, the time from spawn until the storyboard itself has painted on the demo.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BARE = """
import time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
class Paint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(time.monotonic(), flush=True)
            app.quit()
        return False
w = QLabel("bare window")
w.resize(1280, 800)
f = Paint()
w.installEventFilter(f)
w.show()
app.exec()
"""

APP = """
import sys, time
from pathlib import Path
def painted():
    print("first", time.monotonic(), flush=True)
def board_painted():
    print("board", time.monotonic(), flush=True)
    from PySide6.QtWidgets import QApplication
    QApplication.instance().quit()
from shotplanner.app import main_gui
sys.exit(main_gui(Path(sys.argv[1]), first_paint=painted, storyboard_paint=board_painted))
"""

results: list[bool] = []


def figure(name: str, value: float, unit: str, limit: float) -> None:
    ok = value <= limit
    results.append(ok)
    print(f"figure: {name} = {value:.3f} {unit} (budget <= {limit:g})")


def big_project(n_scenes: int = 250, per_scene: int = 20):
    from shotplanner.core.models import Project, Scene, Shot, ShotSize
    from shotplanner.core.numbering import standard_number

    sizes = list(ShotSize)
    scenes = []
    for s in range(1, n_scenes + 1):
        shots = [Shot(number=standard_number(str(s), i), size=sizes[(s + i) % len(sizes)],
                      duration_s=4 + (i % 6),
                      layers={"subject": f"subject of shot {s}/{i}", "action": "walks to the window",
                              "camera": "slow push-in" if i % 2 else "", "light": "soft window light"})
                 for i in range(per_scene)]
        scenes.append(Scene(number=str(s), heading=f"INT. ROOM {s} - NIGHT", shots=shots))
    return Project(title="Five thousand shots", scenes=scenes)


def child_paints(script: str, *args: str) -> dict[str, float]:
    """Seconds from spawning the child to each paint it reports (``[label] monotonic-time`` lines)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env,
                         timeout=120, cwd=REPO)
    if out.returncode != 0:
        raise SystemExit(f"child failed: {out.stderr[-2000:]}")
    paints: dict[str, float] = {}
    for line in out.stdout.strip().splitlines():
        parts = line.split()
        try:
            stamp = float(parts[-1])
        except (IndexError, ValueError):
            continue
        paints[parts[0] if len(parts) > 1 else "first"] = stamp - t0
    return paints


def main() -> int:
    from PySide6.QtCore import QItemSelection, QItemSelectionModel
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from shotplanner.core import storage
    from shotplanner.core.catalog import load_catalog
    from shotplanner.core.demo import copy_demo
    from shotplanner.ui.commands import MoveShotsCommand
    from shotplanner.ui.main_window import MainWindow
    from shotplanner.ui.style import apply_style

    apply_style(app, dark=False)
    tmp = Path(tempfile.mkdtemp(prefix="sp-bench-"))
    folder = tmp / "big"
    storage.save_project(big_project(), folder)
    catalog = load_catalog()

    # 1. open (load from disk + build window) to first paint of the storyboard.
    painted: list[float] = []
    t0 = time.perf_counter()
    project = storage.load_project(folder)
    window = MainWindow(project, folder, catalog=catalog, confirm_close=False)
    window.firstPaint.connect(lambda: painted.append(time.perf_counter()))
    window.resize(1440, 900)
    window.show()
    deadline = time.perf_counter() + 30
    while not painted and time.perf_counter() < deadline:
        app.processEvents()
    assert window.model.rowCount() == 5000
    figure("open_to_first_paint_5000", painted[0] - t0, "s", 1.0)

    # 2. full viewport repaint (synchronous), after the first paint warmed the per-shot caches.
    vp = window.view.viewport()
    window.view.scrollTo(window.model.index(2500, 0))
    vp.repaint()
    times = []
    for _ in range(80):
        t = time.perf_counter()
        vp.repaint()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    figure("viewport_paint_median", statistics.median(times), "ms", 8.0)
    figure("viewport_paint_p95", times[int(len(times) * 0.95) - 1], "ms", 8.0)

    # 3. move 100 selected shots (scattered over the board) by a drop, including the repaint.
    moves = []
    for k in range(7):
        ids = [window.model.shot_at(r).id for r in range(k, 5000, 50)][:100]
        sel = QItemSelection()
        for sid in ids:
            idx = window.model.index_of(sid)
            sel.select(idx, idx)
        window.view.selectionModel().select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        t = time.perf_counter()
        window.undo_stack.push(MoveShotsCommand(window.storyboard, ids, 2500))
        vp.repaint()
        moves.append((time.perf_counter() - t) * 1000)
        window.undo_stack.undo()
        app.processEvents()
    figure("move_100_selected_incl_repaint", statistics.median(moves), "ms", 20.0)
    window.close()

    # 4. start-up on the demo project vs a bare PySide6 window, both in child processes.
    bare, ours, boards = [], [], []
    for i in range(3):
        bare.append(child_paints(BARE)["first"])
        demo = copy_demo(tmp / f"demo{i}")
        paints = child_paints(APP, str(demo))
        ours.append(paints["first"])
        boards.append(paints["board"])
    b, o = statistics.median(bare), statistics.median(ours)
    print(f"# bare window first paint {b:.3f} s, Shotplanner window (frame) on the demo {o:.3f} s, "
          f"its storyboard {statistics.median(boards):.3f} s (medians of 3)")
    figure("startup_ratio_vs_bare_window", o / b, "x", 1.5)
    figure("startup_to_storyboard_paint", statistics.median(boards), "s", 1.0)
    print(f"{sum(results)}/{len(results)} within budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
