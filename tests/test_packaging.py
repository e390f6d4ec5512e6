"""What a desktop reads about the app: the menu entry, the AppStream metadata and the icons.

The validators are Debian's own (desktop-file-utils, appstream; scripts/setup.sh installs them). Without
them the checks are skipped, except in CI, where that means a broken set-up.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QIcon, QImage

import shotplanner
from shotplanner.core.paths import APP_ID, app_icon_path

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"

sys.path.insert(0, str(ROOT / "scripts"))
import make_icons  # noqa: E402  (scripts/ is not a package)

sys.path.remove(str(ROOT / "scripts"))


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: scripts/setup.sh installs it")
        pytest.skip(f"{name} is not installed (scripts/setup.sh installs it)")
    return path


def validate_desktop_file(path: Path) -> None:
    done = subprocess.run([_tool("desktop-file-validate"), str(path)], capture_output=True, text=True)
    # Hints are advice; errors and warnings fail (the tool exits 1 on errors only).
    problems = [line for line in done.stdout.splitlines() if "error:" in line or "warning:" in line]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr


def test_the_desktop_entry_passes_desktop_file_validate() -> None:
    validate_desktop_file(DESKTOP)


def test_the_appstream_metadata_passes_appstreamcli_validate() -> None:
    done = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", "--explain", str(METAINFO)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_metadata_names_this_app_and_this_version() -> None:
    component = ET.parse(METAINFO).getroot()
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP.name
    assert component.findtext("provides/binary") == "shotplanner"
    releases = [r.get("version") for r in component.iterfind("releases/release")]
    assert releases and releases[0] == shotplanner.__version__, "add a <release> for the new version"
    lines = DESKTOP.read_text(encoding="utf-8").splitlines()
    entry = dict(line.split("=", 1) for line in lines if "=" in line)
    assert entry["Icon"] == APP_ID and entry["Exec"].split()[0] == "shotplanner"


@pytest.mark.parametrize("size", make_icons.SIZES)
def test_each_hicolor_icon_is_its_size_and_rendered_from_the_svg(size: int) -> None:
    png = QImage(str(make_icons.png_path(size)))
    assert not png.isNull() and (png.width(), png.height()) == (size, size)
    fresh = make_icons.render(size).convertToFormat(png.format())
    differing = sum(png.pixel(x, y) != fresh.pixel(x, y) for x in range(size) for y in range(0, size, 4))
    assert differing <= size * size // 400, "the PNGs are out of date: run scripts/make_icons.py"


def test_the_scalable_icon_is_the_svg_the_window_uses() -> None:
    scalable = PACKAGING / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == app_icon_path().read_bytes()
    assert not QIcon(str(app_icon_path())).pixmap(48, 48).isNull()  # Qt's SVG plugin reads it
