"""Suite-wide isolation: offscreen Qt, no real keyring, and config/data folders inside a temp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false;qt.qpa.*=false")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Config, data and cache folders of the app point into a temp dir; no test touches ~."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                     ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):
        path = Path(home, sub)
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(path))
    for key in ("FAL_KEY", "REPLICATE_API_TOKEN", "KLING_ACCESS_KEY", "KLING_SECRET_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture(scope="session", autouse=True)
def _one_widgets_application(qapp):  # type: ignore[no-untyped-def]
    """The first Qt application of the session must be a QApplication.

    Media code makes a bare QGuiApplication when none exists (headless renders); if a media test ran
    first, every later widget test would abort the process ("Cannot create a QWidget without
    QApplication"). The app itself has the same order: its QApplication exists before any render.
    """
    return qapp
