"""The views of a :class:`~shotplanner.ui.player.Player`: ``VideoView`` paints its frames (or the
poster), ``PlayerWidget`` adds the transport controls (play, frame step, scrub, loop, mute).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shotplanner.ui.player import Player


class VideoView(QWidget):
    """Paints the player's latest frame letterboxed; the poster (and a message) when there is none.

    A plain painted widget rather than ``QVideoWidget``: it works with either engine, offscreen, and
    ``grab()`` captures it (a native video surface would come out black in screenshots).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.poster: QPixmap | None = None
        self.message = ""
        self.highlight = ""
        self.setMinimumSize(160, 90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(480, 270)

    def set_image(self, image: QImage | None) -> None:
        self.image = image
        self.update()

    def set_poster(self, path: Path | None) -> None:
        pixmap = QPixmap(str(path)) if path is not None and Path(path).is_file() else None
        self.poster = pixmap if pixmap is not None and not pixmap.isNull() else None
        self.update()

    def set_message(self, text: str) -> None:
        self.message = text
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#111"))
        picture: QImage | QPixmap | None = self.image if self.image is not None else self.poster
        if picture is not None and not picture.isNull():
            size = picture.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (self.width() - size.width()) // 2
            y = (self.height() - size.height()) // 2
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            target = QRect(x, y, size.width(), size.height())
            if isinstance(picture, QImage):
                p.drawImage(target, picture)
            else:
                p.drawPixmap(target, picture)
        text = self.message if picture is None or self.message else ""
        if not text and picture is None:
            text = "No clip yet"
        if text:
            p.setPen(QColor("#ddd"))
            p.drawText(
                self.rect().adjusted(12, 12, -12, -12),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                text,
            )
        if self.highlight:
            p.setPen(QColor("#f0c040"))
            p.drawText(self.rect().adjusted(8, 6, -8, -6), int(Qt.AlignmentFlag.AlignLeft), self.highlight)
        p.end()


def ms_text(ms: int) -> str:
    seconds, rest = divmod(max(0, ms), 1000)
    return f"{seconds // 60}:{seconds % 60:02d}.{rest // 100}"


class PlayerWidget(QWidget):
    """A ``VideoView`` with transport controls over one :class:`Player`."""

    def __init__(
        self, player: Player | None = None, parent: QWidget | None = None, *, controls: bool = True
    ) -> None:
        super().__init__(parent)
        self.player = player or Player(self)
        self.view = VideoView()
        style = self.style()
        self.play_button = QToolButton()
        self.play_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setToolTip("Play / pause (Space)")
        self.back_button = QToolButton()
        self.back_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekBackward))
        self.back_button.setToolTip("One frame back")
        self.forward_button = QToolButton()
        self.forward_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward))
        self.forward_button.setToolTip("One frame forward")
        self.loop_box = QCheckBox("Loop")
        self.mute_button = QToolButton()
        self.mute_button.setCheckable(True)
        self.mute_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaVolume))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.time_label = QLabel("0:00.0 / 0:00.0")
        self.time_label.setMinimumWidth(110)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for w in (self.back_button, self.play_button, self.forward_button):
            bar.addWidget(w)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.time_label)
        bar.addWidget(self.loop_box)
        bar.addWidget(self.mute_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.view, 1)
        self.controls = QWidget()
        self.controls.setLayout(bar)
        self.controls.setVisible(controls)
        lay.addWidget(self.controls)

        p = self.player
        p.frameChanged.connect(self.view.set_image)
        p.positionChanged.connect(self._position)
        p.durationChanged.connect(self._duration)
        p.playingChanged.connect(self._playing)
        p.messageChanged.connect(self.view.set_message)
        self.play_button.clicked.connect(p.toggle)
        self.back_button.clicked.connect(lambda: p.step(-1))
        self.forward_button.clicked.connect(lambda: p.step(1))
        self.loop_box.toggled.connect(p.set_loop)
        self.mute_button.toggled.connect(p.set_muted)
        self.slider.sliderMoved.connect(p.seek)
        if not p.has_sound:
            self.mute_button.setEnabled(False)
            self.mute_button.setToolTip("This preview plays no sound (QtMultimedia is not installed)")
        else:
            self.mute_button.setToolTip("Mute")
        self.view.set_message(p.message)

    def set_clip(self, clip: Path | None, poster: Path | None = None) -> None:
        self.view.set_image(None)
        self.view.set_poster(poster)
        self.player.load(clip)
        self.view.set_message(self.player.message)
        enabled = clip is not None and self.player.backend != "none"
        for w in (self.play_button, self.back_button, self.forward_button, self.slider):
            w.setEnabled(enabled)

    def _position(self, ms: int) -> None:
        if not self.slider.isSliderDown():
            self.slider.setValue(ms)
        self.time_label.setText(f"{ms_text(ms)} / {ms_text(self.player.duration_ms)}")

    def _duration(self, ms: int) -> None:
        self.slider.setRange(0, ms)
        self.time_label.setText(f"{ms_text(self.player.position_ms)} / {ms_text(ms)}")

    def _playing(self, playing: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))

    def closeEvent(self, event: Any) -> None:
        self.player.close()
        super().closeEvent(event)
