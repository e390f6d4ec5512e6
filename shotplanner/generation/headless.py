"""``shotplanner generate PROJECT``: run the generation queue without the window.

Prints the cost estimate first, refuses to spend money without ``--yes`` when nobody can be asked,
shows one line per state change, and can be interrupted (Ctrl+C, SIGTERM, even SIGKILL) and run again:
jobs in the journal resume, nothing already sent is sent again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from shotplanner.core.models import LOCAL_PROVIDER, JobState, Shot
from shotplanner.generation.base import GenerationError, GenerationRequest
from shotplanner.generation.jobs import JobEvent, QueueError, QueueSettings
from shotplanner.generation.journal import FollowerLock
from shotplanner.generation.planner import NEW, RETRY, UNKNOWN, JobPlan, Plan, PlanItem, PlannedJob, Planner
from shotplanner.generation.queue import JobQueue

if TYPE_CHECKING:
    from shotplanner.core.models import Project
    from shotplanner.generation.base import Provider

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REFUSED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", type=Path, help="project folder (or its project.json)")
    parser.add_argument("--shots", default="",
                        help="comma-separated shot numbers, e.g. 12A,14 (default: all)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and the cost, send nothing")
    parser.add_argument("--provider", default=None,
                        help="use this provider for every shot (local = offline animatic, free)")
    parser.add_argument("--yes", action="store_true", help="agree to the estimated cost without asking")
    parser.add_argument("--again", action="store_true",
                        help="make a new take even for shots that already have a finished one")


def _select(project: Project, numbers: str) -> list[Shot]:
    shots = project.all_shots()
    if not numbers.strip():
        return shots
    wanted = [n.strip() for n in numbers.split(",") if n.strip()]
    missing = [n for n in wanted if project.find_by_number(n) is None]
    if missing:
        raise QueueError(f"no shot numbered {', '.join(missing)} in this project")
    return [s for s in shots if s.number in wanted]


def _print_skipped(plan: Plan, out: TextIO) -> None:
    """Every selected shot that will not be sent, and why (the planner's words, as the window shows them)."""
    for skipped in plan.skipped:
        print(f"  {skipped.shot_number:>5}  skipped: {skipped.reason}", file=out)
    for job in plan.refused:
        if job.problems:
            print(f"  {job.shot_number:>5}  skipped: {job.model.name} via {job.provider} cannot make this "
                  "shot as set:", file=out)
            for problem in job.problems:
                print(f"         - {problem.message}", file=out)
        elif job.missing_key:
            print(f"  {job.shot_number:>5}  skipped: no {job.provider} key is set up "
                  f"(set it in the environment or the keyring)", file=out)
    for job in plan.jobs:
        for note in job.notes:
            print(f"  {job.shot_number:>5}  note: {note.message}", file=out)


def _print_plan(todo: list[PlannedJob], out: TextIO) -> None:
    total = 0.0
    unknown = 0
    for p in todo:
        cost = "unknown" if p.estimate.usd is None else f"${p.estimate.usd:.2f}"
        key = "  (no key yet)" if p.missing_key else ""
        print(f"  {p.shot_number:>5}  {p.model.id:<22} via {p.provider:<9} "
              f"{p.request.duration_s:>5.1f} s  {cost}{key}", file=out)
        if p.estimate.usd is None:
            unknown += 1
        else:
            total += p.estimate.usd
    note = f" (+{unknown} shot(s) without a published price)" if unknown else ""
    print(f"Estimated cost: ${total:.2f} for {len(todo)} shot(s){note}", file=out)


def confirm_spend(plan: JobPlan[Any], noun: str, args: argparse.Namespace, out: TextIO) -> bool:
    """Ask before anything billable is sent, whatever the known total (a price may be unpublished)."""
    if not plan.billable or args.yes:
        return True
    amount = f"about ${plan.known_usd:.2f}"
    if plan.unpriced:
        amount += f" plus {plan.unpriced} {noun}(s) without a published price"
    if not sys.stdin.isatty():
        print(f"Refusing to spend {amount} without --yes (no terminal to ask).", file=out)
        return False
    answer = input(f"Spend {amount}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


async def _run(args: argparse.Namespace, out: TextIO) -> int:
    from shotplanner.core.catalog import load_catalog
    from shotplanner.core.storage import load_project, project_folder

    project_dir = project_folder(args.project)
    project = load_project(project_dir)
    catalog = load_catalog()
    shots = _select(project, args.shots)

    # Jobs a previous run left behind come first: they resume and are never sent twice.
    from shotplanner.generation.journal import Journal

    leftover = Journal(project_dir).load()
    records = {r["take_id"]: r for r in leftover}
    active_takes = {take_id for take_id, r in records.items() if JobState(r["state"]).is_active}
    plan = Planner(catalog).plan(project, project_dir, shots, provider=args.provider, journal=records,
                                 again=args.again)
    _print_skipped(plan, out)
    todo: list[PlannedJob] = plan.sendable
    retries: list[str] = []
    for p in plan.jobs:
        if p.verdict == UNKNOWN:
            print(f"  {p.shot_number:>5}  {p.existing_take}  may exist at the provider: check there; if it "
                  "is not there, send a new take with --again (or Generate in the window)", file=out)
        elif p.verdict == RETRY and p.existing_take is not None:
            retries.append(p.existing_take)
    if active_takes:
        print(f"Resuming {len(active_takes)} job(s) from the last run.", file=out)
    if retries:
        print(f"Following {len(retries)} failed job(s) again at their provider (nothing is re-sent).",
              file=out)
    print("Plan:", file=out)
    # A dry run prices what would go once the keys are set up; a real run only what can go now.
    shown = [p for p in plan.jobs if p.verdict == NEW and not p.problems] if args.dry_run else todo
    _print_plan(shown, out)
    if args.dry_run:
        print("Dry run: nothing sent.", file=out)
        return EXIT_OK
    if not todo and not active_takes and not retries:
        print("Nothing to generate: every selected shot already has a take (use --again).", file=out)
        return EXIT_OK
    if not confirm_spend(plan, "shot", args, out):
        return EXIT_REFUSED
    return await send_and_follow(project, project_dir, todo, leftover, retries, active_takes, out)


async def send_and_follow(project: Project, project_dir: Path, todo: Sequence[PlanItem],
                          leftover: list[dict[str, Any]], retries: list[str], active_takes: set[str],
                          out: TextIO) -> int:
    """Record each job's take, save, then follow the jobs (and the journal's) until they end."""
    from shotplanner.core.storage import save_project
    from shotplanner.generation.registry import create_provider

    follower = FollowerLock(project_dir)
    if not follower.try_acquire():  # before anything is written: the window owns the project now
        print("This project's jobs are being followed by an open Shotplanner window (or another run); "
              "close it, or wait for it to finish, then run this again. Nothing was sent.", file=out)
        return EXIT_REFUSED
    try:
        requests: list[tuple[GenerationRequest, float | None]] = []
        for p in todo:
            shot = project.find_shot(p.shot_id)
            assert shot is not None
            if p.replaces_take is not None:
                # A take saved by a run killed before its job was journaled was never sent: reuse it.
                shot.takes = [t for t in shot.takes if t.id != p.replaces_take]
            shot.takes.append(p.take())
            requests.append((p.request, p.estimate_usd))
        save_project(project, project_dir)  # the takes exist before any job does

        names = {r.provider for r, _ in requests} | {r["request"]["provider"] for r in leftover}
        if LOCAL_PROVIDER in names:
            from shotplanner.media.qt import ensure_gui_app

            ensure_gui_app()  # Qt wants its application created on the main thread, before any worker draws
        try:
            providers = {name: create_provider(name, project=project, project_dir=project_dir)
                         for name in names}
        except (GenerationError, ImportError) as exc:
            print(f"Cannot set up providers: {exc}", file=out)
            return EXIT_FAILED
        return await _follow(project, project_dir, providers, requests, retries, active_takes, out)
    finally:
        follower.release()


async def _follow(project: Project, project_dir: Path, providers: dict[str, Provider],
                  requests: list[tuple[GenerationRequest, float | None]], retries: list[str],
                  active_takes: set[str], out: TextIO) -> int:
    from shotplanner.core.storage import ProjectError, save_project

    queue = JobQueue(project_dir, providers, QueueSettings.from_env())
    dirty = asyncio.Event()
    stopping = asyncio.Event()
    ours: set[str] = set(active_takes)  # the jobs this run sends, follows or resumes

    def on_event(event: JobEvent) -> None:
        shot = project.find_shot(event.shot_id)
        take = next((t for t in shot.takes if t.id == event.take_id), None) if shot else None
        if shot is None or take is None or event.bytes_done is not None:
            return  # a take no longer in the project, or download progress
        for key, value in event.take_fields().items():
            setattr(take, key, value)
        dirty.set()
        if event.take_id not in ours:
            return  # an old finished job, reported once on resume: saved, not shown
        detail = f" — {event.message}" if event.message and event.message != event.state.value else ""
        print(f"  {shot.number:>5}  {event.take_id}  {event.state.value}{detail}", file=out, flush=True)

    queue.subscribe(on_event)

    async def saver() -> None:
        while True:
            await dirty.wait()
            if stopping.is_set():
                return
            dirty.clear()
            try:
                await asyncio.to_thread(save_project, project.model_copy(deep=True), project_dir)
            except ProjectError as exc:  # a full disk: the journal keeps the jobs; the final save tries again
                log.warning("saving the project failed: %s", exc)

    save_task = asyncio.create_task(saver())
    try:
        await queue.resume()
        for text in queue.refused:
            print(f"  {text}", file=out)
        for take_id in retries:
            try:
                queue.retry(take_id)
            except QueueError as exc:  # its journal record did not load: say so, send nothing
                print(f"         {take_id}  cannot follow it again: {exc}", file=out)
                continue
            ours.add(take_id)
        for request, cost in requests:
            ours.add(request.take_id)
            queue.enqueue(request, cost_estimate_usd=cost)
        await queue.join()
    finally:
        await queue.aclose()
        # Stop the periodic saver and let a save already in flight finish: an older snapshot written
        # after the final save would lose the last states.
        stopping.set()
        dirty.set()
        with contextlib.suppress(Exception):
            await asyncio.shield(save_task)
        ran = [j for j in queue.jobs.values() if j.take_id in ours]  # before the journal forgets them
        try:
            save_project(project, project_dir)
        except ProjectError as exc:
            # The journal still holds every job (nothing is forgotten): the next run picks them up.
            print(f"Could not save the project: {exc}. Its jobs are kept in the job journal; free space, "
                  "then run the same command again (nothing is sent twice).", file=out)
            unsaved = True
        else:
            unsaved = False
            # The journal drops the jobs whose end is now in project.json (the queue's rule).
            queue.forget_saved({take.id: take.state for shot in project.all_shots() for take in shot.takes})
    done = sum(j.state is JobState.DONE for j in ran)
    bad = [j for j in ran if j.state in (JobState.FAILED, JobState.UNKNOWN)]
    paused = [j for j in bad if j.state is JobState.FAILED and j.retryable and j.remote_id]
    spent = sum(j.cost_usd or 0.0 for j in ran if j.state is JobState.DONE)
    print(f"Finished: {done} done, {len(bad)} failed or unknown; recorded cost ${spent:.2f}.", file=out)
    if paused:
        print(f"{len(paused)} job(s) the provider accepted are paused (see above); run the same command "
              "again to resume them: they are fetched again, never re-created.", file=out)
    return EXIT_FAILED if bad or unsaved else EXIT_OK


def run(args: argparse.Namespace) -> int:
    return run_command(_run(args, sys.stdout), "jobs")


def run_command(main: Coroutine[Any, Any, int], what: str) -> int:
    """Run a command's coroutine to its exit code: Ctrl+C and SIGTERM interrupt it (its jobs resume next
    time), and a project, queue or disk problem ends it with a message, never a traceback."""
    from shotplanner.core.storage import ProjectError
    from shotplanner.generation.http import prepare_runtime

    prepare_runtime()
    loop = asyncio.new_event_loop()
    task = loop.create_task(main)
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, task.cancel)
    try:
        return loop.run_until_complete(task)
    except asyncio.CancelledError:
        print(f"Interrupted: {what} are kept in the project; run the same command again to resume.")
        return EXIT_INTERRUPTED
    except (ProjectError, QueueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # this machine's trouble (a full disk): a message, never a traceback
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}. Jobs already sent are kept in the job journal; "
              "fix that, then run the same command again (nothing is sent twice).", file=sys.stderr)
        return EXIT_FAILED
    finally:
        loop.close()
