"""Issue 11's done-when: from the shot form alone a user makes a Kling close-up from a character's reference
image, and the request that reaches Kling (the real provider module, a loopback server) carries that image.
The window and the command line refuse the same shots, with the same words."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

from PySide6.QtCore import Qt

from shotplanner.core import storage
from shotplanner.core.models import Character, Project, PromptLayers, Scene, Shot
from shotplanner.generation.planner import Plan, Planner
from shotplanner.ui.generation_controller import GenerationController
from tests.generation.conftest import FAST, make_mp4
from tests.generation.helpers import provider_for, run_jobs
from tests.generation.servers import ContractServer, keys_env
from tests.ui.helpers import open_window, write_png


def _film(folder: Path) -> Path:
    (folder / "media" / "refs").mkdir(parents=True)
    write_png(folder / "media" / "refs" / "mara.png", 320, 400, "#aa6633")
    mara = Character(id="mara", name="Mara", description="a lighthouse keeper in a grey coat",
                     reference_images=["media/refs/mara.png"])
    shot = Shot(id="cu", number="7", duration_s=8.0, resolution="720p",
                layers=PromptLayers(subject="Mara", action="looks up at the lamp", camera="slow push-in",
                                    light="warm lamp light from the left", mood="quiet resolve"))
    storage.save_project(Project(title="Lamp", characters=[mara],
                                 scenes=[Scene(number="1", heading="INT. LAMP ROOM - NIGHT", shots=[shot])]),
                         folder)
    return folder


def test_a_kling_close_up_from_the_characters_sheet_carries_the_image(qtbot, tmp_path: Path,
                                                                      monkeypatch) -> None:
    folder = _film(tmp_path / "film")
    server = ContractServer("kling", clip=make_mp4(5.0)).start()
    for key, value in keys_env("kling").items():
        monkeypatch.setenv(key, value)
    try:
        window = open_window(qtbot, folder)
        window.select(["cu"])
        form = window.form
        # What the user does in the form: a close-up of Mara, 5 s at 1080p.
        form.size_combo.setCurrentIndex(form.size_combo.findData("CU"))
        form.duration_spin.setValue(5.0)
        form.resolution_combo.setCurrentIndex(form.resolution_combo.findData("1080p"))
        item = next(form.characters_list.item(i) for i in range(form.characters_list.count())
                    if form.characters_list.item(i).data(Qt.ItemDataRole.UserRole) == "mara")
        item.setCheckState(Qt.CheckState.Checked)
        shot = window.storyboard.shot("cu")
        assert shot.character_ids == ["mara"] and shot.size.value == "CU" and shot.resolution == "1080p"

        controller = GenerationController(window.storyboard, lambda: folder, window.catalog,
                                          providers={"kling": provider_for(server)}, settings=FAST,
                                          parent=window)
        plan = controller.plan(["cu"])  # the model the picker recommends for a character close-up
        job = plan.sendable[0]
        assert job.model.id == "kling-v3" and job.provider == "kling"
        assert job.choice.describe_images() == "starts from Mara's reference image"
        assert job.request.start_image == folder / "media/refs/mara.png"
        dialog = controller.generate(["cu"])  # the confirmation says what is sent, and waits
        assert dialog is not None
        assert "starts from Mara's reference image" in dialog.table.item(0, 1).toolTip()
        dialog.close()

        # Through the real Kling provider module, to a loopback server.
        # The project's own queue: its images must be inside the project it follows (confinement).
        asyncio.run(run_jobs(folder, server, FAST, [job.request]))
        body = server.create_bodies[0]
        sheet = (folder / "media/refs/mara.png").read_bytes()
        assert base64.b64decode(body["image"]) == sheet  # the sheet itself, raw base64 as Kling wants it
        assert body["model_name"] == "kling-v3" and body["mode"] == "pro" and body["duration"] == "5"
        assert "aspect_ratio" not in body  # image-to-video: the output follows the image
    finally:
        server.stop()


def test_the_window_and_the_cli_refuse_the_same_shot_for_the_same_reason(qtbot, tmp_path: Path,
                                                                        monkeypatch) -> None:
    for kind in ("kling", "fal"):
        for key, value in keys_env(kind).items():
            monkeypatch.setenv(key, value)
    folder = _film(tmp_path / "film")
    window = open_window(qtbot, folder)
    # 8 s at 720p on Kling v2.6 with sound: its audio needs pro mode, and it makes 5 or 10 s.
    window.storyboard.update_shot("cu", model_id="kling-v2.6", audio=True)
    controller = GenerationController(window.storyboard, lambda: folder, window.catalog,
                                      providers={"kling": object(), "fal": object()},  # type: ignore[dict-item]
                                      parent=window)
    in_window = controller.plan(["cu"])
    headless = Planner(window.catalog, providers={"kling", "fal"}).plan(
        window.storyboard.project, folder, [window.storyboard.shot("cu")], again=False)
    assert not in_window.sendable and not headless.sendable
    assert in_window.problems == headless.problems
    assert any("only in its pro mode" in p for p in in_window.problems)


def test_the_form_gives_each_image_its_role_and_the_request_follows_it(qtbot, tmp_path: Path,
                                                                      monkeypatch) -> None:
    from shotplanner.core.models import ImageRef

    for key, value in keys_env("fal").items():
        monkeypatch.setenv(key, value)
    folder = _film(tmp_path / "film")
    write_png(folder / "media" / "refs" / "door.png", 640, 360)
    write_png(folder / "media" / "refs" / "sea.png", 640, 360, "#225588")
    window = open_window(qtbot, folder)
    window.storyboard.update_shot("cu", model_id="veo-3.1", duration_s=8.0, resolution="1080p",
                                  reference_images=[ImageRef(path="media/refs/door.png"),
                                                    ImageRef(path="media/refs/sea.png")])
    window.select(["cu"])
    form = window.form
    controller = GenerationController(window.storyboard, lambda: folder, window.catalog,
                                      providers={"fal": object()},  # type: ignore[dict-item]
                                      parent=window)
    # Two references: Veo 3.1 on fal sends them to its reference-to-video endpoint, as references.
    job = controller.plan(["cu"]).jobs[0]
    assert job.request.provider_model == "fal-ai/veo3.1/reference-to-video"
    assert job.choice.describe_images() == "sends 2 reference images (reference-to-video)"

    def choose(row: int, label: str) -> None:
        form.refs_list.clearSelection()  # the list keeps its selection across a refresh
        form.refs_list.setCurrentRow(row)
        assert form.role_combo.isEnabled()
        form.role_combo.setCurrentIndex(form.role_combo.findText(label))
        form.role_combo.activated.emit(form.role_combo.currentIndex())

    choose(0, "Start frame")
    choose(1, "End frame")
    shot = window.storyboard.shot("cu")
    assert [r.role for r in shot.reference_images] == ["start", "end"]
    job = controller.plan(["cu"]).jobs[0]
    assert job.request.provider_model == "fal-ai/veo3.1/first-last-frame-to-video"
    assert job.request.start_image == folder / "media/refs/door.png"
    assert job.request.end_image == folder / "media/refs/sea.png"
    window.undo_stack.undo()  # one undo step per role change
    assert [r.role for r in window.storyboard.shot("cu").reference_images] == ["start", "reference"]


def test_a_missing_key_is_reported_to_the_window_and_nothing_is_planned_as_sendable(
        qtbot, tmp_path: Path, monkeypatch) -> None:
    for var in ("KLING_ACCESS_KEY", "KLING_SECRET_KEY", "FAL_KEY", "REPLICATE_API_TOKEN", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    folder = _film(tmp_path / "film")
    window = open_window(qtbot, folder)
    window.storyboard.update_shot("cu", model_id="kling-v3", duration_s=5.0, resolution="1080p")
    controller = GenerationController(window.storyboard, lambda: folder, window.catalog,
                                      parent=window)
    missing: list[Plan] = []
    messages: list[str] = []
    controller.keysMissing.connect(missing.append)
    controller.message.connect(messages.append)
    assert controller.generate(["cu"]) is None  # no confirmation, nothing sent
    assert [plan.missing_keys for plan in missing] == [frozenset({"kling"})]
    assert any("no kling key is set up" in m for m in messages)
    assert controller.service.host is None  # no queue was even started
