"""A real click on a reference image in the shot form and a real choice of its role (xdotool under Xvfb):
the saved project has the role, and the request planned from it starts from that image."""

from __future__ import annotations

from pathlib import Path

from shotplanner.core import storage
from shotplanner.core.catalog import load_catalog
from shotplanner.core.models import ImageRef, Project, Scene, Shot
from shotplanner.generation.planner import Planner
from tests.ui.helpers import write_png
from tests.xinput.harness import AppUnderTest, XServer

SCROLL_TO_REFS = """
from PySide6.QtWidgets import QScrollArea
w = window.form.refs_list
p = w.parentWidget()
while p is not None and not isinstance(p, QScrollArea):
    p = p.parentWidget()
if p is not None:
    p.ensureWidgetVisible(window.form.role_combo)
"""


def test_choose_start_frame_for_a_reference_with_the_mouse_and_keys(xserver: XServer, tmp_path: Path) -> None:
    folder = tmp_path / "film"
    (folder / "media" / "refs").mkdir(parents=True)
    write_png(folder / "media" / "refs" / "door.png", 640, 360)
    write_png(folder / "media" / "refs" / "sea.png", 640, 360, "#225588")
    shot = Shot(id="cu", number="1", duration_s=5.0, resolution="1080p", model_id="kling-v3",
                reference_images=[ImageRef(path="media/refs/door.png"), ImageRef(path="media/refs/sea.png")])
    storage.save_project(Project(title="Roles", scenes=[Scene(id="sc1", number="1", shots=[shot])]), folder)
    with AppUnderTest(xserver, folder) as app:
        x, y = app.eval("global_center(window.view.viewport(), "
                        "window.view.visualRect(window.model.index(0, 0)))")
        xserver.click(x, y)
        app.settle()
        app.exec(SCROLL_TO_REFS)
        app.settle()
        ix, iy = app.eval("global_center(window.form.refs_list.viewport(), "
                          "window.form.refs_list.visualItemRect(window.form.refs_list.item(1)))")
        xserver.click(ix, iy)  # the second image: sea.png
        app.settle()
        assert app.eval("window.form.role_combo.isEnabled()") is True
        cx, cy = app.eval("global_center(window.form.role_combo)")
        xserver.click(cx, cy)  # opens the list: Start frame, End frame, Reference (current)
        app.settle()
        xserver.key("Up", "Up", "Return")
        app.settle()
        assert app.eval("window.undo_stack.count()") == 1
        assert app.save()
    saved = storage.load_project(folder)
    refs = saved.scenes[0].shots[0].reference_images
    assert [(r.path, r.role) for r in refs] == [("media/refs/door.png", "reference"),
                                                ("media/refs/sea.png", "start")]
    # What the planner sends for it: Kling image-to-video from sea.png (door.png cannot ride along: noted).
    job = Planner(load_catalog(), has_key=lambda name: True).plan(saved, folder, saved.all_shots(),
                                                                  provider="kling").jobs[0]
    assert job.request.start_image == folder / "media/refs/sea.png"
    assert any("reference image would not be sent" in p.message for p in job.problems)
