"""``shotplanner recommend`` and ``recommend --json``: the same facts in both, warnings included."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shotplanner.cli import main
from shotplanner.core.demo import copy_demo
from shotplanner.core.models import Project, PromptLayers, Scene, Shot, ShotSize
from shotplanner.core.storage import load_project, save_project

REPO = Path(__file__).resolve().parents[1]


def _project(folder: Path) -> Path:
    shots = [
        Shot(id="est", number="1", size=ShotSize.EWS, duration_s=20.0),
        Shot(
            id="cu",
            number="2",
            size=ShotSize.CU,
            duration_s=5.0,
            fps=60.0,
            layers=PromptLayers(subject="her hands on a letter", environment='a sign that reads "EXIT"'),
        ),
        Shot(id="pin", number="3", duration_s=8.0, model_id="sora-2-pro"),
    ]
    save_project(Project(title="Warnings", scenes=[Scene(number="1", shots=shots)]), folder)
    return folder


def test_json_carries_rules_reasons_prices_warnings_split_and_pin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _project(tmp_path / "film")
    assert main(["recommend", "--json", str(folder)]) == 0
    out, _ = capsys.readouterr()
    doc = json.loads(out)
    by_id = {s["shot_id"]: s for s in doc["shots"]}
    est = by_id["est"]
    assert {r["key"] for r in est["rules"]} >= {"establishing", "long_take"}
    rule = next(r for r in est["rules"] if r["key"] == "establishing")
    assert rule["article_lines"] == [100, 116, 133] and rule["trigger"].startswith("EWS shot size")
    assert est["split"] == {"model_id": "kling-v3", "segments_s": [10.0, 10.0], "text": est["split"]["text"]}
    assert est["candidates"][0]["accepted"] is True
    assert all("price_per_second_usd" in c for c in est["candidates"])
    assert any(c["price_per_second_usd"] is None for c in doc["shots"][1]["candidates"])  # unknown stays null
    cu = by_id["cu"]
    warnings = " ".join(cu["warnings"])
    assert "Hands" in warnings and "Legible text" in warnings and "60 fps" in warnings
    pin = by_id["pin"]["pinned"]
    assert (
        pin["model_id"] == "sora-2-pro"
        and pin["live"] is False
        and "Its successor is Kling v3 Video" in pin["text"]
    )


def test_text_output_has_the_same_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _project(tmp_path / "film")
    assert main(["recommend", str(folder)]) == 0
    out, _ = capsys.readouterr()
    assert (
        "shot warning: Hands" in out and "shot warning: Legible text" in out and "shot warning: 60 fps" in out
    )
    assert "split: 20 s is longer than any live model holds" in out
    assert "note: Your choice Sora 2 Pro was retired" in out
    assert "why: EWS shot size" in out


def test_json_of_the_demo_in_a_real_subprocess(tmp_path: Path) -> None:
    folder = copy_demo(tmp_path / "demo")
    done = subprocess.run(
        [sys.executable, "-m", "shotplanner", "recommend", "--json", str(folder)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert len(doc["shots"]) == len(load_project(folder).all_shots())
    assert all(s["best"] or s["message"] for s in doc["shots"])
    assert all(r for s in doc["shots"] for c in s["candidates"] for r in c["reasons"])
