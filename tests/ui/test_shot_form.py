"""The shot form writes to the core through the undo stack, and shows what the core says."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from shotplanner.core.storage import media_dir
from tests.ui.helpers import open_window, write_png


def test_typing_in_a_layer_reaches_the_core_as_one_undo_step(qtbot, project_dir: Path) -> None:
    w = open_window(qtbot, project_dir)
    w.select(["s1_1"])
    edit = w.form.layer_edits["camera"]
    edit.setFocus()
    qtbot.keyClicks(edit, "slow push-in")
    shot = w.storyboard.shot("s1_1")
    assert shot.layers.camera == "slow push-in"
    assert "slow push-in" in w.form.prompt_view.toPlainText()
    assert w.undo_stack.count() == 1
    assert w.isWindowModified()
    w.undo_stack.undo()
    assert shot.layers.camera == ""
    assert edit.toPlainText() == ""  # the form follows the core on undo


def test_lint_is_shown_next_to_the_layer_it_concerns(qtbot, project_dir: Path) -> None:
    from shotplanner.core.lint import lint_shot

    w = open_window(qtbot, project_dir)
    w.select(["s1_0"])
    issues = lint_shot(w.storyboard.shot("s1_0"), w.storyboard.project)
    layers = {i.layer for i in issues if i.layer}
    assert layers, "the fixture shot has empty camera/light layers, which lint should name"
    for name in layers:
        assert not w.form.layer_lint[name].isHidden()
        assert w.form.layer_lint[name].text()
    # Writing a camera movement clears (or changes) the camera layer's remark.
    before = w.form.layer_lint["camera"].text()
    w.form.layer_edits["camera"].setPlainText("slow push-in on a 50 mm lens, eye level")
    assert w.form.layer_lint["camera"].text() != before


def test_crew_fields_and_characters_reach_the_core(qtbot, project_dir: Path) -> None:
    w = open_window(qtbot, project_dir)
    w.select(["s2_0"])
    f = w.form
    f.size_combo.setCurrentIndex(f.size_combo.findData("CU"))
    f.duration_spin.setValue(7.5)
    f.fps_combo.setCurrentIndex(f.fps_combo.findData(25.0))
    f.audio_check.setChecked(True)
    f.lens_spin.setValue(85)
    item = f.characters_list.item(1)
    item.setCheckState(Qt.CheckState.Checked)
    shot = w.storyboard.shot("s2_0")
    assert (shot.size.value, shot.duration_s, shot.fps, shot.audio, shot.lens_mm) == ("CU", 7.5, 25, True, 85)
    assert shot.character_ids == ["ben"]
    f.lens_spin.setValue(f.lens_spin.minimum())
    assert shot.lens_mm is None
    while w.undo_stack.canUndo():
        w.undo_stack.undo()
    assert (shot.size.value, shot.duration_s, shot.audio, shot.character_ids) == ("EWS", 5.0, False, [])
    assert f.size_combo.currentData() == "EWS"


def test_dropped_image_is_copied_into_the_project(qtbot, project_dir: Path, tmp_path: Path) -> None:
    w = open_window(qtbot, project_dir)
    w.select(["s1_0"])
    png = write_png(tmp_path / "outside.png")
    assert w.attach_images("s1_0", [png])
    refs = w.storyboard.shot("s1_0").reference_images
    assert len(refs) == 1 and refs[0].path.startswith("media/refs/")
    copied = project_dir / refs[0].path
    assert copied.read_bytes() == png.read_bytes()
    assert w.form.refs_list.count() == 1
    w.undo_stack.undo()
    assert w.storyboard.shot("s1_0").reference_images == []
    assert copied.exists()  # undo never deletes media


def test_non_image_or_unreadable_file_changes_nothing(qtbot, project_dir: Path, tmp_path: Path) -> None:
    w = open_window(qtbot, project_dir)
    w.select(["s1_0"])
    text = tmp_path / "notes.png"
    text.write_text("this is not a picture")
    good = write_png(tmp_path / "good.png")
    truncated = tmp_path / "broken.png"
    truncated.write_bytes(good.read_bytes()[:20])
    before = w.storyboard.project.model_dump_json()
    refs_before = sorted((media_dir(project_dir) / "refs").iterdir())
    for bad in ([text], [good, truncated], [tmp_path / "missing.jpg"]):
        assert not w.attach_images("s1_0", bad)
        assert bad[-1].name in w.last_message
        assert not w.form.refs_message.isHidden()
    assert w.storyboard.project.model_dump_json() == before
    assert sorted((media_dir(project_dir) / "refs").iterdir()) == refs_before
    assert w.undo_stack.count() == 0
