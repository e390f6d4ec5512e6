"""The demo film shipped in ``resources/demo``: opened as a copy so the shipped files never change."""

from __future__ import annotations

import shutil
from pathlib import Path

from shotplanner.core.paths import resources_dir
from shotplanner.core.storage import PROJECT_FILE, ProjectError, ProjectWriteError

DEMO_FOLDER = "demo"


def demo_source() -> Path:
    return resources_dir() / DEMO_FOLDER


def copy_demo(dest: Path) -> Path:
    """Copy the demo project (document and media) into ``dest`` (new or empty folder); returns ``dest``."""
    dest = Path(dest)
    source = demo_source()
    if not (source / PROJECT_FILE).is_file():
        raise ProjectError(source, "the demo project is missing from this installation")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ProjectError(dest, "is not an empty folder; choose a new folder for the demo copy")
    try:
        shutil.copytree(source, dest, dirs_exist_ok=True)
    except OSError as e:
        raise ProjectWriteError(dest, f"cannot copy the demo here: {e.strerror or e}") from None
    return dest
