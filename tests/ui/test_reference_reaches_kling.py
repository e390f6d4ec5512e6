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
from shotplanner.generation.planner import Planner
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
                                          queue_process=False, parent=window)
        plan = controller.plan(["cu"])  # the model the picker recommends for a character close-up
        job = plan.sendable[0]
        assert job.model.id == "kling-v3" and job.provider == "kling"
        assert job.choice.describe_images() == "starts from Mara's reference image"
        assert job.request.start_image == folder / "media/refs/mara.png"

        # Through the real Kling provider module, to a loopback server.
        asyncio.run(run_jobs(tmp_path / "queue", server, FAST, [job.request]))
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
                                      queue_process=False, parent=window)
    in_window = controller.plan(["cu"])
    headless = Planner(window.catalog, providers={"kling", "fal"}).plan(
        window.storyboard.project, folder, [window.storyboard.shot("cu")], again=False)
    assert not in_window.sendable and not headless.sendable
    assert in_window.problems == headless.problems
    assert any("only in its pro mode" in p for p in in_window.problems)
