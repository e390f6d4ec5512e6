"""Compare holds both players on one clock, reads like a person, circles and closes on Escape; the film
player has a scrub bar over the whole film, its running time, and Escape. Real MP4s, real widgets."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from shotplanner.core.models import JobState, Take
from shotplanner.ui.compare import CompareView, differences, settings_line
from shotplanner.ui.film_player import FilmPlayer
from shotplanner.ui.review import install_review
from tests.generation.conftest import make_mp4
from tests.ui.helpers import open_window
from tests.ui.review_support import review_project, saved

LONG = make_mp4(seconds=3.0, fps=24, width=320, height=180)


def _project(tmp_path: Path) -> Path:
    project = review_project(2)
    folder = tmp_path / "film"
    takes = folder / "media" / "takes"
    takes.mkdir(parents=True)
    door = {"path": "media/refs/door.png", "label": "door.png"}
    for take_id, model, audio, start in (("a", "kling-v2.5-turbo", False, None),
                                         ("b", "veo-3.1", True, door)):
        (takes / f"{take_id}.mp4").write_bytes(LONG)
        project.scenes[0].shots[0].takes.append(Take(
            id=take_id, model_id=model, provider="fal", prompt=f"a door, take {take_id}", state=JobState.DONE,
            clip=f"media/takes/{take_id}.mp4",
            settings={"duration_s": 3.0, "fps": 24, "audio": audio, "start_image": start,
                      "reference_images": [], "aspect": "16:9", "resolution": "720p"}))
    for shot in project.scenes[0].shots[1:]:
        shot.duration_s = 1.0
    return saved(project, folder)


def test_compare_players_stay_within_one_frame_on_one_clock(qtbot, tmp_path: Path) -> None:
    folder = _project(tmp_path)
    window = open_window(qtbot, folder)
    sb = window.storyboard
    view = CompareView()
    qtbot.addWidget(view)
    view.set_takes(folder, sb.take("shot0", "a"), sb.take("shot0", "b"))
    left, right = view.players
    assert left.shared_clock is right.shared_clock is view.clock
    qtbot.waitUntil(lambda: left.duration_ms > 0 and right.duration_ms > 0, timeout=5000)
    view.play()
    gaps: list[float] = []
    deadline = time.monotonic() + 2.4
    while time.monotonic() < deadline:
        qtbot.wait(15)
        if left.position_ms > 200 and right.position_ms > 200:
            gaps.append(abs(left.position_ms - right.position_ms))
    view.pause()
    assert len(gaps) > 30
    frame = left.frame_ms()
    assert max(gaps) <= frame + 1, (max(gaps), frame)
    # Scrub: both land on the same frame.
    view.seek(1500)
    qtbot.waitUntil(lambda: abs(left.position_ms - 1500) <= frame and abs(right.position_ms - 1500) <= frame,
                    timeout=5000)


def test_compare_reads_like_a_person_circles_and_escape_closes(qtbot, tmp_path: Path) -> None:
    folder = _project(tmp_path)
    window = open_window(qtbot, folder)
    hub = install_review(window)
    sb = window.storyboard
    a, b = sb.take("shot0", "a"), sb.take("shot0", "b")
    line = settings_line(b)
    assert "with sound" in line and "start image: door.png" in line and "3 s" in line and "24 fps" in line
    assert "no reference images" in line
    for bad in ("False", "None", "[]", "True"):
        assert bad not in settings_line(a) + line
    diffs = differences(a, b)
    assert "Audio: silent on the left, with sound on the right" in diffs
    assert "Start image: no start image on the left, start image: door.png on the right" in diffs
    view = hub.open_compare("shot0", "a", "b")
    qtbot.waitExposed(view)
    view.right.circle_button.click()
    assert sb.take("shot0", "b").circled and not sb.take("shot0", "a").circled
    assert window.undo_stack.undoText() == "Circle take"
    assert view.right.circle_button.isChecked() and not view.left.circle_button.isChecked()
    view.left.circle_button.click()  # circling the other one moves the circle
    assert sb.take("shot0", "a").circled and not sb.take("shot0", "b").circled
    view.activateWindow()
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert not view.isVisible()


def test_film_player_scrubs_across_the_film_and_shows_its_running_time(qtbot, tmp_path: Path) -> None:
    folder = _project(tmp_path)
    window = open_window(qtbot, folder)
    hub = install_review(window)
    film: FilmPlayer = hub.play_film()
    qtbot.waitExposed(film)
    total = 3.0 + 1.0  # shot 1's 3 s take, shot 2's slate of 1 s
    assert film.total_ms == round(total * 1000)
    assert film.slider.maximum() == film.total_ms
    assert film.time_label.text().endswith("/ 0:04.0")
    film.scrub(3500)  # half-way into the second shot
    assert film.current().shot_id == "shot1"
    assert abs(film.position_ms() - 3500) <= 100
    film.scrub(1200)
    assert film.current().shot_id == "shot0"
    qtbot.waitUntil(lambda: abs(film.position_ms() - 1200) <= 100, timeout=5000)
    assert film.time_label.text().startswith("0:01")
    film.activateWindow()
    QTest.keyClick(film, Qt.Key.Key_Escape)
    assert not film.isVisible() and not film.playing
