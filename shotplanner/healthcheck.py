"""``shotplanner --healthcheck``: proves an install (or a frozen bundle) has every working part.

It opens the window offscreen on a copy of the demo, renders and decodes a one-second animatic, and
round-trips the project file. Exit 0 when all of that works; otherwise the failing step is printed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication


def run_healthcheck() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    # A widgets application first: the renderer would otherwise make a plain QGuiApplication.
    app = QApplication.instance() or QApplication([sys.argv[0]])
    with tempfile.TemporaryDirectory(prefix="shotplanner-health-") as tmp:
        folder = Path(tmp) / "demo"
        steps: list[tuple[str, Callable[[], str]]] = [
            ("project", lambda: _project(folder)),
            ("animatic", lambda: _animatic(folder)),
            ("window", lambda: _window(folder, app)),
        ]
        for name, step in steps:
            try:
                detail = step()
            except Exception as e:  # the point is to report any failure by step name
                print(f"healthcheck: {name}: FAILED: {type(e).__name__}: {e}", file=sys.stderr)
                return 1
            print(f"healthcheck: {name}: ok ({detail})")
    return 0


def _project(folder: Path) -> str:
    from shotplanner.core import storage
    from shotplanner.core.demo import copy_demo

    copy_demo(folder)
    project = storage.load_project(folder)
    storage.save_project(project, folder)
    again = storage.load_project(folder)
    if again.all_shots() != project.all_shots():
        raise RuntimeError("the project changed on a save/load round trip")
    return f"{len(project.all_shots())} shots"


def _animatic(folder: Path) -> str:
    from shotplanner.core import storage
    from shotplanner.media.animatic import render_animatic
    from shotplanner.media.probe import probe

    project = storage.load_project(folder)
    shot = project.all_shots()[0].model_copy(update={"duration_s": 1.0, "resolution": "480p"})
    out = folder / "media" / "healthcheck.mp4"
    render_animatic(shot, project, folder, out)
    info = probe(out)
    return f"{info.width}x{info.height} {info.codec} {info.frames} frames"


def _window(folder: Path, app: QCoreApplication) -> str:
    from shotplanner.core import storage
    from shotplanner.ui.main_window import MainWindow

    window = MainWindow(storage.load_project(folder), folder, confirm_close=False)
    window.show()
    app.processEvents()
    image = window.grab().toImage()
    window.close()
    return f"{image.width()}x{image.height()}"
