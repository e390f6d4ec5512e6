"""The animatic renderer, checked by decoding its MP4s back with PyAV and measuring the frames."""

from __future__ import annotations

import threading
from pathlib import Path

import av
import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from shotplanner.core.models import ImageRef, Movement
from shotplanner.media.animatic import AnimaticRenderer, output_size, render_animatic
from shotplanner.media.errors import InvalidShot, RenderCanceled
from shotplanner.media.probe import probe
from tests.media.clips import (
    SMALL,
    best_zoom,
    correlation,
    decode,
    gray,
    make_shot,
    phase_shift,
    project_with,
)


def _render(tmp_path: Path, shot, name: str = "clip.mp4", **kw) -> tuple[Path, object]:
    out = tmp_path / name
    result = render_animatic(shot, project_with(shot), tmp_path, out, size=kw.pop("size", SMALL), **kw)
    return out, result


def test_clip_has_exact_frames_rate_size_and_duration(tmp_path: Path) -> None:
    shot = make_shot("slow push-in", duration=1.5, fps=24)
    out, result = _render(tmp_path, shot)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert stream.average_rate == 24
        frames = list(container.decode(stream))
    assert len(frames) == 36 == result.frames
    assert (frames[0].width, frames[0].height) == SMALL
    assert frames[-1].time == pytest.approx(35 / 24)
    info = probe(out)
    assert info.duration_s == pytest.approx(1.5, abs=1 / 24)
    assert (info.frames, info.width, info.height, info.fps) == (36, 320, 180, 24.0)


def test_frame_count_is_duration_times_fps_at_other_rates(tmp_path: Path) -> None:
    shot = make_shot(duration=1.3, fps=25)
    out, _ = _render(tmp_path, shot)
    info = probe(out)
    assert info.frames == round(1.3 * 25) and info.fps == 25.0


def test_size_follows_aspect_and_resolution() -> None:
    assert output_size("16:9", "480p")[:2] == (854, 480)
    assert output_size("9:16", "720p")[:2] == (720, 1280)
    assert output_size("1:1", "540p")[:2] == (540, 540)
    assert output_size("21:9", "1080p")[:2] == (2520, 1080)
    width, height, note = output_size("16:9", "4k")
    assert (width, height) == (1920, 1080) and note is not None and "4k" in note and "1080p" in note


def test_a_4k_request_renders_at_1080p_and_says_so(tmp_path: Path) -> None:
    shot = make_shot(duration=3 / 24, resolution="4k")
    out = tmp_path / "big.mp4"
    result = render_animatic(shot, None, tmp_path, out)
    info = probe(out)
    assert (info.width, info.height, info.frames) == (1920, 1080, 3)
    assert "1080p" in result.message


def _after_slate(frames: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    return gray(frames[26]), gray(frames[-1])


def test_push_in_grows_the_centre(tmp_path: Path) -> None:
    out, _ = _render(tmp_path, make_shot("fast push-in"))
    first, last = _after_slate(decode(out))
    assert best_zoom(first, last) > 1.1


def test_pull_back_shrinks_the_centre(tmp_path: Path) -> None:
    out, _ = _render(tmp_path, make_shot("", movement=Movement.PULL_BACK))
    first, last = _after_slate(decode(out))
    assert best_zoom(first, last) < 0.95


def test_pan_left_moves_content_right_and_pan_right_moves_it_left(tmp_path: Path) -> None:
    left, _ = _render(tmp_path, make_shot("pan left across the stalls"), "left.mp4")
    dx, dy = phase_shift(*_after_slate(decode(left)))
    assert dx > 10 and abs(dy) <= 2
    right, _ = _render(tmp_path, make_shot("the camera pans right"), "right.mp4")
    dx, dy = phase_shift(*_after_slate(decode(right)))
    assert dx < -10 and abs(dy) <= 2


def test_tilt_up_moves_content_down(tmp_path: Path) -> None:
    out, _ = _render(tmp_path, make_shot("tilt up to the rooftops"))
    dx, dy = phase_shift(*_after_slate(decode(out)))
    assert dy > 5 and abs(dx) <= 2


def test_slow_moves_less_than_fast(tmp_path: Path) -> None:
    slow, _ = _render(tmp_path, make_shot("slow pan left"), "slow.mp4")
    fast, _ = _render(tmp_path, make_shot("fast pan left"), "fast.mp4")
    assert phase_shift(*_after_slate(decode(fast)))[0] > 2 * phase_shift(*_after_slate(decode(slow)))[0] > 0


def test_static_holds_still_and_handheld_does_not(tmp_path: Path) -> None:
    still, _ = _render(tmp_path, make_shot("locked-off on a tripod"), "still.mp4")
    a, b = _after_slate(decode(still))
    body = (slice(int(0.12 * 180), 180), slice(0, 320))  # below the timecode, which counts on
    assert correlation(a[body], b[body]) > 0.995
    assert np.abs(a[body] - b[body]).mean() < 1.0
    shaky, _ = _render(tmp_path, make_shot("handheld, nervous"), "shaky.mp4")
    a, b = _after_slate(decode(shaky))
    assert np.abs(a[body] - b[body]).mean() > 2.0


def test_two_renders_of_one_shot_are_identical(tmp_path: Path) -> None:
    shot = make_shot("handheld push-in")
    one, _ = _render(tmp_path, shot, "one.mp4")
    two, _ = _render(tmp_path, shot, "two.mp4")
    a, b = decode(one), decode(two)
    assert len(a) == len(b) == 48
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_slate_shows_in_the_first_second_only(tmp_path: Path) -> None:
    out, _ = _render(tmp_path, make_shot("locked-off"))
    frames = [gray(f) for f in decode(out)]
    centre = (slice(70, 110), slice(120, 200))
    # The slate card is dark grey with light text over the picture; after it the picture is back.
    assert np.abs(frames[0][centre] - frames[30][centre]).mean() > 10
    assert np.abs(frames[0][centre] - frames[23][centre]).mean() < 3
    assert np.abs(frames[30][centre] - frames[47][centre]).mean() < 3


def test_light_and_mood_colour_the_backdrop() -> None:
    def mean_rgb(light: str, mood: str = "") -> np.ndarray:
        shot = make_shot(light=light, environment="open hills", mood=mood)
        renderer = AnimaticRenderer(shot, size=SMALL)
        renderer.render(30, overlays=False)
        return renderer.array()[..., 2::-1].reshape(-1, 3).mean(axis=0)

    golden, night, neon = mean_rgb("golden hour"), mean_rgb("moonlit night"), mean_rgb("neon signs")
    assert golden.mean() > 2 * night.mean()
    assert golden[0] > golden[2] + 30  # warm
    assert night[2] > night[0]  # blue
    assert neon[2] > neon[1] and neon[0] > neon[1]  # magenta
    assert mean_rgb("overcast", "melancholy").std() < golden.std()


def _write_reference(path: Path) -> None:
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(QColor(220, 30, 30))
    for x in range(200, 400):
        for y in range(300):
            image.setPixelColor(x, y, QColor(30, 30, 220))
    assert image.save(str(path))


def test_first_reference_image_is_the_picture(tmp_path: Path) -> None:
    (tmp_path / "media" / "refs").mkdir(parents=True)
    _write_reference(tmp_path / "media" / "refs" / "look.png")
    shot = make_shot("locked-off", reference_images=[ImageRef(path="media/refs/look.png")])
    out, result = _render(tmp_path, shot)
    assert result.reference == "media/refs/look.png" and result.message == ""
    frame = decode(out)[30]
    left, right = frame[90, 40].astype(int), frame[90, 280].astype(int)
    assert left[0] > 150 and left[2] < 80
    assert right[2] > 150 and right[0] < 80


@pytest.mark.parametrize("content", [None, b"this is not a png at all"])
def test_missing_or_unreadable_reference_falls_back_to_the_backdrop(tmp_path: Path,
                                                                    content: bytes | None) -> None:
    if content is not None:
        (tmp_path / "media" / "refs").mkdir(parents=True)
        (tmp_path / "media" / "refs" / "look.png").write_bytes(content)
    shot = make_shot(reference_images=[ImageRef(path="media/refs/look.png")])
    out, result = _render(tmp_path, shot)
    assert result.reference is None
    assert "look.png" in result.message and "backdrop" in result.message
    assert ("missing" if content is None else "could not be read") in result.message
    assert probe(out).frames == 48


@pytest.mark.parametrize("duration", [0.0, 3000.0])
def test_zero_or_absurd_duration_is_refused_before_rendering(tmp_path: Path, duration: float) -> None:
    shot = make_shot(duration=duration)
    with pytest.raises(InvalidShot, match="duration"):
        render_animatic(shot, None, tmp_path, tmp_path / "takes" / "x.mp4", size=SMALL)
    assert not (tmp_path / "takes").exists() or list((tmp_path / "takes").iterdir()) == []


def test_cancel_mid_render_leaves_no_file(tmp_path: Path) -> None:
    takes = tmp_path / "media" / "takes"
    stop = threading.Event()
    seen: list[float] = []

    def progress(fraction: float) -> None:
        seen.append(fraction)
        if fraction > 0.3:
            stop.set()

    with pytest.raises(RenderCanceled):
        render_animatic(make_shot(duration=4), None, tmp_path, takes / "x.mp4", size=SMALL, progress=progress,
                        cancel=stop)
    assert seen and seen[-1] < 1.0
    assert list(takes.iterdir()) == []
