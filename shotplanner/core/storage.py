"""The project on disk: a folder with ``project.json`` and ``media/``.

Loading reads bytes once. A file of the current schema goes straight to pydantic's JSON validator
(no intermediate dict, no Python loop over shots); anything else takes the slow path that parses to a
dict, identifies the file, runs the migration chain and validates, so every bad file gets a precise
reason. A failed load never writes, renames or deletes anything.

Saving is atomic: a temp file in the same folder is written, flushed and fsynced, the previous file
is kept as ``project.json.bak`` (and, at most every few minutes, as a timestamped copy in
``backups/``, of which only the newest few are kept), then the temp file replaces ``project.json``
and the folder itself is fsynced so the rename survives a power cut.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from shotplanner.core.migrations import OLDEST_SCHEMA, MigrationError, migrate
from shotplanner.core.models import SCHEMA_VERSION, Project, Scene

log = logging.getLogger(__name__)

PROJECT_FILE = "project.json"
MEDIA_DIR = "media"
MEDIA_SUBDIRS: tuple[str, ...] = ("refs", "takes", "posters", "film")
BACKUP_FILE = "project.json.bak"
BACKUP_DIR = "backups"
RECOVERY_FILE = "project.recovery.json"
#: Timestamped backups kept in ``backups/`` (oldest dropped first).
KEEP_BACKUPS = 5
#: A new timestamped backup is made only if the newest is older than this (autosave runs often).
BACKUP_EVERY = timedelta(minutes=10)
#: Shown after a problem so the user knows where a good copy may be.
_MAX_PROBLEMS_SHOWN = 5

# We always write ``schema_version`` first; reading just the head tells which path a file takes.
_HEAD = re.compile(rb'\A\s*\{\s*"schema_version"\s*:\s*(-?\d+)\s*[,}]')
_BACKUP_NAME = re.compile(r"\Aproject-(\d{8}T\d{6}\d{6}Z)\.json\Z")
_STAMP = "%Y%m%dT%H%M%S%fZ"


# ----------------------------------------------------------------------------- errors


class ProjectError(Exception):
    """A project that cannot be read or written. ``str(error)`` is a complete sentence for the user."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class CorruptProjectError(ProjectError):
    """The file is damaged: not JSON, not UTF-8, or not a valid document. ``line``/``column`` when known."""

    def __init__(self, path: Path | str, reason: str, line: int | None = None, column: int | None = None):
        self.line = line
        self.column = column
        super().__init__(path, reason)


class TruncatedProjectError(CorruptProjectError):
    """The file ends early (empty, or cut off while it was being written)."""


class InvalidProjectError(CorruptProjectError):
    """Well-formed JSON of a Shotplanner project whose content breaks the rules; ``problems`` lists them."""

    def __init__(self, path: Path | str, reason: str, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__(path, reason)


class FutureVersionError(ProjectError):
    """Written by a newer Shotplanner; refused so it is never overwritten with an older shape."""

    def __init__(self, path: Path | str, found: int, supported: int = SCHEMA_VERSION) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            path,
            f"made by a newer Shotplanner (schema {found}); this version reads up to {supported}; "
            "nothing was changed",
        )


class NotAProjectError(ProjectError):
    """The path holds no project, or a file that is not a Shotplanner project."""


class ProjectWriteError(ProjectError):
    """Saving failed; the previous file is untouched."""


# ----------------------------------------------------------------------------- paths


def project_file(path: Path | str) -> Path:
    """The ``project.json`` for ``path`` (a project folder, or the file itself)."""
    path = Path(path)
    if path.is_file():
        return path
    if path.is_dir() or path.suffix.lower() != ".json":
        return path / PROJECT_FILE
    return path


def project_folder(path: Path | str) -> Path:
    return project_file(path).parent


def media_dir(folder: Path | str) -> Path:
    return Path(folder) / MEDIA_DIR


def backups(folder: Path | str) -> list[Path]:
    """Timestamped backups in ``backups/``, oldest first."""
    where = Path(folder) / BACKUP_DIR
    if not where.is_dir():
        return []
    return sorted(p for p in where.iterdir() if _BACKUP_NAME.match(p.name))


def recovery_path(folder: Path | str) -> Path:
    return Path(folder) / RECOVERY_FILE


# ----------------------------------------------------------------------------- reading


def load_project(path: Path | str) -> Project:
    """Read and validate a project (a folder or its ``project.json``); raises a :class:`ProjectError`."""
    file = project_file(path)
    return parse_project(_read(file), file)


def parse_project(data: bytes, path: Path | str) -> Project:
    """Turn the bytes of a ``project.json`` into a :class:`Project`; ``path`` is only used in messages."""
    with _gc_paused():
        return _parse(data, path)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Validation allocates tens of thousands of objects, none of them garbage; without this the cyclic
    collector runs again and again over the growing tree (a third of the load time for 5,000 shots)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse(data: bytes, path: Path | str) -> Project:
    head = _HEAD.match(data, 0, 256)
    if head is not None and int(head[1]) == SCHEMA_VERSION:
        try:
            project = Project.model_validate_json(data)
        except ValidationError:
            pass  # the slow path below finds the precise reason (line/column, foreign, field)
        else:
            if "scenes" in project.model_fields_set:
                _check_ids(project, Path(path))
                return project
    return _parse_slowly(data, Path(path))


def _parse_slowly(data: bytes, path: Path) -> Project:
    if not data.strip():
        what = "is empty (0 bytes)" if not data else "holds only whitespace"
        raise TruncatedProjectError(path, f"the file {what}; it was probably cut off while being written"
                                    + _backup_hint(path), 1, 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line, column = _line_col(data, e.start)
        raise CorruptProjectError(
            path, f"not UTF-8 text: byte {e.start} (line {line}, column {column}) cannot be read"
            + _backup_hint(path), line, column) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        at_end = e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string")
        if at_end:
            raise TruncatedProjectError(
                path, f"the file ends early at line {e.lineno}, column {e.colno} ({e.msg}); it was probably "
                "cut off while being written" + _backup_hint(path), e.lineno, e.colno) from None
        raise CorruptProjectError(
            path, f"not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}" + _backup_hint(path),
            e.lineno, e.colno) from None
    if not isinstance(raw, dict):
        raise NotAProjectError(path, f"not a Shotplanner project: the file holds a JSON {_kind(raw)}, "
                               "not a project object")
    if "schema_version" not in raw:
        raise NotAProjectError(path, "not a Shotplanner project: the JSON has no schema_version")
    version = raw["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise CorruptProjectError(path, f"schema_version should be a whole number, found {version!r}")
    if version > SCHEMA_VERSION:
        raise FutureVersionError(path, version)
    marker = "scenes" if version >= 1 else "shots"
    if version < OLDEST_SCHEMA or not isinstance(raw.get(marker), list):
        raise NotAProjectError(path, f"not a Shotplanner project: schema {version} but no {marker} list")
    try:
        doc = migrate(raw)
    except MigrationError as e:
        raise CorruptProjectError(path, f"cannot bring schema {version} up to date: {e}") from None
    try:
        project = Project.model_validate(doc)
    except ValidationError as e:
        raise _invalid(path, e) from None
    _check_ids(project, path)
    return project


def _check_ids(project: Project, path: Path) -> None:
    ids = [shot.id for scene in project.scenes for shot in scene.shots]
    if len(ids) != len(set(ids)):
        seen: set[str] = set()
        dup = ""
        for shot_id in ids:
            if shot_id in seen:
                dup = shot_id
                break
            seen.add(shot_id)
        raise InvalidProjectError(path, f"two shots share the id {dup!r}; each shot needs its own",
                                  [("scenes.shots.id", f"duplicate id {dup!r}")])


def _invalid(path: Path, error: ValidationError) -> InvalidProjectError:
    problems = [(_loc(err["loc"]), err["msg"]) for err in error.errors(include_url=False)]
    shown = "; ".join(f"{where}: {msg}" for where, msg in problems[:_MAX_PROBLEMS_SHOWN])
    more = len(problems) - _MAX_PROBLEMS_SHOWN
    tail = f" (and {more} more)" if more > 0 else ""
    return InvalidProjectError(path, f"not a valid project: {shown}{tail}", problems)


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def _kind(value: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "true/false"}.get(
        type(value), "null")


def _line_col(data: bytes, pos: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, pos) + 1
    return line, pos - (data.rfind(b"\n", 0, pos) + 1) + 1


def _backup_hint(path: Path) -> str:
    bak = path.parent / BACKUP_FILE
    if path.name == PROJECT_FILE and bak.exists():
        return f"; the previous version is kept in {bak.name}"
    return ""


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except FileNotFoundError:
        if file.parent.is_dir():
            reason = f"no Shotplanner project here ({PROJECT_FILE} is missing)"
            raise NotAProjectError(file.parent, reason) from None
        raise NotAProjectError(file, "no such file or folder") from None
    except IsADirectoryError:
        raise NotAProjectError(file, "is a folder, not a project file") from None
    except OSError as e:
        raise ProjectError(file, f"cannot be read: {e.strerror or e}") from None


# ----------------------------------------------------------------------------- writing


def create_project(folder: Path | str, title: str) -> Project:
    """Make a new project folder (with ``media/`` and its subfolders) holding one empty scene."""
    folder = Path(folder)
    if (folder / PROJECT_FILE).exists():
        raise ProjectError(folder, "already holds a Shotplanner project; open it instead")
    if folder.exists() and not folder.is_dir():
        raise ProjectError(folder, "is a file, not a folder")
    project = Project(title=title.strip() or "Untitled film", scenes=[Scene(number="1")])
    save_project(project, folder)
    return project


def save_project(project: Project, folder: Path | str, *, now: datetime | None = None) -> None:
    """Write ``project`` to ``folder/project.json`` atomically, keeping the previous file as a backup.

    ``project.modified_at`` is set to ``now``. Raises :class:`ProjectWriteError` (nothing changed) or
    :class:`FutureVersionError` if the folder holds a file from a newer Shotplanner.
    """
    folder = project_folder(folder)  # the folder, or (forgivingly) its project.json
    now = now or datetime.now(UTC)
    target = folder / PROJECT_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for sub in MEDIA_SUBDIRS:
            (media_dir(folder) / sub).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ProjectWriteError(folder, f"cannot create the project folder: {e.strerror or e}") from None
    _refuse_newer(target)
    # A symlinked project.json is written through: the link stays, the file it points to is replaced.
    real = _link_target(target)
    project.modified_at = now
    data = project.model_dump_json(indent=1).encode("utf-8")
    _clear_stale_temps(real.parent)
    tmp = _write_temp(real.parent, data, mode=_mode_for(real))
    try:
        if _looks_complete(real) and _looks_like_ours(real):
            _keep_backups(folder, real, now)
        elif real.is_file():
            # Someone else's file, or a damaged one: never overwrite what we could not read.
            os.replace(real, real.parent / f"{PROJECT_FILE}.unreadable-{now:%Y%m%d-%H%M%S}")
        os.replace(tmp, real)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise ProjectWriteError(target, f"cannot be saved: {e.strerror or e}") from None
    finally:
        _forget_temp(tmp)
    _fsync_dir(real.parent)


def write_atomic(path: Path | str, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once (temp file, fsync, rename, fsync folder)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path = _link_target(path)
    _clear_stale_temps(path.parent, f".{path.name}.")
    tmp = _write_temp(path.parent, data, prefix=f".{path.name}.", mode=_mode_for(path))
    try:
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise ProjectWriteError(path, f"cannot be saved: {e.strerror or e}") from None
    finally:
        _forget_temp(tmp)
    _fsync_dir(path.parent)


def _link_target(path: Path) -> Path:
    """Where a write to ``path`` lands: ``path`` itself, or the file its symlink points to."""
    if not path.is_symlink():
        return path
    real = Path(os.path.realpath(path))
    if not real.parent.is_dir() or real.is_dir():
        raise ProjectWriteError(path, f"is a link to {real}, which is not a file we can write; nothing "
                                "was saved (point the link at a file, or replace it with the file)")
    return real


def _mode_for(target: Path) -> int:
    """Keep the file's permissions across the replace (a temp file is made 0600); a new file gets the
    usual mode (0666 less the umask)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    try:  # Linux says it without changing it (os.umask would, for every thread, for a moment)
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


#: Temp files this process is writing now (never cleared as stale).
_in_flight: set[Path] = set()
_in_flight_lock = threading.Lock()
#: A temp file without a process id (made by an older version) is stale after this long.
_STALE_AFTER_S = 600.0


def _clear_stale_temps(folder: Path, prefix: str = f".{PROJECT_FILE}.") -> None:
    """Delete temp files left by saves that were killed (their process has gone): they piled up before."""
    try:
        names = [p for p in folder.glob(f"{glob_escape(prefix)}*.tmp") if p.is_file()]
    except OSError:
        return
    now = time.time()
    for path in names:
        with _in_flight_lock:
            if path in _in_flight:
                continue
        pid = _temp_pid(path.name[len(prefix):])
        try:
            stale = (pid is not None and not _alive(pid)) or (
                pid is None and now - path.stat().st_mtime > _STALE_AFTER_S)
            if stale or pid == os.getpid():  # ours but not in flight: left by a save that failed
                path.unlink()
        except OSError:
            continue


def _temp_pid(rest: str) -> int | None:
    head = rest.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def _alive(pid: int) -> bool:
    if os.name == "nt":  # no cheap check there: keep it (the age rule covers old ones)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _forget_temp(tmp: Path) -> None:
    with _in_flight_lock:
        _in_flight.discard(tmp)


def _write_temp(folder: Path, data: bytes, prefix: str = f".{PROJECT_FILE}.", mode: int = 0o644) -> Path:
    try:
        # The process id in the name tells a later save whether its writer is still alive.
        fd, name = tempfile.mkstemp(prefix=f"{prefix}{os.getpid()}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise ProjectWriteError(folder, f"cannot write here: {e.strerror or e}") from None
    tmp = Path(name)
    with _in_flight_lock:
        _in_flight.add(tmp)
    try:
        fchmod = getattr(os, "fchmod", None)  # not on Windows (before 3.13), where modes barely apply
        if fchmod is not None:
            with contextlib.suppress(OSError):
                fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        _forget_temp(tmp)
        raise ProjectWriteError(folder / PROJECT_FILE, f"cannot be saved: {e.strerror or e}") from None
    return tmp


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # platforms without directory handles (Windows) make the rename durable themselves
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _refuse_newer(target: Path) -> None:
    try:
        with target.open("rb") as f:
            head = _HEAD.match(f.read(256))
    except OSError:
        return
    if head is not None and int(head[1]) > SCHEMA_VERSION:
        raise FutureVersionError(target, int(head[1]))


def _looks_complete(target: Path) -> bool:
    """Only a whole previous file is worth keeping as the backup (a cut-off one would push out a good one)."""
    try:
        with target.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64))
            tail = f.read()
    except OSError:
        return False
    return tail.rstrip().endswith(b"}")


def _looks_like_ours(target: Path) -> bool:
    """Our files start with the schema version (pydantic writes fields in declaration order)."""
    try:
        with target.open("rb") as f:
            head = f.read(256)
    except OSError:
        return False
    return b'"schema_version"' in head


def _keep_backups(folder: Path, target: Path, now: datetime) -> None:
    """Keep ``target`` (about to be replaced) as ``project.json.bak`` and, now and then, in ``backups/``.

    A backup problem is logged, never allowed to stop the save itself.
    """
    try:
        _link_or_copy(target, folder / BACKUP_FILE)
        kept = backups(folder)
        newest = _stamp_of(kept[-1]) if kept else None
        if newest is None or now - newest >= BACKUP_EVERY:
            where = folder / BACKUP_DIR
            where.mkdir(exist_ok=True)
            _link_or_copy(target, where / f"project-{now.astimezone(UTC).strftime(_STAMP)}.json")
            kept = backups(folder)
        for old in kept[:-KEEP_BACKUPS]:
            old.unlink()
    except OSError as e:
        log.warning("could not keep a backup of %s: %s", target, e)


def _stamp_of(path: Path) -> datetime | None:
    m = _BACKUP_NAME.match(path.name)
    if m is None:
        return None
    return datetime.strptime(m[1], _STAMP).replace(tzinfo=UTC)


def _link_or_copy(source: Path, dest: Path) -> None:
    """Make ``dest`` hold ``source``'s bytes.

    A hard link costs no copy, and is safe because a save never rewrites a file in place.
    """
    tmp = dest.with_name(f".{dest.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)
    os.replace(tmp, dest)
    # rename() does nothing when both names are links to one file (a save killed after linking): the
    # temp name would stay behind.
    tmp.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- autosave recovery


def save_recovery(project: Project, folder: Path | str) -> None:
    """Write the unsaved state beside ``project.json`` (atomic); a crash then loses almost nothing."""
    write_atomic(recovery_path(folder), project.model_dump_json().encode("utf-8"))


def load_recovery(folder: Path | str) -> Project | None:
    """The project kept by :func:`save_recovery`, or ``None`` if there is none.

    A damaged recovery file raises the same :class:`ProjectError` as :func:`load_project` and stays on
    disk (the user decides; :func:`discard_recovery` removes it).
    """
    path = recovery_path(folder)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ProjectError(path, f"cannot be read: {e.strerror or e}") from None
    return parse_project(data, path)


def discard_recovery(folder: Path | str) -> None:
    with contextlib.suppress(FileNotFoundError):
        recovery_path(folder).unlink()
