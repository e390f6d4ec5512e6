"""The job journal: one small JSON file per job in ``PROJECT/.shotplanner/jobs/``, written atomically.

A file per job keeps every write small (the remote id is on disk within one fsync of the provider's
answer, however many jobs run) and lets a restart list exactly what was in flight.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from shotplanner.core.confine import OutsideProject, is_safe_id, require_safe_id

log = logging.getLogger(__name__)

JOURNAL_DIR = ".shotplanner/jobs"


def journal_dir(project_dir: Path) -> Path:
    return Path(project_dir) / JOURNAL_DIR


def fsync_path(path: Path) -> None:
    """Flush a file's (or a folder's: a rename in it) data to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes, durable: bool) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        if durable:
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(tmp, path)
    if durable:
        fsync_path(path.parent)


class Journal:
    def __init__(self, project_dir: Path, *, durable: bool = True) -> None:
        self.folder = journal_dir(project_dir)
        self.durable = durable
        # Every record gets a sequence number; a thread never overwrites a newer record with an older
        # one, so batched (``write_later``) and awaited (``write``) writes may finish in any order.
        self._seq = itertools.count(1)
        self._written: dict[str, int] = {}
        self._file_locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._pending: dict[str, tuple[int, dict[str, Any]]] = {}
        self._flusher: asyncio.Task[None] | None = None

    def path(self, take_id: str) -> Path:
        """The record's file; a take id that is not a plain id never becomes a file name."""
        return self.folder / f"{require_safe_id(take_id, 'take id')}.json"

    async def write(self, take_id: str, record: dict[str, Any]) -> None:
        """Returns once the record is on disk (fsynced when durable)."""
        seq = next(self._seq)
        self._pending.pop(take_id, None)  # this newer record supersedes a batched one
        await asyncio.to_thread(self._write, take_id, seq, record)

    def write_later(self, take_id: str, record: dict[str, Any]) -> None:
        """Queue a record for the next batch (many queued jobs cost one thread hop, not one each)."""
        self._pending[take_id] = (next(self._seq), record)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, {}
            await asyncio.to_thread(self._write_batch, batch)

    async def drain(self) -> None:
        """Wait until every batched record is on disk."""
        while self._flusher is not None and not self._flusher.done():
            await self._flusher

    def _write_batch(self, batch: dict[str, tuple[int, dict[str, Any]]]) -> None:
        for take_id, (seq, record) in batch.items():
            self._write(take_id, seq, record)

    def _lock(self, take_id: str) -> threading.Lock:
        with self._guard:
            return self._file_locks.setdefault(take_id, threading.Lock())

    def _write(self, take_id: str, seq: int, record: dict[str, Any]) -> None:
        with self._lock(take_id):
            if self._written.get(take_id, 0) > seq:
                return  # a newer record is already on disk
            data = json.dumps(record, sort_keys=True).encode()
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomic(self.path(take_id), data, self.durable)
            self._written[take_id] = seq

    def load(self) -> list[dict[str, Any]]:
        """Every readable record; an unreadable one is logged and skipped (kept on disk for a human)."""
        if not self.folder.is_dir():
            return []
        records = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                log.warning("unreadable job record %s: %s", path.name, exc)
                continue
            if not isinstance(record, dict) or not record.get("take_id"):
                continue
            if not is_safe_id(record["take_id"]) or record["take_id"] != path.stem:
                # A crafted record would have us write and delete a file of its choosing: never touched.
                log.warning("job record %s names take %r, not a plain id of its own; skipped",
                            path.name, record["take_id"])
                continue
            records.append(record)
        return records

    def remove(self, take_id: str) -> None:
        try:
            path = self.path(take_id)
        except OutsideProject:
            return  # no such record can exist: nothing is deleted
        self._pending.pop(take_id, None)
        # Under the file's lock: a write already past its sequence check finishes first, then the file
        # goes; a write that starts later sees the mark and never recreates the record.
        with self._lock(take_id):
            self._written[take_id] = 1 << 62  # nothing queued earlier may bring it back
            path.unlink(missing_ok=True)


class FollowerLock:
    """Only one queue follows a project's journal at a time (``PROJECT/.shotplanner/jobs/.follower.lock``).

    Two queues resuming one journal (a worker still closing while its successor starts, or two windows on
    one project) could both submit a job the journal holds as QUEUED, and bill it twice. The lock is an
    OS file lock, so the system releases it when its holder exits, even when it is killed.
    """

    def __init__(self, project_dir: Path) -> None:
        self.path = journal_dir(project_dir) / ".follower.lock"
        self._fh: Any = None

    def try_acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+b")  # noqa: SIM115  (held open for as long as the lock is)
        try:
            if sys.platform == "win32":  # (mypy reads this test, not os.name, to pick the stubs)
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        self._fh = fh
        return True

    def acquire(self, timeout: float, poll: float = 0.05) -> bool:
        """Wait up to ``timeout`` for the lock (blocking: call it where waiting stalls nobody)."""
        deadline = time.monotonic() + timeout
        while not self.try_acquire():
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)
        return True

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()  # closing the file releases the lock
            self._fh = None
