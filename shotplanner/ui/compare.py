"""Two takes side by side, played in sync, with their prompts and settings and what differs.

One transport drives both players: play, pause, restart, loop and scrub apply to both. While playing,
the right-hand player is nudged back onto the left one's clock whenever they drift more than two frames
apart (two independent decoders never stay exactly together on their own).
"""

from __future__ import annotations

import difflib
import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
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

from shotplanner.core.models import Take
from shotplanner.ui.player import PlayerWidget

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


def differences(a: Take, b: Take) -> list[str]:
    """Human-readable list of what differs between two takes (model, provider, prompt, settings)."""
    out: list[str] = []
    if a.model_id != b.model_id:
        out.append(f"Model: {a.model_id} vs {b.model_id}")
    if a.provider != b.provider:
        out.append(f"Provider: {a.provider} vs {b.provider}")
    if a.prompt != b.prompt:
        out.append("Prompt differs (changes highlighted)")
    for key in [*SETTING_LABELS, *sorted(set(a.settings) | set(b.settings))]:
        if key in SETTING_LABELS and key not in a.settings and key not in b.settings:
            continue
        va, vb = a.settings.get(key), b.settings.get(key)
        label = SETTING_LABELS.get(key, key)
        line = f"{label}: {va} vs {vb}"
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
    def __init__(self) -> None:
        super().__init__()
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.player = PlayerWidget(controls=False)
        self.prompt = QTextBrowser()
        self.prompt.setMaximumHeight(110)
        self.settings = QLabel()
        self.settings.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.player, 1)
        lay.addWidget(self.prompt)
        lay.addWidget(self.settings)


class CompareView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare takes")
        self.left = _Side()
        self.right = _Side()
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

        def loop(on: bool) -> None:
            a.set_loop(on)
            b.set_loop(on)

        self.loop_box.toggled.connect(loop)
        self.slider.sliderMoved.connect(self.seek)
        a.durationChanged.connect(lambda _ms: self.slider.setRange(0, max(a.duration_ms, b.duration_ms)))
        b.durationChanged.connect(lambda _ms: self.slider.setRange(0, max(a.duration_ms, b.duration_ms)))
        a.positionChanged.connect(self._left_moved)
        a.playingChanged.connect(lambda on: self.play_button.setText("Pause" if on else "Play both"))

    @property
    def players(self) -> tuple[Any, Any]:
        return self.left.player.player, self.right.player.player

    def set_takes(self, folder: Path | None, a: Take, b: Take, labels: tuple[str, str] = ("A", "B")) -> None:
        self.takes = (a, b)
        left_html, right_html = prompt_diff_html(a.prompt, b.prompt)
        for side, take, label, prompt in (
            (self.left, a, labels[0], left_html),
            (self.right, b, labels[1], right_html),
        ):
            side.title.setText(f"{label} — {take.model_id} via {take.provider}")
            side.prompt.setHtml(prompt or "<i>no prompt recorded</i>")
            rows = [
                f"{SETTING_LABELS.get(k, k)}: {take.settings[k]}"
                for k in SETTING_LABELS
                if k in take.settings
            ]
            side.settings.setText(" · ".join(rows))
            clip = folder / take.clip if folder is not None and take.clip else None
            poster = folder / take.poster if folder is not None and take.poster else None
            side.player.set_clip(clip, poster)
        diffs = differences(a, b)
        self.diff_label.setText(
            "<br>".join(html.escape(d) for d in diffs) if diffs else "Nothing: same request."
        )

    def play(self) -> None:
        a, b = self.players
        b.seek(a.position_ms)
        a.play()
        b.play()

    def pause(self) -> None:
        for p in self.players:
            p.pause()

    def toggle(self) -> None:
        self.pause() if self.players[0].playing else self.play()

    def restart(self) -> None:
        for p in self.players:
            p.seek(0)
        self.play()

    def seek(self, ms: int) -> None:
        for p in self.players:
            p.seek(ms)

    def _left_moved(self, ms: int) -> None:
        a, b = self.players
        if not self.slider.isSliderDown():
            self.slider.setValue(ms)
        if a.playing and b.playing and b.duration_ms > ms and abs(b.position_ms - ms) > 2 * a.frame_ms():
            b.seek(ms)

    def closeEvent(self, event: Any) -> None:
        for p in self.players:
            p.close()
        super().closeEvent(event)
