"""The demo film's animatic, made as a user makes it: ``shotplanner generate DEMO --provider local --yes``
in a real subprocess, then ``shotplanner export DEMO film.mp4``, every clip decoded back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import av
import pytest

from shotplanner.core.demo import copy_demo
from shotplanner.core.models import JobState
from shotplanner.core.storage import load_project

REPO = Path(__file__).resolve().parents[1]


def _cli(*argv: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "shotplanner", *argv], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
@pytest.mark.timeout(900)  # 13 renders and a film: about a minute alone, several under a loaded CI machine
def test_demo_gets_an_animatic_of_every_shot_and_the_film_covers_them_all(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    copy_demo(demo)
    made = _cli("generate", str(demo), "--provider", "local", "--yes")
    assert made.returncode == 0, made.stdout + made.stderr
    assert "skipped" not in made.stdout
    assert "Finished: 13 done, 0 failed" in made.stdout
    project = load_project(demo)
    shots = project.all_shots()
    assert len(shots) == 13
    by_number = {}
    for shot in shots:
        takes = [t for t in shot.takes if t.state is JobState.DONE and t.clip]
        assert len(takes) == 1, shot.number
        by_number[shot.number] = (shot, takes[0])
    shot_4k, take_4k = by_number["1C"]
    assert shot_4k.resolution == "4k" and "at most 1080p" in take_4k.message
    with av.open(str(demo / take_4k.clip)) as clip:
        assert (clip.streams.video[0].width, clip.streams.video[0].height) == (1920, 1080)
    shot_sound, take_sound = by_number["1D"]
    assert shot_sound.audio
    with av.open(str(demo / take_sound.clip)) as clip:
        assert clip.streams.audio and clip.streams.audio[0].codec_context.name == "aac"
        assert sum(f.samples for f in clip.decode(clip.streams.audio[0])) > 0

    film = tmp_path / "film.mp4"
    exported = _cli("export", str(demo), str(film))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    assert "left out" not in exported.stdout + exported.stderr
    with av.open(str(film)) as clip:
        stream = clip.streams.video[0]
        frames = sum(1 for _ in clip.decode(stream))
    expected = sum(round(s.duration_s * 24) for s in shots)
    assert frames == expected  # 13 of 13 shots, each for its full length
