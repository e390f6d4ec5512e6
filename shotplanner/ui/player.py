"""The one small player object every review view uses (takes, compare, film).

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

The PyAV decoder thread is ``ui.av_decoder``; the views that show a player are ``ui.player_widget``.
"""

from __future__ import annotations

import asyncio
import queue
import weakref
from pathlib import Path
from typing import Any

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from shotplanner.ui.av_decoder import AvDecoder, DecodedFrame, DecoderEnd, DecoderMeta

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
        self._decoder: AvDecoder | None = None
        self._decoder_stop: weakref.finalize[[], Player] | None = None
        self._gen = 0
        self._awaiting = False
        self._pending: DecodedFrame | None = None
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
            self._decoder = AvDecoder(self.path, self.width)
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
        shown: DecodedFrame | None = None
        while True:
            item: DecoderMeta | DecodedFrame | DecoderEnd | None = self._pending
            self._pending = None
            if item is None:
                try:
                    item = decoder.out.get_nowait()
                except queue.Empty:
                    break
            if isinstance(item, DecoderMeta):
                self.fps, self.duration_ms = item.fps, item.duration_ms
                self.durationChanged.emit(item.duration_ms)
                continue
            if isinstance(item, DecoderEnd):
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

    def _show(self, frame: DecodedFrame) -> None:
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
