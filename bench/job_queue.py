"""Benchmark of the generation queue against the fal contract server (run from the repo root, no argument).

Phase 1 — 500 jobs, 50 ms latency on every request, fal concurrency 10 (a realistic account limit):
wall time against the ideal given that limit, measured in the same run as a baseline: the same
submit → status → result chain per slot plus the download, done with bare httpx and no queue (the
theoretical floor, ceil(500/10) × 3 × 50 ms + 50 ms, is printed beside it). Also the event loop's
stalls while the queue runs (a 1 ms ticker's lateness: p99 and max). Journal writes are fsynced.
Phase 2 — 500 clips of 20 MB each: peak RSS growth while they stream to disk.

Both phases serve bytes that are not real video, so the clip check's decode step is switched off
(``ClipCheck(decode=False)``) — stated here because it is the one difference from a real run. Phase 2
also skips fsync (``durable=False``) and deletes each clip once it arrived so 10 GB do not hit the disk;
it measures memory, not durability. The server runs in its own process so its work is not our stall.
"""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import report  # noqa: E402
from shotplanner.core.models import JobState  # noqa: E402
from shotplanner.generation.base import GenerationRequest  # noqa: E402
from shotplanner.generation.download import ClipCheck  # noqa: E402
from shotplanner.generation.http import prepare_runtime  # noqa: E402
from shotplanner.generation.jobs import QueueSettings  # noqa: E402
from shotplanner.generation.providers.fal import FalProvider  # noqa: E402
from shotplanner.generation.queue import JobQueue  # noqa: E402
from tests.generation.servers import FAL_KEY  # noqa: E402

JOBS = 500
LATENCY = 0.05
CONCURRENCY = 10
CLIP_MB = 20


def start_server(clip_bytes: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.generation.servers", "fal",
                             "--latency", str(LATENCY),
                             "--clip-bytes", str(clip_bytes)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    port = int(proc.stdout.readline())
    return proc, f"http://127.0.0.1:{port}"


def rss_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def requests(n: int) -> list[GenerationRequest]:
    return [GenerationRequest(take_id=f"b{i:04d}", shot_id=f"s{i}", model_id="bench", provider="fal",
                              provider_model="fal-ai/kling-video/v3/pro/text-to-video", prompt="bench",
                              duration_s=5.0) for i in range(n)]


def settings(durable: bool) -> QueueSettings:
    return QueueSettings(poll_initial_s=0.0, poll_jitter=0.0, download_concurrency=CONCURRENCY,
                         check=ClipCheck(decode=False, min_bytes=1), durable=durable)


async def baseline(base: str) -> float:
    """The same work with bare httpx and no queue: CONCURRENCY workers doing submit → status → result,
    each handing the download to a pool of CONCURRENCY downloaders. The best this server allows."""
    import httpx

    headers = {"Authorization": f"Key {FAL_KEY}"}
    client = httpx.AsyncClient(base_url=base, headers=headers, timeout=30.0,
                               limits=httpx.Limits(max_connections=2 * CONCURRENCY))
    todo = list(range(JOBS))
    downloads = asyncio.Semaphore(CONCURRENCY)
    fetches: list[asyncio.Task[None]] = []

    async def fetch(url: str) -> None:
        async with downloads, client.stream("GET", url) as response:
            async for _chunk in response.aiter_raw():
                pass

    async def worker() -> None:
        while todo:
            todo.pop()
            submitted = (await client.post("/fal-ai/kling-video/v3/pro/text-to-video", json={})).json()
            path = submitted["response_url"][len(base):]
            await client.get(f"{path}/status")
            result = (await client.get(path)).json()
            fetches.append(asyncio.create_task(fetch(result["video"]["url"])))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    await asyncio.gather(*fetches)
    wall = time.perf_counter() - started
    await client.aclose()
    return wall


async def phase_one(base: str, folder: Path) -> tuple[float, float, float, float]:
    provider = FalProvider(base_url=base, keys=(FAL_KEY,), max_concurrency=CONCURRENCY,
                           allow_loopback_http=True)
    queue = JobQueue(folder, {"fal": provider}, settings(durable=True))
    lateness: list[float] = []
    running = True

    async def ticker() -> None:
        while running:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            lateness.append(max(0.0, time.perf_counter() - before - 0.001))

    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    for req in requests(JOBS):
        queue.enqueue(req)
    await queue.join()
    wall = time.perf_counter() - started
    running = False
    await tick
    await queue.aclose()
    bad = [(j.state, j.message) for j in queue.jobs.values() if j.state is not JobState.DONE]
    assert not bad, f"bench jobs failed: {len(bad)}, e.g. {bad[:3]}"
    ideal = math.ceil(JOBS / CONCURRENCY) * 3 * LATENCY + LATENCY
    lateness.sort()
    p99 = lateness[int(0.99 * (len(lateness) - 1))]
    return wall, ideal, p99, max(lateness)


async def phase_two(base: str, folder: Path) -> float:
    provider = FalProvider(base_url=base, keys=(FAL_KEY,), max_concurrency=CONCURRENCY,
                           allow_loopback_http=True)
    queue = JobQueue(folder, {"fal": provider}, settings(durable=False))

    def drop_clip(event: object) -> None:
        clip = getattr(event, "clip", None)
        if getattr(event, "state", None) is JobState.DONE and clip:
            (folder / clip).unlink(missing_ok=True)

    queue.subscribe(drop_clip)
    baseline = rss_bytes()
    peak = baseline
    running = True

    async def sampler() -> None:
        nonlocal peak
        while running:
            peak = max(peak, rss_bytes())
            await asyncio.sleep(0.01)

    sample = asyncio.create_task(sampler())
    for req in requests(JOBS):
        queue.enqueue(req)
    await queue.join()
    running = False
    await sample
    await queue.aclose()
    assert all(j.state is JobState.DONE for j in queue.jobs.values()), "bench downloads failed"
    return (peak - baseline) / 1024**2


def main() -> None:
    prepare_runtime()  # what the app and `shotplanner generate` do at startup
    results = []
    server, base = start_server(4096)
    try:
        with tempfile.TemporaryDirectory(dir=ROOT / "bench") as tmp:
            floor = asyncio.run(baseline(base))
            wall, ideal, p99, worst = asyncio.run(phase_one(base, Path(tmp)))
    finally:
        server.terminate()
        server.wait()
    results.append(("queue_wall_vs_ideal", wall / floor, "x", 1.2))
    results.append(("loop_stall_p99", p99 * 1000, "ms", 5.0))
    results.append(("loop_stall_max", worst * 1000, "ms", 20.0))
    server, base = start_server(CLIP_MB * 1024 * 1024)
    try:
        with tempfile.TemporaryDirectory(dir=ROOT / "bench") as tmp:
            growth = asyncio.run(phase_two(base, Path(tmp)))
    finally:
        server.terminate()
        server.wait()
    results.append(("download_rss_growth", growth, "MB", 50.0))
    print(f"# {JOBS} jobs, {LATENCY * 1000:.0f} ms latency, concurrency {CONCURRENCY}; "
          f"queue wall {wall:.2f} s, bare-httpx baseline {floor:.2f} s, theoretical {ideal:.2f} s",
          file=sys.stderr)
    report(results, ".2f")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
