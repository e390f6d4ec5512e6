"""Keys: environment first, then keyring; a broken keyring is "missing"; no key in logs, files or errors."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked

from shotplanner.core.models import JobState
from shotplanner.generation import secrets
from shotplanner.generation.base import BadRequest
from shotplanner.generation.redact import redact
from tests.generation.helpers import request, run_jobs
from tests.generation.servers import FAL_KEY, KLING_SECRET


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the keyring is locked")


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_environment_wins_over_keyring(memory_keyring, monkeypatch) -> None:
    memory_keyring.set_password("shotplanner", "FAL_KEY", "from-the-keyring-123")
    assert secrets.key_source("fal") == "keyring"
    assert secrets.get_keys("fal") == ("from-the-keyring-123",)
    monkeypatch.setenv("FAL_KEY", "from-the-environment-123")
    assert secrets.key_source("fal") == "environment"
    assert secrets.get_keys("fal") == ("from-the-environment-123",)


def test_kling_needs_both_halves_and_local_needs_none(memory_keyring, monkeypatch) -> None:
    monkeypatch.setenv("KLING_ACCESS_KEY", "access-123456")
    assert secrets.key_source("kling") == "missing" and secrets.get_keys("kling") is None
    memory_keyring.set_password("shotplanner", "KLING_SECRET_KEY", "secret-123456")
    assert secrets.key_source("kling") == "keyring"
    assert secrets.get_keys("kling") == ("access-123456", "secret-123456")
    assert secrets.key_source("local") == "none needed" and secrets.get_keys("local") == ()


def test_a_locked_keyring_is_just_a_missing_key() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring())
    try:
        assert secrets.key_source("replicate") == "missing"
        with pytest.raises(Exception, match="REPLICATE_API_TOKEN") as info:
            secrets.require_keys("replicate")
        assert type(info.value).__name__ == "MissingKey"
    finally:
        keyring.set_keyring(previous)


def test_error_texts_redact_registered_keys_and_auth_values() -> None:
    from shotplanner.generation.redact import register_secret

    register_secret("planted-secret-value-42")
    error = BadRequest("server said: planted-secret-value-42 is wrong", provider="fal")
    assert "planted-secret-value-42" not in str(error) and "***" in str(error)
    assert redact("Authorization: Bearer abcdefghijklmnop") == "Authorization: Bearer ***"


def test_planted_keys_never_reach_logs_project_files_or_errors(serve, tmp_path: Path, fast_settings,
                                                               caplog) -> None:
    caplog.set_level(logging.DEBUG)
    fal = serve("fal")
    fal.faults.echo_key_in_error = True  # the provider repeats our Authorization header back
    queue, events = asyncio.run(run_jobs(tmp_path, fal, fast_settings, [request("fal")]))
    job = queue.jobs["take1"]
    assert job.state is JobState.FAILED and "bad request from Key ***" in job.message
    kling = serve("kling")
    kling.faults.submit_status = [503, 503]
    queue2, events2 = asyncio.run(run_jobs(tmp_path, kling, fast_settings, [request("kling", "take2")]))
    assert queue2.jobs["take2"].state is JobState.DONE
    logging.getLogger("shotplanner.test").error("echo %s", FAL_KEY)  # even a careless log line
    texts = [record.getMessage() for record in caplog.records] + [caplog.text]
    texts += [e.message for e in events + events2]
    texts += [p.read_text(errors="replace") for p in tmp_path.rglob("*")
              if p.is_file() and p.suffix != ".mp4"]
    blob = "\n".join(texts)
    for planted in (FAL_KEY, KLING_SECRET):
        assert planted not in blob
    assert any(p.suffix == ".json" for p in tmp_path.rglob("*"))  # the journal was searched
