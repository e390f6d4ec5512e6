"""The request bodies each provider sends, built from a request and the endpoint's shipped input schema.

Pure functions (no network, no httpx): the providers call them at submit time with the real image
encodings, and the planner calls them at plan time with placeholders, so both check the very body that
would leave the machine (``generation.preflight``).

fal and Replicate bodies are driven by the endpoint's schema: a field is sent when the schema has it, in
the spelling the schema declares (``"8s"`` or ``"8"`` or ``8``; ``"2160p"`` for 4K on LTX-2.3; ``"768P"``
on Hailuo 02), and audio is always sent explicitly where the endpoint has the field (several default it
on). An image the endpoint has no field for is an error, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from shotplanner.core.contracts import Contract, load_contract
from shotplanner.generation.base import GenerationRequest

#: ``encode(path) -> str``: how an image travels (a data: URI for fal/Replicate, raw base64 for Kling).
Encode = Callable[[Path], str]

#: Where each endpoint family takes its frames, in order of preference (the first the schema has wins).
START_FIELDS = ("start_image_url", "first_frame_url", "start_image", "first_frame_image", "image_url",
                "image", "input_reference")
END_FIELDS = ("end_image_url", "last_frame_url", "tail_image_url", "end_image", "last_frame_image",
              "last_frame")
REFERENCE_FIELDS = ("image_urls", "reference_image_urls", "reference_images")

#: Models whose Kling API takes the ``sound`` flag.
KLING_SOUND_MODELS = ("kling-v2-6", "kling-v3")


class UnsendableImage(ValueError):
    """The request carries an image the endpoint has no field for."""

    def __init__(self, what: str, endpoint: str, fields: list[str]) -> None:
        self.what = what
        self.endpoint = endpoint
        super().__init__(f"{endpoint} has no field for {what} (its fields: {', '.join(sorted(fields))})")


def whole_seconds(request: GenerationRequest) -> int:
    return max(1, round(request.duration_s))


def contract_name(request: GenerationRequest) -> str:
    """The shipped schema a request is checked against (``resources/contracts/<provider>/<name>.json``)."""
    if request.provider == "kling":
        frames = request.start_image is not None or request.end_image is not None
        return "image2video" if frames else "text2video"
    return request.provider_model.split(":", 1)[0]


def contract_for(request: GenerationRequest) -> Contract:
    return load_contract(request.provider, contract_name(request))


# ------------------------------------------------------------------------------------ spellings


def _enum(prop: dict[str, Any]) -> list[Any]:
    values = prop.get("enum")
    return list(values) if isinstance(values, list) else []


def spell_duration(prop: dict[str, Any], seconds: int) -> object:
    values = _enum(prop)
    if values:
        for candidate in (seconds, str(seconds), f"{seconds}s"):
            if any(candidate == v and type(candidate) is type(v) for v in values):
                return candidate
        return str(seconds) if isinstance(values[0], str) else seconds
    if prop.get("type") == "string":
        default = str(prop.get("default", ""))
        return f"{seconds}s" if default.endswith("s") else str(seconds)
    return seconds


_RESOLUTION_SPELLINGS: dict[str, tuple[str, ...]] = {
    "4k": ("4k", "4K", "2160p"), "2k": ("2k", "2K", "1440p"), "1440p": ("1440p", "2k", "2K"),
}


def spell_resolution(prop: dict[str, Any], resolution: str) -> str:
    candidates = _RESOLUTION_SPELLINGS.get(resolution, (resolution, resolution.upper()))
    values = _enum(prop)
    if values:
        return next((c for c in candidates if c in values), resolution)
    default = str(prop.get("default", ""))
    return resolution.upper() if default and default == default.upper() else resolution


def _number(prop: dict[str, Any], value: float) -> object:
    values = _enum(prop)
    whole = round(value)
    if values and isinstance(values[0], str):
        return str(whole)
    return whole


# ------------------------------------------------------------------------------------ fal, Replicate


def schema_body(request: GenerationRequest, contract: Contract, encode: Encode) -> dict[str, object]:
    """The body for a schema-driven endpoint (fal's JSON body, Replicate's ``input``)."""
    props: dict[str, Any] = contract.schema.get("properties", {})
    body: dict[str, object] = {}
    if "prompt" in props:
        body["prompt"] = request.prompt
    if "duration" in props:
        body["duration"] = spell_duration(props["duration"], whole_seconds(request))
    if "resolution" in props:
        body["resolution"] = spell_resolution(props["resolution"], request.resolution)
    if "generate_audio" in props:
        body["generate_audio"] = bool(request.audio)  # explicit: several endpoints default it on
    if "fps" in props:
        body["fps"] = _number(props["fps"], request.fps)
    if "mode" in props and request.tier:
        body["mode"] = request.tier
    start_field = next((f for f in START_FIELDS if f in props), None)
    end_field = next((f for f in END_FIELDS if f in props), None)
    ref_field = next((f for f in REFERENCE_FIELDS if f in props), None)
    if request.start_image is not None:
        if start_field is None:
            raise UnsendableImage("a start frame", contract.endpoint, list(props))
        body[start_field] = encode(request.start_image)
    if request.end_image is not None:
        if end_field is None:
            raise UnsendableImage("an end frame", contract.endpoint, list(props))
        body[end_field] = encode(request.end_image)
    if request.reference_images:
        if ref_field is None:
            raise UnsendableImage("reference images", contract.endpoint, list(props))
        body[ref_field] = [encode(p) for p in request.reference_images]
    # The aspect goes where the endpoint has the field, except when a start frame sets it.
    if "aspect_ratio" in props and request.start_image is None:
        body["aspect_ratio"] = request.aspect
    body.update(dict(request.extra))
    return body


def fal_body(request: GenerationRequest, encode: Encode) -> dict[str, object]:
    return schema_body(request, contract_for(request), encode)


def replicate_input(request: GenerationRequest, encode: Encode) -> dict[str, object]:
    return schema_body(request, contract_for(request), encode)


# ------------------------------------------------------------------------------------------- Kling


def kling_body(request: GenerationRequest, encode: Encode) -> dict[str, object]:
    """Kling V1: ``text2video`` or ``image2video``; images as raw base64; no aspect with images."""
    frames = request.start_image is not None or request.end_image is not None
    body: dict[str, object] = {
        "model_name": request.provider_model,
        "prompt": request.prompt,
        "mode": request.tier or ("std" if request.resolution in ("480p", "540p", "720p") else "pro"),
        "duration": str(whole_seconds(request)),
    }
    if request.provider_model in KLING_SOUND_MODELS:
        body["sound"] = "on" if request.audio else "off"
    if request.external_id:
        body["external_task_id"] = request.external_id
    if request.start_image is not None:
        body["image"] = encode(request.start_image)
    if request.end_image is not None:
        body["image_tail"] = encode(request.end_image)
    if request.reference_images:
        # The V1 API takes references only as pre-registered elements, which we do not create.
        raise UnsendableImage("reference images", f"kling {contract_name(request)}", ["element_list"])
    if not frames:
        body["aspect_ratio"] = request.aspect
    body.update(dict(request.extra))
    return body


BUILDERS: dict[str, Callable[[GenerationRequest, Encode], dict[str, object]]] = {
    "fal": fal_body, "replicate": replicate_input, "kling": kling_body,
}


def build_body(request: GenerationRequest, encode: Encode) -> dict[str, object]:
    return BUILDERS[request.provider](request, encode)
