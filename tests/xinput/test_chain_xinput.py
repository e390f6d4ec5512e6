"""A real click on "Start from the last frame of …" gives a chained segment its start image; saved."""

from __future__ import annotations

from pathlib import Path

from shotplanner.core import storage
from tests.ui.test_model_picker_split import _split_with_a_take
from tests.xinput.harness import AppUnderTest, XServer


def wait_for(app: AppUnderTest, expr: str, seconds: float = 10.0) -> bool:
    """Poll the app until ``expr`` is true (a loaded machine delivers the click late)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if app.eval(expr) is True:
            return True
        app.settle(0.2)
    return False


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
        app.settle(1.0)  # the raised picker re-ranks and lays out before the button is where it stays
        assert app.eval("window.picker.chain_button.isVisible()") is True
        bx, by = app.eval("global_center(window.picker.chain_button)")
        xserver.click(bx, by)
        assert wait_for(app, f"window.storyboard.shot({second!r}).image_for('start') is not None")
        assert app.save()
    shot = storage.load_project(folder).find_shot(second)
    assert shot is not None
    start = shot.image_for("start")
    assert start is not None and (folder / start.path).is_file() and start.label == "last frame of 1A"
