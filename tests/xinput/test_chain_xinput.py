"""A real click on "Start from the last frame of …" gives a chained segment its start image; saved."""

from __future__ import annotations

from pathlib import Path

from shotplanner.core import storage
from tests.ui.test_model_picker_split import _split_with_a_take
from tests.xinput.harness import AppUnderTest, XServer


def test_click_chain_offer_sets_the_start_frame(xserver: XServer, tmp_path: Path) -> None:
    folder = tmp_path / "film"
    _, second, _ = _split_with_a_take(folder)
    with AppUnderTest(xserver, folder) as app:
        row = app.eval(f"window.storyboard.row_of({second!r})")
        x, y = app.eval(
            f"global_center(window.view.viewport(), window.view.visualRect(window.model.index({row}, 0)))"
        )
        xserver.click(x, y)
        app.settle()
        assert app.eval("window.current_shot_id()") == second
        app.exec("window.picker_dock.show(); window.picker_dock.raise_()")
        app.settle()
        assert app.eval("window.picker.chain_button.isVisible()") is True
        bx, by = app.eval("global_center(window.picker.chain_button)")
        xserver.click(bx, by)
        app.settle()
        assert app.save()
    shot = storage.load_project(folder).find_shot(second)
    assert shot is not None
    start = shot.image_for("start")
    assert start is not None and (folder / start.path).is_file() and start.label == "last frame of 1A"
