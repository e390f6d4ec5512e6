"""The window's manners, offscreen with real widgets: menus, shortcuts, clipboard, settings, the wheel
guard, the style's arrows and highlight, geometry memory and a window that fits a small screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QColor, QImage, QKeySequence, QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QScrollArea, QStyledItemDelegate

from shotplanner.core import storage
from shotplanner.core.clipboard import MIME, ClipboardError, decode_shots, encode_shots
from shotplanner.core.models import ImageRef, Project, Scene, Shot
from shotplanner.core.recent import add_recent
from shotplanner.ui import shot_clipboard
from shotplanner.ui.help_dialogs import AboutDialog, shortcut_rows
from shotplanner.ui.icons import redo_icon, undo_icon
from shotplanner.ui.preferences import Preferences, PreferencesDialog, apply_preferences
from shotplanner.ui.project_settings import ProjectSettingsDialog
from shotplanner.ui.style import apply_style
from shotplanner.ui.wheel_guard import install_wheel_guard
from shotplanner.ui.window_state import remember_window, restore_geometry, save_window
from tests.ui.helpers import open_window, write_png


@pytest.fixture(autouse=True)
def _clean_settings() -> None:
    store = QSettings("Shotplanner", "Shotplanner")
    for group in ("window", "preferences"):
        store.remove(group)
    store.sync()


def _titles(menu) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


# ------------------------------------------------------------------------------------------ menus


def test_menus_are_those_of_a_desktop_app(qtbot, project_dir: Path) -> None:
    from shotplanner.ui.interchange_menu import install_interchange

    w = open_window(qtbot, project_dir)
    install_interchange(w)
    w.ui.add_menu("&Generate")
    tops = [a.text().replace("&", "") for a in w.menuBar().actions()]
    assert tops == ["File", "Edit", "Shot", "View", "Generate", "Help"]
    file_items = _titles(w.ui.file_menu)
    for item in ("New project…", "Open project…", "Open recent", "Save", "Save As…", "Project settings…",
                 "Print storyboard (PDF)…", "Export", "Quit"):
        assert item in file_items, item
    assert file_items[-1] == "Quit"
    assert _titles(w.ui.edit_menu) == ["Undo", "Redo", "Cut", "Copy", "Paste", "Duplicate", "Delete",
                                       "Select all", "Preferences…"]
    assert _titles(w.ui.help_menu) == ["Keyboard shortcuts", "About Shotplanner"]
    redo = w.ui.actions["redo"]
    keys = [k.toString() for k in redo.shortcuts()]
    assert "Ctrl+Shift+Z" in keys and "Ctrl+Y" in keys
    # Undo and redo are curved arrows, mirror images of each other, not the back/forward arrows.
    u, r = undo_icon().pixmap(24).toImage(), redo_icon().pixmap(24).toImage()

    def ink(image: QImage, columns: range) -> int:
        return sum(image.pixelColor(x, y).alpha() > 128 for x in columns for y in range(3, 8))

    # Undo's arrowhead points left at the top (↶), redo's right (↷).
    assert ink(u, range(0, 8)) > 4 and ink(u, range(16, 24)) == 0
    assert ink(r, range(16, 24)) > 4 and ink(r, range(0, 8)) == 0


def test_open_recent_lists_the_open_project_and_others(qtbot, project_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    storage.save_project(Project(title="Other"), other)
    add_recent(other)
    add_recent(project_dir)
    w = open_window(qtbot, project_dir)
    w.ui.recent_menu.aboutToShow.emit()
    menu = w.ui.recent_menu
    assert menu.isEnabled()
    items = [a for a in menu.actions() if not a.isSeparator()]
    texts = [a.text() for a in items]
    assert any("(open)" in t and "film" in t for t in texts)
    target = next(a for a in items if a.text().startswith("other"))
    assert target.isEnabled()
    target.trigger()
    assert w.folder == other and w.storyboard.project.title == "Other"


def test_shortcut_list_and_about(qtbot, project_dir: Path) -> None:
    w = open_window(qtbot, project_dir)
    rows = shortcut_rows(w)
    by_command = {cmd: keys for _menu, cmd, keys in rows}
    assert "Ctrl+Y" in by_command["Redo"] and "Ctrl+Shift+Z" in by_command["Redo"]
    assert by_command["Paste"] == "Ctrl+V" and by_command["Duplicate"] == "Ctrl+D"
    # Every listed menu shortcut is a real action's.
    shortcuts = {k.toString() for a in w.findChildren(type(w.ui.actions["save"])) for k in a.shortcuts()}
    assert QKeySequence("Ctrl+Shift+N").toString() in shortcuts
    about = AboutDialog(w)
    qtbot.addWidget(about)
    text = about.label.text()
    assert "Qt" in text and "PySide6" in text and "Python" in text and "PyAV" in text


# ------------------------------------------------------------------------------------ clipboard


def test_copy_paste_within_a_project_is_one_undo_step(qtbot, project_dir: Path) -> None:
    w = open_window(qtbot, project_dir)
    w.select(["s1_0", "s1_1"])
    assert shot_clipboard.copy_shots(w) == 2
    assert shot_clipboard.clipboard_has_shots()
    assert "subject 1.0" in QApplication.clipboard().text()  # plain text for other programs
    w.select(["s3_2"])
    before = len(w.storyboard.shots())
    new_ids = shot_clipboard.paste_shots(w)
    assert len(new_ids) == 2 and len(w.storyboard.shots()) == before + 2
    pasted = [w.storyboard.shot(i) for i in new_ids]
    assert [s.layers.subject for s in pasted] == ["subject 1.0", "subject 1.1"]
    assert all(s.number and s.id not in ("s1_0", "s1_1") and not s.takes for s in pasted)
    assert w.undo_stack.undoText() == "Paste 2 shots"
    w.undo_stack.undo()
    assert len(w.storyboard.shots()) == before
    # Cut removes (one step) and the paste puts them back.
    w.select(["s2_0"])
    shot_clipboard.cut_shots(w)
    assert w.storyboard.find("s2_0") is None and w.undo_stack.undoText() == "Cut shot"


def test_paste_into_another_project_brings_the_reference_images(qtbot, project_dir: Path,
                                                                tmp_path: Path) -> None:
    source = open_window(qtbot, project_dir)
    png = write_png(tmp_path / "face.png", color="#aa3366")
    source.select(["s1_0"])
    assert source.attach_images("s1_0", [png])
    source.storyboard.update_shot("s1_0", character_ids=["ana"])
    source.select(["s1_0"])
    shot_clipboard.copy_shots(source)
    ref_path = source.storyboard.shot("s1_0").reference_images[0].path

    target_dir = tmp_path / "target"
    storage.save_project(Project(title="Target", scenes=[Scene(number="1", shots=[Shot(number="1")])]),
                         target_dir)
    target = open_window(qtbot, target_dir)
    target.select([target.storyboard.shots()[0].id])
    new_ids = shot_clipboard.paste_shots(target)
    assert len(new_ids) == 1
    shot = target.storyboard.shot(new_ids[0])
    assert len(shot.reference_images) == 1
    copied = target_dir / shot.reference_images[0].path
    assert copied.is_file() and copied.read_bytes() == (project_dir / ref_path).read_bytes()
    assert copied.resolve().is_relative_to((target_dir / "media").resolve())
    assert shot.reference_images[0].label == source.storyboard.shot("s1_0").reference_images[0].label
    assert shot.character_ids == []  # Ana is not in the target's cast …
    assert "Ana is not in this project's cast" in target.last_message  # … and the user is told
    assert target.save()
    saved = storage.load_project(target_dir)
    assert saved.all_shots()[1].reference_images[0].path == shot.reference_images[0].path


def test_clipboard_refuses_foreign_text_and_paths_that_leave_the_source(tmp_path: Path) -> None:
    target = Project(title="T")
    with pytest.raises(ClipboardError):
        decode_shots("hello", target, tmp_path, None)
    with pytest.raises(ClipboardError, match="newer"):
        decode_shots(json.dumps({"format": "shotplanner-shots", "version": 99, "shots": [{}]}), target,
                     tmp_path, None)
    source = Project(title="S", scenes=[Scene(shots=[Shot(id="a", reference_images=[
        ImageRef(path="../../etc/passwd")])])])
    text = encode_shots(source, tmp_path / "src", ["a"])
    asked: list[Path] = []
    pasted = decode_shots(text, target, tmp_path / "dst", lambda p: asked.append(p) or "x")  # type: ignore[func-returns-value]
    assert asked == [] and pasted.shots[0].reference_images == []
    assert "leaves the project" in pasted.notes[0]
    assert MIME.startswith("application/")


# ------------------------------------------------------------------------- project settings, prefs


def test_project_settings_change_the_project_as_one_undo_step(qtbot, project_dir: Path) -> None:
    w = open_window(qtbot, project_dir)
    dialog = ProjectSettingsDialog(w)
    qtbot.addWidget(dialog)
    rates = [dialog.fps_combo.itemData(i) for i in range(dialog.fps_combo.count())]
    assert rates == [23.976, 24.0, 25.0, 29.97, 30.0, 48.0, 50.0, 59.94, 60.0]
    aspects = [dialog.aspect_combo.itemText(i) for i in range(dialog.aspect_combo.count())]
    assert {"2.39:1", "1.85:1", "4:3"} <= set(aspects)
    dialog.title_edit.setText("The Long Night")
    dialog.fps_combo.setCurrentIndex(rates.index(23.976))
    dialog.aspect_combo.setCurrentText("2.39:1")
    dialog.resolution_combo.setCurrentText("4k")
    dialog.apply_fps_box.setChecked(True)
    assert dialog.apply()
    p = w.storyboard.project
    assert (p.title, p.fps, p.aspect, p.resolution) == ("The Long Night", 23.976, "2.39:1", "4k")
    assert all(s.fps == 23.976 for s in w.storyboard.shots())
    assert "The Long Night" in w.windowTitle()
    new = w.storyboard.shot(w.add_shot())
    assert (new.fps, new.aspect, new.resolution) == (23.976, "2.39:1", "4k")
    # The shot form offers the same rates and shows the fractional one.
    assert w.form.fps_combo.currentData() == 23.976 and "23.976" in w.form.fps_combo.currentText()
    assert w.save()
    saved = storage.load_project(project_dir)
    assert (saved.fps, saved.aspect) == (23.976, "2.39:1")
    w.undo_stack.undo()  # the new shot
    w.undo_stack.undo()  # the settings
    assert (p.title, p.fps, p.aspect) == ("Test film", 24.0, "16:9")
    assert all(s.fps == 24.0 for s in w.storyboard.shots())


def test_preferences_are_kept_and_applied(qtbot, project_dir: Path, qapp) -> None:
    w = open_window(qtbot, project_dir)
    dialog = PreferencesDialog(w)
    qtbot.addWidget(dialog)
    dialog.provider_combo.setCurrentIndex(dialog.provider_combo.findData("replicate"))
    dialog.autosave_box.setChecked(False)
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("dark"))
    dialog.limit_spins["fal"].setValue(5)
    try:
        dialog.apply()
        prefs = Preferences.load()
        assert (prefs.default_provider, prefs.autosave, prefs.theme) == ("replicate", False, "dark")
        assert not w.autosave.enabled
        w.storyboard.update_shot("s1_0", notes="x")
        assert w.autosave.pending and not w.autosave._timer.isActive()  # waits for Save
        dark = qapp.palette().color(qapp.palette().ColorRole.Window)
        assert dark.lightness() < 80
        from shotplanner.ui.keys_dialog import concurrency_limit

        assert concurrency_limit("fal") == 5
        prefs.theme, prefs.autosave = "light", True
        apply_preferences(w, prefs)
        assert w.autosave.enabled and qapp.palette().color(qapp.palette().ColorRole.Window).lightness() > 200
    finally:
        apply_style(qapp, False)
        qapp.setProperty("shotplanner_theme", None)


# ------------------------------------------------------------------------------ wheel and style


def _wheel(widget, delta: int = -120) -> None:  # type: ignore[no-untyped-def]
    pos = QPointF(widget.rect().center())
    event = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, delta),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(widget, event)


def test_wheel_never_changes_an_unfocused_control_it_scrolls_the_form(qtbot, project_dir: Path,
                                                                      qapp) -> None:
    guard = install_wheel_guard(qapp)
    w = open_window(qtbot, project_dir)
    w.resize(1100, 600)
    w.show()
    qtbot.waitExposed(w)
    w.select(["s1_0"])
    combo = w.form.angle_combo
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel does not give it focus
    assert isinstance(combo.itemDelegate(), QStyledItemDelegate)
    scroll = next(a for a in w.form.findChildren(QScrollArea) if a.widget().isAncestorOf(combo))
    scroll.ensureWidgetVisible(combo)
    start = scroll.verticalScrollBar().value()
    angle = w.storyboard.shot("s1_0").angle
    steps = w.undo_stack.count()
    before = guard.redirected
    for _ in range(3):
        _wheel(combo, -120)
    assert w.storyboard.shot("s1_0").angle == angle and w.undo_stack.count() == steps
    assert guard.redirected == before + 3
    assert scroll.verticalScrollBar().value() > start  # the form scrolled instead
    # Clicked into (focused), the combo takes the wheel as usual.
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    _wheel(combo, -120)
    assert w.storyboard.shot("s1_0").angle != angle


def _spin_arrow_pixels(dark: bool, qapp) -> tuple[int, QColor]:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QSpinBox

    apply_style(qapp, dark)
    spin = QSpinBox()
    spin.resize(120, 28)
    spin.ensurePolished()
    image: QImage = spin.grab().toImage()
    base = image.pixelColor(10, 14)
    # Count pixels in the button strip (right 18 px) that differ clearly from the field's background.
    count = 0
    for x in range(image.width() - 17, image.width() - 3):
        for y in range(3, image.height() - 3):
            c = image.pixelColor(x, y)
            if abs(c.lightness() - base.lightness()) > 40:
                count += 1
    spin.deleteLater()
    return count, base


def test_spin_boxes_show_arrows_in_light_and_dark(qapp) -> None:
    try:
        light, light_base = _spin_arrow_pixels(False, qapp)
        dark, dark_base = _spin_arrow_pixels(True, qapp)
    finally:
        apply_style(qapp, False)
    assert light_base.lightness() > 200 and dark_base.lightness() < 80
    assert light > 8 and dark > 8  # two chevrons drawn in the buttons


def test_dropdown_highlight_is_visible_in_light_and_dark(qapp) -> None:
    install_wheel_guard(qapp)
    try:
        for dark in (False, True):
            apply_style(qapp, dark)
            combo = QComboBox()
            combo.addItems(["eye level", "high", "low", "overhead"])
            combo.show()
            combo.showPopup()
            view = combo.view()
            view.selectionModel().select(view.model().index(2, 0),
                                         view.selectionModel().SelectionFlag.ClearAndSelect)
            QApplication.processEvents()
            image = view.grab().toImage()
            rect = view.visualRect(view.model().index(2, 0))
            selected = image.pixelColor(rect.left() + 3, rect.center().y())
            other = image.pixelColor(rect.left() + 3, view.visualRect(view.model().index(3, 0)).center().y())
            highlight = qapp.palette().color(qapp.palette().ColorRole.Highlight)
            assert abs(selected.hue() - highlight.hue()) < 12 and selected != other, dark
            combo.hidePopup()
            combo.deleteLater()
    finally:
        apply_style(qapp, False)


# ----------------------------------------------------------------------------- geometry and size


def test_window_fits_a_small_screen_and_remembers_its_geometry(qtbot, project_dir: Path) -> None:
    from shotplanner.ui.review import install_review

    w = open_window(qtbot, project_dir)
    hub = install_review(w)
    hint = w.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 640, hint
    assert w.minimumSize().width() <= 1024 and w.minimumSize().height() <= 640
    w.setGeometry(10, 10, 760, 540)
    w.takes_dock = hub.takes_dock
    w.show()
    hub.queue_dock.close()  # a layout change the next start should see
    save_window(w)
    other = open_window(qtbot, project_dir)
    install_review(other)
    assert restore_geometry(other)
    assert (other.width(), other.height()) == (760, 540)
    remember_window(other)
    assert other.findChild(type(hub.queue_dock), "dock_queue").isHidden()


def test_first_start_fits_the_screen(qtbot) -> None:
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    assert not restore_geometry(window)
    area = window.screen().availableGeometry()
    assert window.width() <= area.width() and window.height() <= area.height()


def test_context_menu_on_cards_offers_the_shot_actions(qtbot, project_dir: Path) -> None:
    from shotplanner.ui.context_menu import shot_context_menu

    w = open_window(qtbot, project_dir)
    w.select(["s1_1"])
    menu = shot_context_menu(w, ["s1_1"])
    texts = _titles(menu)
    for item in ("Cut", "Copy", "Paste", "Duplicate", "Delete", "Move up", "Move down", "Add shot"):
        assert item in texts, item
    assert w.view.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    menu.deleteLater()


def test_help_shortcut_list_screenshot(qtbot, qapp, project_dir: Path, tmp_path: Path) -> None:
    """Help ▸ Keyboard shortcuts, grabbed for the README (SHOTPLANNER_UPDATE_SCREENSHOTS=1 refreshes)."""
    import os

    from shotplanner.ui.help_dialogs import ShortcutsDialog
    from shotplanner.ui.interchange_menu import install_interchange
    from shotplanner.ui.review import install_review

    apply_style(qapp, False)
    w = open_window(qtbot, project_dir)
    install_review(w)
    install_interchange(w)
    dialog = ShortcutsDialog(w)
    qtbot.addWidget(dialog)
    dialog.resize(660, 800)
    dialog.show()
    qtbot.waitExposed(dialog)
    commands = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
    for command in ("Undo", "Redo", "Copy", "Paste", "Generate selected shots", "Keyboard shortcuts"):
        assert command in commands, command
    image = dialog.grab().toImage()
    assert image.save(str(tmp_path / "shortcuts.png"))
    if os.environ.get("SHOTPLANNER_UPDATE_SCREENSHOTS"):
        out = Path(__file__).resolve().parents[2] / "docs" / "screenshot-shortcuts.png"
        image.save(str(out))


def test_right_click_on_a_table_row_selects_it_and_opens_the_shot_menu(qtbot, project_dir: Path) -> None:
    w = open_window(qtbot, project_dir)
    w.show()
    qtbot.waitExposed(w)
    w.show_mode(None)  # the shot-list table
    rows = w.table.view
    model = rows.table_model()
    row = next(r for r in range(model.rowCount()) if model.shot_at(r) is not None
               and model.shot_at(r).id == "s2_1")
    pos = rows.visualRect(model.index(row, 1)).center()
    rows.customContextMenuRequested.emit(pos)
    assert w.selected_ids() == ["s2_1"]
    menu = w._context_menu
    assert "Copy" in _titles(menu) and menu.isVisible()
    menu.close()
