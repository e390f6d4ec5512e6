"""The PyInstaller bundle (``make bundle``) built and run as a user gets it: from its own folder, offscreen.

It proves the frozen app finds its resources, opens its window (``--healthcheck``), and renders a local
animatic twice (through ``shotplanner generate``, the queue in the process, and through the frozen
generation worker ``shotplanner --generation-worker``, the path the window takes), each clip decoded
back; and that its install.sh puts it in place for a user and takes it away again.

The build takes about a minute, so it runs in ``make test`` (set-up installs PyInstaller, the ``bundle``
extra). Without PyInstaller the module is skipped, except in CI, where a missing PyInstaller is a
broken set-up and fails.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import shotplanner
from shotplanner.core.catalog import load_catalog
from shotplanner.core.models import LOCAL_MODEL_ID, LOCAL_PROVIDER, JobState
from shotplanner.core.paths import APP_ID
from shotplanner.core.storage import load_project
from shotplanner.generation import hosts
from shotplanner.generation.base import build_request
from shotplanner.generation.jobs import JobEvent, QueueSettings
from shotplanner.generation.spec import ProviderSpec
from shotplanner.media.probe import probe
from tests.test_packaging import make_icons, validate_desktop_file

ROOT = Path(__file__).resolve().parents[1]

if importlib.util.find_spec("PyInstaller") is None:
    if os.environ.get("CI"):
        raise RuntimeError("PyInstaller is not installed: scripts/setup.sh installs the 'bundle' extra")
    pytest.skip("PyInstaller is not installed (make setup installs it)", allow_module_level=True)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def _run(cmd: list[str | Path], cwd: Path, env: dict[str, str],
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{cmd} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    """(the frozen executable, the environment to run it in, a working folder outside the tree)."""
    base = tmp_path_factory.mktemp("bundle")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SHOTPLANNER_RESOURCES")}
    _run(["bash", ROOT / "scripts" / "bundle.sh", base / "dist"], ROOT, {**env, "PYTHON": sys.executable})
    exe = base / "dist" / "shotplanner" / "shotplanner"
    assert exe.is_file()
    home = base / "home"
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local/share"), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_STATE_HOME=str(home / ".local/state"), QT_QPA_PLATFORM="offscreen",
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    return exe, env, elsewhere


def test_the_bundle_knows_its_version_and_reads_its_own_catalog(bundle: tuple[Path, dict[str, str], Path]
                                                                 ) -> None:
    exe, env, elsewhere = bundle
    assert _run([exe, "--version"], elsewhere, env).stdout.strip() == f"shotplanner {shotplanner.__version__}"
    expected = len(json.loads((ROOT / "resources" / "catalog.json").read_text(encoding="utf-8"))["models"])
    out = _run([exe, "catalog"], elsewhere, env).stdout
    assert f"\n{expected} models," in out and "problem" not in out, out


def test_the_bundle_passes_its_healthcheck_offscreen(bundle: tuple[Path, dict[str, str], Path]) -> None:
    exe, env, elsewhere = bundle
    out = _run([exe, "--healthcheck"], elsewhere, env, timeout=240).stdout
    for step in ("project", "animatic", "window"):
        assert f"healthcheck: {step}: ok" in out, out


def test_the_bundle_renders_a_local_animatic_with_generate(bundle: tuple[Path, dict[str, str], Path]) -> None:
    exe, env, elsewhere = bundle
    film = elsewhere / "film"
    _run([exe, "demo", film], elsewhere, env)
    first = load_project(film).all_shots()[0]
    out = _run([exe, "generate", film, "--provider", "local", "--shots", first.number, "--yes"],
               elsewhere, env, timeout=300).stdout
    assert "Finished: 1 done, 0 failed" in out, out
    (take,) = load_project(film).all_shots()[0].takes
    info = probe(film / take.clip)
    assert info.codec == "h264" and info.frames == round(first.duration_s * first.fps), info


def test_the_frozen_generation_worker_renders_a_local_animatic(bundle: tuple[Path, dict[str, str], Path],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The window's path: a ProcessHost whose worker is the bundle started with ``--generation-worker``."""
    exe, env, elsewhere = bundle
    film = elsewhere / "worker-film"
    _run([exe, "demo", film], elsewhere, env)
    project = load_project(film)
    shot = project.all_shots()[0].model_copy(update={"duration_s": 1.0, "resolution": "480p"})
    catalog = load_catalog()
    model = catalog.get(LOCAL_MODEL_ID)
    request = build_request(shot, project, film, model, catalog.route(model.id, LOCAL_PROVIDER), "frozen1")
    monkeypatch.setattr(hosts, "worker_command", lambda: [str(exe), "--generation-worker"])
    for key, value in env.items():
        monkeypatch.setenv(key, value)  # the worker inherits this process's environment
    monkeypatch.delenv("PYTHONPATH", raising=False)
    events: list[Any] = []

    async def scenario() -> None:
        host = hosts.ProcessHost(film, {LOCAL_PROVIDER: ProviderSpec(LOCAL_PROVIDER, {})}, QueueSettings(),
                                 events.append)
        assert host.process.args[0] == str(exe)  # the frozen app, not this interpreter
        host.enqueue([(request, 0.0)])
        for _ in range(3000):
            if any(isinstance(e, JobEvent) and e.state.is_terminal for e in events):
                break
            await asyncio.sleep(0.02)
        await host.aclose(10)
        assert host.process.returncode == 0

    asyncio.run(scenario())
    states = [e.state for e in events if isinstance(e, JobEvent)]
    assert states and states[-1] is JobState.DONE, events
    info = probe(film / "media" / "takes" / "frozen1.mp4")
    assert info.codec == "h264" and info.frames == round(shot.fps * 1.0), info


def test_the_bundle_installs_for_a_user_with_its_menu_entry_and_icons(
        bundle: tuple[Path, dict[str, str], Path]) -> None:
    exe, env, elsewhere = bundle
    prefix = elsewhere / "prefix"
    _run(["bash", exe.parent / "install.sh", prefix], elsewhere, env)
    command = prefix / "bin" / "shotplanner"
    assert command.is_symlink() and command.resolve() == prefix / "lib" / "shotplanner" / "shotplanner"
    out = _run([command, "--version"], elsewhere, env).stdout.strip()
    assert out == f"shotplanner {shotplanner.__version__}"
    share = prefix / "share"
    validate_desktop_file(share / "applications" / f"{APP_ID}.desktop")
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    for size in make_icons.SIZES:
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()

    _run(["bash", prefix / "lib" / "shotplanner" / "install.sh", "--uninstall", prefix], elsewhere, env)
    assert not (prefix / "lib" / "shotplanner").exists() and not command.is_symlink()
    caches = {"icon-theme.cache", "mimeinfo.cache"}  # the desktop's shared indexes, refreshed, not ours
    left = [p for p in share.rglob("*") if p.is_file() and p.name not in caches]
    assert not left, f"the uninstall left files behind: {left}"
