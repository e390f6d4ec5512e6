"""The migration chain: raw ``project.json`` dicts from older schemas, brought up to the current one.

Migrations run on the plain dict *before* pydantic sees it, so a step may rename, regroup or drop
keys freely. Each step is registered for the version it reads and returns a dict of the next
version; :func:`migrate` runs them in order. A step never touches the file on disk.

Schema 0 is the layout of the first prototype (kept as the legacy shape so the chain has a real,
tested step). It was flat: one list of shots, each naming its scene, with the prompt layers in a
``prompt`` object and a few fields under older names::

    {
      "schema_version": 0,
      "name": "Night Train",                      # → title
      "fps": 24, "aspect": "16:9",
      "characters": [{"id": "c1", "name": "Mara", "description": "...",
                      "images": ["media/refs/mara.png"]}],   # images → reference_images
      "shots": [{
        "id": "s1", "number": "1",
        "scene": "1",                              # scene number; shots are grouped by it, in order
        "scene_heading": "INT. STATION - NIGHT",   # the first shot of a scene carries its heading
        "prompt": {"subject": "...", "action": "...", "environment": "...",
                   "camera": "...", "light": "...", "mood": "..."},   # → layers
        "size": "WS", "camera_move": "tracking",   # → movement
        "seconds": 8,                              # → duration_s
        "refs": ["media/refs/a.png"],              # → reference_images [{path, role: reference}]
        "characters": ["c1"],                      # → character_ids
        "takes": [...]                             # unchanged
      }]
    }
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shotplanner.core.models import SCHEMA_VERSION

RawDocument = dict[str, Any]
Step = Callable[[RawDocument], RawDocument]

#: from-version → step that returns a document of from-version + 1.
MIGRATIONS: dict[int, Step] = {}

#: The oldest schema this build can still read.
OLDEST_SCHEMA = 0


class MigrationError(ValueError):
    """A document that claims an old schema but does not have that schema's shape."""


def register(from_version: int) -> Callable[[Step], Step]:
    def wrap(step: Step) -> Step:
        if from_version in MIGRATIONS:
            raise ValueError(f"two migrations registered from schema {from_version}")
        MIGRATIONS[from_version] = step
        return step

    return wrap


def migrate(raw: RawDocument, target: int = SCHEMA_VERSION) -> RawDocument:
    """Run every step from ``raw["schema_version"]`` up to ``target``; returns the migrated dict.

    The input is not modified (callers keep the original to report on or to leave untouched).
    """
    version = raw.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise MigrationError("schema_version is not a whole number")
    if version < OLDEST_SCHEMA:
        raise MigrationError(f"schema {version} is older than any Shotplanner ever wrote")
    doc = raw
    while version < target:
        step = MIGRATIONS.get(version)
        if step is None:
            raise MigrationError(f"no migration from schema {version} to {version + 1}")
        doc = step(doc)
        version += 1
        doc["schema_version"] = version
    return doc


def _as_list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MigrationError(f"{what} should be a list, found {type(value).__name__}")
    return value


_SHOT_RENAMES = {"prompt": "layers", "camera_move": "movement", "seconds": "duration_s",
                 "characters": "character_ids"}


@register(0)
def _flat_shots_to_scenes(raw: RawDocument) -> RawDocument:
    """Schema 0 → 1: group the flat shot list into scenes and rename the prototype's fields."""
    scenes: list[dict[str, Any]] = []
    by_number: dict[str, dict[str, Any]] = {}
    for i, old in enumerate(_as_list(raw.get("shots"), "shots")):
        if not isinstance(old, dict):
            raise MigrationError(f"shots[{i}] should be an object, found {type(old).__name__}")
        shot = {k: v for k, v in old.items() if k not in ("scene", "scene_heading", "refs")}
        for before, after in _SHOT_RENAMES.items():
            if before in shot:
                shot[after] = shot.pop(before)
        shot["reference_images"] = [
            {"path": p, "role": "reference"} for p in _as_list(old.get("refs"), f"shots[{i}].refs")
        ]
        scene_number = str(old.get("scene", "1"))
        scene = by_number.get(scene_number)
        if scene is None:
            scene = {"number": scene_number, "heading": "", "shots": []}
            by_number[scene_number] = scene
            scenes.append(scene)
        if not scene["heading"] and old.get("scene_heading"):
            scene["heading"] = str(old["scene_heading"])
        scene["shots"].append(shot)
    characters = []
    for i, old in enumerate(_as_list(raw.get("characters"), "characters")):
        if not isinstance(old, dict):
            raise MigrationError(f"characters[{i}] should be an object, found {type(old).__name__}")
        character = {k: v for k, v in old.items() if k != "images"}
        character["reference_images"] = _as_list(old.get("images"), f"characters[{i}].images")
        characters.append(character)
    doc = {k: v for k, v in raw.items() if k not in ("shots", "name", "characters")}
    if "name" in raw:
        doc["title"] = raw["name"]
    doc["characters"] = characters
    doc["scenes"] = scenes
    return doc
