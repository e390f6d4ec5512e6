"""The crew-facing facts of a shot (size, angle, movement, lens, model, prompt) as plain strings.

Timelines put them in markers and clip metadata, the shot list prints them; both read them here so
the words match everywhere. The composed prompt and the recommended model come from ``core``
(``compose_prompt`` and ``resolve_model``), so export says what the window says.
"""

from __future__ import annotations

from dataclasses import dataclass

from shotplanner.core.catalog import Catalog, load_catalog
from shotplanner.core.models import Project, Shot
from shotplanner.core.prompt import compose_prompt
from shotplanner.core.recommend import resolve_model

#: Marks a model the recommender chose (the user did not override it); CSV import reads it back.
RECOMMENDED_SUFFIX = " (recommended)"


@dataclass(frozen=True, slots=True)
class ShotFacts:
    size: str
    angle: str
    movement: str
    lens: str
    duration: str
    model: str
    prompt: str

    def marker_label(self) -> str:
        """One short line for a timeline marker (EDL comments are a single line)."""
        parts = [self.size, self.angle, self.movement, self.lens, self.model]
        return ", ".join(p for p in parts if p)


def lens_text(shot: Shot) -> str:
    return f"{shot.lens_mm}mm" if shot.lens_mm else ""


def duration_text(seconds: float) -> str:
    return f"{seconds:g} s"


class FactSource:
    """Computes facts for many shots of one project, loading the catalog at most once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._catalog: Catalog | None = None

    def compose(self, shot: Shot) -> str:
        return compose_prompt(shot, self.project)

    def _load_catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = load_catalog()
        return self._catalog

    def model(self, shot: Shot) -> str:
        """The user's model, else the recommender's pick marked as such, else empty."""
        if shot.model_id:
            return shot.model_id
        spec = resolve_model(shot, self.project, self._load_catalog())
        return f"{spec.id}{RECOMMENDED_SUFFIX}" if spec is not None else ""

    def model_name(self, model: str) -> str:
        """``kling-2.1 (recommended)`` → ``Kling 2.1 (recommended)``: the catalog's name for an id."""
        if not model:
            return ""
        model_id = model.removesuffix(RECOMMENDED_SUFFIX)
        spec = next((m for m in self._load_catalog().models if m.id == model_id), None)
        name = spec.name if spec is not None else model_id
        return f"{name}{RECOMMENDED_SUFFIX}" if model.endswith(RECOMMENDED_SUFFIX) else name

    def facts(self, shot: Shot, model: str | None = None) -> ShotFacts:
        return ShotFacts(
            size=shot.size.value,
            angle=shot.angle.value,
            movement=shot.movement.value,
            lens=lens_text(shot),
            duration=duration_text(shot.duration_s),
            model=self.model(shot) if model is None else model,
            prompt=self.compose(shot),
        )

