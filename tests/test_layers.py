"""Layer rules that import-linter cannot express (it forbids whole external packages only)."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "shotplanner"
QTWIDGETS = re.compile(
    r"^\s*(from\s+PySide6(\.QtWidgets|\s+import\s+.*\bQtWidgets\b)|import\s+PySide6\.QtWidgets)", re.M
)


def _offenders(layer: str) -> list[str]:
    files = (PACKAGE / layer).rglob("*.py")
    return [str(p.relative_to(PACKAGE)) for p in files if QTWIDGETS.search(p.read_text())]


def test_generation_media_interchange_have_no_widgets() -> None:
    for layer in ("generation", "media", "interchange", "core"):
        assert _offenders(layer) == [], f"{layer} imports QtWidgets"


def test_the_pattern_catches_a_widget_import(tmp_path: Path) -> None:
    assert QTWIDGETS.search("from PySide6.QtWidgets import QWidget\n")
    assert QTWIDGETS.search("from PySide6 import QtCore, QtWidgets\n")
    assert not QTWIDGETS.search("from PySide6.QtGui import QImage\n")
