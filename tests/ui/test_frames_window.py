"""Storyboard frames in the window: frame the scene through the controller, review and circle in the takes
panel (frame questions), the card shows the circled frame, undo puts the start image back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from shotplanner.core.demo import copy_demo
from shotplanner.core.frames import storyboard_picture
from shotplanner.core.models import FRAME_REVIEW_QUESTIONS, REVIEW_QUESTIONS, JobState, Take
from shotplanner.ui.review import install_review
from shotplanner.ui.storyboard_model import thumbnail_source
from tests.ui import review_support
from tests.ui.helpers import open_window
from tests.ui.review_support import FAST, providers, run, until

aloop = review_support.aloop  # a fixture
fal_server = review_support.fal_server  # a fixture


def _frames(window: Any, scene: int = 0) -> list[Any]:
    return [t for s in window.storyboard.project.scenes[scene].shots for t in s.takes if t.kind == "frame"]


def test_frame_the_scene_offline_then_review_and_circle_in_the_takes_panel(qtbot, aloop, tmp_path: Path,
                                                                          fal_server) -> None:
    folder = copy_demo(tmp_path / "demo")
    window = open_window(qtbot, folder)
    hub = install_review(window, providers=providers(fal_server, window.storyboard.project, folder),
                         settings=FAST)
    assert "frame_scene:nano-banana-2" in hub.actions and "continue_from_previous" in hub.actions
    sb = window.storyboard
    close_up = sb.project.find_by_number("1B")
    assert close_up is not None
    window.select([close_up.id])

    async def scenario() -> None:
        assert hub.frames.frame_scene("local-frame") is None  # free: no confirmation
        await until(lambda: len(_frames(window)) == 5
                    and all(t.state is JobState.DONE for t in _frames(window)), timeout=60)

    run(aloop, scenario(), timeout=90)
    assert not _frames(window, scene=1), "only the scene was framed"
    frame = next(t for t in close_up.takes if t.kind == "frame")
    assert frame.clip and (folder / frame.clip).is_file() and frame.poster is None
    assert thumbnail_source(close_up) == frame.clip  # the card shows the frame

    panel = hub.takes
    panel.set_shot(close_up.id)
    assert panel.take_id == frame.id
    assert "frame" in panel.strip.item(0).text()
    shown = [label.text() for label in panel.questions.values() if panel.checklist_form.isRowVisible(label)]
    assert shown == list(FRAME_REVIEW_QUESTIONS.values())  # framing, light, likeness, in that order
    assert not panel.other_button.isEnabled()  # "another video model" makes no sense for a still

    panel.toggle_circle()
    assert close_up.circled_frame is frame
    start = close_up.image_for("start")
    assert start is not None and start.path == frame.clip
    assert storyboard_picture(close_up) == frame.clip
    window.undo_stack.undo()
    assert close_up.circled_frame is None and close_up.image_for("start") is None
    window.undo_stack.redo()
    assert close_up.image_for("start") is not None

    # A clip take of the same shot brings the clip questions back.
    sb.add_take(close_up.id, Take(id="clip1", model_id="kling-v3", provider="fal", state=JobState.DONE))
    panel.select_take("clip1")
    shown = [label.text() for label in panel.questions.values() if panel.checklist_form.isRowVisible(label)]
    assert shown == list(REVIEW_QUESTIONS.values()) and panel.other_button.isEnabled()
    run(aloop, hub.controller.aclose())


def test_framing_with_a_paid_model_asks_first_and_shows_the_cost(qtbot, aloop, tmp_path: Path,
                                                               fal_server) -> None:
    fal_server.image = (Path(__file__).resolve().parents[2] / "resources/demo/media/refs/mara.png"
                        ).read_bytes()
    folder = copy_demo(tmp_path / "demo")
    window = open_window(qtbot, folder)
    hub = install_review(window, providers=providers(fal_server, window.storyboard.project, folder),
                         settings=FAST)
    walk = window.storyboard.project.find_by_number("1A")
    assert walk is not None
    window.select([walk.id])
    dialog = hub.frames.frame_selected("seedream-v4")
    assert dialog is not None and fal_server.creates == 0  # nothing leaves before the user agrees
    assert dialog.table.item(0, 3).text() == "still" and dialog.table.item(0, 4).text() == "$0.03"
    assert "Mara's reference sheet" in dialog.table.item(0, 4).toolTip()
    assert dialog.table.item(0, 1).toolTip() == "sends 1 reference image: Mara's reference sheet"

    async def scenario() -> None:
        dialog.accept()
        await until(lambda: any(t.kind == "frame" and t.state is JobState.DONE for t in walk.takes),
                    timeout=30)

    run(aloop, scenario(), timeout=60)
    assert fal_server.creates == 1 and fal_server.create_paths == ["/fal-ai/bytedance/seedream/v4/edit"]
    body = fal_server.create_bodies[0]
    assert len(body["image_urls"]) == 1 and body["image_size"] == {"width": 1280, "height": 720}
    run(aloop, hub.controller.aclose())


def test_the_next_shot_starts_from_the_previous_takes_last_frame(qtbot, tmp_path: Path) -> None:
    from tests.generation.conftest import make_mp4

    folder = copy_demo(tmp_path / "demo")
    (folder / "media/takes").mkdir(parents=True)
    (folder / "media/takes/walk.mp4").write_bytes(make_mp4(seconds=2.0))
    window = open_window(qtbot, folder)
    hub = install_review(window)
    sb = window.storyboard
    walk, face = sb.project.find_by_number("1A"), sb.project.find_by_number("1B")
    assert walk is not None and face is not None
    window.select([face.id])
    assert hub.frames.start_from_previous() is False  # 1A has no clip yet: nothing changes
    assert face.image_for("start") is None
    sb.add_take(walk.id, Take(id="walk", model_id="kling-v3", provider="fal", state=JobState.DONE,
                              clip="media/takes/walk.mp4"))
    assert hub.frames.start_from_previous() is True
    start = face.image_for("start")
    assert start is not None and start.path.startswith("media/frames/walk.last.")
    assert start.label == "last frame of shot 1A" and (folder / start.path).is_file()
    assert [r.path for r in face.reference_images].count("media/refs/mara.png") == 1  # references stay
    window.undo_stack.undo()
    assert face.image_for("start") is None


def test_cards_show_their_frames_in_the_window(qtbot, qapp, tmp_path: Path) -> None:
    """The demo framed offline (``shotplanner frames``), opened: every card paints its circled frame.
    With SHOTPLANNER_UPDATE_SCREENSHOTS=1 the grab becomes the README's docs/screenshot-frames.png."""
    import os
    import subprocess
    import sys

    import numpy as np

    from shotplanner.core import storage
    from shotplanner.ui.style import apply_style

    repo = Path(__file__).resolve().parents[2]
    folder = copy_demo(tmp_path / "demo")
    done = subprocess.run([sys.executable, "-m", "shotplanner", "frames", str(folder)], cwd=repo,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stdout + done.stderr
    project = storage.load_project(folder)
    for shot in project.all_shots():
        frame = next(t for t in shot.takes if t.kind == "frame")
        frame.circled = True
    storage.save_project(project, folder)

    apply_style(qapp, dark=False)
    window = open_window(qtbot, folder)
    hub = install_review(window)
    window.resize(1440, 900)
    window.show()
    qtbot.waitExposed(window)
    pictures = [folder / t.clip for s in window.storyboard.shots() for t in s.takes if t.circled and t.clip]
    assert len(pictures) == len(window.storyboard.shots()) == 13
    for shot in window.storyboard.shots():
        assert thumbnail_source(shot) == shot.circled_frame.clip  # type: ignore[union-attr]
    for path in pictures:
        window.thumbnails.get(path)
    window.thumbnails.wait()
    qtbot.waitUntil(lambda: not any(window.thumbnails.is_pending(p) for p in pictures))
    assert all(window.thumbnails.get(p) is not None for p in pictures)
    close_up = window.storyboard.project.find_by_number("1B")
    assert close_up is not None
    window.select([close_up.id])
    hub.takes_dock.raise_()
    hub.queue_dock.hide()  # room for the frame's review in the picture
    qtbot.wait(100)
    image = window.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    buf = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    px = buf.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 4]
    assert px.astype(np.float32).std() > 20, "the window grab looks blank"
    out = tmp_path / "frames.png"
    assert image.save(str(out))
    if os.environ.get("SHOTPLANNER_UPDATE_SCREENSHOTS"):
        image.save(str(repo / "docs" / "screenshot-frames.png"))
    assert hub.controller.service.host is None  # nothing was sent from the window

    # The table's Frame column says which shots have a chosen frame; hovering shows it.
    from shotplanner.ui.shot_table_columns import COLUMN_KEYS

    window.show_mode(None)  # the table view (its model fills while shown)
    table = window.table.model
    column = COLUMN_KEYS.index("frame")
    row = table.table_row_of(close_up.id)
    assert table.index(row, column).data() == "◯ circled"
    tip = table.index(row, column).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("<img src=") and str((folder / close_up.circled_frame.clip).resolve()) in tip
    window.storyboard.circle_take(close_up.id, None, "frame")
    assert table.index(row, column).data() == "1 frame"
