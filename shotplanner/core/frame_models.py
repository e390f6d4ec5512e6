"""The image models storyboard frames are made with (``resources/frame_models.json``), and their prices.

A frame model has two endpoints on one provider: text-to-image for a shot with no reference image, and an
edit endpoint that takes several references (a character's sheet, its circled frames, the location). The
model chosen for a frame is the user's (``--model``) or the first live one whose provider is asked for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from shotplanner.core.models import LOCAL_PROVIDER
from shotplanner.core.paths import resources_dir

FRAME_MODELS_FILE = "frame_models.json"
LOCAL_FRAME_MODEL = "local-frame"


class FrameModelError(LookupError):
    """An unknown frame model, or one that does not run on the provider asked for."""


@dataclass(frozen=True, slots=True)
class FrameModel:
    id: str
    name: str
    provider: str
    text_endpoint: str
    edit_endpoint: str
    max_references: int
    #: Endpoint → USD per image; None where the vendor publishes no price we could read.
    prices: tuple[tuple[str, float | None], ...]
    price_source: str = ""

    def endpoint(self, with_references: bool) -> str:
        return self.edit_endpoint if with_references else self.text_endpoint

    def price(self, endpoint: str) -> float | None:
        return dict(self.prices).get(endpoint)

    @property
    def is_local(self) -> bool:
        return self.provider == LOCAL_PROVIDER


@cache
def _load(path: Path) -> tuple[FrameModel, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    models = []
    for raw in data["models"]:
        models.append(FrameModel(
            id=raw["id"], name=raw["name"], provider=raw["provider"], text_endpoint=raw["text_endpoint"],
            edit_endpoint=raw["edit_endpoint"], max_references=int(raw["max_references"]),
            prices=tuple((k, None if v is None else float(v)) for k, v in raw.get("prices", {}).items()),
            price_source=raw.get("price_source", ""),
        ))
    return tuple(models)


def frame_models() -> tuple[FrameModel, ...]:
    return _load(resources_dir() / FRAME_MODELS_FILE)


def frame_model(model_id: str | None = None, provider: str | None = None) -> FrameModel:
    """The model asked for, or the first one on ``provider`` (local when neither is given)."""
    models = frame_models()
    if model_id:
        found = next((m for m in models if m.id == model_id), None)
        if found is None:
            known = ", ".join(m.id for m in models)
            raise FrameModelError(f"no frame model {model_id!r} (known: {known})")
        if provider and found.provider != provider:
            raise FrameModelError(f"{found.name} runs on {found.provider}, not {provider}")
        return found
    wanted = provider or LOCAL_PROVIDER
    found = next((m for m in models if m.provider == wanted), None)
    if found is None:
        raise FrameModelError(f"no frame model runs on {wanted!r}")
    return found
