"""The window's side of generation: plan, confirm, send, and apply what the queue reports.

Planning is the shared planner's (``generation.planner``, the same one ``shotplanner generate`` uses):
a shot the command line refuses is refused here for the same reason. Anything billable waits for a
*non-modal* ``ConfirmDialog`` (``show()``, never ``exec()``: a nested loop inside qasync breaks running
tasks). Each job becomes a ``Take`` on its shot and is handed to the ``GenerationService``, which owns the
worker process (its restarts, resume, journal cleanup and questions); retry rules are the queue's.

What comes back (job events, messages) waits in an ``EventInbox`` that wakes the GUI once per burst and is
applied to the core with ``Storyboard.update_take`` in time slices, so views repaint once per slice. The
worker also makes each clip's poster, so the GUI never decodes video. Takes arriving are not undoable
(nobody can un-spend a generation); review edits are.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

# Imported here, not inside the methods: a first import in the middle of a busy queue (the recommender,
# the cost table) stalls the event loop for tens of milliseconds.
from shotplanner.core.models import LOCAL_PROVIDER, Shot, Take
from shotplanner.core.storyboard import Storyboard, StoryboardError
from shotplanner.generation.frame_plan import FrameJob, FramePlan
from shotplanner.generation.hosts import ProcessHost, WorkerStopped
from shotplanner.generation.jobs import JobEvent, QueueError, QueueSettings, retry_resumes
from shotplanner.generation.planner import ALL_PROVIDERS, Plan, PlannedJob, Planner, Skipped, key_present
from shotplanner.generation.runner import EventInbox
from shotplanner.generation.service import GenerationService
from shotplanner.generation.spec import ProviderSpec
from shotplanner.ui.confirm_dialog import ConfirmDialog
from shotplanner.ui.keys_dialog import concurrency_limit

if TYPE_CHECKING:
    from shotplanner.core.catalog import Catalog
    from shotplanner.generation.base import Provider

__all__ = ["GenerationController", "Plan", "PlannedJob", "provider_page"]

log = logging.getLogger(__name__)

#: Queue events are applied to the document in slices at most this long, then the loop gets a turn
#: (views repaint once per slice rather than once per event; 200 busy jobs stay smooth).
SLICE_S = 0.002
#: The pause between two slices of work (ms). Not 0: an asyncio task on the qasync loop needs a few Qt
#: loop turns to resume (timer, then its ready callbacks), and a 0 ms timer would let slice after slice
#: (each followed by its repaint) run ahead of them.
SLICE_PAUSE_MS = 8
#: How long events may wait to be applied together (ms). Every event is applied, in order.
COALESCE_MS = 30
#: Sending a batch (new takes in the core, rows in the panel, hand-over to the queue) is done in slices:
#: new takes are added for at most this long, then the panel gets the slice's rows (several times as
#: long) and the loop gets a turn: 200 shots sent at once are many short GUI turns, not one long stall.
SEND_SLICE_S = 0.0006


def provider_page(provider: str, remote_id: str | None) -> str | None:
    """Where a job can be looked at in the provider's web console, when it has such a page. Without a
    remote id (a job that "may exist at the provider"), the provider's list of recent jobs."""
    if provider == "replicate":
        return f"https://replicate.com/p/{remote_id}" if remote_id else "https://replicate.com/predictions"
    if provider == "fal":
        return "https://fal.ai/dashboard/requests"  # the request list; fal has no public per-request URL
    return None  # Kling has no page per task that we know of; local renders have none


class GenerationController(QObject):
    #: A queue event, after the core has been updated (the queue panel listens).
    jobChanged = Signal(object)
    #: Jobs were sent (list[PlannedJob]): the queue panel adds their rows.
    jobsSent = Signal(list)
    #: A take was added to or changed in the document outside the undo stack.
    documentChanged = Signal()
    #: Something to tell the user in the status bar.
    message = Signal(str)
    #: The plan just made needs keys that are missing (its ``missing_keys``): offer the Keys dialog.
    keysMissing = Signal(object)
    #: Preferences ▸ Default provider: tried first when a model has several routes (None: catalog order).
    preferred_provider: str | None = None
    #: Emitted from a background thread when events are waiting (queued connection: runs :meth:`_wake`).
    _eventsWaiting = Signal()

    def __init__(
        self,
        storyboard: Storyboard,
        project_dir: Callable[[], Path | None],
        catalog: Catalog | None,
        *,
        providers: Mapping[str, Provider] | None = None,
        settings: QueueSettings | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.storyboard = storyboard
        self._project_dir = project_dir
        self.catalog = catalog
        self.settings = settings or QueueSettings.from_env()
        self._given_providers = dict(providers) if providers is not None else None
        # Items from the queue (via the worker pipe's thread): job events, or a status-bar message.
        self._inbox: EventInbox[JobEvent | str | WorkerStopped] = EventInbox(self._eventsWaiting.emit)
        #: Owns the generation worker: start, restarts, resume, journal cleanup (no Qt; our timer).
        self.service = GenerationService(self._specs, self.settings, self._inbox.put,
                                         lambda s, fn: QTimer.singleShot(int(s * 1000), self, fn))
        self._tasks: set[asyncio.Task[Any]] = set()
        self.dialog: ConfirmDialog | None = None
        self.confirm_parent: QWidget | None = None
        self._eventsWaiting.connect(self._wake, Qt.ConnectionType.QueuedConnection)
        self._outbox: deque[PlannedJob | FrameJob] = deque()
        # One timer paces both kinds of GUI work (sending a batch, applying events), one slice per turn:
        # two slices never run back to back, each is followed by its repaint and the loop's other work.
        self._pump = QTimer(self)
        self._pump.setSingleShot(True)
        self._pump.timeout.connect(self._pump_once)
        self._send_next = True

    # ------------------------------------------------------------------ queue and providers

    def ensure_queue(self) -> ProcessHost:
        """The queue for the open project (started on first use; again if its worker stopped)."""
        folder = self._project_dir()
        if folder is None:
            raise QueueError("save the project in a folder first: clips are kept in its media folder")
        return self.service.ensure(folder)

    def _specs(self) -> dict[str, ProviderSpec]:
        if self._given_providers is None:
            return self._default_specs()
        specs = {}
        for name, provider in self._given_providers.items():
            spec = getattr(provider, "spec", None)
            if not callable(spec):
                raise QueueError(f"the {name} provider cannot run in the generation worker (it has no spec)")
            specs[name] = spec()
        return specs

    def _default_specs(self) -> dict[str, ProviderSpec]:
        specs = {}
        for name in ALL_PROVIDERS:
            limit = concurrency_limit(name)
            kwargs = {"max_concurrency": limit} if limit and name != LOCAL_PROVIDER else {}
            specs[name] = ProviderSpec(name, kwargs)
        return specs

    def forget_saved(self) -> None:
        """After the project was saved: the journal drops the jobs whose end is now in project.json, so a
        reopen does not replay them (the queue's rule: a paused job stays, to be resumed)."""
        self.service.forget_saved({t.id: t.state for shot in self.storyboard.shots() for t in shot.takes
                                   if t.state.is_terminal})

    def set_concurrency(self, provider: str, limit: int) -> concurrent.futures.Future[Any] | None:
        """Apply a new limit now (no queue yet: the limit is read when the providers are made)."""
        return self.service.set_limit(provider, limit)

    async def resume(self) -> None:
        """Pick up jobs a previous session left running (their takes are already in the document)."""
        self.ensure_queue()
        await asyncio.wrap_future(self.service.resumed)

    def resume_soon(self) -> None:
        self._spawn(self.resume())

    async def aclose(self) -> None:
        """Stop following jobs (they resume next session), close the clients, end the worker."""
        self._pump.stop()
        self._outbox.clear()  # not handed over yet: no take was made for them
        for task in list(self._tasks):
            task.cancel()
        had_host = self.service.host is not None
        await self.service.aclose()
        if had_host:
            self._flush_all()  # the last states the queue reported

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Start a coroutine on the running loop and keep a reference until it ends (qasync pitfall 4)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("generation task failed: %s", exc)
            self.message.emit(str(exc))

    # ------------------------------------------------------------------ planning

    def planner(self) -> Planner:
        """The shared planner (``generation.planner``), for the providers set up here."""
        if self.catalog is None:
            raise QueueError("no model catalog is loaded")
        given = self._given_providers
        if given is None:
            return Planner(self.catalog, providers=ALL_PROVIDERS, prefer=self.preferred_provider)

        def has_key(name: str) -> bool:
            # Providers handed in with their keys (tests, a gateway) need none from the keyring.
            return getattr(given.get(name), "_keys", None) is not None or key_present(name)

        return Planner(self.catalog, providers=set(given), has_key=has_key, prefer=self.preferred_provider)

    def plan(self, shot_ids: list[str], model_id: str | None = None, *, prompt: str | None = None,
             provider: str | None = None) -> Plan:
        """What generating ``shot_ids`` would send (``model_id`` forces a model, e.g. the animatic).

        The window asks the same planner as ``shotplanner generate``: a shot the command line refuses is
        refused here for the same reason. The user asked for these takes, so a finished take does not stop
        a new one (``again``)."""
        folder = self._project_dir()
        if folder is None:
            return Plan([], [Skipped("", "", "save the project in a folder first")])
        shots = [self.storyboard.shot(shot_id) for shot_id in shot_ids]
        return self.planner().plan(self.storyboard.project, folder, shots, model_id=model_id, prompt=prompt,
                                   provider=provider, again=True)

    # ------------------------------------------------------------------ sending

    def generate(
        self, shot_ids: list[str], model_id: str | None = None, *, prompt: str | None = None
    ) -> ConfirmDialog | None:
        """Plan and send; anything billable waits for the (non-modal) confirmation, which is returned."""
        try:
            plan = self.plan(shot_ids, model_id, prompt=prompt)
        except QueueError as exc:
            self.message.emit(str(exc))
            return None
        return self.submit(plan)

    def submit(self, plan: Plan | FramePlan) -> ConfirmDialog | None:
        """Send a plan (clips, or storyboard frames): at once when free, after the confirmation if not."""
        for problem in plan.problems:
            self.message.emit(problem)
        if plan.missing_keys:
            self.keysMissing.emit(plan)
        if not plan.sendable:
            return None
        if not plan.billable:
            self.send(plan.sendable)
            return None
        return self._confirm(plan)

    def _confirm(self, plan: Plan | FramePlan) -> ConfirmDialog:
        """Show the jobs and their cost; they are sent only when the user agrees (never modal)."""
        if self.dialog is not None:
            self.dialog.close()
        dialog = ConfirmDialog(plan, self.confirm_parent)
        dialog.accepted.connect(lambda: self.send(plan.sendable))
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.show()
        return dialog

    def send(self, jobs: Sequence[PlannedJob | FrameJob]) -> list[str]:
        """Add a take per job to its shot and enqueue it; returns the take ids.

        The first slice is done before returning (a single retry is complete at once); a big batch goes
        on in further slices of the event loop, in order.
        """
        jobs = [j for j in jobs if j.sendable]  # a refused job never leaves, whoever hands it over
        if not jobs:
            return []
        self.ensure_queue()
        self._outbox.extend(jobs)
        n = len(jobs)
        self.message.emit(f"Sent {n} job{'s' if n != 1 else ''} to the queue")
        self._send_slice()
        if self._outbox and not self._pump.isActive():
            self._pump.start(SLICE_PAUSE_MS)
        return [j.request.take_id for j in jobs]

    def _send_slice(self) -> None:
        host = self.service.host
        if host is not None and not host.running:
            try:
                host = self.ensure_queue()  # the worker stopped mid-batch: the rest go to a new one
            except QueueError as exc:
                self.message.emit(str(exc))
                host = None
        if host is None:
            self._outbox.clear()
            return
        deadline = time.perf_counter() + SEND_SLICE_S
        chunk: list[PlannedJob | FrameJob] = []
        while self._outbox and (not chunk or time.perf_counter() < deadline):
            job = self._outbox.popleft()
            self.storyboard.add_take(job.shot_id, job.take())
            chunk.append(job)
        self.documentChanged.emit()
        self.jobsSent.emit(chunk)
        host.enqueue([(j.request, j.estimate_usd) for j in chunk])  # a refusal comes back as an event

    # ------------------------------------------------------------------ following

    def _wake(self) -> None:
        """Events are waiting (GUI thread): apply them together after a short wait."""
        if not self._pump.isActive():
            self._pump.start(COALESCE_MS)

    def _pump_once(self) -> None:
        """One slice of GUI work: sending and applying events take turns while both have work."""
        if self._outbox and (self._send_next or not len(self._inbox)):
            self._send_slice()
            self._send_next = False
        else:
            self.flush()
            self._send_next = True
        if self._outbox or len(self._inbox) or not self._inbox.rearm():
            self._pump.start(SLICE_PAUSE_MS)
        # else: all sent, inbox drained and re-armed: the next event wakes us

    def flush(self) -> None:
        """Apply waiting events in order, for at most ``SLICE_S``; the rest wait for the next turn."""
        deadline = time.perf_counter() + SLICE_S
        while (item := self._inbox.take()) is not None:
            self._apply(item)
            if time.perf_counter() > deadline:
                break

    def _flush_all(self) -> None:
        self._pump.stop()
        while (item := self._inbox.take()) is not None:
            self._apply(item)
        self._inbox.rearm()

    def _apply(self, event: JobEvent | str | WorkerStopped) -> None:
        if isinstance(event, str):
            self.message.emit(event)
            return
        if isinstance(event, WorkerStopped):
            self.message.emit(self.service.stopped(event))
            return
        fields = event.take_fields()
        try:
            take = self.storyboard.take(event.shot_id, event.take_id)
            # A journal replayed on open reports what project.json already says: not a change.
            if any(getattr(take, key) != value for key, value in fields.items()):
                self.storyboard.update_take(event.shot_id, event.take_id, **fields)
                self.documentChanged.emit()
        except StoryboardError:
            log.info("job %s finished for a take that is no longer in the document", event.take_id)
        self.jobChanged.emit(event)

    # ------------------------------------------------------------------ cancel / retry / another model

    def cancel_soon(self, take_id: str) -> None:
        self._spawn(self.service.cancel(take_id))

    def retry(self, take_id: str) -> str:
        """Try a failed or canceled job again; returns the take id now running (while a paid re-create
        waits for the user's confirmation, the old take's id).

        A job that has a remote id and failed for a passing reason (poll timeout, dropped download) resumes
        on the same take: nothing is sent again. Anything else (a refused or failed create, a cancel) is a
        new create, so it becomes a new take with the same request: the failed take stays on the shot, as
        on a camera report. A job that may exist at the provider is refused (QueueError, from the rule).
        """
        self.ensure_queue()
        job = self.service.job(take_id)
        if job is not None:
            # The queue's rule: a job the provider still has (it failed on our side: paused, poll timeout,
            # dropped download) is followed again, never re-created; anything else is a new create.
            if job.retry_resumes():
                self.service.resume_job(take_id)  # raises QueueError here if the job changed meanwhile
                return take_id
            shot_id, model_id, prompt = job.shot_id, job.request.model_id, job.request.prompt
            provider = job.request.provider
        else:  # a job the queue no longer knows (an earlier session): its take says what it was
            shot, take = self._find(take_id)
            retry_resumes(take.state, take.remote_id, take.retryable, take.provider)  # raises its refusals
            shot_id, model_id, prompt, provider = shot.id, take.model_id, take.prompt, take.provider
        # A new create: planned again (same model, provider and prompt), so it is checked like any job.
        plan = self.plan([shot_id], model_id, prompt=prompt, provider=provider)
        if not plan.sendable:
            raise QueueError("; ".join(plan.problems) or "this job cannot be sent again as it is")
        planned = plan.sendable[0]
        if planned.billable:
            # A new create bills again: it gets the same confirmation as any other paid job.
            self._confirm(plan)
            return take_id
        self.send([planned])
        return planned.request.take_id

    def try_other_model(self, shot_id: str, take_id: str, model_id: str) -> None:
        """Generate again with this take's prompt on ``model_id`` (same prompt, another model)."""
        self.generate([shot_id], model_id, prompt=self.storyboard.take(shot_id, take_id).prompt)

    def _find(self, take_id: str) -> tuple[Shot, Take]:
        for shot in self.storyboard.shots():
            for take in shot.takes:
                if take.id == take_id:
                    return shot, take
        raise QueueError(f"no take {take_id}")

    def page_for(self, take_id: str) -> str | None:
        try:
            _shot, take = self._find(take_id)
        except QueueError:
            return None
        return provider_page(take.provider, take.remote_id)
