"""The issue's "done when", with a real mouse and keyboard on the real window: from the demo, frame scene 1
with an image model (a loopback server speaks fal's queue API), circle a frame per shot in the takes panel,
then generate the close-up as image-to-video from its frame. Read back from the saved project and from what
the server received."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

from shotplanner.core import storage
from shotplanner.core.contracts import load_contract
from shotplanner.core.demo import copy_demo
from shotplanner.core.models import JobState
from tests.generation.conftest import make_mp4
from tests.generation.servers import ContractServer
from tests.xinput.harness import AppUnderTest, XServer

ROOT = Path(__file__).resolve().parents[2]
FAST_ENV = {"SHOTPLANNER_POLL_INITIAL_S": "0.02", "SHOTPLANNER_POLL_MAX_S": "0.05",
            "SHOTPLANNER_BACKOFF_BASE_S": "0.02", "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}


def _action(menu_expr: str, title: str) -> str:
    return f"next(a for a in ({menu_expr}).actions() if a.text().replace('&', '') == {title!r})"


def click_menu(app: AppUnderTest, xserver: XServer, top: str, *path: str) -> None:
    """Open ``top`` in the menu bar and click through ``path`` (submenus, then the item), as a user does."""
    bar = "window.menuBar()"
    action = _action(bar, top)
    xserver.click(*app.eval(f"global_center({bar}, {bar}.actionGeometry({action}))"))
    app.settle()
    menu = f"{action}.menu()"
    for title in path:
        item = _action(menu, title)
        xserver.click(*app.eval(f"global_center({menu}, ({menu}).actionGeometry({item}))"))
        app.settle()
        menu = f"{item}.menu()"


def click_card(app: AppUnderTest, xserver: XServer, number: str) -> None:
    row = f"window.storyboard.row_of(window.storyboard.project.find_by_number({number!r}).id)"
    xserver.click(*app.eval(f"global_center(window.view.viewport(), "
                            f"window.view.visualRect(window.model.index({row}, 0)))"))
    app.settle()
    assert app.eval("window.storyboard.shot(window.current_shot_id()).number") == number


def click_send(app: AppUnderTest, xserver: XServer) -> None:
    dialog = "window.review.controller.dialog"
    wait_for(app, f"{dialog} is not None and {dialog}.isVisible()")
    click_widget(app, xserver, "window.review.controller.dialog.send_button")


def click_widget(app: AppUnderTest, xserver: XServer, widget: str) -> None:
    """Click ``widget`` (an expression) where it shows, scrolled into view first if its panel scrolls."""
    app.exec(f"target = {widget}\n"
             "area = target.parentWidget()\n"
             "while area is not None and not isinstance(area, QtWidgets.QScrollArea):\n"
             "    area = area.parentWidget()\n"
             "if area is not None:\n"
             "    area.ensureWidgetVisible(target)")
    app.settle()
    x, y = app.eval(f"global_center({widget})")
    assert app.eval(f"app.widgetAt(QPoint({x}, {y})) is {widget}"), f"{widget} is covered at {x},{y}"
    xserver.click(x, y)
    app.settle()


def wait_for(app: AppUnderTest, expr: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = app.eval(expr)
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not reached in {timeout:g} s: {expr}")


def data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def test_frame_scene_one_circle_each_frame_then_the_close_up_from_its_frame(xserver: XServer,
                                                                            tmp_path: Path) -> None:
    folder = copy_demo(tmp_path / "demo")
    server = ContractServer("fal", clip=make_mp4(seconds=5.0),
                            image=(ROOT / "resources/demo/media/refs/tomas.png").read_bytes()).start()
    try:
        with AppUnderTest(xserver, folder, env={**server.env(), **FAST_ENV}) as app:
            scene_one = app.eval("[s.number for s in window.storyboard.project.scenes[0].shots]")
            assert scene_one == ["1", "1A", "1B", "1C", "1D"]
            # Frame the scene: select a shot of it, Generate > Storyboard frames > Frame the scene…, Send.
            click_card(app, xserver, "1A")
            click_menu(app, xserver, "Generate", "Storyboard frames",
                       "Frame the scene with Nano Banana 2 (Gemini 3.1 Flash Image) on fal…")
            assert server.creates == 0  # nothing leaves before the user agrees to the cost
            click_send(app, xserver)
            wait_for(app, "all(t.state.value == 'done' for s in window.storyboard.project.scenes[0].shots "
                          "for t in s.takes if t.kind == 'frame') and sum(t.kind == 'frame' for s in "
                          "window.storyboard.project.scenes[0].shots for t in s.takes) == 5")
            assert server.creates == 5

            # Circle a frame per shot: click its card, then Circle in the takes panel.
            app.exec("window.review.takes_dock.show(); window.review.takes_dock.raise_()")
            app.settle()
            for number in scene_one:
                click_card(app, xserver, number)
                assert app.eval("window.review.takes.take().kind") == "frame"
                click_widget(app, xserver, "window.review.takes.circle_button")
                assert app.eval("window.review.takes.circle_button.isChecked()") is True

            # Generate the close-up (Ctrl+G), agree to the cost: image-to-video from its circled frame.
            click_card(app, xserver, "1B")
            xserver.key("ctrl+g")
            app.settle()
            click_send(app, xserver)
            wait_for(app, "any(t.kind == 'clip' and t.state.value == 'done' "
                          "for t in window.storyboard.project.find_by_number('1B').takes)")
            assert app.save()
    finally:
        server.stop()

    project = storage.load_project(folder)
    for shot in project.scenes[0].shots:
        frame = shot.circled_frame
        assert frame is not None and frame.clip and (folder / frame.clip).is_file(), shot.number
        start = shot.image_for("start")
        assert start is not None and start.path == frame.clip, shot.number
    frames_sent = list(zip(server.create_paths[:5], server.create_bodies[:5], strict=True))
    mara = data_uri(folder / "media/refs/mara.png")
    for path, body in frames_sent:
        endpoint = path.strip("/")
        assert endpoint in ("fal-ai/nano-banana-2", "fal-ai/nano-banana-2/edit")
        assert load_contract("fal", endpoint).check(body) == []
        if endpoint.endswith("/edit"):
            assert body["image_urls"][0] == mara  # Mara's reference sheet in each of her shots
    assert sum(p.endswith("/edit") for p, _ in frames_sent) == 3
    close_up = project.find_by_number("1B")
    assert close_up is not None and close_up.circled_frame is not None and close_up.circled_frame.clip
    assert server.create_paths[-1].strip("/") == "fal-ai/kling-video/v3/pro/image-to-video"
    assert server.create_bodies[-1]["start_image_url"] == data_uri(folder / close_up.circled_frame.clip)
    clip = close_up.cut_take()
    assert clip is not None and clip.kind == "clip" and clip.state is JobState.DONE
    assert clip.settings["start_image"] == Path(close_up.circled_frame.clip).name
