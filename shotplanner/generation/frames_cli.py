"""``shotplanner frames PROJECT``: a storyboard frame for every shot (or a scene's), without the window.

``--provider local`` (the default) draws each frame offline, free; ``--provider fal`` asks an image model
(``--model nano-banana-2`` or ``seedream-v4``) with the shot's references — the cast's reference sheets
and circled frames, and the scene's location. The plan and its cost are printed first; money is spent
only with ``--yes`` or a "y" at the terminal. Frames go through the same queue and journal as clips: an
interrupted run resumes, nothing already sent is sent again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from shotplanner.core.models import LOCAL_PROVIDER, JobState, Shot
from shotplanner.generation.base import GenerationError, GenerationRequest
from shotplanner.generation.journal import FollowerLock
from shotplanner.generation.queue import QueueError

if TYPE_CHECKING:
    from shotplanner.core.models import Project
    from shotplanner.generation.frame_plan import FrameJob

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REFUSED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", type=Path, help="project folder (or its project.json)")
    parser.add_argument("--provider", default=LOCAL_PROVIDER,
                        help="local (offline, free; the default) or fal")
    parser.add_argument("--model", default=None,
                        help="frame model id (local-frame, nano-banana-2, seedream-v4); default: the "
                             "provider's first")
    parser.add_argument("--scene", default="", help="frame the scene with this number only")
    parser.add_argument("--shots", default="", help="comma-separated shot numbers (default: all)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and the cost, send nothing")
    parser.add_argument("--yes", action="store_true", help="agree to the estimated cost without asking")
    parser.add_argument("--again", action="store_true",
                        help="a new frame even for shots that already have one from this model")


def _select(project: Project, scene: str, numbers: str) -> list[Shot]:
    from shotplanner.core.frames import find_scene

    shots = project.all_shots()
    if scene.strip():
        found = find_scene(project, scene.strip())
        if found is None:
            raise QueueError(f"no scene numbered {scene.strip()} in this project")
        shots = list(found.shots)
    if numbers.strip():
        wanted = [n.strip() for n in numbers.split(",") if n.strip()]
        missing = [n for n in wanted if not any(s.number == n for s in shots)]
        if missing:
            raise QueueError(f"no shot numbered {', '.join(missing)} here")
        shots = [s for s in shots if s.number in wanted]
    return shots


def _print_plan(todo: list[FrameJob], out: TextIO) -> tuple[float, int]:
    total, unpriced = 0.0, 0
    for p in todo:
        cost = "unknown" if p.estimate_usd is None else f"${p.estimate_usd:.2f}"
        refs = len(p.spec.references)
        print(f"  {p.shot.number or p.shot.id:>5}  {p.endpoint:<40} {refs} reference(s)  {cost}", file=out)
        for ref in p.spec.references:
            print(f"         - {ref.why}: {ref.path}", file=out)
        for note in p.notes:
            print(f"         note: {note.message}", file=out)
        if p.estimate_usd is None:
            unpriced += 1
        else:
            total += p.estimate_usd
    extra = f" (+{unpriced} frame(s) without a published price)" if unpriced else ""
    print(f"Estimated cost: ${total:.2f} for {len(todo)} frame(s){extra}", file=out)
    return total, unpriced


def _confirm(todo: list[FrameJob], total: float, unpriced: int, args: argparse.Namespace,
             out: TextIO) -> bool:
    if not any(not p.model.is_local for p in todo) or args.yes:
        return True
    amount = f"about ${total:.2f}" + (f" plus {unpriced} frame(s) without a published price" if unpriced
                                      else "")
    if not sys.stdin.isatty():
        print(f"Refusing to spend {amount} without --yes (no terminal to ask).", file=out)
        return False
    return input(f"Spend {amount}? [y/N] ").strip().lower() in ("y", "yes")


async def _run(args: argparse.Namespace, out: TextIO) -> int:
    from shotplanner.core.frame_models import FrameModelError, frame_model
    from shotplanner.core.storage import load_project, project_folder, save_project
    from shotplanner.generation.frame_plan import plan_frames
    from shotplanner.generation.headless import _follow, _make_providers
    from shotplanner.generation.journal import Journal
    from shotplanner.generation.planner import NEW, UNKNOWN

    project_dir = project_folder(args.project)
    project = load_project(project_dir)
    try:
        model = frame_model(args.model, args.provider)
    except FrameModelError as exc:
        raise QueueError(str(exc)) from None
    shots = _select(project, args.scene, args.shots)
    leftover = Journal(project_dir).load()
    records = {r["take_id"]: r for r in leftover}
    active = {take_id for take_id, r in records.items() if JobState(r["state"]).is_active}

    plan = plan_frames(project, project_dir, shots, model, journal=records, again=args.again)
    for problem in plan.problems:
        print(f"  skipped: {problem}", file=out)
    for job in plan.jobs:
        if job.verdict == UNKNOWN:
            print(f"  {job.shot_number:>5}  a frame request may exist at {model.provider}: check there, then "
                  "use --again", file=out)
    todo = plan.sendable
    if active:
        print(f"Resuming {len(active)} job(s) from the last run.", file=out)
    print(f"Frames with {model.name}:", file=out)
    total, unpriced = _print_plan(todo, out)
    if args.dry_run:
        print("Dry run: nothing sent.", file=out)
        return EXIT_OK
    if not todo and not active:
        if plan.refused:
            return EXIT_FAILED
        print("Nothing to frame: every selected shot has a frame from this model (use --again).", file=out)
        return EXIT_OK
    if not _confirm(todo, total, unpriced, args, out):
        return EXIT_REFUSED

    requests: list[tuple[GenerationRequest, float | None]] = []
    for job in todo:
        assert job.verdict == NEW
        if job.replaces_take is not None:  # saved by a run killed before its job was journaled: never sent
            job.shot.takes = [t for t in job.shot.takes if t.id != job.replaces_take]
        job.shot.takes.append(job.take())
        requests.append((job.request, job.estimate_usd))
    save_project(project, project_dir)  # the takes exist before any job does

    names = {r.provider for r, _ in requests} | {r["request"]["provider"] for r in leftover}
    if LOCAL_PROVIDER in names:
        from shotplanner.media.qt import ensure_gui_app

        ensure_gui_app()  # Qt wants its application on the main thread before a worker draws
    try:
        providers = _make_providers(names, project, project_dir)
    except (GenerationError, ImportError) as exc:
        print(f"Cannot set up providers: {exc}", file=out)
        return EXIT_FAILED
    follower = FollowerLock(project_dir)
    if not follower.try_acquire():
        print("This project's jobs are being followed by an open Shotplanner window (or another run); "
              "close it, or wait for it to finish, then run this again. Nothing was sent.", file=out)
        return EXIT_REFUSED
    try:
        return await _follow(project, project_dir, providers, requests, [], active, out)
    finally:
        follower.release()


def run(args: argparse.Namespace) -> int:
    from shotplanner.core.storage import ProjectError
    from shotplanner.generation.http import prepare_runtime

    out = sys.stdout
    prepare_runtime()
    loop = asyncio.new_event_loop()
    main = loop.create_task(_run(args, out))
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, main.cancel)
    try:
        return loop.run_until_complete(main)
    except asyncio.CancelledError:
        print("Interrupted: frame jobs are kept in the project; run the same command again to resume.",
              file=out)
        return EXIT_INTERRUPTED
    except (ProjectError, QueueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        loop.close()
