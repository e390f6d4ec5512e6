"""The recently opened projects, newest first, kept in the app's state folder."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from shotplanner.core.paths import state_dir
from shotplanner.core.storage import PROJECT_FILE, ProjectError, project_folder, write_atomic

log = logging.getLogger(__name__)

RECENT_FILE = "recent.json"
MAX_RECENT = 10


def recent_file() -> Path:
    return state_dir() / RECENT_FILE


def _read() -> list[Path]:
    try:
        raw = json.loads(recent_file().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as e:
        # A convenience list, not a document: a damaged one is ignored (and rewritten on the next add).
        log.warning("ignoring the recent-projects list %s: %s", recent_file(), e)
        return []
    if not isinstance(raw, list):
        return []
    return [Path(p) for p in raw if isinstance(p, str)]


def recent_projects() -> list[Path]:
    """Project folders opened lately, newest first; folders that no longer hold a project are skipped."""
    return [p for p in _read() if (p / PROJECT_FILE).is_file()]


def add_recent(path: Path) -> None:
    """Put a project (folder or its project.json) at the top of the list, keeping at most ``MAX_RECENT``."""
    folder = project_folder(path).resolve()
    kept = [folder, *(p for p in _read() if p != folder)][:MAX_RECENT]
    try:
        write_atomic(recent_file(), json.dumps([str(p) for p in kept], indent=1).encode("utf-8"))
    except (OSError, ProjectError) as e:
        log.warning("could not remember %s as recent: %s", folder, e)


def clear_recent() -> None:
    """Forget every recent project (File ▸ Open Recent ▸ Clear the list)."""
    try:
        write_atomic(recent_file(), b"[]")
    except ProjectError as e:
        raise OSError(str(e)) from e
