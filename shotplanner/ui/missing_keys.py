"""Keys where they are needed: when a plan needs a provider whose key is not set up, say so by name and
offer Generate ▸ Keys, before anything is sent.

The planner (``generation.planner``) marks such jobs unsendable and names their providers in
``Plan.missing_keys``; the controller emits them (``keysMissing``). This dialog lists each provider with
the shots waiting for it and where its key would come from; "Set up keys…" opens the Keys dialog. The
jobs are not queued: once the key is stored, Generate sends them (no take was created meanwhile).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from shotplanner.generation.secrets import ENV_VARS

LABELS = {"fal": "fal.ai", "replicate": "Replicate", "kling": "Kling"}


def missing_keys_text(providers: Iterable[str], shots: dict[str, list[str]] | None = None) -> str:
    """One sentence per provider: which key is missing, which shots wait for it."""
    lines = []
    for name in sorted(providers):
        variables = " and ".join(ENV_VARS.get(name, (name,)))
        waiting = (shots or {}).get(name, [])
        which = f" for shot{'s' if len(waiting) > 1 else ''} {', '.join(waiting)}" if waiting else ""
        lines.append(f"No {LABELS.get(name, name)} key ({variables}) is set up{which}.")
    return "\n".join(lines)


class KeysNeededDialog(QDialog):
    """Non-modal: names the missing keys and opens the Keys dialog; nothing was sent."""

    def __init__(self, providers: frozenset[str], shots: dict[str, list[str]],
                 open_keys: Callable[[], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keysNeeded")
        self.setWindowTitle("A key is needed")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.providers = providers
        self.label = QLabel(missing_keys_text(providers, shots)
                            + "\n\nNothing was sent for these shots. Set up the key, then Generate again.")
        self.label.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.keys_button = buttons.addButton("Set up keys…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.keys_button.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.accepted.connect(open_keys)
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)
        lay.addWidget(buttons)
        self.resize(460, 180)
