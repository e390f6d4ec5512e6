"""Fixtures for the UI tests (the helpers themselves live in tests/ui/helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotplanner.core import storage
from tests.ui.helpers import make_project


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A saved three-scene project on disk."""
    folder = tmp_path / "film"
    storage.save_project(make_project(), folder)
    return folder
