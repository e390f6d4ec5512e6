"""Planning storyboard frames: shot → priced frame job on an image model, for the CLI and the window alike.

``plan_frames`` picks each shot's endpoint (edit when it has references, text-to-image when not), its
references (``core.frames``: the shot's images, the cast's looks, the scene's location) capped at what
the model takes, and its cost; ``frame_request`` turns a plan into the ``GenerationRequest`` (kind
``"frame"``) the queue sends like any clip, and ``frame_take`` the take recorded before it is sent.
A reference path that leaves the project folder, or a missing reference file, refuses the frame with a
clear message: nothing outside the project is ever read or uploaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shotplanner.core.frame_models import FrameModel
from shotplanner.core.frames import FrameSpec, frame_references, frame_spec
from shotplanner.core.models import Project, Shot, Take
from shotplanner.generation.base import GenerationRequest, external_id_for, snapshot
from shotplanner.generation.providers.fal_frames import NANO_ASPECTS


class FramePlanError(ValueError):
    """A frame that cannot be asked for as planned (the message says why; nothing was sent)."""


@dataclass
class PlannedFrame:
    shot: Shot
    model: FrameModel
    endpoint: str
    spec: FrameSpec
    cost_usd: float | None
    notes: list[str] = field(default_factory=list)


def _inside(root: Path, relative: str) -> Path:
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()):
        raise FramePlanError(f"the image {relative!r} is outside the project folder; it is never sent")
    if not path.is_file():
        raise FramePlanError(f"the image {relative} is missing from the project folder")
    return path


def plan_frame(shot: Shot, project: Project | None, project_dir: Path, model: FrameModel) -> PlannedFrame:
    """One shot's frame on ``model``; raises FramePlanError when its references cannot be sent."""
    root = Path(project_dir)
    spec = frame_spec(shot, project, max_references=model.max_references)
    refs = spec.references
    for ref in refs:
        _inside(root, ref.path)
    endpoint = model.endpoint(with_references=bool(refs))
    notes: list[str] = []
    if not model.is_local and "nano-banana" in endpoint and shot.aspect not in NANO_ASPECTS:
        from shotplanner.generation.providers.fal_frames import nearest_nano_aspect

        notes.append(f"{model.name} has no {shot.aspect}; the frame is asked at "
                     f"{nearest_nano_aspect(shot.aspect)}")
    every = frame_references(shot, project)
    if len(every) > len(refs):
        notes.append(f"{len(every) - len(refs)} more reference image(s) left out: {model.name} takes at most "
                     f"{model.max_references}")
    return PlannedFrame(shot, model, endpoint, spec, model.price(endpoint), notes)


def plan_frames(project: Project, shots: list[Shot], project_dir: Path, model: FrameModel
                ) -> tuple[list[PlannedFrame], list[tuple[Shot, str]]]:
    """Plans for ``shots``, and the shots refused with the reason."""
    planned: list[PlannedFrame] = []
    refused: list[tuple[Shot, str]] = []
    for shot in shots:
        try:
            planned.append(plan_frame(shot, project, project_dir, model))
        except FramePlanError as exc:
            refused.append((shot, str(exc)))
    return planned, refused


def frame_request(planned: PlannedFrame, project: Project | None, project_dir: Path,
                  take_id: str) -> GenerationRequest:
    """The queue's request for a planned frame (image paths absolute, checked to be inside the project)."""
    root = Path(project_dir)
    paths = tuple(_inside(root, ref.path) for ref in planned.spec.references)
    shot = planned.shot
    shot_copy, project_copy = snapshot(shot, project) if planned.model.is_local else (None, None)
    return GenerationRequest(
        take_id=take_id, shot_id=shot.id, model_id=planned.model.id, provider=planned.model.provider,
        provider_model=planned.endpoint, prompt=planned.spec.prompt, duration_s=0.0, aspect=shot.aspect,
        resolution=shot.resolution, fps=round(shot.fps), audio=False, reference_images=paths,
        external_id=external_id_for(take_id), kind="frame", shot_snapshot=shot_copy,
        project_snapshot=project_copy,
    )


def frame_take(planned: PlannedFrame, request: GenerationRequest) -> Take:
    """The take recorded on the shot before its job exists (kind ``"frame"``)."""
    settings = request.settings()
    settings["references"] = [ref.why for ref in planned.spec.references]
    return Take(id=request.take_id, kind="frame", model_id=planned.model.id, provider=request.provider,
                provider_model=request.provider_model, prompt=request.prompt, settings=settings,
                external_id=request.external_id, cost_estimate_usd=planned.cost_usd)
