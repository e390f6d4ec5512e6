"""Where Shotplanner keeps things on this machine: config, data, state, cache and its bundled resources.

The per-user folders come from platformdirs (which honours the XDG_* variables on Linux, so tests and
sandboxes can redirect them). They are computed on every call, never cached, so a changed environment
is seen at once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "shotplanner"
RESOURCES_ENV = "SHOTPLANNER_RESOURCES"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def resources_dir() -> Path:
    """The bundled ``resources/`` folder: the env override, else the frozen bundle, else the source tree."""
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)  # set by PyInstaller in a frozen build
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def user_catalog_path() -> Path:
    """The user's own catalog file: adds models or overrides built-in entries by id."""
    return config_dir() / "catalog.json"
