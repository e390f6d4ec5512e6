"""Probing clips and poster frames, on real MP4s rendered by the animatic renderer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from shotplanner.media.animatic import render_animatic
from shotplanner.media.errors import MediaError
from shotplanner.media.posters import poster_for
from shotplanner.media.probe import probe
from tests.media.clips import SMALL, decode, make_shot


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    out = tmp_path / "media" / "takes" / "t1.mp4"
    render_animatic(make_shot("pan left", duration=2.0, fps=30), None, tmp_path, out, size=SMALL)
    return out


def test_probe_reads_duration_rate_size_codec_frames(clip: Path) -> None:
    info = probe(clip)
    assert (info.width, info.height, info.codec, info.frames) == (320, 180, "h264", 60)
    assert info.fps == 30.0
    assert info.duration_s == pytest.approx(2.0, abs=1 / 30)


def test_probe_refuses_missing_text_and_truncated_files(tmp_path: Path, clip: Path) -> None:
    with pytest.raises(MediaError, match=r"nope\.mp4: no such clip"):
        probe(tmp_path / "nope.mp4")
    text = tmp_path / "notes.mp4"
    text.write_text("just some words, not a movie\n" * 20)
    with pytest.raises(MediaError, match=r"notes\.mp4 is not a video"):
        probe(text)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[:600])
    with pytest.raises(MediaError, match=r"cut\.mp4"):
        probe(cut)


def test_poster_is_made_in_media_posters_and_reused(clip: Path) -> None:
    poster = poster_for(clip)
    assert poster.parent == clip.parent.parent / "posters"
    image = QImage(str(poster))
    assert (image.width(), image.height()) == (320, 180)
    made = poster.stat().st_mtime_ns
    assert poster_for(clip) == poster and poster.stat().st_mtime_ns == made


def test_poster_is_the_frame_one_second_in(clip: Path) -> None:
    poster = QImage(str(poster_for(clip)))
    frame = decode(clip)[30]  # 1 s at 30 fps: past the slate
    for x, y in ((40, 60), (160, 120), (280, 150)):
        colour = poster.pixelColor(x, y)
        expected = frame[y, x]
        assert abs(colour.red() - int(expected[0])) < 40
        assert abs(colour.blue() - int(expected[2])) < 40


def test_a_changed_clip_gets_a_new_poster(tmp_path: Path, clip: Path) -> None:
    old = poster_for(clip)
    render_animatic(make_shot("tilt up", duration=1.5, light="night"), None, tmp_path, clip, size=SMALL)
    os.utime(clip, ns=(old.stat().st_mtime_ns + 10**9, old.stat().st_mtime_ns + 10**9))
    new = poster_for(clip)
    assert new != old and new.exists() and not old.exists()


def test_poster_of_a_non_video_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 2048)
    with pytest.raises(MediaError, match=r"bad\.mp4"):
        poster_for(bad, cache_dir=tmp_path / "posters")
    assert not (tmp_path / "posters").exists() or list((tmp_path / "posters").iterdir()) == []
