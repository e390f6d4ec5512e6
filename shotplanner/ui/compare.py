"""Two takes side by side, played in sync, with their prompts and settings and what differs.

One transport drives both players: play, pause, restart, loop and scrub apply to both. Both players
decode with PyAV and show their frames by one :class:`SharedClock`, so they are never more than the frame
on screen apart (two independent engines drifted ~21 frames in a 10 s clip). Each side can circle its
take for the cut; Escape closes the window. Settings read as a person would say them ("with sound",
"start image: door.png"), not as Python values.
"""

from __future__ import annotations

import difflib
import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from shotplanner.core.confine import inside
from shotplanner.core.models import Take, fps_label
from shotplanner.ui.player import Player, SharedClock, multimedia_backend
from shotplanner.ui.player_widget import PlayerWidget

#: Settings shown in the comparison, in this order, and how to label them.
SETTING_LABELS = {
    "provider_model": "Endpoint",
    "duration_s": "Duration (s)",
    "aspect": "Aspect",
    "resolution": "Resolution",
    "fps": "Frame rate",
    "audio": "Audio",
    "start_image": "Start image",
    "end_image": "End image",
    "reference_images": "References",
}


def _image_name(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("label") or value.get("path")
    return Path(str(value)).name if value else ""


def setting_text(key: str, value: Any) -> str:
    """One setting as a person would say it: "with sound", "5 s", "start image: door.png"."""
    if key == "audio":
        return "with sound" if value else "silent"
    if key == "duration_s" and isinstance(value, int | float):
        return f"{value:g} s"
    if key == "fps" and isinstance(value, int | float):
        return f"{fps_label(float(value))} fps"
    if key in ("start_image", "end_image"):
        what = "start image" if key == "start_image" else "end image"
        name = _image_name(value)
        return f"{what}: {name}" if name else f"no {what}"
    if key == "reference_images":
        names = [_image_name(v) for v in value] if isinstance(value, list) else []
        names = [n for n in names if n]
        if not names:
            return "no reference images"
        return f"{len(names)} reference image{'s' if len(names) > 1 else ''} ({', '.join(names)})"
    if key == "provider_model":
        return f"endpoint {value}"
    if isinstance(value, bool):
        return f"{SETTING_LABELS.get(key, key).lower()}: {'yes' if value else 'no'}"
    if value is None or value == "" or value == []:
        return f"{SETTING_LABELS.get(key, key).lower()}: not set"
    if key in ("aspect", "resolution"):
        return str(value)
    return f"{SETTING_LABELS.get(key, key).lower()}: {value}"


def settings_line(take: Take) -> str:
    return " · ".join(setting_text(k, take.settings[k]) for k in SETTING_LABELS if k in take.settings)


def differences(a: Take, b: Take) -> list[str]:
    """Human-readable list of what differs between two takes (model, provider, prompt, settings)."""
    out: list[str] = []
    if a.model_id != b.model_id:
        out.append(f"Model: {a.model_id} on the left, {b.model_id} on the right")
    if a.provider != b.provider:
        out.append(f"Provider: {a.provider} on the left, {b.provider} on the right")
    if a.prompt != b.prompt:
        out.append("Prompt differs (changes highlighted)")
    for key in [*SETTING_LABELS, *sorted(set(a.settings) | set(b.settings))]:
        if key in SETTING_LABELS and key not in a.settings and key not in b.settings:
            continue
        va, vb = a.settings.get(key), b.settings.get(key)
        label = SETTING_LABELS.get(key, key)
        line = f"{label}: {setting_text(key, va)} on the left, {setting_text(key, vb)} on the right"
        if va != vb and line not in out:
            out.append(line)
    return out


def prompt_diff_html(a: str, b: str) -> tuple[str, str]:
    """Each prompt as HTML with the words the other lacks highlighted."""
    wa, wb = a.split(), b.split()
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=wa, b=wb, autojunk=False).get_opcodes():
        ta = html.escape(" ".join(wa[i1:i2]))
        tb = html.escape(" ".join(wb[j1:j2]))
        if op == "equal":
            left.append(ta)
            right.append(tb)
            continue
        if ta:
            left.append(f"<span style='background:#6b2a2a;color:#fff'>{ta}</span>")
        if tb:
            right.append(f"<span style='background:#245c34;color:#fff'>{tb}</span>")
    return " ".join(left), " ".join(right)


class _Side(QWidget):
    def __init__(self, clock: SharedClock) -> None:
        super().__init__()
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        # PyAV on both sides when it is there: only it can follow a shared clock frame by frame.
        backend = "pyav" if multimedia_backend() != "none" else "none"
        self.player = PlayerWidget(Player(self, backend=backend), controls=False)
        self.player.player.shared_clock = clock
        self.circle_button = QPushButton("Circle this take")
        self.circle_button.setCheckable(True)
        self.circle_button.setToolTip("Use this take in the cut (export and film playback)")
        self.prompt = QTextBrowser()
        self.prompt.setMaximumHeight(110)
        self.settings = QLabel()
        self.settings.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.player, 1)
        lay.addWidget(self.circle_button)
        lay.addWidget(self.prompt)
        lay.addWidget(self.settings)


class CompareView(QWidget):
    #: (take id, circle it?) — the hub turns it into one undo step on the shot.
    circleRequested = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare takes")
        self.clock = SharedClock()
        self.left = _Side(self.clock)
        self.right = _Side(self.clock)
        self.play_button = QPushButton("Play both")
        self.restart_button = QPushButton("From the start")
        self.loop_box = QCheckBox("Loop")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.diff_label = QLabel()
        self.diff_label.setWordWrap(True)
        self.takes: tuple[Take, Take] | None = None

        sides = QGridLayout()
        sides.addWidget(self.left, 0, 0)
        sides.addWidget(self.right, 0, 1)
        bar = QHBoxLayout()
        for w in (self.restart_button, self.play_button, self.loop_box):
            bar.addWidget(w)
        bar.addWidget(self.slider, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(sides, 1)
        lay.addLayout(bar)
        lay.addWidget(QLabel("<b>What differs</b>"))
        lay.addWidget(self.diff_label)

        a, b = self.left.player.player, self.right.player.player
        self.play_button.clicked.connect(self.toggle)
        self.restart_button.clicked.connect(self.restart)
        self.slider.sliderMoved.connect(self.seek)
        a.durationChanged.connect(lambda _ms: self.slider.setRange(0, self.duration_ms))
        b.durationChanged.connect(lambda _ms: self.slider.setRange(0, self.duration_ms))
        # The clock drives the transport: the slider, the end of the longer take, the loop.
        self._tick = QTimer(self)
        self._tick.setInterval(30)
        self._tick.timeout.connect(self._follow_clock)
        for side in (self.left, self.right):
            side.circle_button.toggled.connect(lambda on, s=side: self._circle(s, on))
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, self.toggle)

    @property
    def players(self) -> tuple[Any, Any]:
        return self.left.player.player, self.right.player.player

    @property
    def duration_ms(self) -> int:
        a, b = self.players
        longest: int = max(a.duration_ms, b.duration_ms)
        return longest

    @property
    def playing(self) -> bool:
        return self.clock.running

    def _circle(self, side: _Side, on: bool) -> None:
        if self.takes is None:
            return
        take = self.takes[0] if side is self.left else self.takes[1]
        if take.circled != on:
            self.circleRequested.emit(take.id, on)

    def update_takes(self, a: Take, b: Take) -> None:
        """The takes changed (one was circled): refresh the buttons, keep playing."""
        self.takes = (a, b)
        for side, take in ((self.left, a), (self.right, b)):
            side.circle_button.blockSignals(True)
            side.circle_button.setChecked(take.circled)
            side.circle_button.setText("Circled ◯" if take.circled else "Circle this take")
            side.circle_button.blockSignals(False)

    def set_takes(self, folder: Path | None, a: Take, b: Take, labels: tuple[str, str] = ("A", "B")) -> None:
        self.takes = (a, b)
        left_html, right_html = prompt_diff_html(a.prompt, b.prompt)
        for side, take, label, prompt in (
            (self.left, a, labels[0], left_html),
            (self.right, b, labels[1], right_html),
        ):
            side.title.setText(f"{label} — {take.model_id} via {take.provider}")
            side.prompt.setHtml(prompt or "<i>no prompt recorded</i>")
            side.settings.setText(settings_line(take))
            clip = inside(folder, take.clip) if folder is not None else None
            poster = inside(folder, take.poster) if folder is not None else None
            side.player.set_clip(clip, poster)
        diffs = differences(a, b)
        self.diff_label.setText(
            "<br>".join(html.escape(d) for d in diffs) if diffs else "Nothing: same request."
        )
        self.update_takes(a, b)
        self.clock.stop()
        self.clock.set(0)
        self.play_button.setText("Play both")

    def play(self) -> None:
        start = self.clock.now()
        if self.duration_ms and start >= self.duration_ms:
            start = 0
        for p in self.players:
            p.seek(start)  # both from the same frame, then both follow the one clock
            p.play()
        self.clock.start(start)
        self._tick.start()
        self.play_button.setText("Pause")

    def pause(self) -> None:
        self.clock.stop()
        self._tick.stop()
        for p in self.players:
            p.pause()
        self.play_button.setText("Play both")

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def restart(self) -> None:
        self.clock.set(0)
        self.clock.stop()
        self.play()

    def seek(self, ms: int) -> None:
        self.clock.set(ms)
        for p in self.players:
            p.seek(ms)
            if self.playing and not p.playing:
                p.play()

    def _follow_clock(self) -> None:
        now = self.clock.now()
        if not self.slider.isSliderDown():
            self.slider.setValue(min(now, self.duration_ms))
        if self.duration_ms and now >= self.duration_ms:
            if self.loop_box.isChecked():
                self.clock.set(0)
                for p in self.players:
                    p.seek(0)
                    p.play()
            else:
                self.pause()
                self.clock.set(self.duration_ms)

    def keyPressEvent(self, event: Any) -> None:
        # Escape reaches here from any child that does not use it (buttons, the slider, the players).
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: Any) -> None:
        self.pause()
        for p in self.players:
            p.close()
        super().closeEvent(event)
