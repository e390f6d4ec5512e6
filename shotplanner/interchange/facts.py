"""The crew-facing facts of a shot (size, angle, movement, lens, model, prompt) as plain strings.

Timelines put them in markers and clip metadata, the shot list prints them; both read them here so
the words match everywhere. The composed prompt and the recommended model come from ``core`` (helper
A's ``compose_prompt`` and ``resolve_model``); they are imported when first needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shotplanner.core.models import Project, Shot

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
        self._catalog: Any = None
        self._catalog_loaded = False

    def compose(self, shot: Shot) -> str:
        try:
            from shotplanner.core.prompt import compose_prompt
        except ImportError:  # core.prompt lands with the catalog work; until then the layers, joined
            return _joined_layers(shot)
        return compose_prompt(shot, self.project)

    def _load_catalog(self) -> Any:
        if not self._catalog_loaded:
            self._catalog_loaded = True
            try:
                from shotplanner.core.catalog import load_catalog
            except ImportError:  # no catalog module yet: no recommendation, only the user's choice
                return None
            self._catalog = load_catalog()
        return self._catalog

    def model(self, shot: Shot) -> str:
        """The user's model, else the recommender's pick marked as such, else empty."""
        if shot.model_id:
            return shot.model_id
        catalog = self._load_catalog()
        if catalog is None:
            return ""
        try:
            from shotplanner.core.recommend import resolve_model
        except ImportError:  # the recommender lands with the catalog work
            return ""
        spec = resolve_model(shot, self.project, catalog)
        return f"{spec.id}{RECOMMENDED_SUFFIX}" if spec is not None else ""

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


def _joined_layers(shot: Shot) -> str:
    return ". ".join(text.strip().rstrip(".") for _, text in shot.layers.items() if text.strip())
