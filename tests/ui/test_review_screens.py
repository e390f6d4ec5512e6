"""Screenshots of review, grabbed offscreen from the real window: a finished take playing in the Takes
panel, the queue panel busy with jobs on the loopback providers, and the compare view. Each grab is checked
for content and written to docs/ (the README shows one)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from shotplanner.core.demo import copy_demo
from shotplanner.core.models import LOCAL_MODEL_ID, JobState, Take
from shotplanner.generation.local import LocalAnimaticProvider
from shotplanner.media.animatic import render_animatic
from shotplanner.media.posters import poster_for
from shotplanner.ui.review import install_review
from shotplanner.ui.style import apply_style
from tests.generation.conftest import make_mp4
from tests.generation.helpers import provider_for
from tests.generation.servers import ContractServer, keys_env
from tests.ui import review_support
from tests.ui.helpers import open_window
from tests.ui.review_support import FAST, run, until

aloop = review_support.aloop  # a fixture

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    buf = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return buf.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 3].astype(np.float32)


def _save(image: QImage, name: str, tmp_path: Path) -> None:
    assert _pixels(image).std() > 20, f"{name} looks blank"
    assert image.save(str(tmp_path / name))
    if os.environ.get("SHOTPLANNER_UPDATE_SCREENSHOTS"):  # refresh the README's pictures on request only
        DOCS.mkdir(exist_ok=True)
        image.save(str(DOCS / name))


def _render_take(window: Any, shot_id: str, take_id: str, **changes: Any) -> Take:
    folder = window.folder
    shot = window.storyboard.shot(shot_id).model_copy(deep=True, update=changes)
    out = folder / "media" / "takes" / f"{take_id}.mp4"
    out.parent.mkdir(parents=True, exist_ok=True)
    render_animatic(shot, window.storyboard.project, folder, out, size=(640, 360), fps=24)
    poster = poster_for(out)
    from shotplanner.core.prompt import compose_prompt

    take = Take(
        id=take_id,
        model_id=LOCAL_MODEL_ID,
        provider="local",
        state=JobState.DONE,
        progress=1.0,
        prompt=compose_prompt(shot, window.storyboard.project),
        cost_usd=0.0,
        settings={
            "duration_s": shot.duration_s,
            "aspect": shot.aspect,
            "resolution": "480p",
            "fps": 24,
            "camera": shot.layers.camera,
        },
        clip=f"media/takes/{take_id}.mp4",
        poster=poster.relative_to(folder).as_posix(),
    )
    window.storyboard.add_take(shot_id, take)
    return take


def test_review_screenshots(qtbot, qapp, aloop, tmp_path: Path, monkeypatch) -> None:
    apply_style(qapp, dark=False)
    folder = copy_demo(tmp_path / "demo")
    window = open_window(qtbot, folder)
    servers = [ContractServer("fal", clip=make_mp4(2.0)).start(), ContractServer("replicate").start()]
    for server in servers:
        for key, value in keys_env(server.kind).items():
            monkeypatch.setenv(key, value)
    servers[0].faults.polls_to_finish = 400  # fal jobs stay running
    servers[1].faults.moderation = True  # replicate refuses after accepting
    try:
        providers = {
            "fal": provider_for(servers[0]),
            "replicate": provider_for(servers[1]),
            "local": LocalAnimaticProvider(project=window.storyboard.project, project_dir=folder),
        }
        hub = install_review(window, providers=providers, settings=FAST)
        window.resize(1440, 900)
        window.show()
        qtbot.waitExposed(window)
        shots = window.storyboard.shots()

        # 1. A finished take playing in the Takes panel.
        first = shots[0].id
        _render_take(window, first, "take_a", duration_s=2.0)
        _render_take(
            window,
            first,
            "take_b",
            duration_s=2.0,
            layers=shots[0].layers.model_copy(update={"camera": "slow crane up, revealing the harbour"}),
        )
        window.select([first])
        hub.takes_dock.raise_()
        hub.takes.select_take("take_a")
        player = hub.takes.player.player
        qtbot.waitUntil(lambda: player.duration_ms > 0, timeout=5000)
        player.play()
        qtbot.waitUntil(lambda: player.position_ms >= 1000, timeout=5000)
        player.pause()
        _save(window.grab().toImage(), "screenshot-review.png", tmp_path)

        # 2. The queue busy: done animatics, running fal jobs, a failed replicate job, a canceled one.
        for shot in shots[1:4]:
            # Settings the route renders: the window refuses shots a route cannot make, as the CLI does.
            window.storyboard.update_shot(shot.id, model_id="kling-v2.5-turbo", duration_s=5.0,
                                          resolution="1080p")
        window.storyboard.update_shot(shots[4].id, model_id="ltx-2-pro")
        for shot in shots[5:8]:
            window.storyboard.update_shot(shot.id, duration_s=1.0)

        async def busy() -> None:
            hub.controller.generate([s.id for s in shots[5:8]], LOCAL_MODEL_ID)
            hub.controller.generate([s.id for s in shots[1:5]]).accept()
            rows = hub.queue_panel.model.rows
            await until(
                lambda: (
                    len(rows) == 7
                    and sum(r.state is JobState.DONE for r in rows) == 3
                    and any(r.state is JobState.FAILED for r in rows)
                    and sum(r.state is JobState.RUNNING for r in rows) == 3
                ),
                timeout=60,
            )
            running = [r for r in rows if r.state is JobState.RUNNING]
            await hub.controller.service.cancel(running[0].take_id)

        run(aloop, busy(), timeout=90)
        hub.queue_dock.raise_()
        window.resizeDocks([hub.queue_dock], [300], Qt.Orientation.Vertical)
        qtbot.wait(50)
        _save(window.grab().toImage(), "screenshot-queue.png", tmp_path)
        states = {r.state for r in hub.queue_panel.model.rows}
        assert states == {JobState.DONE, JobState.RUNNING, JobState.FAILED, JobState.CANCELED}

        # 3. Compare the two takes of the first shot.
        compare = hub.open_compare(first, "take_a", "take_b")
        a, b = compare.players
        qtbot.waitUntil(lambda: a.duration_ms > 0 and b.duration_ms > 0, timeout=5000)
        compare.seek(1200)
        qtbot.waitUntil(lambda: a.position_ms >= 1100 and b.position_ms >= 1100, timeout=5000)
        qtbot.wait(50)
        _save(compare.grab().toImage(), "screenshot-compare.png", tmp_path)
        assert "camera" in compare.diff_label.text()
        run(aloop, hub.aclose())
    finally:
        for server in servers:
            server.stop()
