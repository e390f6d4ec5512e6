"""Shared fixtures for the UI tests: small real projects built from core models, on disk when needed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QImage

from shotplanner.core import storage
from shotplanner.core.models import Character, Project, Scene, Shot, ShotSize
from shotplanner.core.storyboard import Storyboard
from shotplanner.ui.main_window import MainWindow


def make_project(scene_sizes: tuple[int, ...] = (3, 2, 3)) -> Project:
    """Scenes numbered 1.., each with the given number of shots numbered the crew way (1, 1A, 1B…)."""
    from shotplanner.core.numbering import standard_number

    scenes = []
    for s, count in enumerate(scene_sizes, 1):
        shots = [
            Shot(id=f"s{s}_{i}", number=standard_number(str(s), i), size=list(ShotSize)[i % 8],
                 layers={"subject": f"subject {s}.{i}", "action": f"action {s}.{i}"})
            for i in range(count)
        ]
        scenes.append(Scene(id=f"sc{s}", number=str(s), heading=f"INT. ROOM {s} - DAY", shots=shots))
    return Project(title="Test film", scenes=scenes,
                   characters=[Character(id="ana", name="Ana"), Character(id="ben", name="Ben")])


def order(sb: Storyboard) -> list[str]:
    return [s.id for s in sb.shots()]


def layout(project: Project) -> list[tuple[str, list[str]]]:
    return [(sc.id, [s.id for s in sc.shots]) for sc in project.scenes]


def write_png(path: Path, w: int = 64, h: int = 36, color: str = "#3366aa") -> Path:
    image = QImage(w, h, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    assert image.save(str(path))
    return path


def open_window(qtbot, folder: Path | None, project: Project | None = None, **kw) -> MainWindow:
    from shotplanner.core.catalog import load_catalog

    if project is None:
        assert folder is not None
        project = storage.load_project(folder)
    window = MainWindow(project, folder, catalog=load_catalog(), confirm_close=False, **kw)
    qtbot.addWidget(window)
    return window
