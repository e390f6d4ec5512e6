"""The app as a user installs it: sdist → wheel → a fresh venv, run from a folder outside the source tree.

The build goes through setuptools' PEP 517 hooks with the backend already installed (what ``python -m
build --no-isolation`` does), so it needs no network. The fresh venv gets exactly one thing installed, the
wheel, with pip; its third-party dependencies (PySide6 and the rest, a few hundred MB) are borrowed from
the environment running the tests through a ``.pth`` line added after the install. That line only puts
that site-packages folder on ``sys.path``: its own ``.pth`` files (the editable install's finder among
them) are not run, so ``shotplanner`` can come only from the wheel, which the test checks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import shotplanner

ROOT = Path(__file__).resolve().parents[1]
BUILD = """
import sys
from setuptools import build_meta
out = sys.argv[2]
print(build_meta.build_sdist(out) if sys.argv[1] == "sdist" else build_meta.build_wheel(out))
"""

pytestmark = pytest.mark.slow


def _source_files() -> list[Path]:
    """The files a clean clone has (tracked, plus new files not ignored); no venv, build or caches."""
    if (ROOT / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, capture_output=True, check=True).stdout.decode()
        return [Path(p) for p in listed.split("\0") if p and (ROOT / p).is_file()]
    skip = {".venv", ".git", "build", "dist", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
    return [p.relative_to(ROOT) for p in ROOT.rglob("*")
            if p.is_file() and not skip.intersection(p.relative_to(ROOT).parts)]


def _run(cmd: list[str | Path], cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{cmd} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@dataclass
class Installed:
    wheel: Path
    venv: Path
    elsewhere: Path  # the working folder for runs: not the source tree, not its parent
    env: dict[str, str]

    def run(self, *args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return _run([self.venv / "bin" / "shotplanner", *args], self.elsewhere, self.env, timeout)

    def python(self, code: str) -> str:
        return _run([self.venv / "bin" / "python", "-c", code], self.elsewhere, self.env).stdout.strip()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    for rel in _source_files():
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, source / rel)
    dist = base / "dist"
    dist.mkdir()
    build_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    sdist = dist / _run([sys.executable, "-c", BUILD, "sdist", dist], source, build_env).stdout.split()[-1]
    # The wheel is built from the unpacked sdist, as a packager (or pip installing from an sdist) does: a
    # resource the sdist forgot would be missing from the wheel too.
    unpacked = base / "unpacked"
    with tarfile.open(sdist) as tar:
        tar.extractall(unpacked, filter="data")
    (sdist_root,) = unpacked.iterdir()
    built = _run([sys.executable, "-c", BUILD, "wheel", dist], sdist_root, build_env)
    wheel = dist / built.stdout.split()[-1]

    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], base)
    venv_python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", venv_python, "install", "--no-deps", "--no-index",
          "--no-compile", "--disable-pip-version-check", "-q", wheel], base, build_env)
    purelib = Path(_run([venv_python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        base).stdout.strip())
    borrowed = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (purelib / "zz_test_borrowed_dependencies.pth").write_text("".join(f"{p}\n" for p in borrowed))

    elsewhere = base / "elsewhere"
    home = base / "home"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SHOTPLANNER_RESOURCES")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local/share"), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_STATE_HOME=str(home / ".local/state"), QT_QPA_PLATFORM="offscreen",
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    return Installed(wheel, venv, elsewhere, env)


def test_the_wheel_carries_every_resource(installed: Installed) -> None:
    shipped = [p.relative_to("resources").as_posix() for p in _source_files()
               if p.parts[0] == "resources" and p.name != "__init__.py"]
    assert "catalog.json" in shipped and "demo/project.json" in shipped
    with zipfile.ZipFile(installed.wheel) as whl:
        names = set(whl.namelist())
    missing = [rel for rel in shipped if f"shotplanner/resources/{rel}" not in names]
    assert not missing, f"resources left out of the wheel: {missing}"
    assert "shotplanner/py.typed" in names
    assert not [n for n in names if n.startswith("resources/")], "a top-level resources/ would clash"


def test_the_installed_app_is_the_wheel_and_reads_its_own_resources(installed: Installed) -> None:
    where = json.loads(installed.python(
        "import json, shotplanner; from shotplanner.core.paths import resources_dir; "
        "print(json.dumps([shotplanner.__file__, str(resources_dir())]))"))
    package, resources = (Path(p) for p in where)
    assert package.is_relative_to(installed.venv), package
    assert resources == package.parent / "resources"
    assert not resources.is_relative_to(ROOT)
    assert installed.run("--version").stdout.strip() == f"shotplanner {shotplanner.__version__}"


def test_the_installed_app_lists_the_whole_catalog(installed: Installed) -> None:
    expected = len(json.loads((ROOT / "resources" / "catalog.json").read_text(encoding="utf-8"))["models"])
    out = installed.run("catalog").stdout
    assert f"\n{expected} models," in out, out
    assert "problem" not in out, out


def test_the_installed_app_copies_and_reads_the_demo(installed: Installed) -> None:
    demo = installed.elsewhere / "my demo"
    out = installed.run("demo", demo).stdout
    assert "copied the demo film" in out
    project = json.loads((demo / "project.json").read_text(encoding="utf-8"))
    refs = [ref for char in project["characters"] for ref in char["reference_images"]]
    assert refs and all((demo / ref).is_file() for ref in refs), refs
    assert "why:" in installed.run("recommend", demo).stdout


def test_the_installed_app_passes_its_healthcheck_offscreen(installed: Installed) -> None:
    out = installed.run("--healthcheck", timeout=240).stdout
    for step in ("project", "animatic", "window"):
        assert f"healthcheck: {step}: ok" in out, out


def test_the_users_catalog_still_overrides_the_one_in_the_wheel(installed: Installed) -> None:
    builtin = json.loads((ROOT / "resources" / "catalog.json").read_text(encoding="utf-8"))["models"]
    user_file = Path(installed.env["XDG_CONFIG_HOME"]) / "shotplanner" / "catalog.json"
    user_file.parent.mkdir(parents=True, exist_ok=True)
    override = {"schema": 1, "models": [{"id": builtin[0]["id"], "name": "Renamed By Me"}]}
    user_file.write_text(json.dumps(override), encoding="utf-8")
    try:
        out = installed.run("catalog").stdout
    finally:
        user_file.unlink()
    assert "Renamed By Me" in out and f"\n{len(builtin)} models," in out, out


def test_the_installed_app_reads_every_shipped_contract_from_the_wheel(installed: Installed) -> None:
    shipped = sorted(p.relative_to(ROOT / "resources" / "contracts").as_posix()
                     for p in (ROOT / "resources" / "contracts").glob("*/*.json"))
    assert shipped, "no vendor input schemas in resources/contracts"
    read = json.loads(installed.python(
        "import json; from shotplanner.core.contracts import all_contracts; "
        "print(json.dumps([[str(c.path), c.provider, bool(c.schema)] for c in all_contracts()]))"))
    assert len(read) == len(shipped) and all(has_schema for _, _, has_schema in read)
    assert all(Path(path).is_relative_to(installed.venv) for path, _, _ in read), read[:3]
