"""The cast panel and the form's reference images: every change one undo step, read back from the core."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QMessageBox

from shotplanner.core import storage
from tests.ui.helpers import open_window, write_png


def _window(qtbot, folder: Path):  # type: ignore[no-untyped-def]
    window = open_window(qtbot, folder)
    window.resize(1300, 850)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_cast_lists_each_character_with_its_shots(qtbot, project_dir: Path) -> None:
    window = _window(qtbot, project_dir)
    sb = window.storyboard
    sb.update_shot("s1_1", character_ids=["ana"])
    sb.update_shot("s3_0", character_ids=["ana", "ben"])
    cast = window.cast
    assert [cast.cast_list.item(i).text() for i in range(cast.cast_list.count())] == [
        "Ana  ·  2 shots", "Ben  ·  1 shot"]
    cast.select("ana")
    shots = [cast.shots_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(cast.shots_list.count())]
    assert shots == ["s1_1", "s3_0"]
    # Clicking a shot there selects it in the storyboard.
    cast.shots_list.itemClicked.emit(cast.shots_list.item(1))
    assert window.current_shot_id() == "s3_0"


def test_describing_a_character_is_one_undo_step_per_typing_session(qtbot, project_dir: Path) -> None:
    window = _window(qtbot, project_dir)
    cast = window.cast
    cast.select("ben")
    qtbot.keyClicks(cast.description_edit, "late fifties, grey beard")
    assert window.storyboard.project.character("ben").description == "late fifties, grey beard"
    assert window.undo_stack.count() == 1
    cast.name_edit.setText("Benedict")
    cast.name_edit.editingFinished.emit()
    assert window.storyboard.project.character("ben").name == "Benedict"
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert window.storyboard.project.character("ben").description == ""
    assert cast.description_edit.toPlainText() == ""


def test_removing_a_character_asks_and_undo_puts_it_back_on_its_shots(qtbot, project_dir: Path) -> None:
    window = _window(qtbot, project_dir)
    sb = window.storyboard
    sb.update_shot("s2_0", character_ids=["ana", "ben"])
    window.cast.select("ana")
    box = window.cast.ask_remove()
    assert box is not None and "1 shot" in box.text()
    assert sb.project.character("ana") is not None  # nothing happens before the answer
    box.button(QMessageBox.StandardButton.Yes).click()
    assert sb.project.character("ana") is None
    assert sb.shot("s2_0").character_ids == ["ben"]
    window.undo_stack.undo()
    assert [c.id for c in sb.project.characters] == ["ana", "ben"]
    assert sb.shot("s2_0").character_ids == ["ana", "ben"]


def test_a_character_added_from_the_form_is_in_the_cast_and_on_the_shot(qtbot, project_dir: Path) -> None:
    window = _window(qtbot, project_dir)
    window.select(["s1_2"])
    qtbot.keyClicks(window.form.new_character_edit, "Tomas")
    qtbot.keyClick(window.form.new_character_edit, Qt.Key.Key_Return)
    sb = window.storyboard
    tomas = next(c for c in sb.project.characters if c.name == "Tomas")
    assert sb.shot("s1_2").character_ids == [tomas.id]
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert all(c.name != "Tomas" for c in sb.project.characters)
    assert sb.shot("s1_2").character_ids == []
    window.undo_stack.redo()
    assert sb.shot("s1_2").character_ids == [tomas.id]


def test_character_reference_images_are_copied_once(qtbot, project_dir: Path, tmp_path: Path) -> None:
    window = _window(qtbot, project_dir)
    cast = window.cast
    cast.select("ana")
    sheet = write_png(tmp_path / "ana sheet.png", 400, 300)
    cast.refs.filesChosen.emit([sheet])
    cast.refs.filesChosen.emit([sheet])
    refs = window.storyboard.project.character("ana").reference_images
    assert len(refs) == 1 and (project_dir / refs[0]).read_bytes() == sheet.read_bytes()
    assert "already" in cast.message.text()
    assert cast.refs.list.count() == 1 and cast.refs.list.item(0).text() == Path(refs[0]).name


def test_form_references_show_file_names_and_take_a_role(qtbot, project_dir: Path, tmp_path: Path) -> None:
    window = _window(qtbot, project_dir)
    window.select(["s1_0"])
    first = write_png(tmp_path / "opening frame.png", 160, 90, "#aa3333")
    other = write_png(tmp_path / "look.png", 160, 90, "#33aa33")
    window.form.refs.filesChosen.emit([first, other])
    refs = window.storyboard.shot("s1_0").reference_images
    assert [(r.label, r.role) for r in refs] == [("opening frame.png", "reference"),
                                                 ("look.png", "reference")]
    items = window.form.refs.list
    assert items.item(0).text() == "Reference\nopening frame.png"
    items.item(0).setSelected(True)
    combo = window.form.refs.role_combo
    assert combo is not None and combo.isEnabled()
    combo.setCurrentIndex(combo.findData("start"))
    combo.activated.emit(combo.currentIndex())
    assert [r.role for r in window.storyboard.shot("s1_0").reference_images] == ["start", "reference"]
    assert window.form.refs.list.item(0).text() == "Start frame\nopening frame.png"
    window.undo_stack.undo()
    assert [r.role for r in window.storyboard.shot("s1_0").reference_images] == ["reference", "reference"]
    window.undo_stack.undo()
    assert window.storyboard.shot("s1_0").reference_images == []


def test_pasting_a_picture_or_files_adds_references(qtbot, project_dir: Path, tmp_path: Path) -> None:
    window = _window(qtbot, project_dir)
    window.select(["s2_0"])
    clipboard = QGuiApplication.clipboard()
    picture = QImage(64, 48, QImage.Format.Format_RGB32)
    picture.fill(QColor("#225588"))
    clipboard.setImage(picture)
    assert window.form.refs.paste()
    refs = window.storyboard.shot("s2_0").reference_images
    assert [r.label for r in refs] == ["Pasted image"]
    assert QImage(str(project_dir / refs[0].path)).pixelColor(3, 3) == QColor("#225588")
    # Files copied in a file manager arrive as URLs.
    still = write_png(tmp_path / "still 2.png")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(still))])
    clipboard.setMimeData(mime)
    assert window.form.refs.paste()
    labels = [r.label for r in window.storyboard.shot("s2_0").reference_images]
    assert labels == ["Pasted image", "still 2.png"]
    assert window.undo_stack.count() == 2
    window.save()
    saved = storage.load_project(project_dir)
    assert [r.label for r in saved.scenes[1].shots[0].reference_images] == ["Pasted image", "still 2.png"]


def test_ctrl_v_in_the_reference_list_pastes_an_image_not_shots(qtbot, project_dir: Path) -> None:
    window = _window(qtbot, project_dir)
    window.select(["s1_1"])
    picture = QImage(32, 32, QImage.Format.Format_RGB32)
    picture.fill(QColor("#884422"))
    QGuiApplication.clipboard().setImage(picture)
    shots_before = len(window.storyboard)
    window.activateWindow()
    window.form.refs.list.setFocus()
    qtbot.keyClick(window.form.refs.list, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert [r.label for r in window.storyboard.shot("s1_1").reference_images] == ["Pasted image"]
    assert len(window.storyboard) == shots_before
