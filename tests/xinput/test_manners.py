"""The window's manners with real X input (Xvfb + xdotool), read back from the saved project: the wheel
never changes an unfocused control, redo answers Ctrl+Y and Ctrl+Shift+Z, copy/paste of shots from the
keyboard, a missing key opens Keys from the keyboard, Escape closes the film player, and the window
opens unmodified where it was left."""

from __future__ import annotations

from pathlib import Path

from shotplanner.core import storage
from shotplanner.core.models import Angle
from tests.ui.helpers import make_project
from tests.ui.review_support import review_project
from tests.xinput.harness import AppUnderTest, XServer


def _project(tmp_path: Path) -> Path:
    folder = tmp_path / "film"
    storage.save_project(make_project(), folder)
    return folder


def _click_card(app: AppUnderTest, xserver: XServer, row: int) -> None:
    x, y = app.eval("global_center(window.view.viewport(), "
                    f"window.view.visualRect(window.model.index({row}, 0)))")
    xserver.click(x, y)
    app.settle()


def test_the_wheel_scrolls_the_form_and_never_changes_an_unfocused_dropdown(xserver: XServer,
                                                                           tmp_path: Path) -> None:
    folder = _project(tmp_path)
    with AppUnderTest(xserver, folder) as app:
        _click_card(app, xserver, 0)
        assert app.eval("window.current_shot_id()") == "s1_0"
        app.exec("window.form_dock.raise_()\n"
                 "scroll = next(a for a in window.form.findChildren(QtWidgets.QScrollArea) "
                 "if a.widget().isAncestorOf(window.form.angle_combo))\n"
                 "scroll.ensureWidgetVisible(window.form.angle_combo, 0, 200)")
        app.settle()
        x, y = app.eval("global_center(window.form.angle_combo)")
        before = app.eval("next(a for a in window.form.findChildren(QtWidgets.QScrollArea) if "
                          "a.widget().isAncestorOf(window.form.angle_combo)).verticalScrollBar().value()")
        xserver.wheel(x, y, 4)
        app.settle()
        assert app.eval("window.undo_stack.count()") == 0
        assert app.eval("window.form.angle_combo.hasFocus()") is False
        after = app.eval("next(a for a in window.form.findChildren(QtWidgets.QScrollArea) if "
                         "a.widget().isAncestorOf(window.form.angle_combo)).verticalScrollBar().value()")
        assert after != before  # the form scrolled under the pointer instead
        assert app.save()
    assert storage.load_project(folder).all_shots()[0].angle is Angle.EYE_LEVEL


def test_redo_on_ctrl_y_and_ctrl_shift_z_and_shots_copied_and_pasted_by_keyboard(xserver: XServer,
                                                                                 tmp_path: Path) -> None:
    folder = _project(tmp_path)
    with AppUnderTest(xserver, folder) as app:
        _click_card(app, xserver, 0)
        count = app.eval("len(window.storyboard.shots())")
        xserver.key("ctrl+c")
        app.settle()
        xserver.key("ctrl+v")
        app.settle()
        assert app.eval("len(window.storyboard.shots())") == count + 1
        assert app.eval("window.undo_stack.undoText()") == "Paste shot"
        xserver.key("ctrl+z")
        app.settle()
        assert app.eval("len(window.storyboard.shots())") == count
        xserver.key("ctrl+y")
        app.settle()
        assert app.eval("len(window.storyboard.shots())") == count + 1
        xserver.key("ctrl+z")
        app.settle()
        xserver.key("ctrl+shift+z")
        app.settle()
        assert app.eval("len(window.storyboard.shots())") == count + 1
        assert app.save()
    shots = storage.load_project(folder).all_shots()
    assert len(shots) == count + 1
    assert shots[1].layers.subject == shots[0].layers.subject == "subject 1.0" and shots[1].id != shots[0].id


def test_a_missing_key_offers_keys_from_the_keyboard_and_escape_closes_the_film(xserver: XServer,
                                                                              tmp_path: Path) -> None:
    folder = tmp_path / "paid"
    storage.save_project(review_project(2), folder)
    with AppUnderTest(xserver, folder, env={"FAL_KEY": ""}) as app:
        _click_card(app, xserver, 0)
        xserver.key("ctrl+g")
        app.settle(0.8)
        assert app.eval("window.review.keys_needed is not None and window.review.keys_needed.isVisible()")
        assert "FAL_KEY" in app.eval("window.review.keys_needed.label.text()")
        xserver.key("Return")  # the default button: Set up keys…
        app.settle(0.8)
        assert app.eval("window.review.keys is not None and window.review.keys.isVisible()")
        app.exec("window.review.keys.close(); window.activateWindow()")
        app.settle()
        xserver.key("F5")
        app.settle(0.8)
        assert app.eval("window.review.film.isVisible()")
        xserver.key("Escape")
        app.settle()
        assert app.eval("window.review.film.isVisible()") is False
        assert app.save()
    assert all(not s.takes for s in storage.load_project(folder).all_shots())  # nothing was queued


def test_the_window_opens_unmodified_where_it_was_left(xserver: XServer, tmp_path: Path) -> None:
    folder = _project(tmp_path)
    with AppUnderTest(xserver, folder) as app:
        app.settle(1.0)
        assert app.eval("window.modified") is False
        hint = app.eval("[window.minimumSizeHint().width(), window.minimumSizeHint().height()]")
        assert hint[0] <= 1024 and hint[1] <= 640
        app.exec("window.setGeometry(60, 50, 1100, 700)")
        app.settle(0.5)
        placed = app.eval("[window.geometry().x(), window.geometry().y(), window.width(), window.height()]")
    with AppUnderTest(xserver, folder, geometry=None) as app:
        app.settle(1.0)
        assert app.eval("window.modified") is False
        assert app.eval("window.isWindowModified()") is False
        again = app.eval("[window.geometry().x(), window.geometry().y(), window.width(), window.height()]")
    assert again[2:] == placed[2:] and abs(again[0] - placed[0]) <= 2 and abs(again[1] - placed[1]) <= 30
