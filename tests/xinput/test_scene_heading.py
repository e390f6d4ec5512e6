"""Typing a scene heading in place with a real mouse and keyboard, read back from the saved project."""

from __future__ import annotations

from pathlib import Path

from shotplanner.core import storage
from tests.ui.helpers import make_project
from tests.xinput.harness import AppUnderTest, XServer


def test_double_click_a_scene_header_and_type_its_heading(xserver: XServer, tmp_path: Path) -> None:
    folder = tmp_path / "film"
    storage.save_project(make_project((2, 2)), folder)
    with AppUnderTest(xserver, folder) as app:
        x, y = app.eval("global_center(window.view.viewport(), window.view.header_rect('sc2'))")
        xserver.move(x, y)
        xserver.xdo("click", "--repeat", 2, "--delay", 80, 1)
        app.settle()
        assert app.eval("window.view._editor is not None and window.view._editor.hasFocus()") is True
        xserver.key("ctrl+a")
        xserver.type("EXT. HARBOUR WALL - DAWN")
        xserver.key("Return")
        app.settle()
        assert app.eval("window.undo_stack.undoText()") == "Edit scene heading"
        assert app.save()
    scene = storage.load_project(folder).scenes[1]
    assert (scene.heading, scene.int_ext, scene.location, scene.time_of_day) == (
        "EXT. HARBOUR WALL - DAWN", "EXT.", "HARBOUR WALL", "DAWN")


def test_drag_a_scene_header_below_the_next_scene(xserver: XServer, tmp_path: Path) -> None:
    folder = tmp_path / "film"
    storage.save_project(make_project((2, 1, 2)), folder)
    with AppUnderTest(xserver, folder) as app:
        x, y = app.eval("global_center(window.view.viewport(), window.view.header_rect('sc1'))")
        # The lower half of scene 2's section (its one card): scene 1 lands after scene 2.
        tx, ty, tw, th = app.eval("global_rect(window.view.viewport(), window.view.visualRect("
                                  "window.model.index(2, 0)))")
        xserver.drag((x - 200, y), (tx + tw // 2, ty + th * 3 // 4))
        app.settle()
        assert app.eval("window.undo_stack.undoText()") == "Move scene"
        assert app.save()
    assert [s.id for s in storage.load_project(folder).scenes] == ["sc2", "sc1", "sc3"]
