"""The PDF storyboard sheet shows each shot's circled frame (rendered back to pixels with pdfium)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PySide6.QtGui import QColor, QImage

from shotplanner.core.models import JobState, Project, Scene, Shot, Take
from shotplanner.core.storyboard import Storyboard
from shotplanner.interchange.shotlist import export_pdf
from shotplanner.media.qt import ensure_gui_app


def _flat(path: Path, rgb: tuple[int, int, int]) -> None:
    image = QImage(320, 180, QImage.Format.Format_RGB32)
    image.fill(QColor(*rgb))
    path.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(path))


def _share(page: np.ndarray, rgb: tuple[int, int, int]) -> float:
    return float((abs(page - np.array(rgb)).sum(axis=2) < 40).mean())


def test_the_sheet_shows_the_circled_frame_not_the_newest(tmp_path: Path) -> None:
    ensure_gui_app()
    folder = tmp_path / "film"
    red, blue = (210, 40, 40), (40, 60, 210)
    _flat(folder / "media/frames/chosen.png", red)
    _flat(folder / "media/frames/newer.png", blue)
    shot = Shot(number="1", takes=[
        Take(id="chosen", kind="frame", model_id="local-frame", provider="local", state=JobState.DONE,
             clip="media/frames/chosen.png"),
        Take(id="newer", kind="frame", model_id="local-frame", provider="local", state=JobState.DONE,
             clip="media/frames/newer.png"),
    ])
    project = Project(scenes=[Scene(number="1", shots=[shot])])
    Storyboard(project).circle_take(shot.id, "chosen")
    out = tmp_path / "sheet.pdf"
    export_pdf(project, folder, out, "sheet")
    page = np.asarray(pdfium.PdfDocument(str(out))[0].render(scale=1).to_pil().convert("RGB")).astype(int)
    assert _share(page, red) > 0.01 and _share(page, blue) < 0.001
