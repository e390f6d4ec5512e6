"""The one player object: a real H.264 MP4 decoded offscreen, frame by frame; the degraded poster mode."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from shotplanner.ui.player import Player, multimedia_backend
from shotplanner.ui.player_widget import PlayerWidget
from tests.generation.conftest import make_mp4


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "take.mp4"
    path.write_bytes(make_mp4(seconds=1.0, fps=12, width=64, height=36))
    return path


def _rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    buf = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return (
        buf.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 3]
        .reshape(image.height(), image.width(), 3)
        .astype(int)
    )


def _nearest_frame(image: QImage, clip: Path) -> int:
    """Which frame of ``clip`` (decoded independently with PyAV) ``image`` shows."""
    from tests.media.clips import decode

    pixels = _rgb(image)
    errors = [np.abs(pixels - frame.astype(int)).mean() for frame in decode(clip)]
    return int(np.argmin(errors))


def test_a_real_mp4_plays_to_the_end_frame_by_frame(qtbot, clip: Path) -> None:
    """Loading shows the first frame; play delivers every frame in order, then ``ended``.

    The PyAV engine is the frame-accurate one (review needs exact frame steps); QtMultimedia's own
    test is below.
    """
    widget = PlayerWidget(Player(backend="pyav"))
    qtbot.addWidget(widget)
    player = widget.player
    with qtbot.waitSignal(player.frameChanged, timeout=5000) as first:
        widget.set_clip(clip)
    image: QImage = first.args[0]
    assert (image.width(), image.height()) == (64, 36)
    qtbot.waitUntil(lambda: player.duration_ms == 1000)
    assert player.fps == 12.0
    positions: list[int] = []
    player.positionChanged.connect(positions.append)
    with qtbot.waitSignal(player.ended, timeout=5000):
        player.play()
    assert positions == sorted(positions) and positions[-1] == 917
    assert len(set(positions)) >= 9  # frames shown at their own times (a few may share a tick)
    assert not player.playing and widget.view.image == player.last_image


def test_frame_step_scrub_and_loop(qtbot, clip: Path) -> None:
    player = Player(backend="pyav")
    with qtbot.waitSignal(player.frameChanged, timeout=5000):
        player.load(clip)
    assert _nearest_frame(player.last_image, clip) == 0
    with qtbot.waitSignal(player.frameChanged, timeout=5000):
        player.step(1)
    assert player.position_ms == 83 and _nearest_frame(player.last_image, clip) == 1
    with qtbot.waitSignal(player.frameChanged, timeout=5000):
        player.seek(500)
    assert player.position_ms == 500 and _nearest_frame(player.last_image, clip) == 6
    with qtbot.waitSignal(player.frameChanged, timeout=5000):
        player.step(-1)
    assert player.position_ms == 417 and not player.playing and _nearest_frame(player.last_image, clip) == 5
    player.set_loop(True)
    wrapped: list[int] = []
    player.positionChanged.connect(lambda ms: wrapped.append(ms))
    player.play()
    qtbot.waitUntil(lambda: any(a > b for a, b in pairwise(wrapped)), timeout=5000)
    assert player.playing  # looped back to the start instead of ending
    player.close()


def test_without_a_video_engine_the_poster_and_a_message_show(qtbot, clip: Path, tmp_path: Path) -> None:
    poster = tmp_path / "poster.png"
    img = QImage(32, 18, QImage.Format.Format_RGB32)
    img.fill(0x3366AA)
    img.save(str(poster))
    widget = PlayerWidget(Player(backend="none"))
    qtbot.addWidget(widget)
    widget.set_clip(clip, poster)
    assert widget.view.poster is not None and widget.view.image is None
    assert "poster" in widget.view.message
    assert not widget.play_button.isEnabled()
    widget.player.play()
    assert not widget.player.playing


def test_a_missing_clip_says_so(qtbot, tmp_path: Path) -> None:
    widget = PlayerWidget()
    qtbot.addWidget(widget)
    widget.set_clip(tmp_path / "gone.mp4")
    assert "missing" in widget.view.message


def test_players_are_not_made_inside_coroutines(qapp) -> None:
    import asyncio

    async def make() -> Player:
        return Player()

    with pytest.raises(RuntimeError, match="outside coroutines"):
        asyncio.run(make())


@pytest.mark.skipif(multimedia_backend() != "qt", reason="QtMultimedia is not installed (PySide6-Addons)")
def test_qtmultimedia_frames_arrive_on_the_video_sink(qtbot, clip: Path) -> None:
    player = Player()
    if player.backend != "qt":
        pytest.skip("QtMultimedia has no backend here")
    frames: list[QImage] = []
    player.frameChanged.connect(frames.append)
    with qtbot.waitSignal(player.video_sink.videoFrameChanged, timeout=5000):
        player.load(clip)
        player.play()
    with qtbot.waitSignal(player.ended, timeout=5000):
        pass
    assert frames and (frames[-1].width(), frames[-1].height()) == (64, 36)
    # The last frame decoded through Qt's FFmpeg backend is the clip's last frame, as PyAV reads it.
    assert _nearest_frame(frames[-1], clip) >= 10
    player.close()
