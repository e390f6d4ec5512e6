"""Scenes in the storyboard: a header per scene (empty ones too), headings typed in place, drops that name
a scene, scene actions as undo steps, and the offer of a new number to a shot that changed scene."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QImage

from shotplanner.core.models import Scene
from shotplanner.ui.card_delegate import CardMode
from shotplanner.ui.storyboard_model import SHOT_IDS_MIME
from tests.ui.helpers import layout, make_project, open_window


def _window(qtbot, sizes=(4, 0, 3)):  # type: ignore[no-untyped-def]
    window = open_window(qtbot, None, make_project(sizes))
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def _mime(ids: list[str]) -> QMimeData:
    import json

    mime = QMimeData()
    mime.setData(SHOT_IDS_MIME, json.dumps(ids).encode())
    return mime


def test_each_scene_starts_under_its_own_header_even_when_empty(qtbot) -> None:
    window = _window(qtbot)
    view = window.view
    for mode in (CardMode.GRID, CardMode.LIST):
        view.set_mode(mode)
        headers = [view.header_rect(s.id) for s in window.storyboard.project.scenes]
        assert all(h.isValid() for h in headers)
        # Scene 3's first card sits below scene 3's header, on its own line, left-aligned.
        first_of_3 = view.visualRect(window.model.index(4, 0))
        assert first_of_3.top() >= headers[2].bottom() and first_of_3.left() == 0
        # The empty scene has its header and room to drop below it, before scene 3's header.
        assert headers[1].bottom() < headers[2].top() - 20
        assert view.header_at(headers[1].center()).id == "sc2"
        assert not view.indexAt(headers[1].center()).isValid()


def test_headers_are_painted(qtbot) -> None:
    window = _window(qtbot)
    view = window.view
    image = view.viewport().grab().toImage()
    rect = view.header_rect("sc1")
    band = image.copy(rect)
    # Text was drawn in the header: its pixels are not one flat colour.
    colours = {band.pixel(x, y) for x in range(0, band.width(), 3) for y in range(band.height())}
    assert len(colours) > 10
    assert isinstance(image, QImage)


def test_a_drop_on_an_empty_scene_header_moves_the_shots_into_it(qtbot) -> None:
    window = _window(qtbot)
    view = window.view
    target = view.drop_target(view.header_rect("sc2").center())
    assert target is not None and (target.scene_id, target.index) == ("sc2", 0)
    window.model.drop_in_scene(_mime(["s1_1", "s3_0"]), target.scene_id, target.index)
    assert layout(window.storyboard.project)[1] == ("sc2", ["s1_1", "s3_0"])
    assert window.undo_stack.count() == 1
    # Both changed scene: each is offered the number of its new place.
    assert window.scene_parts.offer.isVisible()
    window.scene_parts.accept_numbers()
    assert [window.storyboard.shot(i).number for i in ("s1_1", "s3_0")] == ["2", "2A"]
    window.undo_stack.undo()  # the renumbering, one step
    assert [window.storyboard.shot(i).number for i in ("s1_1", "s3_0")] == ["1A", "3"]
    window.undo_stack.undo()  # the move
    assert layout(window.storyboard.project)[1] == ("sc2", [])


def test_after_the_last_card_of_a_scene_is_not_before_the_next_scene(qtbot) -> None:
    window = _window(qtbot, (3, 3))
    view = window.view
    last = view.visualRect(window.model.index(2, 0))
    after_last = view.drop_target(QPoint(last.right() - 5, last.center().y()))
    assert after_last is not None and (after_last.scene_id, after_last.index) == ("sc1", 3)
    window.model.drop_in_scene(_mime(["s2_2"]), after_last.scene_id, after_last.index)
    assert layout(window.storyboard.project) == [("sc1", ["s1_0", "s1_1", "s1_2", "s2_2"]),
                                                 ("sc2", ["s2_0", "s2_1"])]
    # Dropping a card right after itself changes nothing and leaves no undo step.
    window.undo_stack.clear()
    card = view.visualRect(window.model.index(1, 0))
    here = view.drop_target(QPoint(card.right() - 5, card.center().y()))
    assert here is not None
    window.model.drop_in_scene(_mime(["s1_1"]), here.scene_id, here.index)
    assert window.undo_stack.count() == 0


def test_heading_is_typed_in_place_and_parsed(qtbot) -> None:
    window = _window(qtbot)
    view = window.view
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.header_rect("sc3").center())
    editor = view.findChild(type(view._editor), "headingEditor") if view._editor else None
    assert editor is not None and editor.text() == "INT. ROOM 3 - DAY"
    editor.selectAll()
    qtbot.keyClicks(editor, "ext. harbour wall - dawn")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    scene = window.storyboard.scene("sc3")
    assert (scene.heading, scene.int_ext, scene.location, scene.time_of_day) == (
        "ext. harbour wall - dawn", "EXT.", "harbour wall", "DAWN")
    assert window.undo_stack.undoText() == "Edit scene heading"
    window.undo_stack.undo()
    assert scene.heading == "INT. ROOM 3 - DAY"


def test_escape_leaves_the_heading_alone(qtbot) -> None:
    window = _window(qtbot)
    editor = window.view.edit_heading("sc1")
    assert editor is not None
    qtbot.keyClicks(editor, "something else")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.view._editor is None)
    assert window.storyboard.scene("sc1").heading == "INT. ROOM 1 - DAY"
    assert window.undo_stack.count() == 0


def test_add_scene_is_one_undo_step_and_keeps_the_history(qtbot) -> None:
    window = _window(qtbot)
    window.edit_shot("s1_0", {"notes": "keep me"}, "Set notes")
    window.select(["s1_1"])
    scene_id = window.add_scene()
    assert [s.id for s in window.storyboard.project.scenes][1] == scene_id  # after the current scene
    new = window.storyboard.scene(scene_id)
    assert new.number == "4" and new.shots == []
    assert window.undo_stack.count() == 2  # the note is still undoable
    assert window.view._editor is not None  # its heading is being typed
    window.undo_stack.undo()
    assert scene_id not in [s.id for s in window.storyboard.project.scenes]
    window.undo_stack.undo()
    assert window.storyboard.shot("s1_0").notes == ""


def test_scene_menu_moves_and_removes_the_current_scene(qtbot) -> None:
    window = _window(qtbot, (2, 2, 2))
    window.select(["s3_0"])
    window.scene_parts.actions["scene_up"].trigger()
    assert [s.id for s in window.storyboard.project.scenes] == ["sc1", "sc3", "sc2"]
    window.select(["s3_0"])
    window.scene_parts.actions["remove_scene"].trigger()
    assert [s.id for s in window.storyboard.project.scenes] == ["sc1", "sc2"]
    assert "Undo brings them back" in window.last_message
    window.undo_stack.undo()
    assert layout(window.storyboard.project)[1] == ("sc3", ["s3_0", "s3_1"])
    window.undo_stack.undo()
    assert [s.id for s in window.storyboard.project.scenes] == ["sc1", "sc2", "sc3"]


def test_a_shot_already_numbered_for_its_scene_is_not_offered_a_number(qtbot) -> None:
    window = _window(qtbot, (2, 2))
    sb = window.storyboard
    sb.add_scene(Scene(id="sc9", number="9"))
    window.move_shots_to_scene(["s2_1"], "sc2", 0)  # within its own scene
    assert not window.scene_parts.offer.isVisible()
