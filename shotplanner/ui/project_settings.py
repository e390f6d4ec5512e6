"""File ▸ Project settings: the film's title, frame rate, default aspect and default resolution.

The frame rate is the film's (the cut, the timeline exports and the film animatic use it) and, with the
aspect and resolution, what a new shot starts with. "Apply the frame rate to every shot" sets the shots
too. OK applies everything as one undo step (:class:`ProjectSettingsCommand`); the dialog is non-modal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from shotplanner.core.models import ASPECT_RATIOS, FRAME_RATES, RESOLUTIONS, fps_label, is_ntsc
from shotplanner.core.storyboard import Storyboard

if TYPE_CHECKING:
    from shotplanner.ui.main_window import MainWindow


def fps_choice_label(fps: float) -> str:
    return f"{fps_label(fps)} fps" + (" (NTSC)" if is_ntsc(fps) else "")


def fill_frame_rates(combo: QComboBox, current: float) -> None:
    """The crew's frame rates (23.976 … 60); an unusual current rate stays listed so it is not lost."""
    combo.clear()
    rates = list(FRAME_RATES)
    if not any(abs(current - r) < 1e-3 for r in rates):
        rates = sorted([*rates, current])
    for rate in rates:
        combo.addItem(fps_choice_label(rate), rate)
    combo.setCurrentIndex(min(range(len(rates)), key=lambda i: abs(rates[i] - current)))


class ProjectSettingsCommand(QUndoCommand):
    """Project fields, and optionally every shot's frame rate, changed as one step."""

    def __init__(self, sb: Storyboard, fields: dict[str, Any], shots_fps: float | None) -> None:
        super().__init__("Change project settings")
        self._sb = sb
        self._fields = fields
        self._shots_fps = shots_fps
        self._old: dict[str, Any] = {}
        self._old_fps: dict[str, float] = {}

    def redo(self) -> None:
        self._old = self._sb.update_project(**self._fields)
        if self._shots_fps is not None:
            self._old_fps = {}
            for shot in self._sb.shots():
                if shot.fps != self._shots_fps:
                    self._old_fps[shot.id] = shot.fps
                    self._sb.update_shot(shot.id, fps=self._shots_fps)

    def undo(self) -> None:
        for shot_id, fps in self._old_fps.items():
            self._sb.update_shot(shot_id, fps=fps)
        self._sb.update_project(**self._old)


class ProjectSettingsDialog(QDialog):
    def __init__(self, window: MainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setObjectName("projectSettings")
        self.setWindowTitle("Project settings")
        self.window_ = window
        project = window.storyboard.project
        self.title_edit = QLineEdit(project.title)
        self.fps_combo = QComboBox()
        fill_frame_rates(self.fps_combo, project.fps)
        self.aspect_combo = QComboBox()
        self.aspect_combo.addItems(list(ASPECT_RATIOS))
        self.aspect_combo.setCurrentText(project.aspect)
        self.resolution_combo = QComboBox()
        self.resolution_combo.addItems(list(RESOLUTIONS))
        self.resolution_combo.setCurrentText(project.resolution)
        self.apply_fps_box = QCheckBox("Also set every shot to this frame rate")
        self.message = QLabel()
        self.message.setObjectName("lintLabel")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Title", self.title_edit)
        form.addRow("Frame rate", self.fps_combo)
        form.addRow("", self.apply_fps_box)
        form.addRow("Default aspect", self.aspect_combo)
        form.addRow("Default resolution", self.resolution_combo)
        hint = QLabel("New shots start with the default aspect and resolution; the cut and the film "
                      "animatic run at the project's frame rate.")
        hint.setObjectName("hintLabel")
        hint.setWordWrap(True)
        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok_cancel)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(hint)
        lay.addWidget(self.message)
        lay.addWidget(buttons)

    def values(self) -> dict[str, Any]:
        return {"title": self.title_edit.text().strip(), "fps": float(self.fps_combo.currentData()),
                "aspect": self.aspect_combo.currentText(), "resolution": self.resolution_combo.currentText()}

    def apply(self) -> bool:
        values = self.values()
        if not values["title"]:
            self.message.setText("Give the project a title.")
            return False
        project = self.window_.storyboard.project
        changed = {k: v for k, v in values.items() if getattr(project, k) != v}
        shots_fps = values["fps"] if self.apply_fps_box.isChecked() else None
        if changed or shots_fps is not None:
            self.window_.undo_stack.push(ProjectSettingsCommand(self.window_.storyboard, changed, shots_fps))
        self.accept()
        return True


def open_project_settings(window: MainWindow) -> ProjectSettingsDialog:
    dialog = ProjectSettingsDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window._settings_dialog = dialog  # type: ignore[attr-defined]
    dialog.open()
    return dialog
