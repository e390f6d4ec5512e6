"""Benchmark: how long the GUI event loop stalls while 200 generation jobs run and the user scrolls.

The real window (offscreen) with review installed: 200 shots, each sent as a fal job to the fal contract
server (50 ms latency on every request, concurrency 10, polled every 0.1-0.3 s), its state applied to the
core, the cards and the queue panel; meanwhile the storyboard scrolls one step every 16 ms (a user
dragging the scroll bar). A 1 ms asyncio ticker measures the loop's lateness: p99 and max are the figures.

The server runs in its own process (``python -m tests.generation.servers``), at the lowest priority, so
its work (a provider's, on the provider's machines) is not our stall.
The window is set up as the app does it (``app.main_gui``): the light theme's stylesheet, the
application-wide wheel guard, cycles collected on the GUI thread (``GuiThreadCollector``), the short
lock hand-over (``ui.gil.prefer_gui_thread``),
``install_review(..., resume=True)``, which starts the generation worker process when the project opens;
the job queue runs in that worker (``generation.hosts.ProcessHost``) and its events are applied to the
core on the GUI thread in time slices; the ticker measures only the GUI loop. The machine is shared by
all of them (2 cores here): the server, the worker, the GUI. Each tick also records the GUI thread's own
CPU time: under load a stall is mostly waiting for a CPU, and that line tells our work from the wait.

The user's order is kept: Generate plans the 200 shots and shows the price (a one-off answer to a key
press, timed on its own as ``generate_plan_200_shots``), the user reads it, then Send. The stall figures
cover scrolling from Send until every job has finished.

The server serves bytes that are not video, so the clip check's decode is off
(``ClipCheck(decode=False)``) and no poster can be made (each attempt fails in the worker, which makes
the posters, after PyAV has probed the bytes) — the one difference from a real run.
Run from the repo root with no argument: ``.venv/bin/python bench/ui_load.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

import PySide6  # noqa: E402,F401  (before qasync: it picks the binding already imported)
import qasync  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.report import report  # noqa: E402

JOBS = 200
LATENCY = 0.05
CONCURRENCY = 10
P99_BUDGET_MS = 10.0
MAX_BUDGET_MS = 16.7  # one frame at 60 Hz (issue 12)
#: Planning 200 shots answers a key press (Generate): within the 100 ms people take as instant.
PLAN_BUDGET_MS = 100.0
BASELINE_S = 3.0


def start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.generation.servers",
            "fal",
            "--latency",
            str(LATENCY),
            "--clip-bytes",
            "200000",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    # The server stands for the provider's machines, not ours: it runs below the app's priority (as
    # nice as it gets), so its CPU does not count as the window's stall. The app's own worker is not
    # touched: it lowers its own priority, as it does for every user.
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, proc.pid, 19)
    assert proc.stdout is not None
    return proc, f"http://127.0.0.1:{int(proc.stdout.readline())}"


def make_project() -> object:
    from shotplanner.core.models import Project, PromptLayers, Scene, Shot

    scenes = []
    for s in range(20):
        shots = [
            Shot(
                number=f"{s + 1}{'' if i == 0 else chr(64 + i)}",
                duration_s=5.0,
                resolution="1080p",  # what Kling 2.5 Turbo renders on fal (the planner refuses 720p)
                model_id="kling-v2.5-turbo",
                layers=PromptLayers(
                    subject=f"subject {s}.{i}",
                    action="walks to the window",
                    camera="slow push-in",
                    light="soft window light",
                    mood="quiet",
                ),
            )
            for i in range(10)
        ]
        scenes.append(Scene(number=str(s + 1), heading=f"INT. ROOM {s + 1} - DAY", shots=shots))
    return Project(title="Load film", scenes=scenes)


Tick = tuple[float, float]  # how late the 1 ms sleep woke (s), and the GUI thread's CPU time meanwhile (s)


async def scenario(hub: object, window: object, stalls: list[Tick], baseline: list[Tick],
                   plan_s: list[float]) -> int:
    from shotplanner.core.models import JobState

    loop = asyncio.get_running_loop()
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            t0, cpu0 = loop.time(), time.thread_time()
            await asyncio.sleep(0.001)
            stalls.append((max(0.0, loop.time() - t0 - 0.001), time.thread_time() - cpu0))

    bar = window.view.verticalScrollBar()  # type: ignore[attr-defined]
    direction = [1]

    def scroll() -> None:
        value = bar.value() + direction[0] * max(1, bar.pageStep() // 8)
        if value >= bar.maximum() or value <= bar.minimum():
            direction[0] = -direction[0]
        bar.setValue(value)

    scroller = QTimer()
    scroller.setInterval(16)
    scroller.timeout.connect(scroll)
    tick = loop.create_task(ticker())
    await asyncio.sleep(1.0)  # settle: first paint, caches, the generation worker's start
    controller = hub.controller  # type: ignore[attr-defined]
    started = time.perf_counter()
    plan = controller.plan([s.id for s in window.storyboard.shots()])  # type: ignore[attr-defined]
    plan_s.append(time.perf_counter() - started)
    await asyncio.sleep(0.5)  # the user reads the price
    stalls.clear()
    scroller.start()
    await asyncio.sleep(BASELINE_S)  # baseline in the same run: scrolling alone, no job running
    baseline.extend(stalls)
    stalls.clear()
    controller.send(plan.jobs)  # Send
    rows = hub.queue_panel.model.rows  # type: ignore[attr-defined]
    while not (len(rows) == JOBS and all(r.state.is_terminal for r in rows)):
        await asyncio.sleep(0.05)
    scroller.stop()
    done.set()
    await tick
    await hub.aclose()  # type: ignore[attr-defined]
    return sum(r.state is JobState.DONE for r in rows)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    from shotplanner.core import storage
    from shotplanner.core.catalog import load_catalog
    from shotplanner.generation.download import ClipCheck
    from shotplanner.generation.http import prepare_runtime
    from shotplanner.generation.jobs import QueueSettings
    from shotplanner.generation.providers.fal import FalProvider
    from shotplanner.ui.gil import prefer_gui_thread
    from shotplanner.ui.gui_gc import GuiThreadCollector
    from shotplanner.ui.main_window import MainWindow
    from shotplanner.ui.review import install_review
    from shotplanner.ui.style import apply_theme
    from shotplanner.ui.wheel_guard import install_wheel_guard
    from tests.generation.servers import FAL_KEY

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    # As app.main_gui does, in this order.
    collector = GuiThreadCollector(app)
    prefer_gui_thread()
    apply_theme(app, "light")
    install_wheel_guard(app)
    proc, base = start_server()
    stalls: list[Tick] = []
    baseline: list[Tick] = []
    plan_s: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "film"
            project = make_project()
            storage.save_project(project, folder)
            window = MainWindow(project, folder, catalog=load_catalog(), confirm_close=False)
            provider = FalProvider(
                base_url=base, keys=(FAL_KEY,), max_concurrency=CONCURRENCY, allow_loopback_http=True
            )
            settings = QueueSettings(poll_initial_s=0.1, poll_max_s=0.3, check=ClipCheck(decode=False))
            hub = install_review(window, providers={"fal": provider}, settings=settings, resume=True)
            window.resize(1440, 900)
            window.show()
            prepare_runtime()
            started = time.perf_counter()
            with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
                done = runner.run(scenario(hub, window, stalls, baseline, plan_s))
            wall = time.perf_counter() - started
            window.close()
    finally:
        proc.terminate()
        proc.wait(5)
        collector.stop()
    late, work = [t[0] for t in stalls], [t[1] for t in stalls]
    p99, worst = percentile(late, 0.99), max(late) * 1000
    base = [t[0] for t in baseline]
    print(
        f"# {done}/{JOBS} jobs done in {wall:.1f} s, {len(stalls)} ticks measured; scrolling alone "
        f"(baseline, same run): p99 {percentile(base, 0.99):.2f} ms, max {max(base) * 1000:.2f} ms, "
        f"{len(baseline)} ticks",
        file=sys.stderr,
    )
    # A stall is the GUI thread's own work plus its waits (for a CPU the machine's other processes hold,
    # for the GIL, for the disk). Its CPU time in the same ticks tells the two apart under load.
    in_worst = stalls[late.index(max(late))][1] * 1000
    print(
        f"# GUI thread's CPU time per tick while jobs ran: p99 {percentile(work, 0.99):.2f} ms, "
        f"max {max(work) * 1000:.2f} ms (in the worst stall: {in_worst:.2f} ms)",
        file=sys.stderr,
    )
    figures = [
        ("generate_plan_200_shots", plan_s[0] * 1000, "ms", PLAN_BUDGET_MS),
        ("ui_stall_p99_200_jobs_scrolling", p99, "ms", P99_BUDGET_MS),
        ("ui_stall_max_200_jobs_scrolling", worst, "ms", MAX_BUDGET_MS),
    ]
    report(figures, ".2f")
    return 0 if done == JOBS else 1


if __name__ == "__main__":
    raise SystemExit(main())
