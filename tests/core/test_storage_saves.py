"""Saving on a real file system: temp files of killed saves are cleared, the file mode is kept, a
symlinked project.json is written through (a dangling one refused with a message)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shotplanner.core.models import Project, Scene, Shot
from shotplanner.core.storage import PROJECT_FILE, ProjectWriteError, load_project, save_project

REPO = Path(__file__).resolve().parents[2]


def _big(shots: int = 3000) -> Project:
    scene = Scene(number="1", shots=[Shot(number=str(i + 1), notes="x" * 200) for i in range(shots)])
    return Project(title="Big", scenes=[scene])


def _temps(folder: Path) -> list[Path]:
    return sorted(folder.glob(".project.json.*.tmp"))


SAVER = """
import sys
from pathlib import Path
from shotplanner.core.models import Project, Scene, Shot
from shotplanner.core.storage import save_project
project = Project(title="Big", scenes=[Scene(number="1", shots=[Shot(number=str(i), notes="x" * 200)
                                                                for i in range(3000)])])
print("ready", flush=True)
while True:
    save_project(project, Path(sys.argv[1]))
"""


def test_temp_files_of_killed_saves_are_cleared_by_the_next_save(tmp_path: Path) -> None:
    folder = tmp_path / "film"
    save_project(_big(10), folder)
    left = 0
    for kill in range(8):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(folder)], cwd=REPO, stdout=subprocess.PIPE,
                                env={**os.environ, "PYTHONPATH": str(REPO)}, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(0.05 + 0.03 * kill)  # somewhere in a save
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        left = max(left, len(_temps(folder)))
    # An older version's temp file (no process id in its name), long abandoned:
    old = folder / ".project.json.abc123.tmp"
    old.write_bytes(b"{")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    save_project(_big(10), folder)
    assert _temps(folder) == [], _temps(folder)
    assert len(load_project(folder).all_shots()) == 10
    assert left >= 1  # the kills did leave temp files behind; none survive the next save


def test_a_temp_file_of_a_live_writer_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "film"
    save_project(_big(3), folder)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        busy = folder / f".project.json.{other.pid}.xyz.tmp"  # another process is writing it right now
        busy.write_bytes(b"{")
        save_project(_big(3), folder)
        assert busy.exists()
    finally:
        other.kill()
        other.wait()
    save_project(_big(3), folder)
    assert not busy.exists()  # its writer has gone


def test_the_file_mode_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / "film"
    save_project(_big(3), folder)
    target = folder / PROJECT_FILE
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()  # a new file: the usual mode
    os.chmod(target, 0o640)
    save_project(_big(4), folder)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_symlinked_project_file_is_written_through(tmp_path: Path) -> None:
    real_dir = tmp_path / "synced"
    save_project(_big(2), real_dir)
    folder = tmp_path / "film"
    folder.mkdir()
    (folder / PROJECT_FILE).symlink_to(real_dir / PROJECT_FILE)
    save_project(_big(5), folder)
    assert (folder / PROJECT_FILE).is_symlink()
    assert len(load_project(real_dir).all_shots()) == 5 and len(load_project(folder).all_shots()) == 5
    assert (folder / "project.json.bak").is_file()  # the backup stays with the project
    assert not _temps(real_dir) and not _temps(folder)


def test_a_dangling_symlink_is_refused_with_a_message(tmp_path: Path) -> None:
    folder = tmp_path / "film"
    folder.mkdir()
    (folder / PROJECT_FILE).symlink_to(tmp_path / "gone" / PROJECT_FILE)
    with pytest.raises(ProjectWriteError, match=r"is a link to .*nothing was saved"):
        save_project(_big(2), folder)
    assert (folder / PROJECT_FILE).is_symlink()
