"""A real click on the picker's split offer splits a 20 s establishing shot; the save keeps the chain."""

from __future__ import annotations

from pathlib import Path

from shotplanner.core import storage
from shotplanner.core.models import ShotSize
from tests.ui.helpers import make_project
from tests.xinput.harness import AppUnderTest, XServer


def test_click_split_offer_then_undo_key(xserver: XServer, tmp_path: Path) -> None:
    folder = tmp_path / "film"
    project = make_project()
    long = project.scenes[0].shots[1]
    long.duration_s = 20.0
    long.size = ShotSize.EWS
    storage.save_project(project, folder)
    with AppUnderTest(xserver, folder) as app:
        x, y = app.eval(
            "global_center(window.view.viewport(), window.view.visualRect(window.model.index(1, 0)))"
        )
        xserver.click(x, y)
        app.settle()
        assert app.eval("window.current_shot_id()") == long.id
        app.exec("window.picker_dock.show(); window.picker_dock.raise_()")
        app.settle()
        assert app.eval("window.picker.split_button.isVisible()") is True
        assert app.eval("window.picker.split_button.text()") == (
            "Split into 2 segments (10 s + 10 s) on Kling v3 Video"
        )
        bx, by = app.eval("global_center(window.picker.split_button)")
        xserver.click(bx, by)
        app.settle()
        assert app.save()
        saved = storage.load_project(folder)
        shots = saved.scenes[0].shots
        assert [s.duration_s for s in shots[1:3]] == [10.0, 10.0]
        assert shots[2].chain_from == long.id and shots[2].model_id == "kling-v3"
        # Undo from the keyboard takes the whole split back in one step.
        xserver.click(x, y)
        app.settle()
        xserver.key("ctrl+z")
        app.settle()
        assert app.save()
    restored = storage.load_project(folder).scenes[0].shots
    assert [s.id for s in restored] == [s.id for s in project.scenes[0].shots]
    assert restored[1].duration_s == 20.0 and restored[1].model_id is None
