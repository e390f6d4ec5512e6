"""Images are checked before upload: decodable, within the provider's limits, and an unreadable file is named.

The good images are written by other programs' encoders: Qt 6's QImageWriter (libjpeg-turbo and libpng,
LGPL/BSD-style licences) and FFmpeg's PNG encoder through PyAV (LGPL). The bad ones are made here on
purpose: a PNG whose header declares 20000×20000 pixels (a decompression bomb), a JPEG cut in half, an MP4
named .png, a folder named .png, and a file this user may not read.
"""

from __future__ import annotations

import asyncio
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from shotplanner.core.models import JobState
from shotplanner.generation.media_check import ImageRefused, check_image
from tests.generation.helpers import request, run_jobs

REPO = Path(__file__).resolve().parents[2]


def qt_image(path: Path, width: int = 640, height: int = 360, fmt: str = "JPG") -> Path:
    from PySide6.QtGui import QColor, QImage, QPainter

    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#335577"))
    painter = QPainter(image)
    painter.fillRect(width // 4, height // 4, width // 2, height // 2, QColor("#ddaa33"))
    painter.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(path), fmt)
    return path


def ffmpeg_png(path: Path, width: int = 512, height: int = 512) -> Path:
    import av
    import numpy as np

    pixels = np.full((height, width, 3), 90, dtype=np.uint8)
    with av.open(str(path), mode="w", format="image2") as out:
        stream = out.add_stream("png", rate=1)
        stream.width, stream.height, stream.pix_fmt = width, height, "rgb24"
        for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def bomb_png(path: Path, side: int = 20000) -> Path:
    """A valid PNG signature and header declaring ``side``×``side`` pixels, with one tiny IDAT."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    return path


def test_good_images_from_other_encoders_pass(tmp_path: Path) -> None:
    jpeg = check_image(qt_image(tmp_path / "a.jpg"), "kling")
    assert (jpeg.format, jpeg.width, jpeg.height, jpeg.mime) == ("JPEG", 640, 360, "image/jpeg")
    png = check_image(ffmpeg_png(tmp_path / "b.png"), "fal")
    assert (png.format, png.mime) == ("PNG", "image/png")
    demo = check_image(REPO / "resources/demo/media/refs/tomas.png", "replicate")
    assert demo.width == 384


@pytest.mark.parametrize("make,provider,reason", [
    (lambda p: bomb_png(p / "huge.png"), "fal", "is too large"),
    (lambda p: bomb_png(p / "big.png", 9000), "fal", "9000×9000 pixels is too large"),
    (lambda p: qt_image(p / "small.jpg", 200, 120), "kling", "too small for kling"),
    (lambda p: qt_image(p / "strip.jpg", 1600, 300), "kling", "outside what kling accepts"),
    (lambda p: (p / "clip.png").write_bytes(b"\0\0\0 ftypisom" + b"\0" * 4000) and p / "clip.png", "fal",
     "is not an image"),
    (lambda p: (p / "folder.png").mkdir() or p / "folder.png", "fal", "is not a file"),
    (lambda p: p / "missing.png", "fal", "the file is missing"),
])
def test_bad_images_are_refused_naming_the_file(make, provider: str, reason: str, tmp_path: Path) -> None:
    path = make(tmp_path)
    with pytest.raises(ImageRefused) as refused:
        check_image(path, provider)
    assert path.name in str(refused.value) and reason in str(refused.value), refused.value
    assert "nothing was sent" in str(refused.value)


def test_a_truncated_jpeg_is_caught_by_decoding(tmp_path: Path) -> None:
    whole = qt_image(tmp_path / "whole.jpg", 1280, 720).read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImageRefused, match=r"cut\.jpg: cannot be decoded"):
        check_image(cut, "fal")


def test_a_file_this_user_cannot_read_is_named(tmp_path: Path) -> None:
    import shutil

    image = qt_image(tmp_path / "private.jpg")
    os.chmod(image, 0o000)
    command = [sys.executable, "-c",
               "import sys; from pathlib import Path; from shotplanner.generation.media_check import *\n"
               "try:\n    check_image(Path(sys.argv[1]), 'fal')\nexcept ImageRefused as e:\n    print(e)\n",
               str(image)]
    if os.geteuid() == 0:  # root reads anything: drop the capabilities that let it
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
                   "--inh-caps=-dac_override,-dac_read_search", "--", *command]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60)
    assert "private.jpg: cannot be read (permission denied); nothing was sent" in done.stdout, done


@pytest.mark.parametrize("kind", ["fal", "kling", "replicate"])
def test_a_bad_image_never_reaches_the_provider(kind: str, serve, tmp_path: Path, fast_settings) -> None:
    server = serve(kind)
    bad = tmp_path / "media" / "refs" / "start.png"
    bad.parent.mkdir(parents=True)
    bad.write_text("not an image at all")
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request(kind, start_image=bad)]))
    job = queue.jobs["take1"]
    assert job.state is JobState.FAILED and not job.retryable, job.message
    assert "image start.png: is not an image" in job.message
    assert server.creates == 0 and server.create_bodies == []  # nothing sent, nothing billed
