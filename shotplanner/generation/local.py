"""The local animatic provider: the offline default that "generates" a shot as a previs clip.

It speaks the same ``Provider`` protocol as the HTTP providers, so the queue treats it like any other:
``submit`` validates the shot and starts a render on a worker thread (several at once, up to the core
count; each render also encodes on x264's own threads), ``poll`` reports progress, ``fetch`` moves the
finished clip to the queue's temp file, ``cancel`` stops a render and waits until its partial file is
gone. It needs no key, no network and costs nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from shotplanner.core.models import (
    LOCAL_PROVIDER,
    MAX_SHOT_SECONDS,
    ImageRef,
    Project,
    PromptLayers,
    Shot,
)
from shotplanner.generation.base import (
    BadRequest,
    BytesCallback,
    GenerationRequest,
    JobFailed,
    RemoteState,
    RemoteStatus,
)
from shotplanner.generation.spec import ProviderSpec
from shotplanner.media.animatic import RenderResult, render_animatic, validate_shot
from shotplanner.media.errors import InvalidShot, RenderCanceled
from shotplanner.media.frame import FrameResult, frame_size, render_frame

#: How long ``cancel`` waits for a worker to notice and clean up (it checks before every frame).
CANCEL_WAIT_S = 30.0


@dataclass
class _Job:
    out_path: Path
    cancel: threading.Event = field(default_factory=threading.Event)
    progress: float = 0.0
    future: Future[RenderResult | FrameResult] | None = None


class LocalAnimaticProvider:
    """Renders animatics on a thread pool.

    A request's ``shot_snapshot``/``project_snapshot`` (filled by ``build_request``) say what to render;
    ``project`` is only a fallback for requests built without them. ``project_dir`` resolves image paths.
    The Qt application must exist before the first render: the app creates it, ``generate`` calls
    ``media.qt.ensure_gui_app()`` on the main thread. This provider never creates it (it may run on a
    worker thread's event loop).
    """

    name = LOCAL_PROVIDER
    #: A render a stopped run may have started did not outlive it: ``find_created`` answers "never made"
    #: and the queue renders again (free) rather than calling the job "may exist".
    supports_lookup = True
    #: Renders take a second or two: the queue's first look comes this soon, not after the remote 5 s.
    poll_initial_s = 0.2

    def __init__(self, project: Project | None = None, project_dir: Path | None = None, *,
                 max_concurrency: int | None = None) -> None:
        self.project = project
        self.project_dir = Path(project_dir) if project_dir is not None else None
        self.max_concurrency = max(1, max_concurrency or os.cpu_count() or 1)
        self._pool = ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="animatic")
        # Renders are written beside the takes (the move into place is a rename), or, with no project, in
        # a temporary folder of our own.
        self._own_work_dir = self.project_dir is None
        self.work_dir = (Path(tempfile.mkdtemp(prefix="shotplanner-animatic-")) if self.project_dir is None
                         else self.project_dir / "media" / "takes")
        self._jobs: dict[str, _Job] = {}

    def spec(self) -> ProviderSpec:
        """How to build this provider in the generation worker process (requests carry their snapshot)."""
        return ProviderSpec(self.name, {"max_concurrency": self.max_concurrency})

    # ------------------------------------------------------------------------------------ protocol

    async def submit(self, request: GenerationRequest) -> str:
        frame = request.kind == "frame"  # a storyboard still: the animatic's composed first frame
        shot = self._shot_for(request)
        try:
            if frame:
                frame_size(request.aspect, request.resolution)
            else:
                validate_shot(shot, request.fps)
        except InvalidShot as exc:
            raise BadRequest(str(exc), provider=self.name) from None
        # The request's own snapshot when it carries one: the live project belongs to another thread.
        project = request.project_snapshot if request.shot_snapshot is not None else self.project
        remote_id = f"local-{request.take_id}"
        self.work_dir.mkdir(parents=True, exist_ok=True)
        if frame:  # drawn on the same pool
            job = _Job(self.work_dir / f".frame-{request.take_id}.png")
            job.future = self._pool.submit(render_frame, shot, project, self.project_dir, job.out_path)
        else:
            job = _Job(self.work_dir / f".animatic-{request.take_id}.mp4")

            def progress(fraction: float) -> None:
                job.progress = fraction

            job.future = self._pool.submit(render_animatic, shot, project, self.project_dir, job.out_path,
                                           progress=progress, cancel=job.cancel, fps=request.fps)
        self._jobs[remote_id] = job
        return remote_id

    async def poll(self, remote_id: str) -> RemoteStatus:
        job = self._jobs.get(remote_id)
        if job is None or job.future is None:
            error = JobFailed("this animatic render is not running any more (the app was restarted?); "
                              "generate the shot again", provider=self.name)
            return RemoteStatus(RemoteState.FAILED, message=error.message, error=error)
        future = job.future
        if not future.done():
            state = RemoteState.RUNNING if future.running() else RemoteState.SUBMITTED
            return RemoteStatus(state, progress=job.progress, poll_after=0.25)
        if future.cancelled():
            return RemoteStatus(RemoteState.CANCELED, message="canceled before it started")
        exc = future.exception()
        if isinstance(exc, RenderCanceled):
            return RemoteStatus(RemoteState.CANCELED, message=str(exc))
        if exc is not None:
            error = JobFailed(f"animatic render failed: {exc}", provider=self.name)
            return RemoteStatus(RemoteState.FAILED, message=error.message, error=error)
        result = future.result()
        return RemoteStatus(RemoteState.DONE, progress=1.0, result_path=result.path, message=result.message,
                            cost_usd=0.0)

    async def fetch(self, status: RemoteStatus, dest_tmp: Path, on_bytes: BytesCallback) -> None:
        source = status.result_path
        if source is None or not source.exists():
            raise JobFailed("the rendered animatic is gone from its work folder; generate again",
                            provider=self.name)
        size = source.stat().st_size
        dest_tmp = Path(dest_tmp)
        dest_tmp.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(shutil.move, str(source), str(dest_tmp))
        on_bytes(size, size)
        for remote_id, job in list(self._jobs.items()):
            if job.out_path == source:
                del self._jobs[remote_id]

    async def cancel(self, remote_id: str) -> bool:
        job = self._jobs.get(remote_id)
        if job is None or job.future is None:
            return False
        job.cancel.set()
        job.future.cancel()  # a render still waiting for a worker never starts
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(job.future)), CANCEL_WAIT_S)
        # It may have finished in the meantime: a canceled take keeps no clip.
        with contextlib.suppress(FileNotFoundError):
            job.out_path.unlink()
        return True

    async def find_created(self, request: GenerationRequest, since: str | None) -> str | None:
        return None

    async def aclose(self) -> None:
        for remote_id, job in list(self._jobs.items()):
            if job.future is not None and not job.future.done():
                await self.cancel(remote_id)
        await asyncio.to_thread(self._pool.shutdown, True)
        if self._own_work_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    # ------------------------------------------------------------------------------------ helpers

    def _shot_for(self, request: GenerationRequest) -> Shot:
        """The project's shot with the request's settings, or one built from the request alone (a frame
        needs its shot)."""
        shot = request.shot_snapshot
        if shot is None and self.project is not None:
            shot = self.project.find_shot(request.shot_id)
        if request.kind == "frame":
            if shot is None:
                raise BadRequest("a local frame needs its shot (the request carries no snapshot)",
                                 provider=self.name)
            return shot.model_copy(update={"aspect": request.aspect, "resolution": request.resolution})
        if not 0 < request.duration_s <= MAX_SHOT_SECONDS:
            raise BadRequest(f"cannot render a {request.duration_s:g} s shot: the duration must be above 0 "
                             f"and at most {MAX_SHOT_SECONDS:g} s", provider=self.name)
        settings = {"duration_s": float(request.duration_s), "aspect": request.aspect,
                    "resolution": request.resolution, "fps": request.fps}
        if shot is not None:
            return shot.model_copy(update=settings, deep=True)
        images = [ImageRef(path=str(p), role="start") for p in (request.start_image,) if p is not None]
        images += [ImageRef(path=str(p)) for p in request.reference_images]
        # Without the project we only have the composed prompt: every layer reads from it.
        prompt = request.prompt
        layers = PromptLayers(action=prompt, camera=prompt, light=prompt, environment=prompt, mood=prompt)
        return Shot(id=request.shot_id, layers=layers, reference_images=images, model_id=None, **settings)
