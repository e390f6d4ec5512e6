"""Play the film: every shot in storyboard order, from any shot, using what the cut uses.

Each shot contributes ``Shot.cut_take()`` (the circled take, else the newest generated take, else its
animatic). A shot with nothing to play holds a slate for its planned duration, so the timing of the film
stays true. :attr:`FilmPlayer.currentShotChanged` lets the window highlight the card being played.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from shotplanner.core.confine import inside
from shotplanner.core.storyboard import Storyboard
from shotplanner.ui.player import PlayerWidget


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
        out.append(
            FilmEntry(
                shot.id,
                shot.number,
                clip,
                max(0.5, shot.duration_s),
                take.id if take is not None and clip is not None else None,
            )
        )
    return out


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
        self.play_button = QPushButton("Play from the selected shot")
        self.stop_button = QPushButton("Stop")
        self.prev_button = QPushButton("◀ Previous shot")
        self.next_button = QPushButton("Next shot ▶")
        bar = QHBoxLayout()
        for w in (self.prev_button, self.play_button, self.stop_button, self.next_button):
            bar.addWidget(w)
        bar.addWidget(self.now_label, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.player, 1)
        lay.addLayout(bar)
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

    def play_from(self, shot_id: str | None = None) -> None:
        self.playlist = film_playlist(self.sb, self.project_dir())
        start = next((i for i, e in enumerate(self.playlist) if e.shot_id == shot_id), 0)
        self._go(start)

    def next(self) -> None:
        if self.index >= 0:
            self._go(self.index + 1)

    def stop(self) -> None:
        self._slate.stop()
        self.player.player.pause()
        self.index = -1
        self.now_label.setText("Stopped")

    def _go(self, index: int) -> None:
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
        if entry.clip is None:
            self.player.set_clip(None)
            self.player.view.set_image(slate_image(entry))
            self._slate.start(round(entry.duration_s * 1000))
            return
        self.player.set_clip(entry.clip)
        self.player.player.play()

    def closeEvent(self, event: object) -> None:
        self.stop()
        self.player.player.close()
        super().closeEvent(event)  # type: ignore[arg-type]
