"""fal request bodies for storyboard frames (Nano Banana 2, Seedream 4.0), checked against fal's own types.

Each endpoint's schema is in ``resources/contracts/fal/`` (from fal-js ``endpoints.ts``), checked by
``core.contracts`` as every other route's: a body the endpoint would refuse raises ``BadRequest`` here,
before anything is sent (fal bills some refused requests). References travel as data URIs in ``image_urls``:
fal accepts them, and nothing of the project has to be uploaded anywhere first.
"""

from __future__ import annotations

import math

from shotplanner.core.contracts import ContractError, load_contract
from shotplanner.generation.base import BadRequest, GenerationRequest
from shotplanner.generation.providers.common import data_uri

PROVIDER = "fal"

#: The aspect ratios Nano Banana takes; ours that it lacks go to the nearest one (and the plan says so).
NANO_ASPECTS = ("21:9", "16:9", "3:2", "4:3", "5:4", "1:1", "4:5", "3:4", "2:3", "9:16")
#: Seedream: "the minimum total image area is 921600 pixels".
SEEDREAM_MIN_AREA = 921_600


def _ratio(aspect: str) -> float:
    w, h = (float(n) for n in aspect.split(":"))
    return w / h


def nearest_nano_aspect(aspect: str) -> str:
    if aspect in NANO_ASPECTS:
        return aspect
    target = math.log(_ratio(aspect))
    return min(NANO_ASPECTS, key=lambda a: abs(math.log(_ratio(a)) - target))


def seedream_size(aspect: str) -> dict[str, int]:
    """Width and height at the shot's exact aspect, multiples of 16, with at least the minimum area."""
    ratio = _ratio(aspect)
    height = math.sqrt(SEEDREAM_MIN_AREA / ratio)
    h = math.ceil(height / 16) * 16
    w = math.ceil(h * ratio / 16) * 16
    return {"width": w, "height": h}


def aspect_note(endpoint: str, aspect: str) -> str:
    """What the plan says when the endpoint cannot take the shot's aspect exactly ("" when it can)."""
    if "nano-banana" in endpoint and aspect not in NANO_ASPECTS:
        return f"Nano Banana has no {aspect}; the frame is asked at {nearest_nano_aspect(aspect)}"
    return ""


def frame_body(request: GenerationRequest, images: list[str]) -> dict[str, object]:
    """The JSON body for ``request.provider_model`` with ``images`` as ``image_urls``, checked."""
    endpoint = request.provider_model.strip("/")
    body: dict[str, object] = {"prompt": request.prompt, "num_images": 1}
    if "nano-banana" in endpoint:
        body.update(aspect_ratio=nearest_nano_aspect(request.aspect), resolution="1K", output_format="png")
    elif "seedream" in endpoint:
        body.update(image_size=seedream_size(request.aspect), max_images=1)
    else:
        raise BadRequest(f"{endpoint} is not a frame endpoint Shotplanner knows", provider=PROVIDER)
    if endpoint.endswith("/edit"):
        if not images:
            raise BadRequest(f"{endpoint} edits reference images, and this frame has none; "
                             "the text-to-image endpoint makes it", provider=PROVIDER)
        body["image_urls"] = images
    elif images:
        raise BadRequest(f"{endpoint} takes no reference images; the edit endpoint does", provider=PROVIDER)
    check_frame_body(endpoint, body)
    return body


async def build_frame_body(request: GenerationRequest) -> dict[str, object]:
    """The body to send: references read from the project as data URIs, then checked (``frame_body``)."""
    images = [await data_uri(p) for p in request.reference_images]
    return frame_body(request, images)


def check_frame_body(endpoint: str, body: dict[str, object]) -> None:
    """Raise BadRequest (nothing sent) when ``body`` breaks the endpoint's shipped schema."""
    try:
        found = load_contract(PROVIDER, endpoint).check(body)
    except ContractError as exc:
        raise BadRequest(f"{exc}; a request that cannot be checked is not sent", provider=PROVIDER) from None
    if found:
        raise BadRequest(f"{endpoint} would refuse this request, so it was not sent: "
                         + "; ".join(v.message for v in found), provider=PROVIDER)
