"""Route contracts: each endpoint's input schema as its vendor publishes it, and a check against it.

The schemas live in ``resources/contracts/<provider>/<endpoint>.json`` (``/`` in an endpoint id becomes
``__``), each with the source it was taken from and when. ``check`` validates a request body against one:
a small JSON Schema subset (``type``, ``enum``, ``const``, ``minimum``/``maximum``, ``minLength``/
``maxLength``, ``minItems``/``maxItems``, ``items``, ``properties``, ``required``, ``anyOf``, local
``$ref``), enough for these vendors' input schemas and fast (well under a millisecond per request; see
``bench/preflight.py``). One rule is stricter than the schemas: a field the schema does not name is
refused, because the vendors drop unknown fields silently and the shot would lose what it asked for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from shotplanner.core.paths import resources_dir

CONTRACTS_DIR = "contracts"


class ContractError(LookupError):
    """A contract file that is missing or unreadable."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a request breaks its contract: the field (dotted path), the value sent, what is accepted."""

    field: str
    value: object
    accepted: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Contract:
    provider: str
    endpoint: str
    source: str
    retrieved: str
    schema: dict[str, Any]
    path: Path

    def check(self, body: dict[str, Any]) -> list[Violation]:
        return check(self.schema, body, self.endpoint)


def contract_file(provider: str, name: str) -> Path:
    return resources_dir() / CONTRACTS_DIR / provider / (name.replace("/", "__") + ".json")


@cache
def load_contract(provider: str, name: str) -> Contract:
    """The contract ``name`` (an endpoint id, or a file stem such as ``image2video``) of ``provider``."""
    path = contract_file(provider, name)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContractError(f"no shipped input schema for {provider} {name!r} ({path.name})") from None
    except (OSError, ValueError) as exc:
        raise ContractError(f"cannot read the input schema {path}: {exc}") from exc
    return Contract(provider, str(doc.get("endpoint", name)), str(doc.get("source", "")),
                    str(doc.get("retrieved", "")), doc["schema"], path)


def all_contracts() -> list[Contract]:
    root = resources_dir() / CONTRACTS_DIR
    out = []
    for path in sorted(root.glob("*/*.json")):
        out.append(load_contract(path.parent.name, path.stem.replace("__", "/")))
    return out


# ------------------------------------------------------------------------------------------ validator

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list, tuple), "object": (dict,), "null": (type(None),),
}


def _is(value: object, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False  # JSON has no bool-as-number
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(kind, (object,)))


def _show(value: object) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, bool | int | float) or value is None:
        return json.dumps(value)
    return type(value).__name__


def check(schema: dict[str, Any], body: object, endpoint: str = "") -> list[Violation]:
    """Every way ``body`` breaks ``schema`` (empty: it validates)."""
    out: list[Violation] = []
    _check(schema, body, "", schema, out, endpoint, strict=True)
    return out


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        ref = str(node["$ref"])
        if not ref.startswith("#/"):
            return {}
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node = target if isinstance(target, dict) else {}
    return node


def _check(node: dict[str, Any], value: object, where: str, root: dict[str, Any], out: list[Violation],
           endpoint: str, *, strict: bool) -> None:
    node = _resolve(node, root)
    name = where or "the request"
    at = f" ({endpoint})" if endpoint else ""
    if "anyOf" in node:
        if not any(not _errors(sub, value, where, root, endpoint) for sub in node["anyOf"]):
            out.append(Violation(where, value, "one of several shapes",
                                 f"{name}: {_show(value)} matches none of the accepted shapes{at}"))
        return
    kind = node.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_is(value, k) for k in kinds):
            wanted = " or ".join(kinds)
            out.append(Violation(where, value, wanted, f"{name}: {_show(value)} is not of type {wanted}{at}"))
            return
    if "enum" in node:
        allowed = node["enum"]
        if not any((value == a and type(value) is type(a)) or (_num(value) and _num(a) and value == a)
                   for a in allowed):
            accepted = ", ".join(_show(a) for a in allowed)
            out.append(Violation(where, value, accepted,
                                 f"{name}: {_show(value)} is not one of {accepted}{at}"))
            return
    if "const" in node and value != node["const"]:
        out.append(Violation(where, value, _show(node["const"]),
                             f"{name}: {_show(value)} must be {_show(node['const'])}{at}"))
    if _num(value):
        number = float(value)  # type: ignore[arg-type]
        lo, hi = node.get("minimum"), node.get("maximum")
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            accepted = f"{lo if lo is not None else '…'}–{hi if hi is not None else '…'}"
            out.append(Violation(where, value, accepted, f"{name}: {_show(value)} is outside {accepted}{at}"))
    if isinstance(value, str):
        if "maxLength" in node and len(value) > node["maxLength"]:
            out.append(Violation(where, value, f"at most {node['maxLength']} characters",
                                 f"{name}: {len(value)} characters, at most {node['maxLength']} "
                                 f"accepted{at}"))
        if "minLength" in node and len(value) < node["minLength"]:
            out.append(Violation(where, value, f"at least {node['minLength']} characters",
                                 f"{name}: too short (at least {node['minLength']} characters){at}"))
    if isinstance(value, list | tuple):
        if "maxItems" in node and len(value) > node["maxItems"]:
            out.append(Violation(where, len(value), f"at most {node['maxItems']} items",
                                 f"{name}: {len(value)} items, at most {node['maxItems']} accepted{at}"))
        if "minItems" in node and len(value) < node["minItems"]:
            out.append(Violation(where, len(value), f"at least {node['minItems']} items",
                                 f"{name}: {len(value)} items, at least {node['minItems']} needed{at}"))
        items = node.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(value):
                _check(items, item, f"{where}[{i}]", root, out, endpoint, strict=strict)
    if isinstance(value, dict):
        props: dict[str, Any] = node.get("properties", {})
        for key in node.get("required", ()):
            if key not in value:
                out.append(Violation(_join(where, key), None, "a value",
                                     f"{_join(where, key)}: required by the endpoint but not sent{at}"))
        for key, item in value.items():
            sub = props.get(key)
            if sub is None:
                if strict and props:
                    known = ", ".join(sorted(props))
                    out.append(Violation(_join(where, key), item, known,
                                         f"{_join(where, key)}: the endpoint has no such field (it has: "
                                         f"{known}){at}"))
                continue
            _check(sub, item, _join(where, key), root, out, endpoint, strict=strict)


def _errors(node: dict[str, Any], value: object, where: str, root: dict[str, Any], endpoint: str) -> bool:
    found: list[Violation] = []
    _check(node, value, where, root, found, endpoint, strict=True)
    return bool(found)


def _num(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
