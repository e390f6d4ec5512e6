"""Checking a downloaded storyboard frame before it counts: a whole PNG, JPEG or WebP of a sane size.

The queue runs this on a frame take's temporary file instead of the video check. It reads the container
itself (no decoder, no Qt: the generation worker has neither): the signature, the picture size from the
header, and the end marker, so a truncated download or an HTML error page saved as ``.png`` is refused.
The suffix returned names the final file by what it is, never by what the provider called it.
"""

from __future__ import annotations

import struct
from pathlib import Path

from shotplanner.generation.base import DownloadInvalid

MIN_BYTES = 64
MAX_BYTES = 64 * 1024**2
MAX_SIDE = 16384

_PNG = b"\x89PNG\r\n\x1a\n"


def image_kind(data: bytes) -> str | None:
    """``png`` | ``jpeg`` | ``webp`` from the first bytes, else None."""
    if data.startswith(_PNG):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _png_size(data: bytes) -> tuple[int, int]:
    if data[12:16] != b"IHDR" or not data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"):
        raise ValueError("the PNG is cut short (no IHDR or no IEND)")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int]:
    if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise ValueError("the JPEG is cut short (no end marker)")
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            raise ValueError("the JPEG's segments do not line up")
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            return width, height
        pos += 2 + length
    raise ValueError("the JPEG has no frame header")


def _webp_size(data: bytes) -> tuple[int, int]:
    declared = struct.unpack("<I", data[4:8])[0] + 8
    if declared > len(data):
        raise ValueError("the WebP is cut short")
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    raise ValueError("the WebP has no picture chunk")


def image_size(data: bytes) -> tuple[str, int, int]:
    """(kind, width, height) of a whole image file; ValueError saying why it is not one."""
    kind = image_kind(data)
    if kind is None:
        raise ValueError("the file is not a PNG, JPEG or WebP image")
    reader = {"png": _png_size, "jpeg": _jpeg_size, "webp": _webp_size}[kind]
    try:
        width, height = reader(data)
    except struct.error:
        raise ValueError(f"the {kind.upper()} header is cut short") from None
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise ValueError(f"the image claims to be {width} x {height} pixels")
    return kind, width, height


def check_image(path: Path, provider: str = "") -> str:
    """Raise DownloadInvalid when ``path`` is not an acceptable frame; return its suffix (``.png``…)."""
    size = path.stat().st_size
    if size < MIN_BYTES or size > MAX_BYTES:
        raise DownloadInvalid(f"the frame is {size} bytes (expected {MIN_BYTES} to {MAX_BYTES})",
                              provider=provider)
    try:
        kind, _w, _h = image_size(path.read_bytes())
    except ValueError as exc:
        raise DownloadInvalid(str(exc), provider=provider) from None
    return {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}[kind]
