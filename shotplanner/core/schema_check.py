"""Checking a request body against a vendor's input schema before it is sent (a JSON Schema subset).

The contracts in ``resources/contracts/`` are transcribed from the vendors' own types; this checks the
parts of JSON Schema they use: ``type``, ``enum``, ``required``, ``properties``, ``additionalProperties``
(false), ``items``, ``minItems``/``maxItems``, ``minimum``/``maximum`` and ``anyOf``. Each problem names
the field, the value sent and what the route accepts, so a refused request says exactly what to change.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from shotplanner.core.paths import RESOURCES_ENV, resources_dir

CONTRACTS_DIR = "contracts"

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list, tuple), "object": (dict,), "null": (type(None),),
}


@dataclass(frozen=True, slots=True)
class Contract:
    route: str  # "fal:fal-ai/nano-banana-2/edit"
    source: dict[str, str]
    retrieved: str
    schema: dict[str, Any]


class ContractMissing(LookupError):
    """No schema is shipped for a route: nothing is sent to a route we cannot check."""


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    if isinstance(value, str) and value.startswith("data:"):
        text = f"a data URI of {len(value)} characters"
    return text if len(text) <= 60 else text[:57] + "..."


def _matches_type(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[name])


def problems(value: Any, schema: dict[str, Any], where: str = "") -> list[str]:
    """Every way ``value`` breaks ``schema``, as sentences; empty when it conforms."""
    found: list[str] = []
    label = where or "the request"
    if "anyOf" in schema:
        options = [problems(value, option, where) for option in schema["anyOf"]]
        if all(options):
            found.append(f"{label}: {_short(value)} fits none of the accepted forms ({options[0][0]})")
        return found
    kind = schema.get("type")
    if kind is not None and not _matches_type(value, kind):
        return [f"{label}: {_short(value)} is not of type {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        accepted = ", ".join(str(v) for v in schema["enum"])
        found.append(f"{label}: {_short(value)} is not accepted (the route takes: {accepted})")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(f"{label}: {value} is below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            found.append(f"{label}: {value} is above the maximum {schema['maximum']}")
    if isinstance(value, (list, tuple)):
        if "minItems" in schema and len(value) < schema["minItems"]:
            found.append(f"{label}: {len(value)} item(s), at least {schema['minItems']} needed")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            found.append(f"{label}: {len(value)} item(s), at most {schema['maxItems']} accepted")
        if "items" in schema:
            for i, item in enumerate(value):
                found.extend(problems(item, schema["items"], f"{label}[{i}]"))
    if isinstance(value, dict):
        props: dict[str, Any] = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                found.append(f"{(where + '.') if where else ''}{name}: required by the route but missing")
        for name, item in value.items():
            field = f"{where}.{name}" if where else name
            if name in props:
                found.extend(problems(item, props[name], field))
            elif schema.get("additionalProperties") is False:
                found.append(f"{field}: the route has no such field")
    return found


def contracts_dir() -> Path:
    return resources_dir() / CONTRACTS_DIR


@cache
def _all_contracts(folder: Path) -> dict[str, Contract]:
    found: dict[str, Contract] = {}
    for path in sorted(folder.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "route" not in data or "schema" not in data:
            continue
        found[data["route"]] = Contract(data["route"], dict(data.get("source", {})),
                                        str(data.get("retrieved", "")), data["schema"])
    return found


@cache
def _contract(route: str, resources_override: str | None) -> Contract | None:
    # Keyed by the override, not by the folder: finding the folder resolves paths (a system call each).
    return _all_contracts(contracts_dir()).get(route)


def contract_for(provider: str, endpoint: str) -> Contract:
    route = f"{provider}:{endpoint}"
    contract = _contract(route, os.environ.get(RESOURCES_ENV))
    if contract is None:
        raise ContractMissing(f"no input schema is shipped for {route}; nothing is sent to a route that "
                              "cannot be checked")
    return contract


def check_body(provider: str, endpoint: str, body: dict[str, Any]) -> list[str]:
    """Problems of ``body`` against the route's shipped schema (raises ContractMissing without one)."""
    return problems(body, contract_for(provider, endpoint).schema)
