"""The picker offers the recommender's split for a shot longer than any model holds; one undo step."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from shotplanner.core import storage
from shotplanner.core.models import ShotSize
from tests.ui.helpers import open_window


def test_split_offer_is_shown_only_for_long_shots_and_undoes_in_one_step(qtbot, project_dir: Path) -> None:
    w = open_window(qtbot, project_dir)
    w.show()
    sb = w.storyboard
    w.select(["s1_1"])
    w.picker.refresh()
    assert w.picker.split_button.isHidden()
    sb.update_shot("s1_1", duration_s=20.0, size=ShotSize.EWS)
    w.picker.refresh()
    button = w.picker.split_button
    assert not button.isHidden()
    assert button.text() == "Split into 2 segments (10 s + 10 s) on Kling v3 Video"
    assert "chained by frame" in button.toolTip()
    before = [s.id for s in sb.shots()]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    after = sb.shots()
    assert len(after) == len(before) + 1
    index = [s.id for s in after].index("s1_1")
    segment = after[index + 1]
    assert segment.chain_from == "s1_1" and segment.duration_s == 10.0 and after[index].duration_s == 10.0
    assert w.undo_stack.undoText() == "Split shot into 2 segments"
    w.undo_stack.undo()
    assert [s.id for s in sb.shots()] == before and sb.shot("s1_1").duration_s == 20.0
    w.undo_stack.redo()
    assert [s.id for s in sb.shots()][index + 1] == segment.id
    assert w.save()
    saved = storage.load_project(project_dir)
    assert [s.chain_from for s in saved.all_shots()].count("s1_1") == 1
