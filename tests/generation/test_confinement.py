"""Nothing outside the project is read, sent, written or deleted because a project or journal file says so.

Each case runs the real ``shotplanner generate`` against a loopback Kling server and then looks at what the
server received and at the files outside the project.
"""

from __future__ import annotations

import json
from pathlib import Path

from shotplanner.core.confine import breaches, contains, inside, is_safe_id
from shotplanner.core.models import ImageRef, JobState, Take
from shotplanner.core.storage import load_project, save_project
from tests.generation.servers import ContractServer
from tests.generation.test_headless import generate, make_project

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154789c6360f8cfc0f01f"
    "0005000201a6a3e6d60000000049454e44ae426082")


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.png"
    secret.parent.mkdir(exist_ok=True)
    secret.write_bytes(PNG + b"SECRET-BYTES")
    return secret


def test_the_rules(tmp_path: Path) -> None:
    (tmp_path / "p" / "media").mkdir(parents=True)
    (tmp_path / "p" / "media" / "link.png").symlink_to(_outside(tmp_path))
    folder = tmp_path / "p"
    assert inside(folder, "media/refs/a.png") == folder / "media/refs/a.png"
    for bad in ("../outside/secret.png", "/etc/passwd", "media/../../outside/secret.png", "C:\\x.png",
                "media/link.png", "\\\\server\\share\\x.png"):
        assert inside(folder, bad) is None, bad
    assert contains(folder, folder / "media" / "x.png") and not contains(folder, tmp_path / "outside")
    assert is_safe_id("a1b2c3d4e5f6") and is_safe_id("take-1_x")
    for bad_id in ("../../victim", "a/b", "", ".hidden", "x" * 65, "a\0b"):
        assert not is_safe_id(bad_id), bad_id


def test_generate_never_uploads_an_image_outside_the_project(tmp_path: Path, clip_bytes: bytes) -> None:
    secret = _outside(tmp_path)
    folder = tmp_path / "film"
    make_project(folder, 3)
    project = load_project(folder)
    shots = project.all_shots()
    shots[0].reference_images.append(ImageRef(path="../outside/secret.png", role="start"))
    shots[1].reference_images.append(ImageRef(path=str(secret), role="reference"))
    save_project(project, folder)
    server = ContractServer("kling", clip=clip_bytes).start()
    try:
        proc = generate(folder, server, "--yes")
        output = proc.stdout.read() if proc.stdout else ""
    finally:
        server.stop()
    assert "1  skipped: reference image '../outside/secret.png' is outside the project folder" in output
    assert f"2  skipped: reference image '{secret}' is outside the project folder" in output
    assert server.creates == 1, output  # shot 3 only
    assert all("SECRET" not in json.dumps(body) for body in server.create_bodies)
    assert breaches(load_project(folder), folder)  # the entries are still there, untouched


def test_a_crafted_take_id_never_writes_or_deletes_outside(tmp_path: Path, clip_bytes: bytes) -> None:
    victim = tmp_path / "outside" / "victim.json"
    victim.parent.mkdir()
    victim.write_text("precious")
    folder = tmp_path / "film"
    make_project(folder, 1)
    project = load_project(folder)
    shot = project.all_shots()[0]
    evil_id = "../../../outside/victim"
    shot.takes.append(Take(id=evil_id, model_id="kling-v3", provider="kling", state=JobState.FAILED,
                           clip="../outside/victim.json"))
    save_project(project, folder)
    # The journal too: a record named like a take, whose take id walks out; another whose image does.
    jobs = folder / ".shotplanner" / "jobs"
    jobs.mkdir(parents=True)
    record = {"take_id": evil_id, "shot_id": shot.id, "state": "done", "remote_id": "r1",
              "request": {"take_id": evil_id, "shot_id": shot.id, "model_id": "kling-v3", "provider": "kling",
                          "provider_model": "kling-v3", "prompt": "x", "duration_s": 3.0}}
    (jobs / "evil.json").write_text(json.dumps(record))
    secret = _outside(tmp_path)
    sneaky = json.loads(json.dumps(record))
    sneaky.update(take_id="sneaky1", state="queued", remote_id=None)
    sneaky["request"].update(take_id="sneaky1", start_image=str(secret))
    (jobs / "sneaky1.json").write_text(json.dumps(sneaky))
    server = ContractServer("kling", clip=clip_bytes).start()
    try:
        proc = generate(folder, server, "--yes", "--again")
        output = proc.stdout.read() if proc.stdout else ""
    finally:
        server.stop()
    assert victim.read_text() == "precious", output  # neither overwritten nor deleted
    assert server.creates == 1, output  # the one new take; the sneaky record was never sent
    assert all("SECRET" not in json.dumps(body) for body in server.create_bodies)
    assert "sneaky1" not in output or "not resumed" in output
    assert (jobs / "evil.json").exists() and (jobs / "sneaky1.json").exists()  # left for a human
    assert not list((tmp_path / "outside").glob("*.tmp"))


def test_a_journaled_poster_outside_the_project_is_never_resumed(tmp_path: Path) -> None:
    """The worker journals each clip's poster: a record naming one outside is refused like a clip."""
    import asyncio

    from shotplanner.generation.queue import JobQueue

    folder = tmp_path / "film"
    make_project(folder, 1)
    jobs = folder / ".shotplanner" / "jobs"
    jobs.mkdir(parents=True)
    request = {"take_id": "t1", "shot_id": "s1", "model_id": "kling-v3", "provider": "kling",
               "provider_model": "kling-v3", "prompt": "x", "duration_s": 3.0}
    good = {"take_id": "t1", "shot_id": "s1", "state": "done", "clip": "media/takes/t1.mp4",
            "poster": "media/posters/t1.jpg", "request": request}
    evil = {**good, "take_id": "t2", "poster": "../outside/x.jpg", "request": {**request, "take_id": "t2"}}
    (jobs / "t1.json").write_text(json.dumps(good))
    (jobs / "t2.json").write_text(json.dumps(evil))

    async def main() -> JobQueue:
        queue = JobQueue(folder, {})
        await queue.resume()
        await queue.aclose()
        return queue

    queue = asyncio.run(main())
    assert set(queue.jobs) == {"t1"} and queue.jobs["t1"].poster == "media/posters/t1.jpg"
    assert len(queue.refused) == 1 and "../outside/x.jpg" in queue.refused[0]
