"""What the app-wide wheel guard costs: every Qt event passes its Python filter.

Run from the repo root with no argument: ``.venv/bin/python bench/wheel_guard.py``. It repaints the real
window on a 300-shot project (every card, the form, the docks: thousands of events per frame through
``QApplication.notify``) with and without the guard installed, and sends 50,000 plain events through
``QApplication.sendEvent`` with and without it (the cost per event), best of several runs, offscreen.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false;qt.qpa.*=false")

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication

from bench.report import report

REPEAT = 7
FRAMES = 20


class Counter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        self.count += 1
        return False


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from shotplanner.core import storage
    from shotplanner.core.catalog import load_catalog
    from shotplanner.core.models import Project, PromptLayers, Scene, Shot
    from shotplanner.ui.main_window import MainWindow
    from shotplanner.ui.style import apply_style
    from shotplanner.ui.wheel_guard import WheelGuard

    apply_style(app, False)  # type: ignore[arg-type]
    scenes = [Scene(number=str(s), heading=f"INT. ROOM {s} - DAY",
                    shots=[Shot(number=f"{s}{chr(65 + i)}" if i else str(s),
                                layers=PromptLayers(subject=f"subject {s}.{i}", action="walks away"))
                           for i in range(10)]) for s in range(1, 31)]
    folder = Path(tempfile.mkdtemp()) / "film"
    storage.save_project(Project(title="Bench", scenes=scenes), folder)
    window = MainWindow(storage.load_project(folder), folder, catalog=load_catalog(), confirm_close=False)
    window.resize(1400, 900)
    window.show()
    for _ in range(10):
        app.processEvents()

    def frames() -> float:
        start = time.perf_counter()
        for _ in range(FRAMES):
            window.repaint()
            window.form.repaint()
            app.processEvents()
        return (time.perf_counter() - start) / FRAMES * 1000

    counter = Counter()
    app.installEventFilter(counter)
    frames()
    app.removeEventFilter(counter)
    events_per_frame = counter.count / FRAMES

    target = QObject()

    def sends(n: int = 50_000) -> float:
        event = QEvent(QEvent.Type.User)
        start = time.perf_counter()
        for _ in range(n):
            QCoreApplication.sendEvent(target, event)
        return (time.perf_counter() - start) / n * 1e6

    # Interleaved, best of each: the machine's load changes between runs, not between the two sides.
    guard = WheelGuard(app)
    runs: dict[str, list[float]] = {"frame": [], "frame+guard": [], "send": [], "send+guard": []}
    for _ in range(REPEAT):
        runs["frame"].append(frames())
        runs["send"].append(sends())
        app.installEventFilter(guard)
        runs["frame+guard"].append(frames())
        runs["send+guard"].append(sends())
        app.removeEventFilter(guard)
    without, with_guard = min(runs["frame"]), min(runs["frame+guard"])
    bare, guarded = min(runs["send"]), min(runs["send+guard"])
    window.close()
    QCoreApplication.processEvents()

    overhead = max(0.0, with_guard - without)
    figures = [
        ("window_frame_without_guard", without, "ms", 50.0),
        ("window_frame_with_guard", with_guard, "ms", 50.0),
        ("wheel_guard_overhead_per_frame", overhead, "ms", 2.0),
        ("wheel_guard_cost_per_event", max(0.0, guarded - bare), "us", 5.0),
    ]
    print(f"events through the filter per frame: {events_per_frame:.0f}")
    report(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
