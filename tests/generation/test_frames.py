"""Storyboard frames through the same queue, journal and command line as clips, offline and with fal.

The image provider is a loopback server speaking fal's queue API (tests/generation/servers.py); what each
request carries is asserted from the bodies it received, and each body is checked against the schema
shipped in resources/contracts/ (transcribed from fal-js's own endpoint types).
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from shotplanner.core.contracts import load_contract
from shotplanner.core.demo import copy_demo
from shotplanner.core.models import JobState
from shotplanner.core.storage import load_project, save_project
from shotplanner.core.storyboard import Storyboard
from shotplanner.generation.base import BadRequest, GenerationRequest
from shotplanner.generation.image_check import check_image
from shotplanner.generation.providers.fal import FalProvider
from shotplanner.generation.providers.fal_frames import check_frame_body, seedream_size
from shotplanner.generation.queue import JobQueue
from tests.generation.conftest import FAST, make_mp4
from tests.generation.servers import FAL_KEY, ContractServer

REPO = Path(__file__).resolve().parents[2]
DEMO_PNG = REPO / "resources/demo/media/refs/tomas.png"


def run_cli(*args: str, server: ContractServer | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHOTPLANNER_POLL_INITIAL_S": "0.02", "SHOTPLANNER_POLL_MAX_S": "0.05",
           "SHOTPLANNER_BACKOFF_BASE_S": "0.02", "QT_QPA_PLATFORM": "offscreen"}
    if server is not None:
        env.update(server.env())
    return subprocess.run([sys.executable, "-m", "shotplanner", *args], cwd=REPO, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                          timeout=120)


def data_uri_of(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


# ------------------------------------------------------------------------------------------ offline


def test_frames_local_fills_every_card_of_the_demo(tmp_path: Path) -> None:
    folder = copy_demo(tmp_path / "demo")
    done = run_cli("frames", str(folder), "--provider", "local")
    assert done.returncode == 0, done.stdout
    project = load_project(folder)
    for shot in project.all_shots():
        frames = [t for t in shot.takes if t.kind == "frame"]
        assert len(frames) == 1, shot.number
        take = frames[0]
        assert take.state is JobState.DONE and take.cost_usd == 0.0 and take.clip
        assert take.clip.startswith("media/frames/") and take.clip.endswith(".png")
        image = QImage(str(folder / take.clip))
        assert (image.width(), image.height()) == (1920, 1080), shot.number
        assert shot.cut_take() is None, "a frame is never the cut's clip"
    assert not any((folder / "media/frames").glob(".*")), "no partial file is left"
    again = run_cli("frames", str(folder))
    assert again.returncode == 0 and "Nothing to frame" in again.stdout


def test_local_frames_go_through_the_queue_and_its_journal(tmp_path: Path) -> None:
    """A frame is a job like a clip: journaled, checked as an image, named by the queue."""
    import asyncio

    from shotplanner.core.frame_models import frame_model
    from shotplanner.generation.frame_plan import plan_frame
    from shotplanner.generation.local import LocalAnimaticProvider

    folder = copy_demo(tmp_path / "demo")
    project = load_project(folder)
    shot = project.find_by_number("1A")
    assert shot is not None
    job = plan_frame(shot, project, folder, frame_model(provider="local"), take_id="frametake1")
    assert job.sendable and job.estimate_usd == 0.0 and job.take().kind == "frame"
    request = job.request
    assert request.kind == "frame"
    assert request.reference_images == ((folder / "media/refs/mara.png").resolve(),)

    async def go() -> JobQueue:
        queue = JobQueue(folder, {"local": LocalAnimaticProvider(project_dir=folder)}, FAST)
        queue.enqueue(request, cost_estimate_usd=0.0)
        await queue.join()
        await queue.aclose()
        return queue

    queue = asyncio.run(go())
    job = queue.jobs["frametake1"]
    assert job.state is JobState.DONE and job.clip == "media/frames/frametake1.png"
    record = queue.journal.load()[0]
    assert record["request"]["kind"] == "frame" and record["clip"] == job.clip


# ------------------------------------------------------------------------------------------ image check


def test_the_image_check_refuses_what_is_not_a_whole_image(tmp_path: Path) -> None:
    good = tmp_path / "ok.part"
    good.write_bytes(DEMO_PNG.read_bytes())
    assert check_image(good) == ".png"
    cut = tmp_path / "cut.part"
    cut.write_bytes(DEMO_PNG.read_bytes()[:-20])
    page = tmp_path / "page.part"
    page.write_bytes(b"<html><body>502 Bad Gateway</body></html>" * 4)
    for bad, why in ((cut, "cut short"), (page, "not a PNG, JPEG or WebP")):
        with pytest.raises(Exception, match=why):
            check_image(bad)


# ------------------------------------------------------------------------------------------ contracts


def test_frame_bodies_are_checked_against_the_shipped_fal_schemas() -> None:
    ok = {"prompt": "a still", "image_urls": ["data:image/png;base64,AAAA"], "num_images": 1,
          "image_size": seedream_size("2.39:1"), "max_images": 1}
    assert load_contract("fal", "fal-ai/bytedance/seedream/v4/edit").check(ok) == []
    size = seedream_size("2.39:1")
    assert size["width"] * size["height"] >= 921_600 and size["width"] % 16 == 0
    with pytest.raises(BadRequest) as refused:
        check_frame_body("fal-ai/bytedance/seedream/v4/edit", {**ok, "num_images": 9, "aspect_ratio": "16:9"})
    message = str(refused.value)
    assert "num_images: 9 is outside 1–6" in message
    assert "aspect_ratio: the endpoint has no such field" in message
    with pytest.raises(BadRequest, match="image_urls: required by the endpoint but not sent"):
        check_frame_body("fal-ai/bytedance/seedream/v4/edit", {"prompt": "x"})
    with pytest.raises(BadRequest, match="'8K' is not one of"):
        check_frame_body("fal-ai/nano-banana-2/edit", {"prompt": "x", "image_urls": [], "resolution": "8K"})


def test_a_frame_to_a_route_without_a_shipped_schema_is_never_sent() -> None:
    import asyncio

    server = ContractServer("fal", image=DEMO_PNG.read_bytes()).start()
    try:
        provider = FalProvider(base_url=server.base, keys=(FAL_KEY,), allow_loopback_http=True)
        request = GenerationRequest(take_id="t", shot_id="s", model_id="x", provider="fal",
                                    provider_model="fal-ai/nano-banana-pro/edit", prompt="p", duration_s=0,
                                    reference_images=(DEMO_PNG,), kind="frame")

        async def go() -> None:
            try:
                with pytest.raises(BadRequest, match="no shipped input schema"):
                    await provider.submit(request)
            finally:
                await provider.aclose()

        asyncio.run(go())
        assert server.creates == 0
    finally:
        server.stop()


# ------------------------------------------------------------------------------------------ with fal


def _bodies_by_endpoint(server: ContractServer) -> dict[str, dict[str, object]]:
    pairs = zip(server.create_paths, server.create_bodies, strict=True)
    return {path.strip("/"): body for path, body in pairs}


def test_cost_is_shown_and_nothing_sent_without_yes(tmp_path: Path) -> None:
    folder = copy_demo(tmp_path / "demo")
    server = ContractServer("fal", image=DEMO_PNG.read_bytes()).start()
    try:
        out = run_cli("frames", str(folder), "--provider", "fal", "--model", "seedream-v4", "--scene", "1",
                      server=server)
        assert out.returncode == 3, out.stdout
        # 1A, 1B and 1C carry Mara's look ($0.03 each on the edit endpoint); 1 and 1D have no reference:
        # the text-to-image endpoint, whose price is not published.
        assert "Refusing to spend about $0.09 plus 2 frame(s) without a published price" in out.stdout
        assert server.creates == 0
    finally:
        server.stop()


@pytest.mark.slow
def test_frame_scene_one_circle_a_frame_per_shot_then_the_close_up_from_its_frame(tmp_path: Path) -> None:
    """The issue's "done when", end to end through the command line against loopback fal."""
    folder = copy_demo(tmp_path / "demo")
    server = ContractServer("fal", clip=make_mp4(seconds=5.0), image=DEMO_PNG.read_bytes()).start()
    try:
        # 1. Frame scene 1 with Nano Banana 2.
        framed = run_cli("frames", str(folder), "--provider", "fal", "--model", "nano-banana-2",
                         "--scene", "1", "--yes", server=server)
        assert framed.returncode == 0, framed.stdout
        assert server.creates == 5
        bodies = _bodies_by_endpoint(server)
        sent = list(zip(server.create_paths, server.create_bodies, strict=True))
        edits = [b for p, b in sent if p.endswith("/edit")]
        texts = [b for p, b in sent if p.strip("/") == "fal-ai/nano-banana-2"]
        assert len(edits) == 3 and len(texts) == 2  # Mara's three shots; the empty hall and the board
        mara = data_uri_of(folder / "media/refs/mara.png")
        for body in edits:
            assert body["image_urls"] == [mara]  # her reference sheet reaches the model
            assert "image 1 is" in str(body["prompt"]) and body["aspect_ratio"] == "16:9"
            assert body["resolution"] == "1K" and body["num_images"] == 1
            assert load_contract("fal", "fal-ai/nano-banana-2/edit").check(body) == []
        for body in texts:
            assert "image_urls" not in body and load_contract("fal", "fal-ai/nano-banana-2").check(body) == []
        assert "Mara" in str(bodies["fal-ai/nano-banana-2/edit"]["prompt"])

        # 2. Circle a frame per shot (the storyboard operation the takes panel's Circle button runs).
        project = load_project(folder)
        sb = Storyboard(project)
        scene = project.scenes[0]
        for shot in scene.shots:
            frame = next(t for t in shot.takes if t.kind == "frame")
            assert frame.state is JobState.DONE and frame.clip and (folder / frame.clip).is_file()
            assert frame.cost_usd in (0.08, None)
            sb.circle_take(shot.id, frame.id)
        close_up = project.find_by_number("1B")
        assert close_up is not None and close_up.circled_frame is not None
        start = close_up.image_for("start")
        assert start is not None and start.path == close_up.circled_frame.clip
        save_project(project, folder)

        # The next frame of 1B carries Mara's look: her sheet plus the frames circled in 1A and 1C.
        again = run_cli("frames", str(folder), "--provider", "fal", "--model", "nano-banana-2",
                        "--shots", "1B", "--yes", "--again", server=server)
        assert again.returncode == 0, again.stdout
        look = server.create_bodies[-1]
        frame_1a = project.find_by_number("1A").circled_frame  # type: ignore[union-attr]
        assert frame_1a is not None and frame_1a.clip
        assert look["image_urls"][:2] == [mara, data_uri_of(folder / frame_1a.clip)]  # type: ignore[index]
        assert data_uri_of(folder / close_up.circled_frame.clip) not in look["image_urls"]  # type: ignore[operator]

        # 3. Generate the close-up: image-to-video from its circled frame.
        creates = server.creates
        clip = run_cli("generate", str(folder), "--shots", "1B", "--provider", "fal", "--yes", server=server)
        assert clip.returncode == 0, clip.stdout
        assert server.creates == creates + 1
        assert server.create_paths[-1].strip("/") == "fal-ai/kling-video/v3/pro/image-to-video"
        body = server.create_bodies[-1]
        assert body["start_image_url"] == data_uri_of(folder / close_up.circled_frame.clip)
        project = load_project(folder)
        close_up = project.find_by_number("1B")
        assert close_up is not None
        clip_take = close_up.cut_take()
        assert clip_take is not None and clip_take.kind == "clip" and clip_take.state is JobState.DONE
        assert close_up.circled_frame is not None  # the frame stays circled as the card's picture
    finally:
        server.stop()


def test_without_a_key_nothing_is_sent_and_the_plan_says_why(tmp_path: Path) -> None:
    folder = copy_demo(tmp_path / "demo")
    server = ContractServer("fal", image=DEMO_PNG.read_bytes()).start()
    try:
        env = {k: v for k, v in {**os.environ, **server.env()}.items() if k != "FAL_KEY"}
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
        command = [sys.executable, "-m", "shotplanner", "frames", str(folder), "--provider", "fal",
                   "--scene", "1", "--yes"]
        proc = subprocess.run(command, cwd=REPO, text=True, timeout=60, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        assert proc.returncode == 1, proc.stdout
        assert "Shot 1A: no fal key is set up" in proc.stdout and server.creates == 0
        assert not any(t.kind == "frame" for s in load_project(folder).all_shots() for t in s.takes)
    finally:
        server.stop()


@pytest.mark.slow
def test_killed_mid_run_then_run_again_no_frame_is_asked_twice(tmp_path: Path) -> None:
    """Frames resume from the journal as clips do: after a SIGKILL mid-run, a second run follows what was
    sent, sends what never left, and never re-sends one whose submit got no answer (fal cannot look it up:
    it is "unknown", shown, not billed twice)."""
    import signal
    import time

    folder = copy_demo(tmp_path / "demo")
    server = ContractServer("fal", image=DEMO_PNG.read_bytes()).start()
    server.faults.latency = 0.03
    server.faults.polls_to_finish = 4
    try:
        env = {**os.environ, **server.env(), "SHOTPLANNER_POLL_INITIAL_S": "0.05",
               "SHOTPLANNER_POLL_MAX_S": "0.1", "QT_QPA_PLATFORM": "offscreen"}
        command = [sys.executable, "-m", "shotplanner", "frames", str(folder), "--provider", "fal",
                   "--model", "seedream-v4", "--yes"]
        proc = subprocess.Popen(command, cwd=REPO, env=env, text=True, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while server.creates < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert 0 < server.creates < 13
        rerun = run_cli("frames", str(folder), "--provider", "fal", "--model", "seedream-v4", "--yes",
                        server=server)
        assert "Resuming" in rerun.stdout and rerun.returncode in (0, 1), rerun.stdout
        prompts = [body["prompt"] for body in server.create_bodies]
        assert len(prompts) == len(set(prompts)) == server.creates  # no frame was asked twice
        project = load_project(folder)
        states = []
        for shot in project.all_shots():
            frames = [t for t in shot.takes if t.kind == "frame"]
            assert len(frames) == 1, shot.number  # one take per shot: resumed, never duplicated
            take = frames[0]
            states.append(take.state)
            assert take.state in (JobState.DONE, JobState.UNKNOWN), (shot.number, take.state, take.message)
            if take.state is JobState.DONE:
                assert take.clip and (folder / take.clip).is_file()
            else:
                assert "may exist at fal" in take.message
        assert states.count(JobState.DONE) >= 13 - 4  # at most the provider's 4 sends were in flight
        if JobState.UNKNOWN in states:
            assert rerun.returncode == 1 and "unknown" in rerun.stdout  # said, and the run says it failed
    finally:
        server.stop()


def test_a_frame_take_saved_by_a_killed_run_is_reused_not_duplicated(tmp_path: Path) -> None:
    """A take saved before its job reached the journal was never sent: the next plan reuses its id."""
    from shotplanner.core.frame_models import frame_model
    from shotplanner.core.models import Take
    from shotplanner.generation.frame_plan import plan_frames

    folder = copy_demo(tmp_path / "demo")
    project = load_project(folder)
    shot = project.find_by_number("1A")
    assert shot is not None
    shot.takes.append(Take(id="orphan", kind="frame", model_id="local-frame", provider="local"))
    shot.takes.append(Take(id="a-clip", model_id="kling-v3", provider="fal", state=JobState.RUNNING))
    plan = plan_frames(project, folder, [shot], frame_model(), journal={"a-clip": {"state": "running"}})
    job = plan.jobs[0]
    # The running clip job is not this frame's business (clips and frames are resumed apart).
    assert job.sendable and job.request.take_id == "orphan" and job.replaces_take == "orphan"
