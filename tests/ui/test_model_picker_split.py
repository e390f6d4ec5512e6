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


def _split_with_a_take(folder: Path) -> tuple[str, str, Path]:
    """A saved project whose shot s1_1 is split in two, segment 1 with a done take (a rendered clip)."""
    from shotplanner.core.models import JobState, Take
    from shotplanner.core.split import split_shot
    from shotplanner.core.storyboard import Storyboard
    from shotplanner.media.animatic import render_animatic
    from tests.ui.helpers import make_project

    project = make_project()
    sb = Storyboard(project)
    sb.update_shot("s1_1", duration_s=20.0, size=ShotSize.EWS)
    record = split_shot(sb, "s1_1", [10.0, 10.0], "kling-v3")
    first = sb.shot("s1_1")
    clip = folder / "media" / "takes" / "t1.mp4"
    clip.parent.mkdir(parents=True)
    render_animatic(first.model_copy(update={"duration_s": 1.0}), project, folder, clip, size=(160, 90))
    first.takes.append(
        Take(id="t1", model_id="kling-v3", provider="fal", state=JobState.DONE, clip="media/takes/t1.mp4")
    )
    storage.save_project(project, folder)
    return "s1_1", record.segment_ids[0], clip


def test_chained_segment_starts_from_the_previous_takes_last_frame(qtbot, tmp_path: Path) -> None:
    import numpy as np
    from PySide6.QtGui import QImage

    from tests.media.clips import decode

    folder = tmp_path / "film"
    first, second, clip = _split_with_a_take(folder)
    w = open_window(qtbot, folder)
    w.show()
    w.select([first])
    w.picker.refresh()
    assert w.picker.chain_button.isHidden()  # segment 1 is not chained
    w.select([second])
    w.picker.refresh()
    button = w.picker.chain_button
    assert not button.isHidden() and button.text() == "Start from the last frame of 1A"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    start = w.storyboard.shot(second).image_for("start")
    assert start is not None and start.label == "last frame of 1A" and start.path.startswith("media/frames/")
    image = QImage(str(folder / start.path)).convertToFormat(QImage.Format.Format_RGB888)
    last = decode(clip)[-1]
    assert (image.width(), image.height()) == (last.shape[1], last.shape[0])
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    assert np.array_equal(rows[:, : image.width() * 3].reshape(last.shape), last)
    w.picker.refresh()
    assert w.picker.chain_button.isHidden()  # done: it has its start image now
    w.undo_stack.undo()
    assert w.storyboard.shot(second).image_for("start") is None
