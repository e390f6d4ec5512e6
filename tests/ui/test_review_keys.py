"""Keys and providers: the key source per provider, masked keys, storing in the keyring, a harmless
connection test against the loopback contract server, and the concurrency limit."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend

from shotplanner.ui.keys_dialog import KeysDialog, concurrency_limit, mask
from tests.generation.helpers import provider_for
from tests.generation.servers import FAL_KEY, ContractServer
from tests.ui import review_support
from tests.ui.review_support import run

aloop = review_support.aloop  # a fixture


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps passwords in memory (the suite's default is the null one)."""

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


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_sources_masking_and_storing(qtbot, monkeypatch, memory_keyring: MemoryKeyring) -> None:
    monkeypatch.setenv("FAL_KEY", "fal-secret-value-1234")
    dialog = KeysDialog()
    qtbot.addWidget(dialog)
    fal, rep = dialog.boxes["fal"], dialog.boxes["replicate"]
    assert fal.source_label.text() == "environment variable"
    assert fal.masked_label.text() == "••••1234" and "secret" not in fal.masked_label.text()
    assert rep.source_label.text() == "missing" and rep.masked_label.text() == ""
    assert rep.inputs["REPLICATE_API_TOKEN"].echoMode() == rep.inputs["REPLICATE_API_TOKEN"].EchoMode.Password

    rep.inputs["REPLICATE_API_TOKEN"].setText("r8_abcdefghijklmnop")
    assert rep.store()
    assert memory_keyring.store[("shotplanner", "REPLICATE_API_TOKEN")] == "r8_abcdefghijklmnop"
    assert rep.source_label.text() == "OS keyring" and rep.masked_label.text() == "••••mnop"
    assert rep.inputs["REPLICATE_API_TOKEN"].text() == ""  # nothing of the key left in the widget


def test_a_keyring_that_refuses_loses_nothing_and_says_so(qtbot) -> None:
    dialog = KeysDialog()  # the suite's null keyring cannot store
    qtbot.addWidget(dialog)
    box = dialog.boxes["fal"]
    box.inputs["FAL_KEY"].setText("fal-abcdef0123456789")
    assert not box.store()
    assert "FAL_KEY" in box.result_label.text() and "fal-abc" not in box.result_label.text()
    assert box.source_label.text() == "missing"
    assert box.inputs["FAL_KEY"].text() == "fal-abcdef0123456789"  # still there to put elsewhere


def test_connection_test_accepts_the_right_key_and_names_a_refused_one(qtbot, aloop, monkeypatch) -> None:
    server = ContractServer("fal").start()
    try:
        dialog = KeysDialog(factory=lambda name, keys=None: provider_for(server, keys=keys))
        qtbot.addWidget(dialog)
        box = dialog.boxes["fal"]
        monkeypatch.setenv("FAL_KEY", FAL_KEY)
        ok, text = run(aloop, box.run_test())
        assert ok and "accepted" in text and box.result_label.text().startswith("✔")
        assert server.creates == 0  # harmless: nothing was generated or billed
        monkeypatch.setenv("FAL_KEY", "fal-wrong-key-000000")
        ok, text = run(aloop, box.run_test())
        assert not ok and "refused" in text and "fal-wrong" not in box.result_label.text()
        monkeypatch.delenv("FAL_KEY")
        ok, text = run(aloop, box.run_test())
        assert not ok and "FAL_KEY" in text
    finally:
        server.stop()


def test_concurrency_limit_is_kept_and_handed_on(qtbot) -> None:
    applied: list[tuple[str, int]] = []
    dialog = KeysDialog(on_limit=lambda name, n: applied.append((name, n)))
    qtbot.addWidget(dialog)
    assert dialog.boxes["kling"].limit.value() == 3  # the provider's own default
    dialog.boxes["kling"].limit.setValue(1)
    assert concurrency_limit("kling") == 1 and applied == [("kling", 1)]
    assert KeysDialog().boxes["kling"].limit.value() == 1


def test_mask_never_shows_a_short_key() -> None:
    assert mask("abcd") == "••••" and mask("") == ""


def test_connection_test_uses_the_key_typed_but_not_stored(qtbot, aloop, monkeypatch) -> None:
    server = ContractServer("fal").start()
    try:
        dialog = KeysDialog(factory=lambda name, keys=None: provider_for(server, keys=keys))
        qtbot.addWidget(dialog)
        box = dialog.boxes["fal"]
        monkeypatch.delenv("FAL_KEY", raising=False)
        box.inputs["FAL_KEY"].setText(FAL_KEY)  # typed, not stored: nothing in env or keyring
        ok, text = run(aloop, box.run_test())
        assert ok and "typed here" in text and FAL_KEY not in box.result_label.text()
        box.inputs["FAL_KEY"].setText("fal-wrong-key-000000")
        ok, text = run(aloop, box.run_test())
        assert not ok and "refused" in text
        # A key in two parts needs both: the missing part is named, nothing is sent.
        kling = dialog.boxes["kling"]
        kling.inputs["KLING_ACCESS_KEY"].setText("ak-typed")
        ok, text = run(aloop, kling.run_test())
        assert not ok and "KLING_SECRET_KEY" in text
    finally:
        server.stop()


def test_no_provider_row_is_clipped(qtbot) -> None:
    dialog = KeysDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for box in dialog.boxes.values():
        for button in (box.store_button, box.test_button):
            assert button.height() >= button.sizeHint().height(), box.name
            assert box.rect().contains(button.geometry()), box.name
