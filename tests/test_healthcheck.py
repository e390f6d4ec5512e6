from __future__ import annotations

import os
import subprocess
import sys


def test_healthcheck_exercises_every_part() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "shotplanner", "--healthcheck"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for step in ("project", "animatic", "window"):
        assert f"healthcheck: {step}: ok" in done.stdout
