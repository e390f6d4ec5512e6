"""The window keeps the user's work and its own house: the job journal is cleaned after a save (reopening
replays nothing and is not marked modified), autosave has a maximum delay that takes' progress cannot push
back, a recovery waits on disk until the user answers, and the banner shows only when it holds something new;
a project naming files outside itself opens with a message naming the shot and the path."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from shotplanner.core import storage
from shotplanner.core.models import ImageRef, JobState, Take
from shotplanner.generation.journal import journal_dir
from shotplanner.ui.review import install_review
from tests.ui import review_support
from tests.ui.helpers import open_window
from tests.ui.review_support import FAST, review_project, run, saved, until

aloop = review_support.aloop  # a fixture
fal_server = review_support.fal_server  # a fixture


def _records(folder: Path) -> list[Path]:
    return sorted(journal_dir(folder).glob("*.json"))


def test_the_journal_is_cleaned_after_a_save_and_a_reopen_is_not_modified(qtbot, aloop, tmp_path: Path,
                                                                          fal_server: Any,
                                                                          monkeypatch: Any) -> None:
    # The real worker process builds its providers by name, from the environment, as in the app.
    monkeypatch.setenv("SHOTPLANNER_FAL_BASE_URL", fal_server.base)
    monkeypatch.setenv("SHOTPLANNER_ALLOW_LOOPBACK_HTTP", "1")
    folder = saved(review_project(2), tmp_path / "film")
    window = open_window(qtbot, folder)
    hub = install_review(window, settings=FAST)
    plan = hub.controller.plan([s.id for s in window.storyboard.shots()])

    async def send_and_finish() -> None:
        hub.controller.send(plan.jobs)
        takes = lambda: [t for s in window.storyboard.shots() for t in s.takes]  # noqa: E731
        await until(lambda: len(takes()) == 2 and all(t.state is JobState.DONE for t in takes()), 40)
        await until(lambda: len(_records(folder)) == 2)  # the worker journaled both

    run(aloop, send_and_finish(), 60)
    assert window.save()
    run(aloop, until(lambda: _records(folder) == [], 10))  # cleaned, as the command line does
    run(aloop, hub.aclose())

    again = open_window(qtbot, folder)
    second = install_review(again, settings=FAST)
    run(aloop, second.controller.resume())
    run(aloop, asyncio.sleep(0.5))
    assert not again.isWindowModified() and not again.modified
    run(aloop, second.aclose())


def test_a_replayed_journal_that_matches_the_project_does_not_mark_it_modified(qtbot, aloop,
                                                                              tmp_path: Path) -> None:
    """Even a journal not cleaned yet (a paused job stays in it) replays without marking the window."""
    folder = saved(review_project(1), tmp_path / "film")
    window = open_window(qtbot, folder)
    hub = install_review(window, settings=FAST)
    shot = window.storyboard.shots()[0]
    from shotplanner.generation.jobs import JobEvent

    take = Take(id="t1", model_id="m", provider="fal", state=JobState.FAILED, retryable=True, remote_id="r1",
                message="paused")
    window.storyboard.add_take(shot.id, take)
    assert window.save()
    event = JobEvent("t1", shot.id, "fal", JobState.FAILED, 0.0, "paused", True, "r1", None, None, None, None)
    hub.controller._apply(event)
    assert not window.modified
    run(aloop, hub.aclose())


def test_autosave_fires_within_its_maximum_delay_while_takes_report_progress(qtbot,
                                                                             project_dir: Path) -> None:
    window = open_window(qtbot, project_dir, autosave_delay_ms=1000)
    shot = window.storyboard.shots()[0]
    window.storyboard.add_take(shot.id, Take(id="t1", model_id="m", provider="fal", state=JobState.RUNNING))
    written: list[float] = []
    window.autosave.saved.connect(lambda _when: written.append(time.monotonic()))
    started = time.monotonic()
    progress = 0.0
    while not written and time.monotonic() - started < 6.0:  # before: never, while progress kept coming
        progress = min(1.0, progress + 0.01)
        window.storyboard.update_take(shot.id, "t1", progress=progress)
        qtbot.wait(100)
    assert written, "autosave never fired while a take reported progress"
    assert storage.load_recovery(project_dir) is not None


def test_continuous_edits_are_written_by_the_maximum_delay(qtbot, project_dir: Path) -> None:
    window = open_window(qtbot, project_dir, autosave_delay_ms=1000)
    written: list[float] = []
    window.autosave.saved.connect(lambda _when: written.append(time.monotonic()))
    started = time.monotonic()
    n = 0
    while not written and time.monotonic() - started < 6.0:  # each edit would restart a plain debounce
        n += 1
        window.storyboard.update_shot("s1_0", notes=f"typing {n}")
        qtbot.wait(200)
    assert written, "autosave never fired during continuous typing"


def test_a_pending_recovery_stays_on_disk_until_the_user_answers(qtbot, project_dir: Path) -> None:
    first = open_window(qtbot, project_dir)
    first.storyboard.update_shot("s1_0", notes="work from the session that crashed")
    first.autosave.schedule()
    assert first.autosave.write_now()
    recovered = storage.recovery_path(project_dir).read_bytes()

    second = open_window(qtbot, project_dir, autosave_delay_ms=50)  # "after the crash"
    assert second.check_recovery() and not second.banner.isHidden()
    second.storyboard.update_shot("s2_0", notes="an edit while the banner waits")
    qtbot.wait(400)  # several autosave delays
    assert storage.recovery_path(project_dir).read_bytes() == recovered  # not overwritten
    second.close()  # unmodified? no: but even closing leaves the unanswered recovery in place
    assert storage.recovery_path(project_dir).read_bytes() == recovered

    third = open_window(qtbot, project_dir, autosave_delay_ms=50)  # a second crash lost nothing
    assert third.check_recovery()
    third.restore_recovery()
    assert third.storyboard.shot("s1_0").notes == "work from the session that crashed"
    with qtbot.waitSignal(third.autosave.saved, timeout=3000):
        pass  # answered: autosave writes again


def test_the_banner_shows_only_when_the_recovery_differs(qtbot, project_dir: Path) -> None:
    storage.save_recovery(storage.load_project(project_dir), project_dir)  # the same document
    window = open_window(qtbot, project_dir)
    assert not window.check_recovery()
    assert window.banner.isHidden()
    assert not storage.recovery_path(project_dir).exists()


def test_a_project_naming_files_outside_opens_with_a_message(qtbot, project_dir: Path) -> None:
    project = storage.load_project(project_dir)
    shot = project.find_shot("s1_1")
    assert shot is not None
    shot.reference_images.append(ImageRef(path="../../home/someone/.ssh/id_rsa"))
    storage.save_project(project, project_dir)
    window = open_window(qtbot, project_dir)
    window.open_project(project_dir)
    assert f"Shot {shot.number}: reference image '../../home/someone/.ssh/id_rsa' is outside the project " \
        "folder" in window.last_message
    assert window.storyboard.shot("s1_1").reference_images[-1].path == "../../home/someone/.ssh/id_rsa"


def test_a_job_that_may_exist_links_to_the_providers_list_of_jobs() -> None:
    from shotplanner.ui.generation_controller import provider_page

    assert provider_page("fal", None) == "https://fal.ai/dashboard/requests"
    assert provider_page("replicate", None) == "https://replicate.com/predictions"
    assert provider_page("replicate", "abc") == "https://replicate.com/p/abc"
