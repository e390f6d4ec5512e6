"""Planning storyboard frames: shot → checked, priced frame job on an image model, for the CLI and the window.

The frame counterpart of ``generation.planner`` (whose resume and duplicate rules, ``decide``, and key
lookup, ``key_present``, it uses as they are): ``plan_frames`` picks each shot's endpoint (edit when it
has references, text-to-image when not), its references (``core.frames``: the shot's images, the cast's
looks, the scene's location) capped at what the model takes, its cost, the vendor-schema pre-flight and
the verdict. :class:`FrameJob` and :class:`FramePlan` answer the same questions as the planner's
``PlannedJob`` and ``Plan`` (sendable, billable, reasons, total), so the window's confirmation, send and
queue panel take either.

A reference path that leaves the project folder, or a missing reference file, refuses the frame with a
clear message: nothing outside the project is ever read or uploaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shotplanner.core import confine
from shotplanner.core.frame_models import FrameModel
from shotplanner.core.frames import FrameSpec, Looks, fair_cut, frame_prompt, frame_references
from shotplanner.core.models import LOCAL_PROVIDER, JobState, Project, Shot, Take, new_id
from shotplanner.core.validation import Problem
from shotplanner.generation.base import BadRequest, GenerationRequest, external_id_for, snapshot
from shotplanner.generation.planner import NEW, JobPlan, Skipped, decide, key_present


class FramePlanError(ValueError):
    """A frame that cannot be asked for as planned (the message says why; nothing was sent)."""


@dataclass(frozen=True, slots=True)
class FrameImages:
    """The images a frame request sends, in words (the confirmation's tooltip)."""

    spec: FrameSpec

    def describe_images(self) -> str:
        refs = self.spec.references
        if not refs:
            return "text-to-image (no reference image sent)"
        return f"sends {len(refs)} reference image{'s' if len(refs) != 1 else ''}: " + ", ".join(
            r.why for r in refs)


@dataclass(frozen=True, slots=True)
class FrameJob:
    """One storyboard frame on one image endpoint: what would be sent, its cost, whether it may be."""

    shot: Shot
    model: FrameModel
    endpoint: str
    spec: FrameSpec
    request: GenerationRequest
    estimate_usd: float | None
    #: Worth saying, not stopping (references left out, an aspect sent as the nearest one).
    notes: tuple[Problem, ...] = ()
    problems: tuple[str, ...] = ()
    verdict: str = NEW
    existing_take: str | None = None
    missing_key: bool = False
    #: A frame take a killed run saved but never sent, which this job reuses (its id is the request's).
    replaces_take: str | None = None

    @property
    def shot_id(self) -> str:
        return self.shot.id

    @property
    def shot_number(self) -> str:
        return self.shot.number or self.shot.id

    @property
    def model_name(self) -> str:
        return self.model.name

    @property
    def provider(self) -> str:
        return self.model.provider

    @property
    def billable(self) -> bool:
        return self.provider != LOCAL_PROVIDER

    @property
    def estimate_note(self) -> str:
        """What the confirmation's tooltip says: the references sent and anything worth knowing."""
        return "; ".join([*(r.why for r in self.spec.references), *(n.message for n in self.notes)])

    @property
    def choice(self) -> FrameImages:
        """What the request does with images, as the planner's ``RouteChoice`` says it for a clip."""
        return FrameImages(self.spec)

    @property
    def sendable(self) -> bool:
        return self.verdict == NEW and not self.problems and not self.missing_key

    def take(self) -> Take:
        """The take recorded on the shot before its job exists (kind ``"frame"``)."""
        r = self.request
        settings = r.settings()
        settings["references"] = [ref.why for ref in self.spec.references]
        return Take(id=r.take_id, kind="frame", model_id=r.model_id, provider=r.provider,
                    provider_model=r.provider_model, prompt=r.prompt, settings=settings,
                    state=JobState.QUEUED, external_id=r.external_id, cost_estimate_usd=self.estimate_usd,
                    message="queued")

    def reasons(self) -> list[str]:
        label = f"Shot {self.shot_number}"
        out = [f"{label}: {p}" for p in self.problems]
        if self.missing_key:
            out.append(f"{label}: no {self.provider} key is set up (Keys…)")
        return out


class FramePlan(JobPlan[FrameJob]):
    """The storyboard frames planned for a selection: the same questions as a clip plan."""

    noun = "frame"


class _Inside:
    """Reference paths confined to the project folder (``core.confine.inside``), each looked at once per
    plan: the cast's looks recur in shot after shot."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._seen: dict[str, Path | str] = {}

    def __call__(self, relative: str) -> Path:
        found = self._seen.get(relative)
        if found is None:
            found = self._check(relative)
            self._seen[relative] = found
        if isinstance(found, str):
            raise FramePlanError(found)
        return found

    def _check(self, relative: str) -> Path | str:
        path = confine.inside(self.root, relative)
        if path is None:
            return f"the image {relative!r} is outside the project folder; it is never sent"
        if not path.is_file():
            return f"the image {relative} is missing from the project folder"
        return path.resolve()  # absolute: the queue checks journaled images with ``confine.contains``


def frame_preflight(request: GenerationRequest) -> list[str]:
    """The vendor-schema check of the body the provider would send (images stood in for by their count)."""
    if request.provider == LOCAL_PROVIDER:
        return []
    from shotplanner.generation.providers.fal_frames import frame_body

    placeholders = ["data:image/png;base64,AAAA"] * len(request.reference_images)
    try:
        frame_body(request, placeholders)
    except BadRequest as exc:
        return [exc.message]
    return []


def plan_frame(shot: Shot, project: Project | None, project_dir: Path, model: FrameModel, *,
               take_id: str | None = None, journal: Mapping[str, Mapping[str, Any]] | None = None,
               again: bool = True, has_key: Callable[[str], bool] = key_present,
               looks: Looks | None = None, inside: _Inside | None = None) -> FrameJob:
    """One shot's frame on ``model``; raises FramePlanError when its references cannot be sent.

    ``looks`` and ``inside`` are what ``plan_frames`` shares between the shots of one plan."""
    inside = inside or _Inside(Path(project_dir))
    every = frame_references(shot, project, looks=looks)
    refs = tuple(fair_cut(list(every), model.max_references))
    spec = FrameSpec(shot.id, frame_prompt(shot, project, refs), shot.aspect, shot.resolution, refs)
    paths = tuple(inside(ref.path) for ref in refs)
    endpoint = model.endpoint(with_references=bool(refs))
    notes: list[str] = []
    if len(every) > len(refs):
        notes.append(f"{len(every) - len(refs)} more reference image(s) left out: {model.name} "
                     f"takes at most {model.max_references}")
    orphan = None
    if take_id is None and journal is not None:
        orphan = next((t.id for t in shot.takes if t.kind == "frame" and t.state is JobState.QUEUED
                       and t.remote_id is None and t.model_id == model.id and t.id not in journal), None)
    take_id = take_id or orphan or new_id()
    shot_copy, project_copy = snapshot(shot, project) if model.is_local else (None, None)
    request = GenerationRequest(
        take_id=take_id, shot_id=shot.id, model_id=model.id, provider=model.provider,
        provider_model=endpoint, prompt=spec.prompt, duration_s=0.0, aspect=shot.aspect,
        resolution=shot.resolution, fps=round(shot.fps), audio=False, reference_images=paths,
        external_id=external_id_for(take_id), kind="frame", shot_snapshot=shot_copy,
        project_snapshot=project_copy,
    )
    if not model.is_local:
        from shotplanner.generation.providers.fal_frames import aspect_note

        note = aspect_note(endpoint, shot.aspect)
        if note:
            notes.append(note)
    verdict, existing = decide(shot, model.id, journal, again, kind="frame")
    return FrameJob(shot, model, endpoint, spec, request, model.price(endpoint),
                    tuple(Problem("reference_images", n, None, blocking=False) for n in notes),
                    tuple(frame_preflight(request)), verdict, existing, not has_key(model.provider), orphan)


def plan_frames(project: Project, project_dir: Path, shots: Iterable[Shot], model: FrameModel, *,
                journal: Mapping[str, Mapping[str, Any]] | None = None, again: bool = True,
                has_key: Callable[[str], bool] = key_present) -> FramePlan:
    """Frames for ``shots`` on ``model``: the jobs (with verdicts) and the shots refused, with why."""
    keys: dict[str, bool] = {}

    def cached_key(provider: str) -> bool:
        if provider not in keys:
            keys[provider] = has_key(provider)  # a keyring lookup can be a D-Bus round trip: once
        return keys[provider]

    jobs: list[FrameJob] = []
    skipped: list[Skipped] = []
    looks, inside = Looks(project), _Inside(Path(project_dir))
    for shot in shots:
        try:
            jobs.append(plan_frame(shot, project, project_dir, model, journal=journal, again=again,
                                   has_key=cached_key, looks=looks, inside=inside))
        except FramePlanError as exc:
            skipped.append(Skipped(shot.id, shot.number or shot.id, str(exc)))
    missing = frozenset(j.provider for j in jobs if j.missing_key and j.verdict == NEW)
    return FramePlan(jobs, skipped, missing)
