"""Play the film: every shot in storyboard order, from any shot, using what the cut uses.

Each shot contributes ``Shot.cut_take()`` (the circled take, else the newest generated take, else its
animatic). A shot with nothing to play holds a slate for its planned duration, so the timing of the film
stays true. :attr:`FilmPlayer.currentShotChanged` lets the window highlight the card being played.

A scrub bar spans the whole film (drag it to any moment of any shot), beside the running time of the film
("0:12.4 / 1:45.0"); Space plays or pauses, Escape stops and closes the window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from shotplanner.core.confine import inside
from shotplanner.core.storyboard import Storyboard
from shotplanner.ui.player_widget import PlayerWidget, ms_text


@dataclass(frozen=True, slots=True)
class FilmEntry:
    shot_id: str
    number: str
    clip: Path | None  # None: a slate held for ``duration_s``
    duration_s: float
    take_id: str | None


def film_playlist(storyboard: Storyboard, folder: Path | None) -> list[FilmEntry]:
    out = []
    for shot in storyboard.shots():
        take = shot.cut_take()
        clip = inside(folder, take.clip) if take is not None and folder is not None else None
        if clip is not None and not clip.is_file():
            clip = None
        duration = max(0.5, shot.duration_s)
        if clip is not None:
            duration = _clip_seconds(clip) or duration  # the film runs as long as what it plays
        out.append(
            FilmEntry(
                shot.id,
                shot.number,
                clip,
                duration,
                take.id if take is not None and clip is not None else None,
            )
        )
    return out


def _clip_seconds(clip: Path) -> float:
    from shotplanner.media.errors import MediaError
    from shotplanner.media.probe import probe

    try:
        return probe(clip).duration_s
    except (MediaError, OSError):
        return 0.0


def slate_image(entry: FilmEntry, size: tuple[int, int] = (640, 360)) -> QImage:
    image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
    image.fill(QColor("#1d1d1d"))
    p = QPainter(image)
    p.setPen(QColor("#e0e0e0"))
    font = QFont()
    font.setPointSize(22)
    p.setFont(font)
    p.drawText(image.rect(), 0x84, f"Shot {entry.number}\nno take yet")  # AlignCenter
    p.end()
    return image


class FilmPlayer(QWidget):
    currentShotChanged = Signal(str)
    finished = Signal()

    def __init__(
        self, storyboard: Storyboard, project_dir: Callable[[], Path | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Play the film")
        self.sb = storyboard
        self.project_dir = project_dir
        self.playlist: list[FilmEntry] = []
        self.index = -1
        self.player = PlayerWidget(controls=False)
        self.now_label = QLabel()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("filmScrub")
        self.slider.setRange(0, 0)
        self.slider.setToolTip("The whole film: drag to any moment of any shot")
        self.time_label = QLabel("0:00.0 / 0:00.0")
        self.time_label.setMinimumWidth(120)
        self.starts_ms: list[int] = []
        self.total_ms = 0
        self._slate_clock = QElapsedTimer()
        self._slate_from = 0
        self.play_button = QPushButton("Play from the selected shot")
        self.stop_button = QPushButton("Stop")
        self.prev_button = QPushButton("◀ Previous shot")
        self.next_button = QPushButton("Next shot ▶")
        bar = QHBoxLayout()
        for w in (self.prev_button, self.play_button, self.stop_button, self.next_button):
            bar.addWidget(w)
        bar.addWidget(self.now_label, 1)
        scrub = QHBoxLayout()
        scrub.addWidget(self.slider, 1)
        scrub.addWidget(self.time_label)
        lay = QVBoxLayout(self)
        lay.addWidget(self.player, 1)
        lay.addLayout(scrub)
        lay.addLayout(bar)
        self._ticker = QTimer(self)
        self._ticker.setInterval(100)
        self._ticker.timeout.connect(self._show_time)
        self.slider.sliderMoved.connect(self.scrub)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, self._toggle)
        self._slate = QTimer(self)
        self._slate.setSingleShot(True)
        self._slate.timeout.connect(self.next)
        self.player.player.ended.connect(self.next)
        self.stop_button.clicked.connect(self.stop)
        self.prev_button.clicked.connect(lambda: self._go(self.index - 1))
        self.next_button.clicked.connect(self.next)
        #: The window sets this to "the selected shot" so the button plays from there.
        self.start_shot: Callable[[], str | None] = lambda: None
        self.play_button.clicked.connect(lambda: self.play_from(self.start_shot()))

    @property
    def playing(self) -> bool:
        return self.index >= 0

    def current(self) -> FilmEntry | None:
        return self.playlist[self.index] if 0 <= self.index < len(self.playlist) else None

    def _load_playlist(self) -> None:
        self.playlist = film_playlist(self.sb, self.project_dir())
        self.starts_ms = []
        at = 0
        for entry in self.playlist:
            self.starts_ms.append(at)
            at += round(entry.duration_s * 1000)
        self.total_ms = at
        self.slider.setRange(0, self.total_ms)

    def play_from(self, shot_id: str | None = None) -> None:
        self._load_playlist()
        start = next((i for i, e in enumerate(self.playlist) if e.shot_id == shot_id), 0)
        self._go(start)

    def position_ms(self) -> int:
        """Where the film is, from its first frame."""
        entry = self.current()
        if entry is None:
            return 0
        into = self.player.player.position_ms if entry.clip is not None else (
            self._slate_from + (self._slate_clock.elapsed() if self._slate.isActive() else 0))
        return self.starts_ms[self.index] + min(into, round(entry.duration_s * 1000))

    def scrub(self, ms: int) -> None:
        """Go to ``ms`` into the film (any shot) and play on from there."""
        if not self.playlist:
            self._load_playlist()
        if not self.playlist:
            return
        ms = max(0, min(int(ms), self.total_ms - 1))
        index = max(i for i, start in enumerate(self.starts_ms) if start <= ms)
        self._go(index, ms - self.starts_ms[index])

    def _toggle(self) -> None:
        if not self.playing:
            self.play_from(self.start_shot())
            return
        engine = self.player.player
        engine.pause() if engine.playing else engine.play()

    def _show_time(self) -> None:
        now = self.position_ms()
        if not self.slider.isSliderDown():
            self.slider.setValue(now)
        self.time_label.setText(f"{ms_text(now)} / {ms_text(self.total_ms)}")

    def next(self) -> None:
        if self.index >= 0:
            self._go(self.index + 1)

    def stop(self) -> None:
        self._slate.stop()
        self._ticker.stop()
        self.player.player.pause()
        self.index = -1
        self.now_label.setText("Stopped")

    def _go(self, index: int, offset_ms: int = 0) -> None:
        self._slate.stop()
        if not 0 <= index < len(self.playlist):
            self.stop()
            self.now_label.setText("End of the film")
            self.finished.emit()
            return
        self.index = index
        entry = self.playlist[index]
        self.now_label.setText(f"Shot {entry.number} ({index + 1} of {len(self.playlist)})")
        self.currentShotChanged.emit(entry.shot_id)
        self._ticker.start()
        if entry.clip is None:
            self.player.set_clip(None)
            self.player.view.set_image(slate_image(entry))
            self._slate_from = offset_ms
            self._slate_clock.restart()
            self._slate.start(max(1, round(entry.duration_s * 1000) - offset_ms))
            self._show_time()
            return
        self.player.set_clip(entry.clip)
        if offset_ms:
            self.player.player.seek(offset_ms)
        self.player.player.play()
        self._show_time()

    def keyPressEvent(self, event: object) -> None:
        if event.key() == Qt.Key.Key_Escape:  # type: ignore[attr-defined]
            self.close()
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]

    def closeEvent(self, event: object) -> None:
        self.stop()
        self.player.player.close()
        super().closeEvent(event)  # type: ignore[arg-type]
