"""The recovery banner after a hard crash, with real X input (Xvfb + xdotool), read back from disk.

The app is edited with the keyboard until its autosave has written the recovery file, then killed with
SIGKILL (no close, no save: a crash). Reopened, it must offer the recovered edit in its banner and keep
the recovery file on disk, untouched, until the user answers: Restore (clicked) then Ctrl+S puts the
edit in project.json; Discard (clicked) keeps project.json as saved and removes the recovery file. A
recovery that holds what project.json already holds shows no banner at all.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from shotplanner.core import storage
from tests.ui.helpers import make_project
from tests.xinput.harness import AppUnderTest, XServer

pytestmark = pytest.mark.slow  # two app starts per test

EDIT = "a lighthouse keeper at dusk"


def _project(tmp_path: Path) -> Path:
    folder = tmp_path / "film"
    storage.save_project(make_project((2, 2)), folder)
    return folder


def _wait_for(condition, what: str, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _type_subject(app: AppUnderTest, xserver: XServer, text: str) -> None:
    """Click the first card, then the shot form's Subject field, and type ``text`` over what it holds."""
    x, y = app.eval("global_center(window.view.viewport(), window.view.visualRect(window.model.index(0, 0)))")
    xserver.click(x, y)
    app.settle()
    assert app.eval("window.current_shot_id()") == "s1_0"
    app.exec("window.form_dock.raise_()\n"
             "edit = window.form.layer_edits['subject']\n"
             "scroll = next(a for a in window.form.findChildren(QtWidgets.QScrollArea) "
             "if a.widget().isAncestorOf(edit))\n"
             "scroll.ensureWidgetVisible(edit, 0, 40)")
    app.settle()
    xserver.click(*app.eval("global_center(window.form.layer_edits['subject'])"))
    app.settle()
    assert app.eval("window.form.layer_edits['subject'].hasFocus()") is True
    xserver.key("ctrl+a")
    xserver.type(text)
    app.settle()


def _crash_after_autosave(xserver: XServer, folder: Path, *, undo: bool = False) -> bytes:
    """Edit in the real window, wait for the autosave on disk, SIGKILL the app; the recovery's bytes."""
    recovery = storage.recovery_path(folder)
    with AppUnderTest(xserver, folder) as app:
        _type_subject(app, xserver, EDIT)
        # The form commits the typing as an undo step; the autosave follows about a second later.
        _wait_for(lambda: app.eval("window.storyboard.shot('s1_0').layers.subject") == EDIT, "the edit")
        if undo:
            # Back to what project.json holds: the autosave then writes that state.
            xserver.click(*app.eval("global_center(window.view.viewport(), "
                                    "window.view.visualRect(window.model.index(1, 0)))"))
            app.settle()
            while app.eval("window.undo_stack.canUndo()"):
                xserver.key("ctrl+z")
                app.settle(0.1)
            assert app.eval("window.storyboard.shot('s1_0').layers.subject") != EDIT
        _wait_for(lambda: recovery.exists() and not app.eval("window.autosave.pending"), "the autosave")
        os.kill(app.proc.pid, signal.SIGKILL)  # a crash: nothing is closed, saved or cleaned up
        app.proc.wait(10)
    assert storage.load_project(folder).find_shot("s1_0").layers.subject != EDIT  # not saved
    return recovery.read_bytes()


def _banner_waits(app: AppUnderTest, folder: Path, recovered: bytes) -> None:
    assert app.eval("window.banner.isVisible()") is True
    assert "recovered" in app.eval("window.banner.label.text()")
    assert app.eval("window.storyboard.shot('s1_0').layers.subject") != EDIT  # the saved version shows
    time.sleep(2.5)  # longer than the autosave's maximum delay
    app.settle()
    assert storage.recovery_path(folder).read_bytes() == recovered, "the recovery changed while waiting"


def test_restore_from_the_banner_then_ctrl_s_keeps_the_crashed_sessions_edit(xserver: XServer,
                                                                             tmp_path: Path) -> None:
    folder = _project(tmp_path)
    recovered = _crash_after_autosave(xserver, folder)
    assert storage.load_recovery(folder).find_shot("s1_0").layers.subject == EDIT
    with AppUnderTest(xserver, folder) as app:
        _banner_waits(app, folder, recovered)
        # An edit while the banner waits is not autosaved over the recovered work (a second crash now
        # would lose nothing).
        _type_subject(app, xserver, "typed while the banner waits")
        assert app.eval("window.isWindowModified()") is True
        time.sleep(2.5)
        app.settle()
        assert storage.recovery_path(folder).read_bytes() == recovered, "autosave wrote over the recovery"
        xserver.click(*app.eval("global_center(window.banner.restore_button)"))
        app.settle()
        assert app.eval("window.banner.isVisible()") is False
        assert app.eval("window.storyboard.shot('s1_0').layers.subject") == EDIT
        assert app.eval("window.isWindowModified()") is True
        xserver.key("ctrl+s")
        _wait_for(lambda: app.eval("window.isWindowModified()") is False, "the save")
        _wait_for(lambda: not storage.recovery_path(folder).exists(), "the recovery file to go")
    assert storage.load_project(folder).find_shot("s1_0").layers.subject == EDIT


def test_discard_from_the_banner_keeps_the_saved_project_and_removes_the_recovery(xserver: XServer,
                                                                                  tmp_path: Path) -> None:
    folder = _project(tmp_path)
    saved = (folder / storage.PROJECT_FILE).read_bytes()
    recovered = _crash_after_autosave(xserver, folder)
    with AppUnderTest(xserver, folder) as app:
        _banner_waits(app, folder, recovered)
        xserver.click(*app.eval("global_center(window.banner.discard_button)"))
        app.settle()
        assert app.eval("window.banner.isVisible()") is False
        assert not storage.recovery_path(folder).exists()
        assert app.eval("window.storyboard.shot('s1_0').layers.subject") != EDIT
        assert app.eval("window.isWindowModified()") is False
    assert (folder / storage.PROJECT_FILE).read_bytes() == saved
    assert not storage.recovery_path(folder).exists()


def test_no_banner_when_the_recovery_holds_what_is_saved(xserver: XServer, tmp_path: Path) -> None:
    folder = _project(tmp_path)
    saved = storage.load_project(folder)
    _crash_after_autosave(xserver, folder, undo=True)  # the edit undone: the recovery says what is saved
    recovered = storage.load_recovery(folder)
    assert recovered is not None
    assert recovered.model_dump(exclude={"modified_at"}) == saved.model_dump(exclude={"modified_at"})
    with AppUnderTest(xserver, folder) as app:
        app.settle(1.0)
        assert app.eval("window.banner.isVisible()") is False
        assert app.eval("window.isWindowModified()") is False
    assert not storage.recovery_path(folder).exists()  # nothing in it to ask about
