"""The confirmation of paid storyboard frames lists them (it used to read a clip job's route choice).

Found by mypy: ``ConfirmDialog`` took ``Plan | FramePlan`` but asked every job for ``job.choice``, which
only a clip job has, so confirming billable frames raised AttributeError before the dialog showed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shotplanner.core.demo import copy_demo
from shotplanner.core.frame_models import frame_model
from shotplanner.core.storage import load_project
from shotplanner.generation.frame_plan import plan_frames
from shotplanner.ui.confirm_dialog import ConfirmDialog


def test_paid_frames_are_listed_with_their_estimate_note(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAL_KEY", "test-key-never-sent")  # planned only: nothing is sent here
    folder = copy_demo(tmp_path / "demo")
    project = load_project(folder)
    plan = plan_frames(project, folder, project.all_shots()[:2], frame_model(provider="fal"))
    assert plan.billable, plan.problems
    dialog = ConfirmDialog(plan)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == len(plan.sendable)
    first = plan.sendable[0]
    assert dialog.table.item(0, 0).text() == first.shot_number
    assert dialog.table.item(0, 1).text() == first.model_name
    assert dialog.table.item(0, 4).toolTip() == first.estimate_note
