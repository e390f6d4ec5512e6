"""Edit ▸ Preferences: the user's settings that belong to this computer, not to a film.

- default provider: which provider a model's jobs go to when several offer it (automatic: the first
  one with a key);
- concurrency: how many jobs each provider runs at once (the same setting as Generate ▸ Keys);
- autosave: on or off, and how long after a change;
- theme: follow the system, light or dark.

Stored in the user's Qt settings (``preferences/…``); :func:`apply_preferences` puts them into effect on
a window (and at start-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from shotplanner.ui.style import THEMES, apply_theme

if TYPE_CHECKING:
    from shotplanner.ui.main_window import MainWindow

PROVIDER_CHOICES = (("", "Automatic (the first with a key)"), ("fal", "fal.ai"), ("replicate", "Replicate"),
                    ("kling", "Kling (direct)"))
THEME_LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


def _settings() -> QSettings:
    return QSettings("Shotplanner", "Shotplanner")


@dataclass
class Preferences:
    default_provider: str = ""
    autosave: bool = True
    autosave_delay_s: int = 1
    theme: str = "system"

    @classmethod
    def load(cls) -> Preferences:
        s = _settings()
        prefs = cls()
        provider = str(s.value("preferences/default_provider", "") or "")
        prefs.default_provider = provider if provider in dict(PROVIDER_CHOICES) else ""
        prefs.autosave = str(s.value("preferences/autosave", "true")).lower() not in ("false", "0")
        try:
            prefs.autosave_delay_s = max(1, min(60, int(str(s.value("preferences/autosave_delay_s", 1)))))
        except (TypeError, ValueError):
            prefs.autosave_delay_s = 1
        theme = str(s.value("preferences/theme", "system") or "system")
        prefs.theme = theme if theme in THEMES else "system"
        return prefs

    def save(self) -> None:
        s = _settings()
        s.setValue("preferences/default_provider", self.default_provider)
        s.setValue("preferences/autosave", self.autosave)
        s.setValue("preferences/autosave_delay_s", self.autosave_delay_s)
        s.setValue("preferences/theme", self.theme)
        s.sync()


def apply_preferences(window: MainWindow, prefs: Preferences | None = None) -> Preferences:
    prefs = prefs or Preferences.load()
    window.autosave.set_enabled(prefs.autosave)
    window.autosave.set_delay_ms(prefs.autosave_delay_s * 1000)
    review = getattr(window, "review", None)
    if review is not None:
        review.controller.preferred_provider = prefs.default_provider or None
    app = QApplication.instance()
    if isinstance(app, QApplication) and app.property("shotplanner_theme") != prefs.theme:
        app.setProperty("shotplanner_theme", prefs.theme)
        apply_theme(app, prefs.theme)
    return prefs


class PreferencesDialog(QDialog):
    def __init__(self, window: MainWindow, parent: QWidget | None = None) -> None:
        from shotplanner.ui.keys_dialog import LABELS, PROVIDERS, concurrency_limit

        super().__init__(parent or window)
        self.setObjectName("preferences")
        self.setWindowTitle("Preferences")
        self.window_ = window
        prefs = Preferences.load()
        self.provider_combo = QComboBox()
        for value, label in PROVIDER_CHOICES:
            self.provider_combo.addItem(label, value)
        self.provider_combo.setCurrentIndex(max(0, self.provider_combo.findData(prefs.default_provider)))
        self.autosave_box = QCheckBox("Autosave edits (recoverable after a crash)")
        self.autosave_box.setChecked(prefs.autosave)
        self.delay_spin = QSpinBox()
        self.delay_spin.setRange(1, 60)
        self.delay_spin.setSuffix(" s after a change")
        self.delay_spin.setValue(prefs.autosave_delay_s)
        self.autosave_box.toggled.connect(self.delay_spin.setEnabled)
        self.delay_spin.setEnabled(prefs.autosave)
        self.theme_combo = QComboBox()
        for value in THEMES:
            self.theme_combo.addItem(THEME_LABELS[value], value)
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(prefs.theme)))
        general = QFormLayout()
        general.addRow("Default provider", self.provider_combo)
        general.addRow("", self.autosave_box)
        general.addRow("Autosave", self.delay_spin)
        general.addRow("Theme", self.theme_combo)
        limits = QGroupBox("Jobs at once, per provider")
        grid = QFormLayout(limits)
        self.limit_spins: dict[str, QSpinBox] = {}
        for name in PROVIDERS:
            spin = QSpinBox()
            spin.setRange(1, 32)
            spin.setValue(concurrency_limit(name) or 2)
            self.limit_spins[name] = spin
            grid.addRow(LABELS.get(name, name), spin)
        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok_cancel)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(general)
        lay.addWidget(limits)
        lay.addWidget(buttons)

    def preferences(self) -> Preferences:
        return Preferences(default_provider=str(self.provider_combo.currentData() or ""),
                           autosave=self.autosave_box.isChecked(), autosave_delay_s=self.delay_spin.value(),
                           theme=str(self.theme_combo.currentData()))

    def apply(self) -> None:
        from shotplanner.ui.keys_dialog import concurrency_limit, set_concurrency_limit

        prefs = self.preferences()
        prefs.save()
        review = getattr(self.window_, "review", None)
        for name, spin in self.limit_spins.items():
            if concurrency_limit(name) != spin.value():
                set_concurrency_limit(name, spin.value())
                if review is not None:
                    review.controller.set_concurrency(name, spin.value())
        apply_preferences(self.window_, prefs)
        self.window_.show_message("Preferences saved.")
        self.accept()


def open_preferences(window: MainWindow) -> PreferencesDialog:
    dialog = PreferencesDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window._preferences_dialog = dialog  # type: ignore[attr-defined]
    dialog.open()
    return dialog
