"""The harness itself, on the real window: a click selects, a real key moves, the save holds it."""

from __future__ import annotations

from pathlib import Path

from shotplanner.core import storage
from tests.ui.helpers import make_project
from tests.xinput.harness import AppUnderTest, XServer


def test_click_and_key_move_a_shot_and_the_save_keeps_it(xserver: XServer, tmp_path: Path) -> None:
    folder = tmp_path / "film"
    storage.save_project(make_project(), folder)
    with AppUnderTest(xserver, folder) as app:
        assert app.eval("window.isVisible()") is True
        x, y = app.eval("global_center(window.view.viewport(), "
                        "window.view.visualRect(window.model.index(0, 0)))")
        xserver.click(x, y)
        app.settle()
        assert app.eval("window.current_shot_id()") == "s1_0"
        xserver.key("ctrl+Down")
        app.settle()
        assert app.save()
    order = [s.id for s in storage.load_project(folder).all_shots()]
    assert order[:3] == ["s1_1", "s1_0", "s1_2"]
