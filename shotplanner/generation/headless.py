"""``shotplanner generate PROJECT``: run the generation queue without the window.

Prints the cost estimate first, refuses to spend money without ``--yes`` when nobody can be asked,
shows one line per state change, and can be interrupted (Ctrl+C, SIGTERM, even SIGKILL) and run again:
jobs in the journal resume, nothing already sent is sent again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from shotplanner.core.models import LOCAL_MODEL_ID, LOCAL_PROVIDER, JobState, Shot, Take, new_id
from shotplanner.generation.base import GenerationError, GenerationRequest, build_request
from shotplanner.generation.journal import FollowerLock
from shotplanner.generation.queue import Job, JobEvent, JobQueue, QueueError, QueueSettings

if TYPE_CHECKING:
    from shotplanner.core.catalog import Catalog
    from shotplanner.core.catalog_schema import ModelSpec, Route
    from shotplanner.core.models import Project
    from shotplanner.generation.base import Provider

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


@dataclass
class Planned:
    shot: Shot
    model: ModelSpec
    route: Route
    cost_usd: float | None


def _estimate(shot: Shot, model: ModelSpec, route: Route) -> float | None:
    from shotplanner.core.cost import estimate_shot

    return estimate_shot(shot, model, route).usd


def _select(project: Project, numbers: str) -> list[Shot]:
    shots = project.all_shots()
    if not numbers.strip():
        return shots
    wanted = [n.strip() for n in numbers.split(",") if n.strip()]
    missing = [n for n in wanted if project.find_by_number(n) is None]
    if missing:
        raise QueueError(f"no shot numbered {', '.join(missing)} in this project")
    return [s for s in shots if s.number in wanted]


def _plan(project: Project, shots: list[Shot], catalog: Catalog, provider: str | None,
          out: TextIO) -> list[Planned]:
    from shotplanner.core.catalog import CatalogError
    from shotplanner.core.recommend import resolve_model
    from shotplanner.core.validation import check_shot

    planned = []
    for shot in shots:
        label = shot.number or shot.id
        try:
            if provider == LOCAL_PROVIDER:
                model = catalog.get(LOCAL_MODEL_ID)
            else:
                model = resolve_model(shot, project, catalog)  # type: ignore[assignment]
                if model is None:
                    print(f"  {label:>5}  skipped: no model in the catalog can do this shot", file=out)
                    continue
            if not model.is_live:
                when = model.retired_on.isoformat() if model.retired_on else "an earlier date"
                print(f"  {label:>5}  skipped: {model.name} was retired on {when}; choose another model",
                      file=out)
                continue
            route = catalog.route(model.id, provider)
        except CatalogError as exc:
            print(f"  {label:>5}  skipped: {exc}", file=out)
            continue
        problems = check_shot(shot, model)
        if problems:
            # Sent as is, the provider would refuse it (and some bill the refusal) or render something else.
            print(f"  {label:>5}  skipped: {model.name} cannot make this shot as set:", file=out)
            for problem in problems:
                print(f"         - {problem.message}", file=out)
            continue
        planned.append(Planned(shot, model, route, _estimate(shot, model, route)))
    return planned


def _print_plan(planned: list[Planned], out: TextIO) -> float:
    total = 0.0
    unknown = 0
    for p in planned:
        cost = "unknown" if p.cost_usd is None else f"${p.cost_usd:.2f}"
        print(f"  {p.shot.number or p.shot.id:>5}  {p.model.id:<22} via {p.route.provider:<9} "
              f"{p.shot.duration_s:>5.1f} s  {cost}", file=out)
        if p.cost_usd is None:
            unknown += 1
        else:
            total += p.cost_usd
    note = f" (+{unknown} shot(s) without a published price)" if unknown else ""
    print(f"Estimated cost: ${total:.2f} for {len(planned)} shot(s){note}", file=out)
    return total


NEW, RESUMES, DONE, UNKNOWN, RETRY = "new", "resumes", "done", "unknown", "retry"


def _resumable(record: dict[str, Any]) -> bool:
    """A failed job that may still finish remotely: retrying follows it again and sends nothing."""
    return (record.get("state") == JobState.FAILED.value and bool(record.get("retryable"))
            and bool(record.get("remote_id")))


def _decide(shot: Shot, model_id: str, journal: dict[str, dict[str, Any]],
            again: bool) -> tuple[str, str | None]:
    """What to do for one planned shot: (NEW | RESUMES | DONE | UNKNOWN | RETRY, the take concerned)."""
    found: dict[str, str] = {}
    for take in shot.takes:
        record = journal.get(take.id)
        # The journal is fresher than the project (a kill can land between a job's end and the save).
        state = JobState(record["state"]) if record else take.state
        if record is not None and state.is_active:
            found.setdefault(RESUMES, take.id)
        elif state is JobState.UNKNOWN:
            found.setdefault(UNKNOWN, take.id)  # may exist (and bill) at the provider: never re-sent
        elif record is not None and _resumable(record):
            found.setdefault(RETRY, take.id)
        elif take.model_id == model_id and state is JobState.DONE:
            found.setdefault(DONE, take.id)
    if RESUMES in found:
        return RESUMES, found[RESUMES]
    if not again:
        for verdict in (DONE, UNKNOWN, RETRY):
            if verdict in found:
                return verdict, found[verdict]
    return NEW, None


def _confirm(todo: list[Planned], total: float, args: argparse.Namespace, out: TextIO) -> bool:
    """Ask before anything billable is sent, whatever the known total (a price may be unpublished)."""
    billable = [p for p in todo if p.route.provider != LOCAL_PROVIDER]
    if not billable or args.yes:
        return True
    unpriced = sum(p.cost_usd is None for p in billable)
    amount = f"about ${total:.2f}"
    if unpriced:
        amount += f" plus {unpriced} shot(s) without a published price"
    if not sys.stdin.isatty():
        print(f"Refusing to spend {amount} without --yes (no terminal to ask).", file=out)
        return False
    answer = input(f"Spend {amount}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _make_providers(names: set[str], project: Project, project_dir: Path) -> dict[str, Provider]:
    from shotplanner.generation.registry import create_provider

    return {name: create_provider(name, project=project, project_dir=project_dir) for name in names}


def _forget_saved(queue: JobQueue, project: Project) -> None:
    """Clean the journal of jobs that ended and whose take is now in project.json.

    A failed job that may still finish remotely stays: the next run follows it again (nothing re-sent).
    """
    saved = {take.id: take for shot in project.all_shots() for take in shot.takes}
    for job in list(queue.jobs.values()):
        take = saved.get(job.take_id)
        if take is None or not job.state.is_terminal or take.state is not job.state:
            continue
        if _resumable(job.to_record()):
            continue
        queue.forget(job.take_id)


def _apply(project: Project, event: JobEvent) -> bool:
    shot = project.find_shot(event.shot_id)
    take = next((t for t in shot.takes if t.id == event.take_id), None) if shot else None
    if take is None:
        return False
    for key, value in event.take_fields().items():
        setattr(take, key, value)
    return True


async def _run(args: argparse.Namespace, out: TextIO) -> int:
    from shotplanner.core.catalog import load_catalog
    from shotplanner.core.storage import load_project, project_folder, save_project

    project_dir = project_folder(args.project)
    project = load_project(project_dir)
    catalog = load_catalog()
    shots = _select(project, args.shots)

    # Jobs a previous run left behind come first: they resume and are never sent twice.
    from shotplanner.generation.journal import Journal

    leftover = Journal(project_dir).load()
    records = {r["take_id"]: r for r in leftover}
    active_takes = {take_id for take_id, r in records.items() if JobState(r["state"]).is_active}
    planned = _plan(project, shots, catalog, args.provider, out)
    todo: list[Planned] = []
    retries: list[str] = []
    for p in planned:
        verdict, take_id = _decide(p.shot, p.model.id, records, args.again)
        label = p.shot.number or p.shot.id
        if verdict == NEW:
            todo.append(p)
        elif verdict == UNKNOWN:
            print(f"  {label:>5}  {take_id}  unknown: check at the provider, then retry from the window or "
                  "with --again", file=out)
        elif verdict == RETRY and take_id is not None:
            retries.append(take_id)
    if active_takes:
        print(f"Resuming {len(active_takes)} job(s) from the last run.", file=out)
    if retries:
        print(f"Following {len(retries)} failed job(s) again at their provider (nothing is re-sent).",
              file=out)
    print("Plan:", file=out)
    total = _print_plan(todo, out)
    if args.dry_run:
        print("Dry run: nothing sent.", file=out)
        return EXIT_OK
    if not todo and not active_takes and not retries:
        print("Nothing to generate: every selected shot already has a take (use --again).", file=out)
        return EXIT_OK
    if not _confirm(todo, total, args, out):
        return EXIT_REFUSED

    requests: list[tuple[GenerationRequest, float | None]] = []
    for p in todo:
        # A take saved by a run killed before its job was journaled was never sent: reuse it.
        orphan = next((t for t in p.shot.takes if t.state is JobState.QUEUED and t.remote_id is None
                       and t.model_id == p.model.id and t.id not in records), None)
        if orphan is not None:
            p.shot.takes.remove(orphan)
        take_id = orphan.id if orphan is not None else new_id()
        request = build_request(p.shot, project, project_dir, p.model, p.route, take_id)
        p.shot.takes.append(Take(id=take_id, model_id=p.model.id, provider=p.route.provider,
                                 provider_model=request.provider_model, prompt=request.prompt,
                                 settings=request.settings(), external_id=request.external_id,
                                 cost_estimate_usd=p.cost_usd))
        requests.append((request, p.cost_usd))
    save_project(project, project_dir)  # the takes exist before any job does

    names = {r.provider for r, _ in requests} | {r["request"]["provider"] for r in leftover}
    if LOCAL_PROVIDER in names:
        from shotplanner.media.qt import ensure_gui_app

        ensure_gui_app()  # Qt wants its application created on the main thread, before any worker draws
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
        return await _follow(project, project_dir, providers, requests, retries, active_takes, out)
    finally:
        follower.release()


async def _follow(project: Project, project_dir: Path, providers: dict[str, Provider],
                  requests: list[tuple[GenerationRequest, float | None]], retries: list[str],
                  active_takes: set[str], out: TextIO) -> int:
    from shotplanner.core.storage import save_project

    queue = JobQueue(project_dir, providers, QueueSettings.from_env())
    dirty = asyncio.Event()
    stopping = asyncio.Event()
    ours: set[str] = set(active_takes)  # the jobs this run sends, follows or resumes

    def on_event(event: JobEvent) -> None:
        if event.bytes_done is None and _apply(project, event):
            dirty.set()
            if event.take_id not in ours:
                return  # an old finished job, reported once on resume: saved, not shown
            label = next((s.number for s in project.all_shots() if s.id == event.shot_id), event.shot_id)
            detail = f" — {event.message}" if event.message and event.message != event.state.value else ""
            print(f"  {label:>5}  {event.take_id}  {event.state.value}{detail}", file=out, flush=True)

    queue.subscribe(on_event)

    async def saver() -> None:
        while True:
            await dirty.wait()
            if stopping.is_set():
                return
            dirty.clear()
            await asyncio.to_thread(save_project, project.model_copy(deep=True), project_dir)

    save_task = asyncio.create_task(saver())
    ran: list[Job] = []
    try:
        await queue.resume()
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
        save_project(project, project_dir)
        ran.extend(j for j in queue.jobs.values() if j.take_id in ours)
        _forget_saved(queue, project)
    done = sum(j.state is JobState.DONE for j in ran)
    bad = [j for j in ran if j.state in (JobState.FAILED, JobState.UNKNOWN)]
    spent = sum(j.cost_usd or 0.0 for j in ran if j.state is JobState.DONE)
    print(f"Finished: {done} done, {len(bad)} failed or unknown; recorded cost ${spent:.2f}.", file=out)
    return EXIT_FAILED if bad else EXIT_OK


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
        print("Interrupted: jobs are kept in the project; run the same command again to resume.", file=out)
        return EXIT_INTERRUPTED
    except (ProjectError, QueueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        loop.close()
