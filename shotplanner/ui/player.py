"""The one small player object every review view uses (takes, compare, film), and its video view.

``Player(QObject)`` hides which engine plays a clip (after Picard's ``ui/player``):

- **QtMultimedia** (``QMediaPlayer`` + ``QAudioOutput`` + ``QVideoSink``) when the module imports and a
  backend reports ``isAvailable()``: sound, hardware decoding.
- **PyAV** otherwise: a decoder thread turns the clip into scaled ``QImage`` frames, the GUI thread shows
  each one when its time comes. No sound (the mute button says so), but every take still plays. The
  PySide6 *Essentials* wheel ships without QtMultimedia, so this is what most installs get.
- **None**: neither works (no PyAV either, or the clip cannot be opened): views show the poster and
  :attr:`Player.message` says why.

Either way the views only see :attr:`Player.frameChanged` (a ``QImage``), ``positionChanged``,
``durationChanged``, ``playingChanged`` and ``ended``. Media objects are created here, synchronously, on
the GUI thread: creating a ``QMediaPlayer`` inside a coroutine under qasync crashed (qasync #85), so the
constructor refuses to run inside an asyncio task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QElapsedTimer, QObject, QRect, QSize, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QApplication,
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

log = logging.getLogger(__name__)

#: Frames are decoded at most this wide: a preview, not a grading monitor.
PREVIEW_WIDTH = 640
#: The GUI clock ticks this often while a clip plays (frames are shown on the first tick after their time).
TICK_MS = 8


def multimedia_backend() -> str:
    """'qt' when QtMultimedia can play here, else 'pyav' when PyAV imports, else 'none'."""
    try:
        from PySide6.QtMultimedia import QMediaPlayer  # noqa: F401  (optional: not in PySide6-Essentials)
    except ImportError:
        pass
    else:
        return "qt"
    try:
        import av  # noqa: F401
    except ImportError:
        return "none"
    return "pyav"


def _refuse_inside_task() -> None:
    app = QApplication.instance()
    if app is not None and QThread.currentThread() != app.thread():
        raise RuntimeError("players are created on the GUI thread")
    try:
        task = asyncio.current_task()
    except RuntimeError:
        task = None
    if task is not None:
        raise RuntimeError("create players outside coroutines (QMediaPlayer in a qasync task crashes)")


# ------------------------------------------------------------------------------------- PyAV engine


@dataclass(frozen=True, slots=True)
class _Meta:
    gen: int
    duration_ms: int
    fps: float
    size: tuple[int, int]


@dataclass(frozen=True, slots=True)
class _Frame:
    """A decoded frame as RGB pixels: the QImage is made on the GUI thread, never in the decoder's."""

    gen: int
    pts_ms: int
    rgb: Any  # numpy array, height × width × 3, uint8

    def to_image(self) -> QImage:
        h, w = self.rgb.shape[:2]
        return QImage(self.rgb.data, w, h, self.rgb.strides[0], QImage.Format.Format_RGB888).copy()


@dataclass(frozen=True, slots=True)
class _End:
    gen: int
    error: str = ""


class _AvDecoder:
    """A thread that decodes from the last requested position into a small bounded queue.

    Each seek bumps a generation number; frames of an older generation are dropped by the reader, so a
    seek never shows a stale frame. The queue is bounded so a paused clip costs no CPU.
    """

    def __init__(self, path: Path, width: int) -> None:
        self.path = path
        self.width = width
        self.out: queue.Queue[_Meta | _Frame | _End] = queue.Queue(maxsize=6)
        self._cond = threading.Condition()
        self._seek: tuple[int, int] | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="preview-decoder", daemon=True)
        self._thread.start()

    def seek(self, gen: int, ms: int) -> None:
        with self._cond:
            self._seek = (gen, max(0, ms))
            self._cond.notify_all()
        # No draining here: the reader drops older generations, and the stream facts (_Meta) must stay.

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        with contextlib.suppress(queue.Empty):
            while True:
                self.out.get_nowait()

    def _pending(self) -> bool:
        return self._stop or self._seek is not None

    def _put(self, item: _Meta | _Frame | _End) -> bool:
        """Queue ``item``; False when a seek or stop arrived while waiting for room."""
        while True:
            if self._pending():
                return False
            try:
                self.out.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue

    def _run(self) -> None:
        import av

        try:
            container = av.open(str(self.path))
        except (av.FFmpegError, OSError) as exc:
            self._fail(f"cannot open {self.path.name}: {exc}")
            return
        with container:
            if not container.streams.video:
                self._fail(f"{self.path.name} has no video")
                return
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            fps = float(stream.average_rate or stream.guessed_rate or 24)
            duration = 0.0
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / 1_000_000
            width = min(self.width, stream.width or self.width)
            height = max(2, 2 * round((stream.height or 2) * width / max(1, stream.width or width) / 2))
            meta = _Meta(-1, round(duration * 1000), fps, (width, height))
            with contextlib.suppress(queue.Full):
                self.out.put(meta, timeout=1.0)
            while True:
                with self._cond:
                    while self._seek is None and not self._stop:
                        self._cond.wait()
                    if self._stop:
                        return
                    assert self._seek is not None
                    gen, target = self._seek
                    self._seek = None
                self._decode_from(container, stream, gen, target, fps, (width, height))

    def _decode_from(
        self, container: Any, stream: Any, gen: int, target: int, fps: float, size: tuple[int, int]
    ) -> None:
        import av

        half = 500 / fps
        try:
            if stream.time_base is not None:
                container.seek(int(target / 1000 / stream.time_base), stream=stream, backward=True)
            last: _Frame | None = None
            for frame in container.decode(stream):
                if self._pending():
                    return
                pts = round((frame.time or 0.0) * 1000)
                rgb = frame.to_ndarray(width=size[0], height=size[1], format="rgb24")
                item = _Frame(gen, pts, rgb)
                if pts < target - half:
                    last = item  # before the target: kept in case the target is past the last frame
                    continue
                last = None
                if not self._put(item):
                    return
            if last is not None and not self._put(last):
                return
        except av.FFmpegError as exc:
            self._put(_End(gen, f"{self.path.name} is damaged: {exc}"))
            return
        self._put(_End(gen))

    def _fail(self, message: str) -> None:
        with contextlib.suppress(queue.Full):
            self.out.put(_End(-1, message), timeout=1.0)


# ------------------------------------------------------------------------------------- the player


class SharedClock:
    """One clock for several PyAV players (compare): each shows the frame due at :meth:`now`, so two
    players never drift apart by more than the frame they are showing, whatever their decoders do."""

    def __init__(self) -> None:
        self._timer = QElapsedTimer()
        self._base_ms = 0
        self.running = False

    def now(self) -> int:
        return self._base_ms + (self._timer.elapsed() if self.running else 0)

    def start(self, at_ms: int | None = None) -> None:
        self._base_ms = self.now() if at_ms is None else max(0, int(at_ms))
        self._timer.restart()
        self.running = True

    def stop(self) -> None:
        self._base_ms = self.now()
        self.running = False

    def set(self, ms: int) -> None:
        self._base_ms = max(0, int(ms))
        self._timer.restart()



class Player(QObject):
    """Play one clip at a time: play/pause, loop, scrub, frame step, mute."""

    frameChanged = Signal(QImage)
    positionChanged = Signal(int)  # ms
    durationChanged = Signal(int)  # ms
    playingChanged = Signal(bool)
    ended = Signal()
    messageChanged = Signal(str)

    def __init__(
        self, parent: QObject | None = None, *, backend: str | None = None, width: int = PREVIEW_WIDTH
    ) -> None:
        super().__init__(parent)
        _refuse_inside_task()
        self.backend = backend or multimedia_backend()
        self.width = width
        self.path: Path | None = None
        self.message = "" if self.backend != "none" else "No video engine here: showing the poster only."
        self.loop = False
        self.muted = False
        self.fps = 24.0
        self.duration_ms = 0
        self.position_ms = 0
        self.playing = False
        self.last_image: QImage | None = None
        self._decoder: _AvDecoder | None = None
        self._decoder_stop: weakref.finalize[[], Player] | None = None
        self._gen = 0
        self._awaiting = False
        self._pending: _Frame | None = None
        self._base_ms = 0
        self._clock = QElapsedTimer()
        #: When set (PyAV only), frames are shown by this clock instead of the player's own.
        self.shared_clock: SharedClock | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._qt: Any = None
        if self.backend == "qt":
            self._make_qt_player()

    # ---------------------------------------------------------------- engine: QtMultimedia

    def _make_qt_player(self) -> None:
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoSink

        player = QMediaPlayer(self)
        if not player.isAvailable():
            # "No QtMultimedia backends found": fall back to decoding with PyAV.
            player.deleteLater()
            self.backend = "pyav" if multimedia_backend() != "none" else "none"
            return
        self._audio = QAudioOutput(self)
        player.setAudioOutput(self._audio)
        self.video_sink = QVideoSink(self)
        player.setVideoSink(self.video_sink)
        self.video_sink.videoFrameChanged.connect(self._qt_frame)
        player.positionChanged.connect(self._qt_position)
        player.durationChanged.connect(self._qt_duration)
        player.playbackStateChanged.connect(
            lambda state: self._set_playing(state == QMediaPlayer.PlaybackState.PlayingState)
        )
        player.mediaStatusChanged.connect(self._qt_status)
        player.errorOccurred.connect(lambda _e, text: self._set_message(text))
        self._qt = player

    def _qt_frame(self, frame: Any) -> None:
        image = frame.toImage()
        if not image.isNull():
            self.last_image = image
            self.frameChanged.emit(image)

    def _qt_position(self, ms: int) -> None:
        self.position_ms = ms
        self.positionChanged.emit(ms)

    def _qt_duration(self, ms: int) -> None:
        self.duration_ms = ms
        self.durationChanged.emit(ms)

    def _qt_status(self, status: Any) -> None:
        from PySide6.QtMultimedia import QMediaMetaData, QMediaPlayer

        if status == QMediaPlayer.MediaStatus.LoadedMedia:
            rate = self._qt.metaData().value(QMediaMetaData.Key.VideoFrameRate)
            self.fps = float(rate) if rate else 24.0
        elif status == QMediaPlayer.MediaStatus.EndOfMedia and not self.loop:
            self.ended.emit()

    # ---------------------------------------------------------------- public API

    @property
    def has_sound(self) -> bool:
        return self.backend == "qt"

    def load(self, path: Path | None) -> None:
        """Show ``path`` from its first frame, paused (None unloads)."""
        self._stop_decoder()
        self.path = Path(path) if path is not None else None
        self.position_ms = 0
        self.duration_ms = 0
        self.last_image = None
        self._set_playing(False)
        if self.path is None:
            return
        if not self.path.is_file():
            self._set_message(f"The clip {self.path.name} is missing from the project's media folder.")
            return
        self._set_message("" if self.backend != "none" else self.message)
        if self.backend == "qt":
            from PySide6.QtCore import QUrl

            self._qt.setSource(QUrl.fromLocalFile(str(self.path)))
            self._qt.pause()
        elif self.backend == "pyav":
            self._decoder = _AvDecoder(self.path, self.width)
            # A player dropped without close() must not leave its decoder thread (and open file) behind.
            self._decoder_stop = weakref.finalize(self, self._decoder.stop)
            self._seek_decoder(0)

    def play(self) -> None:
        if self.path is None or self.backend == "none":
            return
        if self.backend == "qt":
            self._qt.play()
            return
        if self.duration_ms and self.position_ms >= self.duration_ms - self.frame_ms():
            self._seek_decoder(0)
        self._base_ms = self.position_ms
        self._clock.restart()
        self._set_playing(True)
        self._timer.start()

    def pause(self) -> None:
        if self.backend == "qt" and self._qt is not None:
            self._qt.pause()
            return
        self._set_playing(False)
        if not self._awaiting:
            self._timer.stop()

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def stop(self) -> None:
        self.pause()
        self.seek(0)

    def seek(self, ms: int) -> None:
        """Jump to ``ms`` (scrub); keeps playing if it was."""
        ms = max(0, min(int(ms), self.duration_ms or int(ms)))
        if self.backend == "qt" and self._qt is not None:
            self._qt.setPosition(ms)
            return
        if self._decoder is not None:
            self._seek_decoder(ms)

    def frame_ms(self) -> float:
        return 1000.0 / (self.fps or 24.0)

    def step(self, frames: int) -> None:
        """Pause and move ``frames`` frames (negative: back)."""
        self.pause()
        self.seek(round(self.position_ms + frames * self.frame_ms()))

    def set_loop(self, loop: bool) -> None:
        self.loop = loop
        if self.backend == "qt" and self._qt is not None:
            from PySide6.QtMultimedia import QMediaPlayer

            self._qt.setLoops(QMediaPlayer.Loops.Infinite if loop else 1)

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        if self.backend == "qt" and self._qt is not None:
            self._audio.setMuted(muted)

    def close(self) -> None:
        self._timer.stop()
        self._stop_decoder()
        if self._qt is not None:
            self._qt.stop()

    # ---------------------------------------------------------------- PyAV clock

    def _stop_decoder(self) -> None:
        self._timer.stop()
        if self._decoder is not None:
            self._decoder.stop()
            self._decoder = None
        if self._decoder_stop is not None:
            self._decoder_stop.detach()  # stopped above: nothing left to do when the player dies
            self._decoder_stop = None
        self._pending = None
        self._awaiting = False

    def _seek_decoder(self, ms: int) -> None:
        assert self._decoder is not None
        self._gen += 1
        self._pending = None
        self._awaiting = True
        self.position_ms = ms
        self._decoder.seek(self._gen, ms)
        self._timer.start()

    def _tick(self) -> None:
        decoder = self._decoder
        if decoder is None:
            self._timer.stop()
            return
        shared = self.shared_clock
        if shared is not None:
            clock = shared.now()
        else:
            clock = self._base_ms + (self._clock.elapsed() if self.playing else 0)
        shown: _Frame | None = None
        while True:
            item: _Meta | _Frame | _End | None = self._pending
            self._pending = None
            if item is None:
                try:
                    item = decoder.out.get_nowait()
                except queue.Empty:
                    break
            if isinstance(item, _Meta):
                self.fps, self.duration_ms = item.fps, item.duration_ms
                self.durationChanged.emit(item.duration_ms)
                continue
            if isinstance(item, _End):
                if item.error:
                    self._set_message(item.error)
                    self._set_playing(False)
                    self._timer.stop()
                    return
                if item.gen != self._gen:
                    continue
                if shown is not None:
                    self._show(shown)
                self._reached_end()
                return
            if item.gen != self._gen:
                continue
            if self._awaiting:
                # The first frame after a seek: show it now and (re)start the clock from it.
                self._awaiting = False
                self._base_ms = item.pts_ms
                self._clock.restart()
                if shared is None:
                    clock = item.pts_ms
                shown = item
                if not self.playing:
                    break
                continue
            if self.playing and item.pts_ms <= clock:
                shown = item
                continue
            self._pending = item
            break
        if shown is not None:
            self._show(shown)
        if not self.playing and not self._awaiting:
            self._timer.stop()

    def _show(self, frame: _Frame) -> None:
        image = frame.to_image()
        self.last_image = image
        self.position_ms = frame.pts_ms
        self.frameChanged.emit(image)
        self.positionChanged.emit(frame.pts_ms)

    def _reached_end(self) -> None:
        if self.playing and self.loop:
            self._seek_decoder(0)
            return
        self._set_playing(False)
        self._timer.stop()
        self.ended.emit()

    def _set_playing(self, playing: bool) -> None:
        if playing != self.playing:
            self.playing = playing
            self.playingChanged.emit(playing)

    def _set_message(self, text: str) -> None:
        if text != self.message:
            self.message = text
            self.messageChanged.emit(text)


# ------------------------------------------------------------------------------------- the views


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


def _ms_text(ms: int) -> str:
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
        self.time_label.setText(f"{_ms_text(ms)} / {_ms_text(self.player.duration_ms)}")

    def _duration(self, ms: int) -> None:
        self.slider.setRange(0, ms)
        self.time_label.setText(f"{_ms_text(self.player.position_ms)} / {_ms_text(ms)}")

    def _playing(self, playing: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))

    def closeEvent(self, event: Any) -> None:
        self.player.close()
        super().closeEvent(event)
