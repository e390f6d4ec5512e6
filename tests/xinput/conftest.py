"""Fixtures for the real-input tests: one Xvfb server for the session (see harness.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.xinput.harness import XServer


@pytest.fixture(scope="session")
def xserver() -> Iterator[XServer]:
    server = XServer()
    yield server
    server.close()
