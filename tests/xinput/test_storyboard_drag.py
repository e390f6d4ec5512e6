"""Dragging cards with a real mouse (xdotool under Xvfb), read back from the saved project.json.

Each test presses, moves in steps and releases through the X server as a hand would; the order is then
taken from the file the app saved, never from the window's memory.
"""

from __future__ import annotations

from pathlib import Path

from shotplanner.core import storage
from tests.ui.helpers import make_project
from tests.xinput.harness import AppUnderTest, XServer


def _saved(folder: Path) -> list[tuple[str, list[str]]]:
    project = storage.load_project(folder)
    return [(sc.id, [s.id for s in sc.shots]) for sc in project.scenes]


def _card(app: AppUnderTest, row: int) -> list[int]:
    """[x, y, w, h] of card ``row`` on the screen."""
    result: list[int] = app.eval(
        f"global_rect(window.view.viewport(), window.view.visualRect(window.model.index({row}, 0)))")
    return result


def _undo_steps(app: AppUnderTest) -> int:
    count: int = app.eval("window.undo_stack.count()")
    return count


def test_drag_one_card_four_places_later(xserver: XServer, tmp_path: Path) -> None:
    folder = tmp_path / "film"
    storage.save_project(make_project((6, 2)), folder)
    with AppUnderTest(xserver, folder) as app:
        assert app.eval("window.view.viewport().acceptDrops()") is True
        x, y, w, h = _card(app, 0)
        tx, ty, tw, th = _card(app, 4)
        # Press on the first card, release on the right half of the fifth: it lands after it.
        xserver.drag((x + w // 2, y + h // 2), (tx + tw * 3 // 4, ty + th // 2))
        app.settle()
        assert _undo_steps(app) == 1
        assert app.save()
    assert _saved(folder)[0] == ("sc1", ["s1_1", "s1_2", "s1_3", "s1_4", "s1_0", "s1_5"])


def test_drag_two_selected_cards_into_another_scene(xserver: XServer, tmp_path: Path) -> None:
    folder = tmp_path / "film"
    storage.save_project(make_project((4, 3)), folder)
    with AppUnderTest(xserver, folder) as app:
        x, y, w, h = _card(app, 0)
        xserver.click(x + w // 2, y + h // 2)
        x2, y2, w2, h2 = _card(app, 2)
        xserver.click(x2 + w2 // 2, y2 + h2 // 2, modifiers="ctrl")
        app.settle()
        assert app.eval("window.selected_ids()") == ["s1_0", "s1_2"]
        # Drop them on the left half of scene 2's second card: before it.
        tx, ty, tw, th = _card(app, 5)
        xserver.drag((x2 + w2 // 2, y2 + h2 // 2), (tx + tw // 4, ty + th // 2))
        app.settle()
        assert _undo_steps(app) == 1
        # They changed scene: the window offers them numbers of scene 2.
        assert app.eval("window.scene_parts.offer.isVisible()") is True
        assert app.save()
    assert _saved(folder) == [("sc1", ["s1_1", "s1_3"]), ("sc2", ["s2_0", "s1_0", "s1_2", "s2_1", "s2_2"])]


def test_drag_a_row_in_list_view_into_an_empty_scene_header(xserver: XServer, tmp_path: Path) -> None:
    folder = tmp_path / "film"
    storage.save_project(make_project((3, 0, 2)), folder)
    with AppUnderTest(xserver, folder) as app:
        app.exec("window.ui.actions['list_mode'].trigger()")
        app.settle()
        x, y, w, h = _card(app, 4)  # the last row (scene 3's second shot)
        hx, hy, hw, hh = app.eval("global_rect(window.view.viewport(), window.view.header_rect('sc2'))")
        xserver.drag((x + w // 3, y + h // 2), (hx + hw // 3, hy + hh // 2))
        app.settle()
        assert _undo_steps(app) == 1
        assert app.save()
    assert _saved(folder) == [("sc1", ["s1_0", "s1_1", "s1_2"]), ("sc2", ["s3_1"]), ("sc3", ["s3_0"])]


def test_drag_a_row_in_list_view_up_two_rows(xserver: XServer, tmp_path: Path) -> None:
    folder = tmp_path / "film"
    storage.save_project(make_project((5,)), folder)
    with AppUnderTest(xserver, folder) as app:
        app.exec("window.ui.actions['list_mode'].trigger()")
        app.settle()
        x, y, w, h = _card(app, 3)
        tx, ty, tw, th = _card(app, 1)
        # The top quarter of row 1: before it.
        xserver.drag((x + w // 3, y + h // 2), (tx + tw // 3, ty + th // 4))
        app.settle()
        assert app.save()
    assert _saved(folder) == [("sc1", ["s1_0", "s1_3", "s1_1", "s1_2", "s1_4"])]


def test_drop_an_image_file_from_another_program_on_a_card(xserver: XServer, tmp_path: Path) -> None:
    from tests.ui.helpers import write_png
    from tests.xinput.harness import FileDragSource

    folder = tmp_path / "film"
    storage.save_project(make_project((3, 2)), folder)
    picture = write_png(tmp_path / "Ana at the window.png", 320, 180)
    with AppUnderTest(xserver, folder) as app, FileDragSource(xserver, [picture]) as source:
        x, y, w, h = _card(app, 3)
        assert source.drag_to((x + w // 2, y + h // 2)) == "CopyAction"
        app.settle()
        assert _undo_steps(app) == 1
        assert app.save()
    shot = storage.load_project(folder).scenes[1].shots[0]
    assert [(r.label, r.role) for r in shot.reference_images] == [("Ana at the window.png", "reference")]
    copied = folder / shot.reference_images[0].path
    assert copied.is_file() and copied.read_bytes() == picture.read_bytes()


def test_drag_a_row_in_the_table_to_another_scene(xserver: XServer, tmp_path: Path) -> None:
    folder = tmp_path / "film"
    storage.save_project(make_project((3, 2)), folder)
    with AppUnderTest(xserver, folder) as app:
        app.exec("window.ui.actions['table_mode'].trigger()")
        app.settle()
        assert app.eval("window.table.view.viewport().acceptDrops()") is True
        # Table rows: 0 header sc1, 1-3 scene 1, 4 header sc2, 5-6 scene 2.
        def row_rect(row: int) -> list[int]:
            rect: list[int] = app.eval(
                f"global_rect(window.table.view.viewport(), window.table.view.visualRect("
                f"window.table.model.index({row}, 2)))")
            return rect

        x, y, w, h = row_rect(1)
        xserver.click(x + w // 2, y + h // 2)
        tx, ty, tw, th = row_rect(6)
        # The lower half of scene 2's last row: after it.
        xserver.drag((x + w // 2, y + h // 2), (tx + tw // 2, ty + th * 3 // 4))
        app.settle()
        assert _undo_steps(app) == 1
        assert app.eval("window.undo_stack.undoText()") == "Move shot"
        assert app.save()
    assert _saved(folder) == [("sc1", ["s1_1", "s1_2"]), ("sc2", ["s2_0", "s2_1", "s1_0"])]


def test_while_dragging_a_bar_shows_the_drop_place_and_the_edge_scrolls(xserver: XServer,
                                                                         tmp_path: Path) -> None:
    import time

    folder = tmp_path / "film"
    storage.save_project(make_project((12, 12, 12)), folder)
    with AppUnderTest(xserver, folder) as app:
        x, y, w, h = _card(app, 0)
        tx, ty, tw, th = _card(app, 2)
        vx, vy, vw, vh = app.eval("global_rect(window.view.viewport())")
        xserver.move(x + w // 2, y + h // 2)
        xserver.xdo("mousedown", 1)
        try:
            time.sleep(0.1)
            steps = 20
            for i in range(1, steps + 1):  # over the left half of card 2, held there
                xserver.xdo("mousemove", x + w // 2 + (tx + tw // 4 - x - w // 2) * i // steps, ty + th // 2)
                time.sleep(0.02)
            time.sleep(0.3)
            drop = app.eval("None if window.view._drop is None else [window.view._drop.scene_id, "
                            "window.view._drop.index, window.view._drop.rect.center().x(), "
                            "window.view._drop.rect.center().y()]")
            assert drop is not None and drop[:2] == ["sc1", 2]
            # The bar is painted in the highlight colour between cards 1 and 2.
            colour = app.eval(
                f"window.view.viewport().grab().toImage().pixelColor({drop[2]}, {drop[3]}).name()")
            highlight = app.eval("window.view.palette().color(QtGui.QPalette.ColorRole.Highlight).name()")
            assert colour == highlight
            # Near the bottom edge the view scrolls by itself.
            before = app.eval("window.view.verticalScrollBar().value()")
            xserver.xdo("mousemove", vx + vw // 2, vy + vh - 12)
            time.sleep(0.2)
            xserver.xdo("mousemove", vx + vw // 2 + 2, vy + vh - 10)
            time.sleep(0.8)
            assert app.eval("window.view.verticalScrollBar().value()") > before
        finally:
            xserver.xdo("mousemove", vx + vw // 2, vy + 40)
            time.sleep(0.2)
            xserver.key("Escape")
            xserver.xdo("mouseup", 1)
            time.sleep(0.3)


def test_drop_an_image_file_from_another_program_on_the_shot_form(xserver: XServer, tmp_path: Path) -> None:
    from tests.ui.helpers import write_png
    from tests.xinput.harness import FileDragSource

    folder = tmp_path / "film"
    storage.save_project(make_project((3,)), folder)
    picture = write_png(tmp_path / "end frame.png", 320, 180)
    with AppUnderTest(xserver, folder) as app, FileDragSource(xserver, [picture]) as source:
        x, y, w, h = _card(app, 2)
        xserver.click(x + w // 2, y + h // 2)
        app.settle()
        assert app.eval("window.form.shot_id") == "s1_2"
        # Onto the form's reference list (scrolled into view): the form takes the drop.
        app.exec("window.form_dock.raise_(); window.form.findChild(QtWidgets.QScrollArea)"
                 ".ensureWidgetVisible(window.form.refs)")
        app.settle()
        rx, ry = app.eval("global_center(window.form.refs.list)")
        assert source.drag_to((rx, ry)) == "CopyAction"
        app.settle()
        assert _undo_steps(app) == 1
        assert app.save()
    shot = storage.load_project(folder).scenes[0].shots[2]
    assert [r.label for r in shot.reference_images] == ["end frame.png"]


def test_ctrl_v_on_the_form_reference_list_pastes_the_clipboard_picture(xserver: XServer,
                                                                        tmp_path: Path) -> None:
    folder = tmp_path / "film"
    storage.save_project(make_project((3,)), folder)
    with AppUnderTest(xserver, folder) as app:
        x, y, w, h = _card(app, 1)
        xserver.click(x + w // 2, y + h // 2)
        app.exec("window.form_dock.raise_(); window.form.findChild(QtWidgets.QScrollArea)"
                 ".ensureWidgetVisible(window.form.refs)\n"
                 "image = QtGui.QImage(40, 30, QtGui.QImage.Format.Format_RGB32)\n"
                 "image.fill(QtGui.QColor('#336699'))\n"
                 "QtGui.QGuiApplication.clipboard().setImage(image)")
        app.settle()
        rx, ry = app.eval("global_center(window.form.refs.list)")
        xserver.click(rx, ry)
        xserver.key("ctrl+v")
        app.settle()
        assert app.eval("len(window.storyboard)") == 3  # no shot was pasted into the storyboard
        assert app.save()
    shot = storage.load_project(folder).scenes[0].shots[1]
    assert [r.label for r in shot.reference_images] == ["Pasted image"]
