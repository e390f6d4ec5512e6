"""Sending shots from the window to the (loopback) providers: the queue panel and the cards follow every
state; failures show the provider's message; cancel and retry work; billable jobs wait for a confirmation."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

from shotplanner.core.models import JobState
from shotplanner.generation.hosts import ProcessHost, WorkerStopped
from shotplanner.ui import generation_controller
from shotplanner.ui.generation_controller import GenerationController
from shotplanner.ui.queue_panel import COL, QueuePanel
from shotplanner.ui.storyboard_model import TakeRole
from tests.ui import review_support
from tests.ui.helpers import open_window
from tests.ui.review_support import (
    FAST,
    providers,
    review_project,
    run,
    saved,
    until,
)

aloop = review_support.aloop  # a fixture
fal_server = review_support.fal_server  # a fixture


def _setup(
    qtbot: Any, tmp_path: Path, server: Any, count: int = 3
) -> tuple[Any, GenerationController, QueuePanel]:
    folder = saved(review_project(count), tmp_path / "film")
    window = open_window(qtbot, folder)
    controller = GenerationController(
        window.storyboard,
        lambda: window.folder,
        window.catalog,
        providers=providers(server, window.storyboard.project, folder),
        settings=FAST,
        parent=window,
    )
    panel = QueuePanel(controller)
    qtbot.addWidget(panel)
    return window, controller, panel


def test_a_batch_goes_through_every_state_in_the_panel_and_on_the_cards(
    qtbot, aloop, tmp_path, fal_server
) -> None:
    """Three shots, once confirmed: each job passes queued → … → done in the panel and on its card."""
    fal_server.faults.polls_to_finish = 3  # IN_QUEUE, then IN_PROGRESS, then COMPLETED
    window, controller, panel = _setup(qtbot, tmp_path, fal_server)
    ids = [s.id for s in window.storyboard.shots()]
    seen_panel: dict[str, list[str]] = {}
    seen_card: dict[str, list[str]] = {}

    def record(event: Any) -> None:
        row = panel.model._index[event.take_id]
        state = panel.model.index(row, COL["State"]).data()
        card = window.model.index_of(event.shot_id).data(TakeRole)
        for seen, value in ((seen_panel, state), (seen_card, card.state.value)):
            got = seen.setdefault(event.take_id, [])
            if not got or got[-1] != value:
                got.append(value)

    controller.jobChanged.connect(record)

    async def scenario() -> None:
        dialog = controller.generate(ids)
        assert dialog is not None and not dialog.isModal()  # billable: waits for the user
        assert dialog.table.rowCount() == 3 and "$" in dialog.total_label.text()
        assert fal_server.creates == 0 and all(not s.takes for s in window.storyboard.shots())
        dialog.accept()
        await until(
            lambda: panel.model.rowCount() == 3 and all(r.state is JobState.DONE for r in panel.model.rows)
        )
        await until(lambda: all(s.takes[-1].poster for s in window.storyboard.shots()))

    run(aloop, scenario())
    expected = ["queued", "submitting", "submitted", "running", "downloading", "done"]
    assert len(seen_panel) == 3
    for take_id, states in seen_panel.items():
        assert states == expected, take_id
        assert seen_card[take_id] == expected
    for shot in window.storyboard.shots():
        take = shot.takes[-1]
        assert (window.folder / take.clip).stat().st_size == len(fal_server.clip)
        assert take.cost_usd is not None and take.prompt and take.settings["duration_s"] == 5.0
    assert fal_server.creates == 3
    assert panel.summary.text() == "3 done"
    run(aloop, controller.aclose())


def test_a_failed_job_shows_the_providers_message(qtbot, aloop, tmp_path, fal_server) -> None:
    """fal marks a moderated job COMPLETED with an error: the panel and the take show that message."""
    fal_server.faults.moderation = True
    window, controller, panel = _setup(qtbot, tmp_path, fal_server, count=1)
    shot = window.storyboard.shots()[0]

    async def scenario() -> None:
        controller.generate([shot.id]).accept()
        await until(lambda: panel.model.rowCount() == 1 and panel.model.rows[0].state.is_terminal)

    run(aloop, scenario())
    row = panel.model.rows[0]
    assert row.state is JobState.FAILED
    message = panel.model.index(0, COL["Message"]).data()
    assert "content moderation" in message
    assert "content moderation" in shot.takes[-1].message and shot.takes[-1].state is JobState.FAILED
    run(aloop, controller.aclose())


def test_cancel_then_retry_makes_a_new_take(qtbot, aloop, tmp_path, fal_server) -> None:
    """A job that never finishes is canceled from the panel; retrying it creates a second take that runs."""
    fal_server.faults.never_finish = True
    window, controller, panel = _setup(qtbot, tmp_path, fal_server, count=1)
    shot = window.storyboard.shots()[0]

    async def scenario() -> None:
        controller.generate([shot.id]).accept()
        await until(lambda: panel.model.rowCount() == 1 and panel.model.rows[0].state is JobState.RUNNING)
        panel.view.selectRow(0)
        assert panel.cancel_button.isEnabled() and not panel.retry_button.isEnabled()
        panel.cancel_selected()
        await until(lambda: panel.model.rows[0].state is JobState.CANCELED)
        assert fal_server.cancels == 1
        assert panel.retry_button.isEnabled()
        fal_server.faults.never_finish = False
        canceled = panel.model.rows[0].take_id
        panel.retry_selected()
        # A new create bills again, so it waits for the same confirmation as any paid job.
        assert controller.dialog is not None and fal_server.creates == 1
        assert panel.model.rowCount() == 1
        controller.dialog.accept()
        await until(lambda: panel.model.rowCount() == 2 and panel.model.rows[1].state is JobState.DONE)
        assert panel.model.rows[1].take_id != canceled

    run(aloop, scenario())
    assert [t.state for t in shot.takes] == [JobState.CANCELED, JobState.DONE]
    assert shot.takes[0].prompt == shot.takes[1].prompt
    assert fal_server.creates == 2
    run(aloop, controller.aclose())


def test_local_animatics_need_no_confirmation(qtbot, aloop, tmp_path, fal_server) -> None:
    """Rendering animatics sends at once (no dialog) and the takes come back as local clips."""
    window, controller, panel = _setup(qtbot, tmp_path, fal_server, count=2)
    for shot in window.storyboard.shots():
        window.storyboard.update_shot(shot.id, duration_s=1.0)

    async def scenario() -> None:
        assert controller.generate([s.id for s in window.storyboard.shots()], "local-animatic") is None
        await until(
            lambda: panel.model.rowCount() == 2 and all(r.state is JobState.DONE for r in panel.model.rows),
            timeout=60,
        )

    run(aloop, scenario(), timeout=90)
    assert controller.dialog is None and fal_server.creates == 0
    for shot in window.storyboard.shots():
        assert shot.cut_take() is shot.takes[-1] and shot.takes[-1].provider == "local"
    assert panel.model.index(0, COL["Cost"]).data() == "$0.00"
    run(aloop, controller.aclose())


def test_the_queue_runs_in_a_worker_process_and_closes_cleanly(qtbot, aloop, tmp_path, fal_server) -> None:
    """By default the queue and its HTTP clients run in a child process (never holding the GUI's
    interpreter lock); the concurrency limit reaches it; closing ends it without canceling any job."""
    fal_server.faults.never_finish = True
    window, controller, panel = _setup(qtbot, tmp_path, fal_server, count=2)

    async def scenario() -> None:
        controller.generate([s.id for s in window.storyboard.shots()]).accept()
        await until(lambda: [r.state for r in panel.model.rows] == [JobState.RUNNING] * 2)
        host = controller.service.host
        assert isinstance(host, ProcessHost) and host.running and host.process.pid != os.getpid()
        limits = controller.set_concurrency("fal", 1)
        assert limits is not None and (await asyncio.wrap_future(limits))["fal"] == 1
        await controller.aclose()
        assert controller.service.host is None and not host.running
        assert host.process.returncode == 0

    run(aloop, scenario())
    # Closing stops following (the jobs resume next session); it does not cancel them at the provider.
    assert fal_server.cancels == 0 and fal_server.creates == 2


def test_a_worker_that_dies_loses_no_job_and_sends_nothing_twice(qtbot, aloop, tmp_path, fal_server) -> None:
    """The worker is killed while jobs run: the user is told, a new worker starts by itself, resumes the
    jobs from the journal and finishes them, with one create per job."""
    fal_server.faults.never_finish = True
    window, controller, panel = _setup(qtbot, tmp_path, fal_server, count=3)
    messages: list[str] = []
    controller.message.connect(messages.append)

    async def scenario() -> None:
        controller.generate([s.id for s in window.storyboard.shots()]).accept()
        await until(lambda: [r.state for r in panel.model.rows] == [JobState.RUNNING] * 3)
        first = controller.service.host
        assert isinstance(first, ProcessHost)
        first.process.send_signal(signal.SIGKILL)
        await until(lambda: any("worker stopped" in m and "starting it again" in m for m in messages))
        assert not first.running
        fal_server.faults.never_finish = False
        take = window.storyboard.shots()[0].takes[-1].id
        await until(lambda: controller.service.host is not first and controller.service.host is not None)
        assert controller.service.host.running
        # Asked at once, the new worker already knows the job from the journal (a retry would resume it,
        # not send it again).
        job = controller.service.job(take)
        assert job is not None and job.remote_id is not None
        await until(lambda: all(r.state is JobState.DONE for r in panel.model.rows))

    run(aloop, scenario())
    assert fal_server.creates == 3
    assert all(s.takes[-1].state is JobState.DONE and s.takes[-1].clip for s in window.storyboard.shots())
    run(aloop, controller.aclose())


def test_a_big_batch_is_handed_over_in_slices(qtbot, aloop, tmp_path, fal_server, monkeypatch) -> None:
    """Sending many shots does a slice per loop turn (here one job per slice) and still sends them all."""
    monkeypatch.setattr(generation_controller, "SEND_SLICE_S", 0.0)
    window, controller, panel = _setup(qtbot, tmp_path, fal_server, count=12)
    shots = window.storyboard.shots()
    plan = controller.plan([s.id for s in shots])

    async def scenario() -> None:
        ids = controller.send(plan.jobs)
        assert len(ids) == 12
        assert sum(len(s.takes) for s in shots) == 1 and panel.model.rowCount() == 1  # the first slice
        rows = panel.model.rows
        await until(lambda: len(rows) == 12 and all(r.state is JobState.DONE for r in rows))
        assert [s.takes[-1].id for s in shots] == ids  # in order, one take per shot

    run(aloop, scenario())
    assert fal_server.creates == 12
    run(aloop, controller.aclose())


def test_a_worker_that_keeps_stopping_is_left_stopped(qtbot, tmp_path, fal_server) -> None:
    """Restarts are bounded: after three in a minute the user is told the jobs wait for them instead."""
    _window, controller, _panel = _setup(qtbot, tmp_path, fal_server, count=1)
    messages: list[str] = []
    controller.message.connect(messages.append)
    for _ in range(4):
        controller._apply(WorkerStopped("The generation worker stopped (exit code -9)"))
    assert sum("starting it again" in m for m in messages) == 3
    assert "resume when you send or retry" in messages[-1]


def test_a_worker_killed_right_after_send_loses_no_job_and_sends_none_twice(qtbot, aloop, tmp_path,
                                                                           fal_server) -> None:
    """The real worker, killed within moments of Send (before it took the batch): the next worker gets
    the jobs again; every take ends done, each create happened once, none is called unknown or failed."""
    window, controller, _panel = _setup(qtbot, tmp_path, fal_server, count=6)
    plan = controller.plan([s.id for s in window.storyboard.shots()])
    fal_server.faults.latency = 0.05

    async def scenario() -> None:
        controller.send(plan.jobs)
        host = controller.service.host
        assert isinstance(host, ProcessHost)
        await asyncio.sleep(0.05)
        host.process.kill()  # very likely before it read the batch; never after all sent
        takes = lambda: [t for s in window.storyboard.shots() for t in s.takes]  # noqa: E731
        await until(lambda: len(takes()) == 6 and all(t.state.is_terminal for t in takes()), 40)
        assert [t.state for t in takes()] == [JobState.DONE] * 6, [(t.state, t.message) for t in takes()]

    run(aloop, scenario(), 60)
    assert fal_server.creates == 6
    run(aloop, controller.aclose())
