"""A storyboard frame's reference images stay inside the project folder (``core.confine.inside``): one
that leaves it — by ``..``, an absolute path or a symlink — or is missing refuses that shot's frame with a
message, and the other shots are still planned, with absolute paths to their files."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotplanner.core.demo import copy_demo
from shotplanner.core.frame_models import frame_model
from shotplanner.core.models import ImageRef
from shotplanner.core.storage import load_project
from shotplanner.generation.frame_plan import FramePlanError, plan_frame, plan_frames


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return copy_demo(tmp_path / "demo")


BAD = {
    "../secret.png": "outside the project folder",
    "{secret}": "outside the project folder",
    "{demo}/media/refs/mara.png": "outside the project folder",  # absolute, even pointing inside
    "media/refs/link.png": "outside the project folder",  # a symlink to the file beside the project
    "media/refs/gone.png": "missing from the project folder",
}


@pytest.mark.parametrize("template", list(BAD))
def test_a_reference_outside_the_project_or_missing_refuses_the_frame(demo: Path, tmp_path: Path,
                                                                      template: str) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes((demo / "media/refs/mara.png").read_bytes())
    (demo / "media/refs/link.png").symlink_to(secret)
    path = template.format(secret=secret, demo=demo)
    project = load_project(demo)
    shot = project.all_shots()[0]
    shot.reference_images = [ImageRef(path=path)]
    plan = plan_frames(project, demo, [shot], frame_model(provider="local"))
    assert not plan.jobs and [s.shot_id for s in plan.skipped] == [shot.id]
    reason = plan.skipped[0].reason
    assert BAD[template] in reason and path in reason, reason


def test_every_reference_sent_is_an_absolute_path_inside_the_project(demo: Path) -> None:
    project = load_project(demo)
    plan = plan_frames(project, demo, project.all_shots(), frame_model(provider="local"))
    assert not plan.skipped and len(plan.jobs) == len(project.all_shots())
    sent = [image for job in plan.jobs for image in job.request.reference_images]
    assert sent and all(i.is_absolute() and i.is_file() and i.is_relative_to(demo.resolve()) for i in sent)


def test_a_relative_project_folder_still_sends_absolute_paths(demo: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(demo.parent)
    project = load_project(Path(demo.name))
    shot = project.find_by_number("1A")
    assert shot is not None
    job = plan_frame(shot, project, Path(demo.name), frame_model(provider="local"))
    assert job.request.reference_images == ((demo / "media/refs/mara.png").resolve(),)
    shot.reference_images = [ImageRef(path="../x.png")]
    with pytest.raises(FramePlanError, match="outside the project folder"):
        plan_frame(shot, project, Path(demo.name), frame_model(provider="local"))
