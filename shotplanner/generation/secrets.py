"""API keys: the environment first, then the OS keyring (service ``shotplanner``), never the project.

A keyring that is missing, locked or broken is a normal "no key" state, not a crash. Every key handed
out is registered with ``redact`` so it can never reach a log line or an error text.
"""

from __future__ import annotations

import logging
import os

from shotplanner.generation.base import MissingKey
from shotplanner.generation.redact import register_secret

log = logging.getLogger(__name__)

KEYRING_SERVICE = "shotplanner"

#: provider → the environment variables that make up its key (Kling needs a pair).
ENV_VARS: dict[str, tuple[str, ...]] = {
    "fal": ("FAL_KEY",),
    "replicate": ("REPLICATE_API_TOKEN",),
    "kling": ("KLING_ACCESS_KEY", "KLING_SECRET_KEY"),
}


def _from_keyring(name: str) -> str | None:
    try:
        import keyring

        value = keyring.get_password(KEYRING_SERVICE, name)
    except Exception as exc:  # no backend, locked, D-Bus down…: the key is simply missing
        log.debug("keyring unavailable for %s: %s", name, type(exc).__name__)
        return None
    return value or None


def _lookup(var: str) -> tuple[str | None, str]:
    value = os.environ.get(var, "").strip()
    if value:
        return value, "environment"
    stored = _from_keyring(var)
    if stored:
        return stored.strip(), "keyring"
    return None, "missing"


def get_keys(provider: str) -> tuple[str, ...] | None:
    """All parts of a provider's key, or None when any part is missing. ``local`` needs none."""
    if provider not in ENV_VARS:
        return ()
    values: list[str] = []
    for var in ENV_VARS[provider]:
        value, _source = _lookup(var)
        if value is None:
            return None
        register_secret(value)
        values.append(value)
    return tuple(values)


def require_keys(provider: str) -> tuple[str, ...]:
    keys = get_keys(provider)
    if keys is None:
        names = " and ".join(ENV_VARS[provider])
        raise MissingKey(
            f"no API key: set {names} in the environment or store it in the keyring "
            f"(service '{KEYRING_SERVICE}', name '{ENV_VARS[provider][0]}')",
            provider=provider,
        )
    return keys


def key_source(provider: str) -> str:
    """'environment', 'keyring', 'missing' (or 'none needed' for providers without a key)."""
    if provider not in ENV_VARS:
        return "none needed"
    sources = {_lookup(var)[1] for var in ENV_VARS[provider]}
    if "missing" in sources:
        return "missing"
    return "environment" if sources == {"environment"} else "keyring"


def store_key(name: str, value: str) -> None:
    """Save one key in the keyring (the settings dialog's job). Raises the keyring's error on failure."""
    import keyring

    register_secret(value)
    keyring.set_password(KEYRING_SERVICE, name, value)
