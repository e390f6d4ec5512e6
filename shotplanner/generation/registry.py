"""Building providers by name, with base URLs and test switches from the environment.

``SHOTPLANNER_<NAME>_BASE_URL`` overrides a provider's base URL: https on the provider's own domain (its
key goes there), or, with ``SHOTPLANNER_ALLOW_LOOPBACK_HTTP=1`` (tests only), a loopback server over http;
the same switch lets downloads use plain http to 127.0.0.1. Anything else is refused (UnsafeURL).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shotplanner.generation.base import GenerationError, Provider
from shotplanner.generation.spec import ProviderSpec

if TYPE_CHECKING:
    from shotplanner.core.models import Project

REMOTE = ("fal", "replicate", "kling")


def provider_from_spec(spec: ProviderSpec, project_dir: Path | None = None) -> Provider:
    kwargs = dict(spec.kwargs)
    if spec.name == "local":
        from shotplanner.generation.local import LocalAnimaticProvider

        return LocalAnimaticProvider(project=None, project_dir=project_dir, **kwargs)
    return create_provider(spec.name, **kwargs)


def env_base_url(name: str) -> str | None:
    return os.environ.get(f"SHOTPLANNER_{name.upper()}_BASE_URL") or None


def loopback_http_allowed() -> bool:
    return os.environ.get("SHOTPLANNER_ALLOW_LOOPBACK_HTTP", "") == "1"


def create_provider(name: str, *, project: Project | None = None, project_dir: Path | None = None,
                    **kwargs: Any) -> Provider:
    """A provider by name. ``local`` needs the project (it renders the shot itself)."""
    kwargs.setdefault("allow_loopback_http", loopback_http_allowed())
    if name in REMOTE:
        kwargs.setdefault("base_url", env_base_url(name))
    if name == "fal":
        from shotplanner.generation.providers.fal import FalProvider

        return FalProvider(**kwargs)
    if name == "replicate":
        from shotplanner.generation.providers.replicate import ReplicateProvider

        return ReplicateProvider(**kwargs)
    if name == "kling":
        from shotplanner.generation.providers.kling import KlingProvider

        return KlingProvider(**kwargs)
    if name == "local":
        from shotplanner.generation.local import LocalAnimaticProvider

        return LocalAnimaticProvider(project=project, project_dir=project_dir)
    raise GenerationError(f"unknown provider '{name}'")
