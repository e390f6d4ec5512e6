"""Starting points for a new shot: the reference article's five cinematic templates, in our own words.

They live in ``resources/templates.json``; each fills the six layers (with [bracketed] blanks to replace)
and the crew fields that suit it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shotplanner.core.models import LAYER_NAMES, PromptLayers, Shot
from shotplanner.core.paths import resources_dir

TEMPLATES_FILE = "templates.json"
#: Crew fields a template may set; anything else is a mistake in the file.
CREW_FIELDS = frozenset(
    {"size", "angle", "movement", "lens_mm", "duration_s", "aspect", "resolution", "fps", "audio", "quality"}
)


class TemplateError(ValueError):
    """The templates file is missing or malformed (says which template and why)."""


class Template(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    description: str = ""
    layers: dict[str, str] = Field(default_factory=dict)
    crew: dict[str, Any] = Field(default_factory=dict)

    def make_shot(self) -> Shot:
        """A fresh shot (new id) with this template's layers and crew fields."""
        return Shot(layers=PromptLayers(**self.layers), **self.crew)

    @model_validator(mode="after")
    def _check(self) -> Template:
        unknown_layers = set(self.layers) - set(LAYER_NAMES)
        if unknown_layers:
            raise ValueError(
                f"unknown layer(s) {sorted(unknown_layers)}; layers are {', '.join(LAYER_NAMES)}"
            )
        unknown_crew = set(self.crew) - CREW_FIELDS
        if unknown_crew:
            raise ValueError(f"unknown crew field(s) {sorted(unknown_crew)}")
        try:
            self.make_shot()
        except ValidationError as exc:
            raise ValueError(f"its crew fields do not make a valid shot: {exc.errors()[0]['msg']}") from exc
        return self


def load_templates(path: Path | None = None) -> list[Template]:
    """The templates in file order; a bad file or entry raises ``TemplateError`` naming it."""
    path = path or resources_dir() / TEMPLATES_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateError(f"cannot read templates {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise TemplateError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
    entries = document.get("templates") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise TemplateError(f'{path}: expected an object with a "templates" list')
    templates: list[Template] = []
    for index, raw in enumerate(entries):
        try:
            templates.append(Template.model_validate(raw))
        except ValidationError as exc:
            label = raw.get("id") if isinstance(raw, dict) else None
            raise TemplateError(
                f"{path}: template {label or f'#{index + 1}'!s}: {exc.errors()[0]['msg']}"
            ) from exc
    return templates
