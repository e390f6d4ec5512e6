"""``shotplanner frames PROJECT``: a storyboard frame for every shot (or a scene's), without the window.

``--provider local`` (the default) draws each frame offline, free; ``--provider fal`` asks an image model
(``--model nano-banana-2`` or ``seedream-v4``) with the shot's references — the cast's reference sheets
and circled frames, and the scene's location. The plan and its cost are printed first; money is spent
only with ``--yes`` or a "y" at the terminal. Frames go through the same queue and journal as clips: an
interrupted run resumes, nothing already sent is sent again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from shotplanner.core.models import LOCAL_PROVIDER, JobState, Shot
from shotplanner.generation.headless import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REFUSED,
    confirm_spend,
    run_command,
    send_and_follow,
)
from shotplanner.generation.jobs import QueueError

if TYPE_CHECKING:
    from shotplanner.core.models import Project
    from shotplanner.generation.frame_plan import FrameJob

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


def _print_plan(todo: list[FrameJob], out: TextIO) -> None:
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


async def _run(args: argparse.Namespace, out: TextIO) -> int:
    from shotplanner.core.frame_models import FrameModelError, frame_model
    from shotplanner.core.storage import load_project, project_folder
    from shotplanner.generation.frame_plan import plan_frames
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
    _print_plan(todo, out)
    if args.dry_run:
        print("Dry run: nothing sent.", file=out)
        return EXIT_OK
    if not todo and not active:
        if plan.refused:
            return EXIT_FAILED
        print("Nothing to frame: every selected shot has a frame from this model (use --again).", file=out)
        return EXIT_OK
    if not confirm_spend(plan, "frame", args, out):
        return EXIT_REFUSED
    assert all(job.verdict == NEW for job in todo)
    return await send_and_follow(project, project_dir, todo, leftover, [], active, out)


def run(args: argparse.Namespace) -> int:
    return run_command(_run(args, sys.stdout), "frame jobs")
