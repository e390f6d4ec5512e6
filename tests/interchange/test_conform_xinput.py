"""File ▸ Import ▸ Editor's cut… driven by real X input: menus clicked, the path typed into the dialog."""

from __future__ import annotations

import time
from pathlib import Path

from shotplanner.core import storage
from shotplanner.interchange.timeline import export_timeline
from tests.interchange.fixtures import write_clip
from tests.interchange.test_conform import edit_like_an_editor, film
from tests.xinput.conftest import xserver  # noqa: F401  (the session's Xvfb server)
from tests.xinput.harness import AppUnderTest, XServer


def _numbers(folder: Path) -> list[list[str]]:
    return [[s.number for s in sc.shots] for sc in storage.load_project(folder).scenes]


def test_editors_cut_from_the_file_menu_is_one_undoable_step(
    xserver: XServer, tmp_path: Path  # noqa: F811
) -> None:
    folder = tmp_path / "film"
    project = film(folder)
    cut = tmp_path / "cut.otio"
    export_timeline(project, folder, cut, "otio")
    edit_like_an_editor(cut, "otio", 24, write_clip(tmp_path / "broll.mp4", 1.0))
    with AppUnderTest(xserver, folder) as app:
        bar = "window.menuBar()"
        x, y = app.eval(f"global_center({bar}, {bar}.actionGeometry(window.ui.file_menu.menuAction()))")
        xserver.click(x, y)
        app.settle()
        find = "next(a for a in window.ui.file_menu.actions() if a.text() == '&Import')"
        x, y = app.eval(f"global_center(window.ui.file_menu, window.ui.file_menu.actionGeometry({find}))")
        xserver.click(x, y)
        app.settle()
        sub = f"{find}.menu()"
        conform = f"next(a for a in {sub}.actions() if a.text() == \"&Editor's cut…\")"
        x, y = app.eval(f"global_center({sub}, {sub}.actionGeometry({conform}))")
        xserver.click(x, y)
        app.settle(0.8)
        assert app.eval("type(QtWidgets.QApplication.activeWindow()).__name__") == "QFileDialog"
        xserver.type(str(cut))
        xserver.key("Return")
        # the cut is read and matched on the interchange worker; the window picks the result up
        deadline = time.monotonic() + 30
        while app.eval("window.interchange.conform.running") and time.monotonic() < deadline:
            app.settle(0.2)
        app.settle()
        assert app.eval("window.undo_stack.undoText()") == "Conform to cut.otio"
        assert "5 clips matched to shots" in app.eval("window.last_message")
        assert app.save()
        assert _numbers(folder) == [["2A", "2"], ["1B", "1", "1A"]]
        # Xvfb has no window manager to give the window its focus back: click into it, as a user would.
        first_card = "window.view.visualRect(window.model.index(0, 0))"
        x, y = app.eval(f"global_center(window.view.viewport(), {first_card})")
        xserver.click(x, y)
        app.settle()
        xserver.key("ctrl+z")  # one step undoes the whole conform
        app.settle()
        assert app.save()
        assert _numbers(folder) == [["1", "1A", "1B"], ["2", "2A"]]
