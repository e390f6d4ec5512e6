"""The ``shotplanner`` command, run in-process through ``main(argv)`` and once as a real subprocess."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from shotplanner.cli import LAZY_COMMANDS, main
from shotplanner.core.catalog import load_catalog
from shotplanner.core.demo import copy_demo
from shotplanner.core.models import Project, Scene, Shot, ShotSize
from shotplanner.core.paths import user_catalog_path
from shotplanner.core.recent import recent_projects
from shotplanner.core.storage import PROJECT_FILE, load_project, save_project

REPO = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for name in ("new", "demo", "catalog", "recommend", *LAZY_COMMANDS):
        assert name in out


def test_new_creates_a_project_and_remembers_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "new", str(tmp_path / "Night Train"))
    assert code == 0 and "created" in out
    project = load_project(tmp_path / "Night Train")
    assert project.title == "Night Train"  # the folder's name by default
    assert recent_projects() == [(tmp_path / "Night Train").resolve()]
    code, _, _ = run(capsys, "new", str(tmp_path / "b"), "--title", "Sea Storm")
    assert code == 0 and load_project(tmp_path / "b").title == "Sea Storm"


def test_new_on_an_existing_project_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "new", str(tmp_path / "p"))[0] == 0
    before = (tmp_path / "p" / PROJECT_FILE).read_bytes()
    code, _, err = run(capsys, "new", str(tmp_path / "p"), "--title", "Other")
    assert code == 1 and "already holds a Shotplanner project" in err
    assert (tmp_path / "p" / PROJECT_FILE).read_bytes() == before


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new"]) == 2
    assert "usage" in capsys.readouterr().err


def test_catalog_table_shows_every_model_with_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalog")
    assert code == 0
    header = out.splitlines()[0].split()
    assert header[:3] == ["id", "name", "status"] and header[-2:] == ["$/s", "routes"]
    catalog = load_catalog()
    rows = {line.split()[0]: line for line in out.splitlines()[2:] if line.strip()}
    for model in catalog.models:
        assert model.id in rows, model.id
        row = rows[model.id]
        assert model.name in row
        if model.retired_on is not None:
            assert f"retired {model.retired_on.isoformat()}" in row
            if model.successor:
                assert f"→ {model.successor}" in row
    assert "problem" not in out


def test_catalog_reports_a_bad_user_entry_and_lists_the_rest(capsys: pytest.CaptureFixture[str]) -> None:
    path = user_catalog_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = [{"id": "my-fast-model", "name": "My Fast Model",
                "routes": [{"provider": "fal", "model": "x/y"}], "durations": [4]},
               {"id": "broken-model", "name": "Broken", "durations": "many"}]
    path.write_text(json.dumps({"schema": 1, "models": entries}, indent=1))
    code, out, _ = run(capsys, "catalog")
    assert code == 0
    assert "my-fast-model" in out and "sora-2-pro" in out
    problems = out[out.index("catalog problem"):]
    assert "broken-model" in problems and "line" in problems


def test_recommend_every_shot_of_the_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = copy_demo(tmp_path / "demo")
    project = load_project(folder)
    code, out, _ = run(capsys, "recommend", str(folder))
    assert code == 0
    lines = out.splitlines()
    for shot in project.all_shots():
        line = next(x for x in lines if x.split()[:2] == [shot.number, shot.size.value])
        assert "→" in line and "score" in line
    assert "why:" in out and "note:" in out
    assert "retired" in out  # the article's retired picks are named, and routed elsewhere


def test_recommend_says_when_no_model_can_do_a_shot(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    project = Project(title="Too long", scenes=[Scene(number="1", shots=[
        Shot(number="1", size=ShotSize.WS, duration_s=500.0)])])
    save_project(project, tmp_path)
    code, out, _ = run(capsys, "recommend", str(tmp_path))
    assert code == 0
    assert "no model can do this shot" in out


@pytest.mark.parametrize("content", [b"", b'{"schema_version": 1, "scenes": [', b'{"schema_version": 99}',
                                     b'{"name": "package"}'])
def test_recommend_on_a_bad_project_is_a_message_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> None:
    (tmp_path / PROJECT_FILE).write_bytes(content)
    code, _, err = run(capsys, "recommend", str(tmp_path))
    assert code == 1
    assert err.startswith("shotplanner: ") and str(tmp_path) in err
    assert (tmp_path / PROJECT_FILE).read_bytes() == content


def test_recommend_on_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "recommend", str(tmp_path / "nowhere"))
    assert code == 1 and "no such file or folder" in err


def test_demo_command_copies_a_loadable_film(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", str(tmp_path / "d"))
    assert code == 0 and "13 shots" in out
    assert run(capsys, "demo", str(tmp_path / "d"))[0] == 1  # not into a folder in use


def test_without_a_window_the_command_says_so(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    # A None entry makes ``import shotplanner.app`` raise ImportError, as when the module is absent.
    monkeypatch.setitem(sys.modules, "shotplanner.app", None)
    code, _, err = run(capsys)
    assert code == 2 and "the window cannot start here" in err
    code, _, err = run(capsys, "some/project")
    assert code == 2 and "the window cannot start here" in err


def test_the_window_gets_the_project_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    opened: list[Path | None] = []
    app = types.ModuleType("shotplanner.app")

    def main_gui(project: Path | None) -> int:
        opened.append(project)
        return 0

    app.main_gui = main_gui  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "shotplanner.app", app)
    assert run(capsys, str(tmp_path))[0] == 0
    assert run(capsys)[0] == 0
    assert opened == [tmp_path, None]


def test_lazy_commands_whose_module_is_missing_say_so(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    for name, (module, _) in LAZY_COMMANDS.items():
        monkeypatch.setitem(sys.modules, module, None)
        code, _, err = run(capsys, name, "whatever")
        assert code == 2 and "not available in this install" in err and module in err


def test_lazy_commands_hand_over_to_their_module(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[argparse.Namespace] = []
    module = types.ModuleType("shotplanner.interchange.export_cli")

    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("project")
        parser.add_argument("--format", default="otio")

    def run_export(args: argparse.Namespace) -> int:
        seen.append(args)
        return 7

    module.add_arguments = add_arguments  # type: ignore[attr-defined]
    module.run = run_export  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "shotplanner.interchange.export_cli", module)
    assert run(capsys, "export", "film", "--format", "edl")[0] == 7
    assert (seen[0].project, seen[0].format) == ("film", "edl")


def test_python_dash_m_runs_the_command(tmp_path: Path) -> None:
    made = subprocess.run(
        [sys.executable, "-m", "shotplanner", "new", str(tmp_path / "p"), "--title", "Ünïcode"],
        cwd=REPO, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    assert load_project(tmp_path / "p").title == "Ünïcode"
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / PROJECT_FILE).write_text('{"schema_version": 1, "scenes": [}')
    bad = subprocess.run([sys.executable, "-m", "shotplanner", "recommend", str(tmp_path / "bad")],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert "not valid JSON at line 1, column" in bad.stderr and "Traceback" not in bad.stderr
