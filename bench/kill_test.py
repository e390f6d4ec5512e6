"""Kill test: ``shotplanner generate`` and the window's generation worker, SIGKILLed at random moments while
they submit and download, then run again until every job has ended. Counts what a kill may cost.

Run from the repo root with no argument: ``PYTHONPATH=$PWD .venv/bin/python bench/kill_test.py``.

Against loopback contract servers (tests/generation/servers.py) for fal (no way to look a job up: a kill
after the create left leaves it "may exist at the provider") and Kling (looked up by external_task_id).
Each shot has its own prompt, so the server's create bodies say which shot each create was for.

Figures: kills made; jobs; the most creates any one shot got (budget 1: nothing billed twice); jobs shown
"may exist" although no create reached the server (Kling budget 0; fal reported: a kill in the instant
between journaling "leaving", which must come first, and the first byte out; a request the journal shows
never left is re-queued, never called unknown); clips lost — jobs the server made whose clip never reached
the project, for Kling (budget 0) and for fal (reported: each is a kill after the create left and before
its id was journaled, shown "may exist at fal", never re-sent).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import report  # noqa: E402
from shotplanner.core.models import JobState, Scene, Shot  # noqa: E402
from shotplanner.core.storage import create_project, load_project, save_project  # noqa: E402
from tests.generation.conftest import make_mp4  # noqa: E402
from tests.generation.servers import ContractServer  # noqa: E402

SHOTS = 12  # per round; each round is a new project
ROUNDS = 6  # per provider and path
KILLS_PER_ROUND = 5  # at most; a round ends when its jobs have all ended
SEED = 12


def make_project(folder: Path) -> None:
    project = create_project(folder, "Kill test")
    scene = Scene(number="1", heading="EXT. HARBOUR - DUSK")
    for i in range(SHOTS):
        shot = Shot(number=str(i + 1), duration_s=3.0, model_id="kling-v3", resolution="720p")
        shot.layers.subject = f"keeper kt{i + 1:02d}x"  # a token per shot, found again in create bodies
        shot.layers.action = "climbs the stairs"
        scene.shots.append(shot)
    project.scenes.append(scene)
    save_project(project, folder)


def env_for(server: ContractServer) -> dict[str, str]:
    return {**os.environ, **server.env(), "PYTHONPATH": str(ROOT), "SHOTPLANNER_POLL_INITIAL_S": "0.05",
            "SHOTPLANNER_POLL_MAX_S": "0.2", "SHOTPLANNER_BACKOFF_BASE_S": "0.05"}


def generate(folder: Path, server: ContractServer) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "shotplanner", "generate", str(folder), "--provider",
                             server.kind, "--yes"], cwd=ROOT, env=env_for(server), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)


def creates_per_shot(server: ContractServer) -> Counter[str]:
    counts: Counter[str] = Counter()
    for body in server.create_bodies:
        text = json.dumps(body)
        for i in range(1, SHOTS + 1):
            if f"kt{i:02d}x" in text.lower():
                counts[str(i)] += 1
                break
    return counts


def tally(folder: Path, server: ContractServer, kills: int) -> dict[str, Any]:
    project = load_project(folder)
    per_shot = creates_per_shot(server)
    done = unknown = unknown_never_sent = 0
    for shot in project.all_shots():
        states = [t.state for t in shot.takes]
        done += JobState.DONE in states
        if JobState.UNKNOWN in states:
            unknown += 1
            if per_shot[shot.number] == 0:
                unknown_never_sent += 1
    made = sum(per_shot.values())
    return {"kills": kills, "jobs": SHOTS, "done": done, "max_creates": max(per_shot.values(), default=0),
            "creates": made, "unknown": unknown, "unknown_never_sent": unknown_never_sent,
            "clips_lost": made - done}


def start(kind: str, clip: bytes) -> ContractServer:
    server = ContractServer(kind, clip=clip)
    server.httpd.handle_error = lambda *_args: None  # type: ignore[method-assign]  # killed clients: quiet
    server.faults.latency = 0.02
    server.faults.polls_to_finish = 8  # a job takes about a second: kills land in every phase
    return server.start()


def headless(kind: str, clip: bytes, rng: random.Random) -> dict[str, Any]:
    rounds = []
    for _ in range(ROUNDS):
        server = start(kind, clip)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "film"
            make_project(folder)
            kills = 0
            while kills < KILLS_PER_ROUND:
                proc = generate(folder, server)
                time.sleep(rng.uniform(0.8, 3.0))  # start-up is ~0.7 s: kills land in submits and downloads
                if proc.poll() is not None:
                    break  # it finished before this kill
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills += 1
            for _ in range(2):  # then let it finish (a run ends early on a shot that "may exist")
                generate(folder, server).wait(300)
            rounds.append(tally(folder, server, kills))
        server.stop()
    return merge(rounds)


def merge(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    out = {key: sum(r[key] for r in rounds) for key in rounds[0]}
    out["max_creates"] = max(r["max_creates"] for r in rounds)
    return out


def worker(kind: str, clip: bytes, rng: random.Random) -> dict[str, Any]:
    """The window's path without the window: a ProcessHost (the real worker) killed at random; the next
    host resumes the journal and is handed the jobs the dead one never took, as the controller does."""
    from shotplanner.core.catalog import load_catalog
    from shotplanner.core.models import Take, new_id
    from shotplanner.generation import messages
    from shotplanner.generation.base import build_request
    from shotplanner.generation.hosts import ProcessHost, WorkerStopped
    from shotplanner.generation.jobs import JobEvent, QueueSettings
    from shotplanner.generation.spec import ProviderSpec

    catalog = load_catalog()
    model = catalog.get("kling-v3")
    route = catalog.route("kling-v3", kind)
    settings = QueueSettings(poll_initial_s=0.05, poll_max_s=0.2, backoff_base_s=0.05, max_retries=3)
    rounds = []
    for _ in range(ROUNDS):
        server = start(kind, clip)
        server.faults.latency = 0.02
        server.faults.polls_to_finish = 8
        os.environ.update(env_for(server))
        spec = {kind: ProviderSpec(kind, {"allow_loopback_http": True, "base_url": server.api_base})}
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "film"
            make_project(folder)
            project = load_project(folder)
            unsent: list[Any] = []
            for shot in project.all_shots():
                take_id = new_id()
                request = build_request(shot, project, folder, model, route, take_id)
                shot.takes.append(Take(id=take_id, model_id=model.id, provider=kind,
                                       external_id=request.external_id))
                unsent.append((request, 0.3))
            save_project(project, folder)
            states: dict[str, JobState] = {}
            kills = 0
            while True:
                events: list[Any] = []
                host = ProcessHost(folder, spec, settings, events.append)
                host.ask(messages.Resume())
                if unsent:
                    host.enqueue(unsent)
                    unsent = []
                last = kills >= KILLS_PER_ROUND
                deadline = time.monotonic() + (120 if last else rng.uniform(0.8, 3.0))
                while time.monotonic() < deadline and len(states) < SHOTS:
                    for e in list(events):
                        if isinstance(e, JobEvent):
                            if e.state.is_terminal:
                                states[e.take_id] = e.state
                            else:
                                states.pop(e.take_id, None)
                    time.sleep(0.02)
                if last or len(states) == SHOTS:
                    break
                host.process.kill()
                host.process.wait()
                time.sleep(0.2)  # the reader thread reports the death
                for e in events:
                    if isinstance(e, WorkerStopped):
                        unsent.extend(e.unsent)
                states = {}  # the next worker reports every job again from the journal
                kills += 1
            asyncio.run(host.aclose(5))
            by_take = {t.id: s.number for s in project.all_shots() for t in s.takes}
            per_shot = creates_per_shot(server)
            done = sum(1 for st in states.values() if st is JobState.DONE)
            unknown = [tid for tid, st in states.items() if st is JobState.UNKNOWN]
            rounds.append({"kills": kills, "jobs": SHOTS, "done": done,
                           "max_creates": max(per_shot.values(), default=0),
                           "creates": sum(per_shot.values()), "unknown": len(unknown),
                           "unknown_never_sent": sum(per_shot[by_take[t]] == 0 for t in unknown),
                           "clips_lost": sum(per_shot.values()) - done})
        server.stop()
    return merge(rounds)


def main() -> None:
    rng = random.Random(SEED)
    clip = make_mp4(3.0, 12, 64, 36)
    results = {}
    for kind in ("kling", "fal"):
        results[f"headless_{kind}"] = headless(kind, clip, rng)
        print(f"# headless_{kind}: {results[f'headless_{kind}']}", flush=True)
        results[f"worker_{kind}"] = worker(kind, clip, rng)
        print(f"# worker_{kind}: {results[f'worker_{kind}']}", flush=True)
    figures: list[tuple[str, float, str, float | None]] = []
    for name, r in results.items():
        figures.append((f"{name}_kills", r["kills"], "kills", None))
        figures.append((f"{name}_max_creates_per_job", r["max_creates"], "creates", 1))
        # "May exist" although no create reached the server: a kill between journaling "leaving" (which
        # must come first) and the first byte out. Shown "may exist", never re-sent; never for Kling.
        figures.append((f"{name}_may_exist_without_a_create", r["unknown_never_sent"], "jobs",
                        0 if "kling" in name else None))
        lost_budget = 0 if "kling" in name else None
        figures.append((f"{name}_clips_lost", r["clips_lost"], f"of {r['jobs']} jobs", lost_budget))
    report(figures, "g")


if __name__ == "__main__":
    main()
