"""``shotplanner generate`` as a user runs it: plan and cost first, refusal without --yes, kill and resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from shotplanner.core.models import JobState, Scene, Shot
from shotplanner.core.storage import create_project, load_project, save_project
from tests.generation.servers import ContractServer

REPO = Path(__file__).resolve().parents[2]


def make_project(folder: Path, shots: int) -> None:
    project = create_project(folder, "Kill test")
    scene = Scene(number="1", heading="EXT. HARBOUR - DUSK")
    for i in range(shots):
        shot = Shot(number=str(i + 1), duration_s=3.0, model_id="kling-v3", resolution="720p")
        shot.layers.subject = f"a lighthouse keeper number {i + 1}"
        shot.layers.action = "climbs the stairs"
        scene.shots.append(shot)
    project.scenes.append(scene)
    save_project(project, folder)


def generate(folder: Path, server: ContractServer, *extra: str, wait: bool = True) -> subprocess.Popen[str]:
    env = {**os.environ, **server.env(), "SHOTPLANNER_POLL_INITIAL_S": "0.02",
           "SHOTPLANNER_POLL_MAX_S": "0.05",
           "SHOTPLANNER_BACKOFF_BASE_S": "0.02"}
    proc = subprocess.Popen([sys.executable, "-m", "shotplanner", "generate", str(folder), "--provider",
                             server.kind, *extra], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
    if wait:
        proc.wait(timeout=60)
    return proc


def expected_total(folder: Path, numbers: list[str]) -> str:
    """The estimate core.cost gives for those shots, as the CLI must print it."""
    from shotplanner.core.catalog import load_catalog
    from shotplanner.core.cost import estimate_shot

    catalog = load_catalog()
    project = load_project(folder)
    total = 0.0
    for number in numbers:
        shot = project.find_by_number(number)
        assert shot is not None
        total += estimate_shot(shot, catalog.get("kling-v3"), catalog.route("kling-v3", "kling")).usd or 0.0
    assert total > 0
    return f"${total:.2f}"


def test_dry_run_prints_the_estimate_and_sends_nothing(tmp_path: Path, clip_bytes: bytes) -> None:
    server = ContractServer("kling", clip=clip_bytes).start()
    try:
        make_project(tmp_path / "film", 3)
        proc = generate(tmp_path / "film", server, "--dry-run", "--shots", "1,3")
        output = proc.stdout.read() if proc.stdout else ""
        assert proc.returncode == 0, output
        assert f"Estimated cost: {expected_total(tmp_path / 'film', ['1', '3'])} for 2 shot(s)" in output
        assert "Dry run" in output and server.creates == 0
    finally:
        server.stop()


def test_refuses_to_spend_without_yes_when_not_interactive(tmp_path: Path, clip_bytes: bytes) -> None:
    server = ContractServer("kling", clip=clip_bytes).start()
    try:
        make_project(tmp_path / "film", 2)
        proc = generate(tmp_path / "film", server)
        output = proc.stdout.read() if proc.stdout else ""
        assert proc.returncode == 3, output
        total = expected_total(tmp_path / "film", ["1", "2"])
        assert f"Refusing to spend about {total} without --yes" in output and server.creates == 0
        unknown = generate(tmp_path / "film", server, "--shots", "99")
        assert unknown.returncode == 2
    finally:
        server.stop()


def test_refuses_while_an_open_window_follows_the_project(tmp_path: Path, clip_bytes: bytes) -> None:
    """An open window's worker holds the project's follower lock: a command-line run sends nothing."""
    from shotplanner.generation.journal import FollowerLock

    server = ContractServer("kling", clip=clip_bytes).start()
    window = FollowerLock(tmp_path / "film")
    try:
        make_project(tmp_path / "film", 2)
        before = (tmp_path / "film" / "project.json").read_bytes()
        assert window.try_acquire()
        proc = generate(tmp_path / "film", server, "--yes")
        output = proc.stdout.read() if proc.stdout else ""
        assert proc.returncode == 3, output
        assert "followed by an open Shotplanner window" in output and server.creates == 0
        # The window owns the project file meanwhile: not a byte of it was written (no takes added).
        assert (tmp_path / "film" / "project.json").read_bytes() == before
    finally:
        window.release()
        server.stop()


def test_sigkill_midway_then_rerun_delivers_every_clip_with_one_create_each(tmp_path: Path,
                                                                            clip_bytes: bytes) -> None:
    server = ContractServer("kling", clip=clip_bytes).start()
    server.faults.latency = 0.03
    server.faults.polls_to_finish = 3
    folder = tmp_path / "film"
    try:
        make_project(folder, 20)
        proc = generate(folder, server, "--yes", wait=False)
        deadline = time.monotonic() + 30
        while server.creates < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert 0 < server.creates < 20  # killed mid-way, with jobs in flight
        rerun = generate(folder, server, "--yes")
        output = rerun.stdout.read() if rerun.stdout else ""
        assert rerun.returncode == 0, output
        assert "Resuming" in output
        project = load_project(folder)
        for shot in project.all_shots():
            done = [t for t in shot.takes if t.state is JobState.DONE]
            assert len(done) == 1, (shot.number, [(t.state, t.message) for t in shot.takes])
            assert (folder / done[0].clip).read_bytes() == clip_bytes
            assert done[0].cost_usd is not None and done[0].remote_id
        assert server.creates == 20
        externals = [body["external_task_id"] for body in server.create_bodies]
        assert len(set(externals)) == 20
    finally:
        server.stop()


def test_local_provider_renders_animatics_without_keys_or_cost(tmp_path: Path) -> None:
    import av

    folder = tmp_path / "film"
    make_project(folder, 2)
    command = [sys.executable, "-m", "shotplanner", "generate", str(folder), "--provider", "local"]
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Estimated cost: $0.00 for 2 shot(s)" in proc.stdout
    for shot in load_project(folder).all_shots():
        take = shot.animatic_take
        assert take is not None and take.state is JobState.DONE and take.cost_usd == 0.0
        with av.open(str(folder / take.clip)) as container:
            assert container.streams.video and abs(float(container.duration) / 1e6 - 3.0) < 0.5
        # The queue made the card's poster beside the clip (the window never decodes video for it).
        assert take.poster and take.poster.startswith("media/posters/")
        with av.open(str(folder / take.poster)) as still:
            frame = next(still.decode(video=0))
            assert frame.width == 320


def _project_with(folder: Path, *shots: Shot) -> None:
    project = create_project(folder, "Fixes")
    scene = Scene(number="1", heading="EXT. HARBOUR - DUSK")
    for shot in shots:
        shot.layers.subject = f"a lighthouse keeper {shot.number}"
        shot.layers.action = "climbs the stairs"
        scene.shots.append(shot)
    project.scenes.append(scene)
    save_project(project, folder)


def _output(proc: subprocess.Popen[str]) -> str:
    return proc.stdout.read() if proc.stdout else ""


def test_rerun_never_resends_an_unknown_job(tmp_path: Path, clip_bytes: bytes) -> None:
    server = ContractServer("fal", clip=clip_bytes).start()
    folder = tmp_path / "film"
    try:
        make_project(folder, 1)
        server.faults.create_then_status = [504]  # fal made the job, then its gateway gave up
        first = generate(folder, server, "--yes")
        out = _output(first)
        assert first.returncode == 1, out
        take = load_project(folder).all_shots()[0].takes[0]
        assert take.state is JobState.UNKNOWN
        rerun = generate(folder, server, "--yes")
        out = _output(rerun)
        assert "may exist at the provider: check there; if it is not there, send a new take" in out, out
        assert server.creates == 1  # one POST in all
        assert [t.state for t in load_project(folder).all_shots()[0].takes] == [JobState.UNKNOWN]
    finally:
        server.stop()


def test_rerun_follows_a_failed_resumable_job_instead_of_sending_it_again(tmp_path: Path,
                                                                          clip_bytes: bytes) -> None:
    server = ContractServer("fal", clip=clip_bytes).start()
    folder = tmp_path / "film"
    try:
        make_project(folder, 1)
        server.faults.poll_status = [502] * 6  # more poll errors than the retry budget: fails retryable
        first = generate(folder, server, "--yes")
        assert first.returncode == 1, _output(first)
        take = load_project(folder).all_shots()[0].takes[0]
        assert take.state is JobState.FAILED and take.retryable and take.remote_id
        assert server.creates == 1
        rerun = generate(folder, server, "--yes")
        out = _output(rerun)
        assert rerun.returncode == 0, out
        assert server.creates == 1  # followed again, not re-created
        takes = load_project(folder).all_shots()[0].takes
        assert len(takes) == 1 and takes[0].state is JobState.DONE, [(t.state, t.message) for t in takes]
        assert (folder / takes[0].clip).read_bytes() == clip_bytes
    finally:
        server.stop()


def test_asks_before_spending_even_when_no_price_is_published(tmp_path: Path, clip_bytes: bytes) -> None:
    server = ContractServer("replicate", clip=clip_bytes).start()
    folder = tmp_path / "film"
    try:
        # Seedance 1 Pro has no published per-second price in the catalog: the known total is $0.00.
        _project_with(folder, Shot(number="1", duration_s=3.0, model_id="seedance-1-pro", resolution="720p"))
        proc = generate(folder, server)
        out = _output(proc)
        assert proc.returncode == 3, out
        assert "Refusing to spend about $0.00 plus 1 shot(s) without a published price without --yes" in out
        assert server.creates == 0
    finally:
        server.stop()


def test_a_later_run_is_not_failed_by_an_old_failure_and_the_journal_is_cleaned(
        tmp_path: Path, clip_bytes: bytes) -> None:
    from shotplanner.generation.journal import journal_dir

    server = ContractServer("kling", clip=clip_bytes).start()
    folder = tmp_path / "film"
    try:
        make_project(folder, 2)
        server.faults.moderation = True
        first = generate(folder, server, "--yes", "--shots", "1")
        assert first.returncode == 1, _output(first)
        old = load_project(folder).find_by_number("1").takes[0]
        assert old.state is JobState.FAILED and not old.retryable
        assert not list(journal_dir(folder).glob("*.json"))  # the ended job is in project.json: forgotten
        server.faults.moderation = False
        second = generate(folder, server, "--yes", "--shots", "2")
        out = _output(second)
        assert second.returncode == 0, out
        assert old.id not in out and "Finished: 1 done, 0 failed or unknown" in out
        assert not list(journal_dir(folder).glob("*.json"))
        assert load_project(folder).find_by_number("1").takes[0].state is JobState.FAILED  # kept in project
    finally:
        server.stop()


def test_retired_models_and_shots_a_model_cannot_make_are_skipped_not_sent(tmp_path: Path,
                                                                         clip_bytes: bytes) -> None:
    server = ContractServer("kling", clip=clip_bytes).start()
    folder = tmp_path / "film"
    try:
        _project_with(folder,
                      Shot(number="1", duration_s=4.0, model_id="sora-2", resolution="720p"),
                      Shot(number="2", duration_s=2.0, model_id="kling-v3", resolution="720p"),
                      Shot(number="3", duration_s=3.0, model_id="kling-v3", resolution="720p"))
        proc = generate(folder, server, "--yes")
        out = _output(proc)
        assert proc.returncode == 0, out
        assert "1  skipped: Sora 2 was retired on 2026-09-24; choose another model" in out
        assert "2  skipped: Kling v3 Video via kling cannot make this shot as set:" in out and "3–15 s" in out
        assert server.creates == 1  # only shot 3
        project = load_project(folder)
        assert not project.find_by_number("1").takes and not project.find_by_number("2").takes
        assert project.find_by_number("3").takes[0].state is JobState.DONE
    finally:
        server.stop()
