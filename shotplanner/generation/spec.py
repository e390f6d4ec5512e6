"""A provider described rather than built: what the generation worker process needs to build it again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ProviderSpec:
    """What builds a provider again in another process: its name and constructor arguments.

    The generation worker process (``worker_process``) receives specs, never provider objects: a provider
    holds an HTTP client bound to the loop it runs on. Keys are in ``kwargs`` only when the caller gave
    them explicitly; a spec made by the app leaves them out, and the worker reads the environment or the
    keyring itself. A spec is never logged (its ``repr`` leaves the arguments out).
    """

    name: str
    kwargs: dict[str, Any] = field(default_factory=dict, repr=False)
