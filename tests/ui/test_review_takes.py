"""Reviewing takes: circling decides what the film and the export use; NG, checklist, rating and note are
undoable and survive save → load; compare lists what differs; the film plays in cut order."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from shotplanner.core import storage
from shotplanner.core.models import JobState, Take
from shotplanner.interchange.cut import ExportReport, plan_cut
from shotplanner.ui.compare import CompareView, differences
from shotplanner.ui.film_player import FilmPlayer, film_playlist
from shotplanner.ui.review import install_review
from shotplanner.ui.takes_panel import TakesPanel
from tests.generation.conftest import make_mp4
from tests.ui.helpers import open_window
from tests.ui.review_support import review_project, saved

CLIP = make_mp4(seconds=1.0, fps=12, width=64, height=36)


def _with_takes(tmp_path: Path) -> Path:
    """Shot 1 has an animatic and two generated takes; shot 2 only an animatic; shot 3 nothing."""
    project = review_project(3)
    folder = tmp_path / "film"
    takes_dir = folder / "media" / "takes"
    takes_dir.mkdir(parents=True)
    specs = [
        (0, "anim1", "local-animatic", "local", "p"),
        (0, "gen1", "kling-v2.5-turbo", "fal", "a red door"),
        (0, "gen2", "veo-3.1", "fal", "a blue door"),
        (1, "anim2", "local-animatic", "local", "p"),
    ]
    for shot_index, take_id, model, provider, prompt in specs:
        (takes_dir / f"{take_id}.mp4").write_bytes(CLIP)
        project.scenes[0].shots[shot_index].takes.append(
            Take(
                id=take_id,
                model_id=model,
                provider=provider,
                prompt=prompt,
                state=JobState.DONE,
                clip=f"media/takes/{take_id}.mp4",
                settings={"duration_s": 5.0, "resolution": "480p"},
            )
        )
    return saved(project, folder)


def _cut(window) -> list[str | None]:
    items = plan_cut(window.storyboard.project, window.folder, ExportReport("otio"))
    return [i.take.id if i.take else None for i in items]


def test_circling_a_take_changes_what_the_film_and_the_export_use(qtbot, tmp_path: Path) -> None:
    folder = _with_takes(tmp_path)
    window = open_window(qtbot, folder)
    panel = TakesPanel(window.storyboard, window.undo_stack, lambda: window.folder, window.catalog)
    qtbot.addWidget(panel)
    panel.set_shot("shot0")
    assert panel.strip.count() == 3 and panel.take_id == "gen2"  # the newest generated take by default
    assert _cut(window) == ["gen2", "anim2", None]
    assert [e.take_id for e in film_playlist(window.storyboard, folder)] == ["gen2", "anim2", None]

    panel.select_take("gen1")
    panel.circle_button.click()
    shot = window.storyboard.shot("shot0")
    assert shot.cut_take().id == "gen1" and panel.circle_button.isChecked()
    assert _cut(window) == ["gen1", "anim2", None]
    assert film_playlist(window.storyboard, folder)[0].take_id == "gen1"
    assert "circled" in panel.strip.item(1).text()

    panel.ng_button.click()  # NG on the circled take uncircles it
    assert shot.cut_take().id == "gen2" and shot.takes[1].ng
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert shot.cut_take().id == "gen2" and not shot.takes[1].circled and not shot.takes[1].ng


def test_checklist_rating_and_note_persist_and_undo(qtbot, tmp_path: Path) -> None:
    folder = _with_takes(tmp_path)
    window = open_window(qtbot, folder)
    panel = TakesPanel(window.storyboard, window.undo_stack, lambda: window.folder, window.catalog)
    qtbot.addWidget(panel)
    panel.set_shot("shot0")
    panel.select_take("gen1")
    panel.checklist["camera_as_directed"].setCurrentIndex(1)  # Yes
    panel.checklist["physics_natural"].setCurrentIndex(2)  # No
    panel.stars[3].click()  # 4 stars
    panel.note.setPlainText("smoke stutters at 0:03")
    panel.commit_note()
    take = window.storyboard.take("shot0", "gen1")
    assert take.checklist.camera_as_directed is True and take.checklist.physics_natural is False
    assert take.checklist.lighting_held is None and take.rating == 4 and take.note == "smoke stutters at 0:03"
    assert panel.stars[3].text() == "★" and panel.stars[4].text() == "☆"

    assert window.save()
    loaded = storage.load_project(folder).find_shot("shot0").takes[1]
    assert loaded.checklist.camera_as_directed is True and loaded.checklist.physics_natural is False
    assert loaded.rating == 4 and loaded.note == "smoke stutters at 0:03"

    window.undo_stack.undo()  # the note
    assert take.note == "" and panel.note.toPlainText() == ""
    window.undo_stack.undo()  # the rating
    assert take.rating == 0
    panel.stars[3].click()
    panel.stars[3].click()  # clicking the same star again clears the rating
    assert take.rating == 0


def test_compare_lists_what_differs_and_plays_both(qtbot, tmp_path: Path) -> None:
    folder = _with_takes(tmp_path)
    window = open_window(qtbot, folder)
    a, b = window.storyboard.take("shot0", "gen1"), window.storyboard.take("shot0", "gen2")
    assert differences(a, b) == ["Model: kling-v2.5-turbo on the left, veo-3.1 on the right",
                                 "Prompt differs (changes highlighted)"]
    view = CompareView()
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.players[1].frameChanged, timeout=5000):
        view.set_takes(folder, a, b)
    assert "red" in view.left.prompt.toHtml() and "#6b2a2a" in view.left.prompt.toHtml()
    assert "Model: kling-v2.5-turbo on the left, veo-3.1 on the right" in view.diff_label.text()
    left, right = view.players
    with qtbot.waitSignal(left.ended, timeout=5000):
        view.play()
        assert left.playing and right.playing
    qtbot.waitUntil(lambda: not right.playing, timeout=5000)
    assert abs(left.position_ms - right.position_ms) <= 2 * left.frame_ms()


def test_the_film_plays_in_order_and_highlights_the_card(qtbot, tmp_path: Path) -> None:
    folder = _with_takes(tmp_path)
    window = open_window(qtbot, folder)
    hub = install_review(window)
    film: FilmPlayer = hub.film
    for shot in window.storyboard.shots():
        window.storyboard.update_shot(shot.id, duration_s=0.5)  # the slate of the shot without a take
    played: list[str] = []
    film.currentShotChanged.connect(played.append)
    window.select(["shot1"])
    with qtbot.waitSignal(film.finished, timeout=10000):
        hub.play_film()  # from the selected shot
    assert played == ["shot1", "shot2"]
    assert window.current_shot_id() == "shot2"  # the card being played is selected
    film.play_from("shot0")
    assert window.current_shot_id() == "shot0" and film.current().take_id == "gen2"
    film.stop()


def test_a_running_take_updates_its_strip_item_in_place(qtbot, tmp_path: Path) -> None:
    """Progress reports do not rebuild the strip (the GUI's cost while jobs run); a new state, an NG and
    a new take show at once, and the item's icon is made again only when its picture or state changed."""
    folder = _with_takes(tmp_path)
    window = open_window(qtbot, folder)
    panel = TakesPanel(window.storyboard, window.undo_stack, lambda: window.folder, window.catalog)
    qtbot.addWidget(panel)
    panel.set_shot("shot0")
    sb = window.storyboard
    sb.add_take("shot0", Take(id="run1", model_id="kling-v2.5-turbo", provider="fal", prompt="p",
                              state=JobState.RUNNING))
    items = [panel.strip.item(i) for i in range(panel.strip.count())]
    assert [i.data(Qt.ItemDataRole.UserRole + 60) for i in items] == ["anim1", "gen1", "gen2", "run1"]
    icon_key = items[3].icon().cacheKey()
    sb.update_take("shot0", "run1", progress=0.4)
    assert [panel.strip.item(i) for i in range(4)] == items  # the same items, nothing rebuilt
    assert items[3].icon().cacheKey() == icon_key  # the placeholder shows the state, which did not change
    sb.update_take("shot0", "run1", state=JobState.DOWNLOADING)
    assert items[3].icon().cacheKey() != icon_key and "downloading" in items[3].text()
    sb.update_take("shot0", "gen1", ng=True)
    assert items[1].foreground().color().name() == "#999999" and "NG" in items[1].text()
    sb.add_take("shot0", Take(id="run2", model_id="veo-3.1", provider="fal", prompt="q"))
    assert panel.strip.count() == 5 and panel.strip.item(4).data(Qt.ItemDataRole.UserRole + 60) == "run2"
