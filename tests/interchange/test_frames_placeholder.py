"""A shot with no clip but a circled storyboard frame goes to the editor as that frame, under a slate."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from PySide6.QtGui import QColor, QImage

from shotplanner.core.models import JobState, Project, Scene, Shot, Take
from shotplanner.interchange.placeholders import ensure_placeholder
from shotplanner.media.qt import ensure_gui_app


def _first_frame(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        return frame.to_ndarray(format="rgb24")


def _shot_with_frame(folder: Path, circled: bool) -> Shot:
    ensure_gui_app()
    still = folder / "media" / "frames" / "f1.png"
    still.parent.mkdir(parents=True, exist_ok=True)
    image = QImage(320, 180, QImage.Format.Format_RGB32)
    image.fill(QColor("#d02020"))
    assert image.save(str(still))
    take = Take(kind="frame", model_id="local-frame", provider="local", state=JobState.DONE,
                clip="media/frames/f1.png", circled=circled)
    return Shot(id="s1", number="1", takes=[take], layers={"subject": "a red door"})


def test_the_slate_clip_shows_the_circled_frame(tmp_path: Path) -> None:
    shot = _shot_with_frame(tmp_path, circled=True)
    scene = Scene(number="1", heading="INT. HALL - DAY", shots=[shot])
    project = Project(scenes=[scene])
    clip = ensure_placeholder(project, scene, shot, 24, (640, 360), tmp_path)
    picture = _first_frame(clip)
    corner = picture[-60:, -120:].reshape(-1, 3).mean(axis=0)  # away from the slate and the caption
    assert corner[0] > 150 and corner[1] < 80 and corner[2] < 80, corner


def test_an_uncircled_frame_leaves_the_plain_slate(tmp_path: Path) -> None:
    shot = _shot_with_frame(tmp_path, circled=False)
    scene = Scene(number="1", heading="INT. HALL - DAY", shots=[shot])
    project = Project(scenes=[scene])
    picture = _first_frame(ensure_placeholder(project, scene, shot, 24, (640, 360), tmp_path))
    corner = picture[-60:, -120:].reshape(-1, 3).mean(axis=0)
    assert corner.max() < 60, corner  # the dark slate background


def test_a_frame_path_outside_the_project_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    folder = tmp_path / "film"
    shot = _shot_with_frame(outside, circled=True)
    shot.takes[0].clip = "../outside/media/frames/f1.png"
    scene = Scene(number="1", heading="INT. HALL - DAY", shots=[shot])
    picture = _first_frame(ensure_placeholder(Project(scenes=[scene]), scene, shot, 24, (640, 360), folder))
    assert picture[-60:, -120:].reshape(-1, 3).mean(axis=0).max() < 60
