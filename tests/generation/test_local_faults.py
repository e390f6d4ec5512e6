"""A full disk after the provider accepted a job: the job is paused (never re-created), ``generate`` ends with
a message and a non-zero exit (no traceback), and the next run downloads the same job.

The disk is really full: ``media/takes`` is a 8 KiB tmpfs mounted in a private mount namespace
(``unshare -m``) for the first run only, so the clip's write fails with ENOSPC from the kernel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shotplanner.core.models import JobState
from shotplanner.core.storage import load_project
from tests.generation.servers import ContractServer
from tests.generation.test_headless import REPO, generate, make_project


def noisy_mp4(seconds: float = 3.0, fps: int = 12, width: int = 160, height: int = 96) -> bytes:
    """A real H.264 MP4 of random noise: it does not compress, so it is bigger than the small disk."""
    import io
    from fractions import Fraction

    import av
    import numpy as np

    rng = np.random.default_rng(7)
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        for _ in range(int(seconds * fps)):
            pixels = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def _can_mount_tmpfs(tmp_path: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    done = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=8k tmpfs {probe}"],
                          capture_output=True)
    return done.returncode == 0


def _generate_on_a_full_disk(folder: Path, server: ContractServer) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **server.env(), "SHOTPLANNER_POLL_INITIAL_S": "0.02",
           "SHOTPLANNER_POLL_MAX_S": "0.05", "SHOTPLANNER_BACKOFF_BASE_S": "0.02"}
    takes = folder / "media" / "takes"
    command = (f"mount -t tmpfs -o size=8k tmpfs '{takes}' && exec '{sys.executable}' -m shotplanner "
               f"generate '{folder}' --provider {server.kind} --yes")
    return subprocess.run(["unshare", "-m", "sh", "-c", command], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def test_a_full_disk_pauses_the_job_and_the_next_run_downloads_it(tmp_path: Path) -> None:
    if not _can_mount_tmpfs(tmp_path):
        pytest.skip("cannot mount a tmpfs here (needs unshare -m and CAP_SYS_ADMIN)")
    clip = noisy_mp4()
    assert len(clip) > 16 * 1024  # more than the small disk holds
    server = ContractServer("fal", clip=clip).start()
    folder = tmp_path / "film"
    try:
        make_project(folder, 2)
        first = _generate_on_a_full_disk(folder, server)
        out = first.stdout + first.stderr
        assert first.returncode == 1, out
        assert "Traceback" not in out, out
        assert "No space left on device" in out and "paused" in out, out
        assert "run the same command again to resume them" in out, out
        takes = [s.takes[0] for s in load_project(folder).all_shots()]
        assert all(t.state is JobState.FAILED and t.retryable and t.remote_id for t in takes), takes
        assert server.creates == 2
        rerun = generate(folder, server, "--yes")
        out = rerun.stdout.read() if rerun.stdout else ""
        assert rerun.returncode == 0, out
        assert server.creates == 2  # the same two jobs fetched again: nothing re-created or billed twice
        takes = [s.takes for s in load_project(folder).all_shots()]
        assert all(len(t) == 1 and t[0].state is JobState.DONE for t in takes), takes
        assert all((folder / t[0].clip).read_bytes() == clip for t in takes if t[0].clip)
    finally:
        server.stop()
