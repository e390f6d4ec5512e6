"""The scene headers in the card grid and the shot-list table on the demo film, grabbed offscreen: not
blank, and written to docs/ for the README when ``SHOTPLANNER_UPDATE_SCREENSHOTS`` is set."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from shotplanner.core.demo import copy_demo
from shotplanner.ui.style import apply_style
from tests.ui.helpers import open_window

REPO = Path(__file__).resolve().parents[2]


def _spread(image: QImage) -> float:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    buf = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return float(buf.astype(np.float32).std())


def test_scene_headers_and_the_table_on_the_demo_film(qtbot, qapp, tmp_path: Path) -> None:
    apply_style(qapp, dark=False)
    folder = copy_demo(tmp_path / "demo")
    w = open_window(qtbot, folder)
    w.resize(1440, 900)
    w.show()
    qtbot.waitExposed(w)
    w.thumbnails.wait()
    qtbot.wait(50)
    scenes = w.grab().toImage()
    header = w.view.header_rect(w.storyboard.project.scenes[0].id)
    assert _spread(w.view.viewport().grab(header).toImage()) > 5
    w.show_mode(None)
    w.table.view.select_ids([w.storyboard.shots()[2].id])
    qtbot.wait(20)
    table = w.grab().toImage()
    assert _spread(w.table.view.viewport().grab().toImage()) > 10
    assert scenes != table
    if os.environ.get("SHOTPLANNER_UPDATE_SCREENSHOTS"):  # refresh the README's pictures on request only
        scenes.save(str(REPO / "docs" / "screenshot-scenes.png"))
        table.save(str(REPO / "docs" / "screenshot-table.png"))
