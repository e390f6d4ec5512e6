"""Keys and providers: where each provider's key comes from, storing one in the keyring, a connection
test, and the concurrency limit.

Keys are never shown in full: the page shows a masked form (the last four characters) so two keys can be
told apart. Storing goes to the OS keyring through ``generation.secrets.store_key`` (never a project or a
settings file). The connection test is harmless: it asks for the status of a job that cannot exist, so
the provider answers "not found" (the key works) or "unauthorised" (it does not) and nothing is billed.
The concurrency limit is a user setting (QSettings); the generation controller applies it. Test connection
uses the key typed in the box when there is one (before it is stored), else the stored one. The provider
boxes scroll, so no row is squeezed on a small screen.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from shotplanner.generation.base import (
    AuthFailed,
    GenerationError,
    MissingKey,
    NetworkError,
    Provider,
)
from shotplanner.generation.secrets import ENV_VARS, _from_keyring, _lookup, key_source, store_key

log = logging.getLogger(__name__)

PROVIDERS = ("fal", "replicate", "kling")
LABELS = {"fal": "fal.ai", "replicate": "Replicate", "kling": "Kling (direct)"}
#: A job id no provider will ever have: polling it is the harmless request of the connection test.
PROBE_ID = {
    "fal": "fal-ai/shotplanner-probe/requests/00000000-0000-0000-0000-000000000000",
    "replicate": "shotplanner-connection-test",
    "kling": "shotplanner-connection-test",
}

#: ``factory(name, keys)``: a provider for ``name``; ``keys`` typed in the dialog, or None to look them up.
ProviderFactory = Callable[[str, tuple[str, ...] | None], Provider]


def mask(value: str | None) -> str:
    """'••••' plus the last four characters (nothing of a short key)."""
    if not value:
        return ""
    return "••••" + (value[-4:] if len(value) >= 12 else "")


def masked_key(provider: str) -> str:
    parts = [mask(_lookup(var)[0]) for var in ENV_VARS.get(provider, ())]
    return " / ".join(p for p in parts if p)


def _settings() -> QSettings:
    return QSettings("Shotplanner", "Shotplanner")


def concurrency_limit(provider: str) -> int | None:
    """The user's limit for ``provider`` (None: the provider's default)."""
    value = _settings().value(f"providers/{provider}/max_concurrency")
    try:
        limit = int(value) if value is not None else 0
    except (TypeError, ValueError):
        return None
    return limit if limit > 0 else None


def set_concurrency_limit(provider: str, limit: int) -> None:
    settings = _settings()
    settings.setValue(f"providers/{provider}/max_concurrency", int(limit))
    settings.sync()


async def test_connection(provider: Provider) -> tuple[bool, str]:
    """Poll a job that cannot exist: (True, why) when the key was accepted, (False, why) otherwise."""
    try:
        await provider.poll(PROBE_ID.get(provider.name, "shotplanner-connection-test"))
    except MissingKey as exc:
        return False, exc.message
    except AuthFailed as exc:
        return False, f"the key was refused: {exc.message}"
    except NetworkError as exc:
        return False, f"cannot reach {provider.name}: {exc.message}"
    except GenerationError as exc:
        # Not found / bad request about our made-up id: the provider read the key and answered.
        return True, f"connected; the key was accepted ({exc.message[:80]})"
    return True, "connected; the key was accepted"


def _default_factory(name: str, keys: tuple[str, ...] | None = None) -> Provider:
    from shotplanner.generation.registry import create_provider

    return create_provider(name, keys=keys) if keys else create_provider(name)


class ProviderBox(QGroupBox):
    def __init__(self, name: str, dialog: KeysDialog) -> None:
        super().__init__(LABELS.get(name, name))
        self.name = name
        self.dialog = dialog
        grid = QGridLayout(self)
        self.source_label = QLabel()
        self.masked_label = QLabel()
        self.masked_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        grid.addWidget(QLabel("Key source:"), 0, 0)
        grid.addWidget(self.source_label, 0, 1)
        grid.addWidget(self.masked_label, 0, 2)
        self.inputs: dict[str, QLineEdit] = {}
        row = 1
        for var in ENV_VARS[name]:
            edit = QLineEdit()
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setPlaceholderText(f"paste {var} to store it in the keyring")
            self.inputs[var] = edit
            grid.addWidget(QLabel(var), row, 0)
            grid.addWidget(edit, row, 1, 1, 2)
            row += 1
        buttons = QHBoxLayout()
        self.store_button = QPushButton("Store in keyring")
        self.test_button = QPushButton("Test connection")
        self.limit = QSpinBox()
        self.limit.setRange(1, 32)
        self.limit.setPrefix("at most ")
        self.limit.setSuffix(" at once")
        buttons.addWidget(self.store_button)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(QLabel("Concurrency:"))
        buttons.addWidget(self.limit)
        grid.addLayout(buttons, row, 0, 1, 3)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        grid.addWidget(self.result_label, row + 1, 0, 1, 3)
        self.store_button.clicked.connect(self.store)
        self.test_button.clicked.connect(self.test)
        self.limit.valueChanged.connect(self._limit_changed)
        self.refresh()

    def refresh(self) -> None:
        source = key_source(self.name)
        text = {"environment": "environment variable", "keyring": "OS keyring", "missing": "missing"}.get(
            source, source
        )
        self.source_label.setText(text)
        self.source_label.setStyleSheet("color: #c8553d; font-weight: bold;" if source == "missing" else "")
        self.masked_label.setText(masked_key(self.name))
        self.limit.blockSignals(True)
        self.limit.setValue(concurrency_limit(self.name) or self.dialog.default_limit(self.name))
        self.limit.blockSignals(False)

    def store(self) -> bool:
        values = {var: edit.text().strip() for var, edit in self.inputs.items() if edit.text().strip()}
        if not values:
            self.result_label.setText("Paste a key first.")
            return False
        try:
            for var, value in values.items():
                store_key(var, value)
                # Some backends (the null keyring, a locked store) accept silently and keep nothing.
                if _from_keyring(var) != value:
                    raise RuntimeError("the keyring did not keep it")
        except Exception as exc:  # no keyring backend, locked, refused: say so; the pasted key stays
            log.info("keyring store failed for %s: %s", self.name, type(exc).__name__)
            self.result_label.setText(
                f"The keyring would not store the key ({exc.__class__.__name__}). "
                f"Set {' and '.join(ENV_VARS[self.name])} in the environment instead."
            )
            return False
        for edit in self.inputs.values():
            edit.clear()
        self.result_label.setText("Stored in the keyring.")
        self.refresh()
        return True

    def test(self) -> None:
        self.result_label.setText("Testing…")
        self.test_button.setEnabled(False)
        self.dialog.spawn(self.run_test())

    def typed_keys(self) -> tuple[tuple[str, ...] | None, str]:
        """The key parts typed here (a part left empty comes from where it is stored); (None, why) when
        a typed key cannot be completed. (None, "") when nothing is typed: the stored key is tested."""
        typed = {var: edit.text().strip() for var, edit in self.inputs.items()}
        if not any(typed.values()):
            return None, ""
        parts: list[str] = []
        for var, value in typed.items():
            value = value or (_lookup(var)[0] or "")
            if not value:
                return None, f"Type {var} too: the test needs every part of the key."
            parts.append(value)
        return tuple(parts), ""

    async def run_test(self) -> tuple[bool, str]:
        keys, problem = self.typed_keys()
        if problem:
            self.result_label.setText("✘ " + problem)
            self.result_label.setStyleSheet("color: #c8553d;")
            self.test_button.setEnabled(True)
            return False, problem
        provider = self.dialog.factory(self.name, keys)
        try:
            ok, text = await test_connection(provider)
        finally:
            await provider.aclose()
            self.test_button.setEnabled(True)
        if keys is not None:
            text += " (the key typed here; Store it to keep it)" if ok else " (the key typed here)"
        self.result_label.setText(("✔ " if ok else "✘ ") + text)
        self.result_label.setStyleSheet("" if ok else "color: #c8553d;")
        return ok, text

    def _limit_changed(self, value: int) -> None:
        set_concurrency_limit(self.name, value)
        self.dialog.limitChanged(self.name, value)


class KeysDialog(QDialog):
    """Settings page for providers; open it with ``show()``."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        factory: ProviderFactory | None = None,
        on_limit: Callable[[str, int], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keys and providers")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.factory = factory or _default_factory
        self._on_limit = on_limit
        self._tasks: set[asyncio.Task[Any]] = set()
        lay = QVBoxLayout(self)
        note = QLabel(
            "Keys come from the environment first, then the OS keyring. They are never written "
            "to a project, a log or an error message."
        )
        note.setWordWrap(True)
        lay.addWidget(note)
        self.boxes = {name: ProviderBox(name, self) for name in PROVIDERS}
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 0, 0)
        for box in self.boxes.values():
            column.addWidget(box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        lay.addWidget(scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay.addWidget(buttons)
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        tall = inner.sizeHint().height() + 120
        self.resize(max(620, inner.sizeHint().width() + 40),
                    min(tall, screen.height() - 60) if screen is not None else tall)

    def default_limit(self, name: str) -> int:
        from shotplanner.generation.providers.fal import FalProvider
        from shotplanner.generation.providers.kling import KlingProvider
        from shotplanner.generation.providers.replicate import ReplicateProvider

        classes = {
            "fal": FalProvider,
            "replicate": ReplicateProvider,
            "kling": KlingProvider,
        }
        return int(getattr(classes.get(name), "default_concurrency", 2))

    def limitChanged(self, name: str, value: int) -> None:
        if self._on_limit is not None:
            self._on_limit(name, value)

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
