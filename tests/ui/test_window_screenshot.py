"""The window on the demo project, grabbed offscreen: not blank, written as a PNG; and a real start-up
through ``main_gui`` (qasync loop, first paint, clean quit) in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from shotplanner.core import storage
from shotplanner.core.demo import copy_demo
from shotplanner.ui.card_delegate import CardMode
from shotplanner.ui.style import apply_style
from tests.ui.helpers import open_window

REPO = Path(__file__).resolve().parents[2]
DOCS_SHOT = REPO / "docs" / "screenshot-window.png"


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    buf = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return buf.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 4].reshape(
        image.height(), image.width(), 4)[:, :, :3]


def test_window_on_the_demo_project_is_not_blank(qtbot, qapp, tmp_path: Path) -> None:
    apply_style(qapp, dark=False)
    folder = copy_demo(tmp_path / "demo")
    w = open_window(qtbot, folder)
    w.resize(1440, 900)
    w.show()
    qtbot.waitExposed(w)
    w.thumbnails.wait()
    qtbot.waitUntil(lambda: not any(w.thumbnails.is_pending(folder / r.path)
                                    for s in w.storyboard.shots() for r in s.reference_images[:1]))
    qtbot.wait(50)
    image = w.grab().toImage()
    px = _pixels(image).astype(np.float32)
    assert image.width() >= 1400
    assert px.std() > 20, "the window grab looks blank"
    # The storyboard area itself has content (cards), not just the chrome around it.
    view = w.view.viewport().grab().toImage()
    assert _pixels(view).astype(np.float32).std() > 15
    out = tmp_path / "window.png"
    assert image.save(str(out))
    assert QImage(str(out)).size() == image.size()
    if os.environ.get("SHOTPLANNER_UPDATE_SCREENSHOTS"):  # refresh the README's picture on request only
        DOCS_SHOT.parent.mkdir(exist_ok=True)
        image.save(str(DOCS_SHOT))
    # The compact list mode paints too.
    w.view.set_mode(CardMode.LIST)
    qtbot.wait(20)
    assert _pixels(w.view.viewport().grab().toImage()).astype(np.float32).std() > 10
    assert len(storage.load_project(folder).all_shots()) == w.model.rowCount()


def test_main_gui_starts_paints_and_quits_cleanly(tmp_path: Path) -> None:
    folder = tmp_path / "new film"
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from shotplanner.app import main_gui\n"
        "def painted():\n"
        "    print('first paint', flush=True)\n"
        "    QApplication.instance().quit()\n"
        f"sys.exit(main_gui(Path({str(folder)!r}), first_paint=painted))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env,
                          cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert "first paint" in proc.stdout
    # A new folder given on the command line becomes a new project.
    assert storage.load_project(folder).scenes
