"""``shotplanner contracts refresh``: read fal's and Replicate's live input schemas and say what changed.

For every shipped contract of fal (``GET https://fal.ai/api/openapi/queue/openapi.json?endpoint_id=…``) and
Replicate (``GET /v1/models/{owner}/{name}`` → ``latest_version.openapi_schema``), compare the live input
schema with ``resources/contracts`` field by field: fields added or gone, a changed type, enum or default.
It prints the differences and changes nothing: the shipped schemas and the catalog are edited by a person,
on purpose. Keys come from the environment or the keyring and go only to their provider's host.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, TextIO

from shotplanner.core.contracts import Contract, all_contracts

FAL_OPENAPI = "https://fal.ai/api/openapi/queue/openapi.json"
REPLICATE_API = "https://api.replicate.com"
EXIT_OK, EXIT_CHANGED, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["refresh"], help="refresh: compare with the live schemas")
    parser.add_argument("--provider", choices=["fal", "replicate"], action="append",
                        help="only this provider (default: both)")


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node = target
    return node


def fal_input_schema(document: dict[str, Any], endpoint: str) -> dict[str, Any]:
    """The request body schema of the endpoint's submit path in fal's OpenAPI document."""
    for path, item in document.get("paths", {}).items():
        if path.strip("/") == endpoint.strip("/") and isinstance(item, dict) and "post" in item:
            body = item["post"].get("requestBody", {}).get("content", {}).get("application/json", {})
            resolved = _resolve(body.get("schema", {}), document)
            return resolved if isinstance(resolved, dict) else {}
    return {}


def replicate_input_schema(model: dict[str, Any]) -> dict[str, Any]:
    schema = (model.get("latest_version") or {}).get("openapi_schema") or {}
    resolved = _resolve(schema.get("components", {}).get("schemas", {}).get("Input", {}), schema)
    return resolved if isinstance(resolved, dict) else {}


def _summary(prop: Any, root: dict[str, Any]) -> tuple[object, ...]:
    prop = _resolve(prop, root)
    if not isinstance(prop, dict):
        return ("?",)
    if "allOf" in prop and len(prop["allOf"]) == 1:  # Replicate wraps enums as allOf: [{$ref}]
        inner = _resolve(prop["allOf"][0], root)
        prop = {**inner, **{k: v for k, v in prop.items() if k != "allOf"}}
    enum = tuple(prop.get("enum", ()))
    return (prop.get("type"), enum, prop.get("default"), prop.get("minimum"), prop.get("maximum"))


def differences(shipped: dict[str, Any], live: dict[str, Any], live_root: dict[str, Any]) -> list[str]:
    """What differs, field by field, in words."""
    ours = shipped.get("properties", {})
    theirs = live.get("properties", {})
    out = [f"+ {name}: a new field" for name in sorted(set(theirs) - set(ours))]
    out += [f"- {name}: no longer in the live schema" for name in sorted(set(ours) - set(theirs))]
    for name in sorted(set(ours) & set(theirs)):
        a, b = _summary(ours[name], shipped), _summary(theirs[name], live_root)
        labels = ("type", "values", "default", "minimum", "maximum")
        for label, old, new in zip(labels, a, b, strict=True):
            if old != new and new not in (None, ()):
                out.append(f"~ {name}: {label} {old!r} → {new!r}")
    if sorted(shipped.get("required", [])) != sorted(live.get("required", [])) and live:
        out.append(f"~ required: {shipped.get('required', [])} → {live.get('required', [])}")
    return out


def _fetch(client: Any, provider: str, contract: Contract,
           key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if provider == "fal":
        url = os.environ.get("SHOTPLANNER_FAL_OPENAPI_URL") or FAL_OPENAPI
        response = client.get(url, params={"endpoint_id": contract.endpoint},
                              headers={"Authorization": f"Key {key}"})
        response.raise_for_status()
        document = response.json()
        return fal_input_schema(document, contract.endpoint), document
    base = (os.environ.get("SHOTPLANNER_REPLICATE_BASE_URL") or REPLICATE_API).rstrip("/")
    response = client.get(f"{base}/v1/models/{contract.endpoint}", headers={"Authorization": f"Bearer {key}"})
    response.raise_for_status()
    model = response.json()
    schema = (model.get("latest_version") or {}).get("openapi_schema") or {}
    return replicate_input_schema(model), schema


def refresh(providers: list[str], out: TextIO) -> int:
    import httpx

    from shotplanner.generation import secrets

    changed = 0
    with httpx.Client(timeout=30.0, follow_redirects=False) as client:
        for provider in providers:
            keys = secrets.get_keys(provider)
            if not keys:
                print(f"{provider}: no key set up; skipped (set it in the environment or with Keys…)",
                      file=out)
                continue
            for contract in (c for c in all_contracts() if c.provider == provider):
                try:
                    live, root = _fetch(client, provider, contract, keys[0])
                except (httpx.HTTPError, ValueError) as exc:
                    print(f"{provider} {contract.endpoint}: could not read the live schema "
                          f"({type(exc).__name__})", file=out)
                    continue
                if not live:
                    print(f"{provider} {contract.endpoint}: the live document has no input schema for it",
                          file=out)
                    continue
                found = differences(contract.schema, live, root)
                if found:
                    changed += 1
                    print(f"{provider} {contract.endpoint}: changed since {contract.retrieved}", file=out)
                    for line in found:
                        print(f"    {line}", file=out)
    print(f"{changed} schema(s) changed; nothing was rewritten (edit resources/contracts and the catalog "
          "by hand, with the source and date).", file=out)
    return EXIT_CHANGED if changed else EXIT_OK


def run(args: argparse.Namespace) -> int:
    return refresh(args.provider or ["fal", "replicate"], sys.stdout)
