"""Where Shotplanner keeps things on this machine: config, data, state, cache and its bundled resources.

The per-user folders come from platformdirs (which honours the XDG_* variables on Linux, so tests and
sandboxes can redirect them). They are computed on every call, never cached, so a changed environment
is seen at once.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

APP_NAME = "shotplanner"
#: The desktop id: the menu entry, AppStream metadata and icon are named for it (packaging/).
APP_ID = "io.github.shotplanner.Shotplanner"
RESOURCES_ENV = "SHOTPLANNER_RESOURCES"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


#: The package's resources folder (shipped from the repository's top-level ``resources/``, pyproject.toml).
RESOURCES_PACKAGE = "shotplanner"
RESOURCES_FOLDER = "resources"


def resources_dir() -> Path:
    """The shipped ``resources/`` folder: the env override, else the package's own, else the source tree.

    Installed from a wheel (and in the PyInstaller bundle, whose spec puts the files at the same place)
    the folder is ``shotplanner/resources`` inside the package, found with importlib.resources. A source
    checkout (an editable install, or ``PYTHONPATH`` pointing at the tree) has it beside the package.
    """
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    packaged = resources.files(RESOURCES_PACKAGE) / RESOURCES_FOLDER
    # A package imported from a zip would give a non-path Traversable; the app needs real files (the
    # demo is copied with shutil, the renderer opens paths), so only a folder on disk counts.
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / RESOURCES_FOLDER


def app_icon_path() -> Path:
    """The app icon's SVG (the hicolor PNGs in packaging/ are rendered from it by scripts/make_icons.py)."""
    return resources_dir() / "icons" / f"{APP_ID}.svg"


def user_catalog_path() -> Path:
    """The user's own catalog file: adds models or overrides built-in entries by id."""
    return config_dir() / "catalog.json"
