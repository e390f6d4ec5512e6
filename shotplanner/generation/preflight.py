"""Pre-flight: the body a provider would send, checked against the endpoint's shipped vendor schema.

``problems(request)`` is what the planner asks at plan time (images stand in as placeholders: the schema
checks their field and type, not their bytes); ``enforce(request, body)`` is what each provider calls on
the real body just before sending. A body that does not validate is refused here, locally, with the
field, the value and what the endpoint accepts — and nothing is sent.
"""

from __future__ import annotations

from pathlib import Path

from shotplanner.core.contracts import ContractError, Violation
from shotplanner.core.models import LOCAL_PROVIDER
from shotplanner.core.validation import Problem
from shotplanner.generation.base import BadRequest, GenerationRequest
from shotplanner.generation.providers.bodies import UnsendableImage, build_body, contract_for

#: What an image looks like at plan time: a data URI of the right kind (its bytes are read at submit).
PLACEHOLDER = "data:image/png;base64,AAAA"


class RefusedLocally(BadRequest):
    """The request would break the endpoint's published input schema: refused before anything was sent."""

    def __init__(self, message: str, *, provider: str = "", violations: tuple[Violation, ...] = ()) -> None:
        super().__init__(message, provider=provider)
        self.violations = violations


def _placeholder(path: Path) -> str:
    return PLACEHOLDER


def violations(request: GenerationRequest, body: dict[str, object]) -> list[Violation]:
    return contract_for(request).check(body)


def problems(request: GenerationRequest) -> list[Problem]:
    """Why the vendor would refuse this request (empty: it validates). The local animatic has no schema."""
    if request.provider == LOCAL_PROVIDER:
        return []
    try:
        body = build_body(request, _placeholder)
        found = violations(request, body)
    except UnsendableImage as exc:
        return [Problem("reference_images", f"{exc}; nothing was sent.", None)]
    except ContractError as exc:
        return [Problem("model_id", f"{exc}: the request cannot be checked, so it is not sent.", None)]
    return [Problem(v.field or "request", f"{request.provider_model} would refuse it: {v.message}", None)
            for v in found]


def checked_body(request: GenerationRequest, encoded: dict[Path, str]) -> dict[str, object]:
    """The body to send, built from the real image encodings and checked; :class:`RefusedLocally` if not."""
    try:
        body = build_body(request, encoded.__getitem__)
    except UnsendableImage as exc:
        raise RefusedLocally(f"refused before sending: {exc}", provider=request.provider) from exc
    enforce(request, body)
    return body


def enforce(request: GenerationRequest, body: dict[str, object]) -> None:
    """Raise :class:`RefusedLocally` when ``body`` breaks its contract (called right before sending)."""
    try:
        found = violations(request, body)
    except ContractError as exc:
        raise RefusedLocally(f"{exc}; not sent", provider=request.provider) from exc
    if found:
        text = "; ".join(v.message for v in found)
        raise RefusedLocally(f"refused before sending (the endpoint's input schema): {text}",
                             provider=request.provider, violations=tuple(found))
