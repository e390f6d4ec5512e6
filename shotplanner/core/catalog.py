"""Loading the model catalog: the built-in ``resources/catalog.json`` plus the user's own file.

The user file has the same shape (``{"schema": 1, "models": [...]}``). An entry whose ``id`` is already
known is laid over the built-in one key by key (so a user can change just a price or a route list); a new
id adds a model. A bad entry is reported with its file, line and id, and everything else still loads;
a file that is not JSON at all is reported with the line of the syntax error and skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from shotplanner.core.catalog_schema import ModelSpec, Route
from shotplanner.core.models import LOCAL_MODEL_ID
from shotplanner.core.paths import resources_dir, user_catalog_path

CATALOG_SCHEMA = 1
BUILTIN_FILE = "catalog.json"


class CatalogError(LookupError):
    """A model or route that the catalog does not have."""


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    source: str  # the file it came from
    line: int | None  # 1-based line in that file, when known
    model_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        who = f"model {self.model_id!r}: " if self.model_id else ""
        return f"{where}: {who}{self.message}"


@dataclass
class Catalog:
    """The loaded models. Treat it as read-only: the recommender memoises per catalog (``cache``);
    to change the catalog, load a new one."""

    models: list[ModelSpec]
    problems: list[CatalogProblem] = field(default_factory=list)
    #: Derived, per-catalog data other modules cache here (the recommender's prepared tables).
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id = {m.id: m for m in self.models}

    def find(self, model_id: str) -> ModelSpec | None:
        found = self._by_id.get(model_id)
        if found is None:
            # Lets people type what the article calls a model ("Ray", "Kling v3 Video").
            wanted = model_id.casefold()
            found = next(
                (
                    m
                    for m in self.models
                    if m.name.casefold() == wanted or any(a.casefold() == wanted for a in m.aliases)
                ),
                None,
            )
        return found

    def get(self, model_id: str) -> ModelSpec:
        found = self.find(model_id)
        if found is None:
            known = ", ".join(m.id for m in self.models)
            raise CatalogError(f"no model {model_id!r} in the catalog (known: {known})")
        return found

    def live(self) -> list[ModelSpec]:
        return [m for m in self.models if m.is_live]

    def generative(self) -> list[ModelSpec]:
        """Live models that generate (everything live except the local animatic)."""
        return [m for m in self.models if m.is_live and m.id != LOCAL_MODEL_ID]

    def route(self, model_id: str, provider: str | None = None) -> Route:
        """The preferred route to a model (the first listed), or its route through ``provider``."""
        model = self.get(model_id)
        if not model.routes:
            raise CatalogError(f"{model.name} has no route to any provider")
        if provider is None:
            return model.routes[0]
        for route in model.routes:
            if route.provider == provider:
                return route
        offered = ", ".join(r.provider for r in model.routes)
        raise CatalogError(f"{model.name} is not offered by {provider!r} (offered by: {offered})")

    def successor_of(self, model: ModelSpec) -> ModelSpec | None:
        """Follow the successor chain from a retired model to the first live one."""
        seen: set[str] = set()
        current = model
        while not current.is_live and current.successor and current.successor not in seen:
            seen.add(current.id)
            nxt = self._by_id.get(current.successor)
            if nxt is None:
                return None
            current = nxt
        return current if current.is_live and current is not model else None


# ---------------------------------------------------------------------------------------------- loading


def load_catalog(user_file: Path | None = None) -> Catalog:
    """The built-in catalog with the user's file laid over it (``None`` → the default user file if any)."""
    problems: list[CatalogProblem] = []
    builtin = resources_dir() / BUILTIN_FILE
    entries: dict[str, ModelSpec] = {}
    raw_builtin: dict[str, dict[str, Any]] = {}
    for raw, line in _read_entries(builtin, problems):
        spec = _validate(raw, line, str(builtin), problems)
        if spec is not None:
            entries[spec.id] = spec
            raw_builtin[spec.id] = raw
    if user_file is None:
        default = user_catalog_path()
        user_file = default if default.exists() else None
    if user_file is not None:
        for raw, line in _read_entries(user_file, problems):
            model_id = raw.get("id") if isinstance(raw.get("id"), str) else None
            merged = {**raw_builtin[model_id], **raw} if model_id in raw_builtin else raw
            spec = _validate(merged, line, str(user_file), problems)
            if spec is not None:
                entries[spec.id] = spec
    catalog = Catalog(list(entries.values()), problems)
    _check_links(catalog, problems)
    return catalog


def _read_entries(path: Path, problems: list[CatalogProblem]) -> list[tuple[dict[str, Any], int]]:
    """Each object of the file's ``models`` array with the line it starts on."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(CatalogProblem(source, None, None, f"cannot read the file: {exc}"))
        return []
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(
            CatalogProblem(source, exc.lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno})")
        )
        return []
    if not isinstance(document, dict) or not isinstance(document.get("models"), list):
        problems.append(CatalogProblem(source, 1, None, 'expected an object with a "models" list'))
        return []
    schema = document.get("schema", CATALOG_SCHEMA)
    if schema != CATALOG_SCHEMA:
        problems.append(
            CatalogProblem(
                source,
                1,
                None,
                f"catalog schema {schema!r} is not supported (this version reads {CATALOG_SCHEMA})",
            )
        )
        return []
    starts = _model_offsets(text)
    out: list[tuple[dict[str, Any], int]] = []
    for index, raw in enumerate(document["models"]):
        line = text.count("\n", 0, starts[index]) + 1 if index < len(starts) else None
        if not isinstance(raw, dict):
            problems.append(CatalogProblem(source, line, None, f"entry #{index + 1} is not an object"))
            continue
        out.append((raw, line or 0))
    return out


_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _model_offsets(text: str) -> list[int]:
    """Character offsets where each element of the top-level ``models`` array starts.

    ``json.loads`` keeps no positions, so walk the top-level object with ``raw_decode`` (which parses
    one value from an offset and says where it ended). Only called on text that already parsed.
    """
    pos = _skip_ws(text, 0)
    if not text.startswith("{", pos):
        return []
    pos = _skip_ws(text, pos + 1)
    while pos < len(text) and text[pos] != "}":
        key, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_ws(text, pos) + 1  # the colon
        pos = _skip_ws(text, pos)
        if key == "models" and text.startswith("[", pos):
            starts: list[int] = []
            pos = _skip_ws(text, pos + 1)
            while pos < len(text) and text[pos] != "]":
                starts.append(pos)
                _, pos = _DECODER.raw_decode(text, pos)
                pos = _skip_ws(text, pos)
                if text.startswith(",", pos):
                    pos = _skip_ws(text, pos + 1)
            return starts
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        if text.startswith(",", pos):
            pos = _skip_ws(text, pos + 1)
    return []


def _validate(
    raw: dict[str, Any], line: int, source: str, problems: list[CatalogProblem]
) -> ModelSpec | None:
    model_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    try:
        return ModelSpec.model_validate(raw)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'entry'}: {err['msg']}" for err in exc.errors()[:4]
        )
        problems.append(CatalogProblem(source, line or None, model_id or raw.get("name"), details))
        return None


def _check_links(catalog: Catalog, problems: list[CatalogProblem]) -> None:
    for model in catalog.models:
        if model.successor and model.successor not in catalog._by_id:
            problems.append(
                CatalogProblem(
                    "catalog", None, model.id, f"successor {model.successor!r} is not in the catalog"
                )
            )
        if model.is_live and not model.routes:
            problems.append(
                CatalogProblem("catalog", None, model.id, "a live model needs at least one route")
            )
