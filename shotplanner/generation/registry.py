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


def provider_from_spec(spec: ProviderSpec, project_dir: Path | None = None) -> Provider:
    """The provider a spec describes, built again (in the generation worker process)."""
    return create_provider(spec.name, project_dir=project_dir, **spec.kwargs)


def create_provider(name: str, *, project: Project | None = None, project_dir: Path | None = None,
                    **kwargs: Any) -> Provider:
    """A provider by name. ``local`` needs the project (it renders the shot itself; without it, from the
    requests' snapshots)."""
    if name == "local":
        from shotplanner.generation.local import LocalAnimaticProvider

        return LocalAnimaticProvider(project=project, project_dir=project_dir, **kwargs)
    kwargs.setdefault("allow_loopback_http", os.environ.get("SHOTPLANNER_ALLOW_LOOPBACK_HTTP", "") == "1")
    kwargs.setdefault("base_url", os.environ.get(f"SHOTPLANNER_{name.upper()}_BASE_URL") or None)
    if name == "fal":
        from shotplanner.generation.providers.fal import FalProvider

        return FalProvider(**kwargs)
    if name == "replicate":
        from shotplanner.generation.providers.replicate import ReplicateProvider

        return ReplicateProvider(**kwargs)
    if name == "kling":
        from shotplanner.generation.providers.kling import KlingProvider

        return KlingProvider(**kwargs)
    raise GenerationError(f"unknown provider '{name}'")
