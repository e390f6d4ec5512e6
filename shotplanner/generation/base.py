"""What every provider speaks: the error hierarchy, the request, the remote status and the protocol.

The queue (``generation.queue``) only ever talks to a provider through ``Provider``; a provider only ever
reports trouble by raising a ``GenerationError`` subclass. ``retryable`` tells the queue whether trying
again later can help (429, 5xx, timeouts, dropped connections) or not (bad request, moderation, no
credit, unknown model): the queue never retries a non-retryable error.

Downloads: remote providers return ``RemoteStatus.result_url`` and implement ``fetch`` by calling
``generation.download.stream_to`` (https only, resumable). The local animatic provider renders the file
itself and implements ``fetch`` by writing (or moving) its clip into ``dest_tmp``. Either way the queue
then checks the file and renames it atomically to a name of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from shotplanner.generation.redact import redact

if TYPE_CHECKING:
    from shotplanner.core.catalog_schema import ModelSpec, Route
    from shotplanner.core.models import Project, Shot
    from shotplanner.core.routes import RouteChoice


# --------------------------------------------------------------------------------------------- errors


class GenerationError(Exception):
    """Base of every generation failure. The message is shown to the user as is (keys redacted)."""

    retryable: bool = False

    def __init__(self, message: str, *, provider: str = "", status_code: int | None = None) -> None:
        self.message = redact(message)
        self.provider = provider
        self.status_code = status_code
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.provider}: {self.message}" if self.provider else self.message


class TransientError(GenerationError):
    """Trying again later may work."""

    retryable = True
    #: After a create: the provider documents this answer as given before the request reached it, so no
    #: job was made (a 429; fal's ingress errors).
    not_created = False


class RateLimited(TransientError):
    """HTTP 429. ``retry_after`` is the provider's hint in seconds, when it gave one."""

    not_created = True

    def __init__(self, message: str, *, provider: str = "", status_code: int | None = 429,
                 retry_after: float | None = None) -> None:
        super().__init__(message, provider=provider, status_code=status_code)
        self.retry_after = retry_after


class ServerError(TransientError):
    """HTTP 5xx, or a body we could not parse (a proxy's error page, truncated JSON).

    After a create it means the job may exist, unless ``not_created``.
    """

    def __init__(self, message: str, *, provider: str = "", status_code: int | None = None,
                 not_created: bool = False) -> None:
        super().__init__(message, provider=provider, status_code=status_code)
        self.not_created = not_created


class NetworkError(TransientError):
    """Timeout, refused or dropped connection: no HTTP answer at all.

    ``sent`` is False when the request provably never left (connection refused): only then may a
    submit be repeated without risking a second, billed job.
    """

    def __init__(self, message: str, *, provider: str = "", status_code: int | None = None,
                 sent: bool = True) -> None:
        super().__init__(message, provider=provider, status_code=status_code)
        self.sent = sent


class LocalFault(TransientError):
    """Trouble on this machine (disk full, no permission), not at the provider. A job the provider has
    accepted is paused by it: resuming downloads again, never re-creates."""


class PermanentError(GenerationError):
    """Trying again with the same input will fail the same way."""


class BadRequest(PermanentError):
    """The provider rejected the input (HTTP 400/422): wrong duration, aspect, image…"""


class ModerationRefused(PermanentError):
    """The provider's safety filter refused the prompt or the output (possibly after a 200)."""


class InsufficientCredit(PermanentError):
    """No credit or billing not set up (HTTP 402, or the provider's own code)."""


class AuthFailed(PermanentError):
    """The key was refused (HTTP 401/403)."""


class ModelUnavailable(PermanentError):
    """The model or endpoint does not exist (any more): retired, renamed or not enabled for this key."""


class MissingKey(PermanentError):
    """No API key for this provider in the environment or the keyring."""


class JobFailed(PermanentError):
    """The provider accepted the job, then reported it failed."""


class UnsafeURL(PermanentError):
    """A result URL we refuse to fetch: not https (loopback http only when allowed), or file://."""


class DownloadInvalid(PermanentError):
    """The downloaded file is not what was asked: too small/large, not a video, wrong duration."""


class SubmitUnknown(PermanentError):
    """A submit was sent and no answer came back: the job may exist (and bill). Never re-sent blindly."""


# ---------------------------------------------------------------------------------- request / status


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """Everything a provider needs to start one take. Image paths are absolute."""

    take_id: str
    shot_id: str
    model_id: str  # our catalog id, e.g. "kling-v3"
    provider: str  # "fal" | "replicate" | "kling" | "local"
    provider_model: str  # the provider's own id/endpoint for this request (text- or image-to-video)
    prompt: str
    duration_s: float
    aspect: str = "16:9"
    resolution: str = "1080p"
    fps: float = 24.0  # the shot's rate (23.976 stays 23.976); endpoints that take fps get a whole number
    audio: bool = False
    start_image: Path | None = None
    end_image: Path | None = None
    reference_images: tuple[Path, ...] = ()
    #: The route's tier or mode for this resolution ("std"/"pro" on Kling, "standard"/"pro" on Replicate).
    tier: str = ""
    #: Our own id for providers that can look a task up by it (Kling ``external_task_id``).
    external_id: str | None = None
    #: Provider-agnostic extras (e.g. ``{"negative_prompt": "..."}``), passed through where supported.
    extra: tuple[tuple[str, str], ...] = ()
    #: ``clip`` (a video take) or ``frame`` (a storyboard still: an image model, a PNG/JPEG/WebP back).
    kind: str = "clip"
    #: Private copies of the shot and of what a renderer needs from its project (title, its scene), made
    #: on the caller's thread by ``build_request``: the local provider renders from these, never from the
    #: live project another thread is editing. Not journaled (a local render does not outlive the process).
    shot_snapshot: Shot | None = field(default=None, compare=False, repr=False)
    project_snapshot: Project | None = field(default=None, compare=False, repr=False)

    def settings(self) -> dict[str, object]:
        """The snapshot stored on the take (paths relative names only: no absolute paths leak)."""
        return {
            "duration_s": self.duration_s, "aspect": self.aspect, "resolution": self.resolution,
            "fps": self.fps, "audio": self.audio, "provider_model": self.provider_model, "tier": self.tier,
            "start_image": self.start_image.name if self.start_image else None,
            "end_image": self.end_image.name if self.end_image else None,
            "reference_images": [p.name for p in self.reference_images],
            **({"kind": self.kind} if self.kind != "clip" else {}),
        }


class RemoteState(StrEnum):
    SUBMITTED = "submitted"  # accepted, waiting in the provider's queue
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELED = "canceled"


@dataclass(frozen=True, slots=True)
class RemoteStatus:
    state: RemoteState
    progress: float | None = None  # 0..1 when the provider says, else None
    result_url: str | None = None  # remote providers: where the clip is (fetch it soon: it expires)
    result_path: Path | None = None  # local provider: the clip it rendered
    message: str = ""
    poll_after: float | None = None  # provider's hint (Retry-After), seconds
    cost_usd: float | None = None  # what the provider says it billed, when it says
    #: For FAILED: the classified reason (ModerationRefused, JobFailed…); None → JobFailed(message).
    error: GenerationError | None = field(default=None, compare=False)


#: ``on_bytes(done, total_or_None)`` during a fetch.
BytesCallback = Callable[[int, int | None], None]


@runtime_checkable
class Provider(Protocol):
    name: str
    max_concurrency: int

    async def submit(self, request: GenerationRequest) -> str:
        """Start the job; return the provider's id for it. Raise GenerationError on refusal."""
        ...

    async def poll(self, remote_id: str) -> RemoteStatus:
        """Where the job is. Transport trouble raises (TransientError); a remote failure is FAILED."""
        ...

    async def fetch(self, status: RemoteStatus, dest_tmp: Path, on_bytes: BytesCallback) -> None:
        """Write the finished clip to ``dest_tmp`` (which may hold a partial earlier attempt)."""
        ...

    async def cancel(self, remote_id: str) -> bool:
        """Ask the provider to stop; False when the API cannot cancel."""
        ...

    async def find_created(self, request: GenerationRequest, since: str | None) -> str | None:
        """After a create that may have worked (``supports_lookup`` providers only): the remote id of the
        job it made, or None when the provider's own records show it was never created. ``since`` is when
        the create left (ISO time). Kling looks it up by ``external_task_id``, Replicate in its list."""
        ...

    async def aclose(self) -> None: ...


# ------------------------------------------------------------------------------------ build_request


def external_id_for(take_id: str) -> str:
    """Deterministic, so a restart after an unanswered submit can look the job up again."""
    return f"shotplanner-{take_id}"


def build_request(shot: Shot, project: Project | None, project_dir: Path, model: ModelSpec, route: Route,
                  take_id: str, *, choice: RouteChoice | None = None) -> GenerationRequest:
    """Turn a shot (and the model/route chosen for it) into a request. Images become absolute paths.

    The endpoint, the tier and the images are the route choice's (``core.routes.choose``): exactly what
    the checks and the estimate were made for, so nothing is sent that they did not see.
    """
    from shotplanner.core.confine import require_inside
    from shotplanner.core.prompt import compose_prompt
    from shotplanner.core.routes import choose, route_facts

    picked = choice if choice is not None else choose(shot, route_facts(model, route), project)
    root = Path(project_dir)
    # Only the local renderer reads the shot itself (a remote provider gets the prompt and settings);
    # copying 200 shots for a remote batch would stall the window for nothing.
    shot_copy, project_copy = snapshot(shot, project) if route.provider == "local" else (None, None)
    return GenerationRequest(
        take_id=take_id,
        shot_id=shot.id,
        model_id=model.id,
        provider=route.provider,
        provider_model=picked.endpoint_id or route.model,
        prompt=compose_prompt(shot, project),
        duration_s=float(shot.duration_s),
        aspect=shot.aspect,
        resolution=shot.resolution,
        fps=shot.fps,
        audio=shot.audio,
        # Every image must stay inside the project (raises OutsideProject, naming it): nothing else is sent.
        start_image=require_inside(root, picked.start, "start frame") if picked.start else None,
        end_image=require_inside(root, picked.end, "end frame") if picked.end else None,
        reference_images=tuple(require_inside(root, p, "reference image") for p in picked.references),
        tier=picked.tier,
        external_id=external_id_for(take_id),
        shot_snapshot=shot_copy,
        project_snapshot=project_copy,
    )


#: ``GenerationRequest`` fields that live in memory only (the journal skips them).
SNAPSHOT_FIELDS = frozenset({"shot_snapshot", "project_snapshot"})


def snapshot(shot: Shot, project: Project | None) -> tuple[Shot, Project | None]:
    """A deep copy of ``shot`` and a small project holding just what a render reads: title, fps, aspect,
    characters and the shot's scene with the copied shot in it. Call on the thread that owns ``project``."""
    from shotplanner.core.models import Project, Scene

    shot_copy = shot.model_copy(deep=True)
    if project is None:
        return shot_copy, None
    scene = project.scene_of(shot.id)
    scene_copy = (scene.model_copy(update={"shots": [shot_copy]}) if scene is not None
                  else Scene(shots=[shot_copy]))
    characters = [c.model_copy(deep=True) for c in project.characters]
    return shot_copy, Project(title=project.title, fps=project.fps, aspect=project.aspect,
                              characters=characters, scenes=[scene_copy])
