"""Checks on an image before upload: readable, really an image, decodable, within the provider's limits.

Called from the upload path (``providers.common.data_uri`` / ``raw_base64``) before any
byte is sent, so a file that is not an image, a 20000×20000 decompression bomb or an unreadable file is
refused with a message naming it, and the provider never bills a refusal. The header is read first (Pillow
opens lazily), so a huge image is refused by its declared size without being decoded; a sane one is then
decoded in full, so a truncated or corrupt file is caught here rather than by the provider.

The limits are the vendors' published ones (research/providers.md): Kling ≤10 MB, ≥300 px a side, aspect
1:2.5–2.5:1, JPEG or PNG; fal ≤30 MB; Replicate's image models ≤20 MB. Resizing an image to what a route
needs is the request builder's job; it calls :func:`check_image` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shotplanner.generation.base import BadRequest

MB = 1024 * 1024


class ImageRefused(BadRequest):
    """An image that must not be sent (unreadable, not an image, too big…). Nothing was sent."""


@dataclass(frozen=True, slots=True)
class ImageLimits:
    max_bytes: int = 30 * MB
    min_side: int = 1
    #: Declared pixels above this are refused before decoding (a decompression bomb stops here).
    max_pixels: int = 40_000_000
    max_side: int = 10_000
    #: Allowed width/height range.
    min_aspect: float = 1 / 4
    max_aspect: float = 4.0
    formats: tuple[str, ...] = ("JPEG", "PNG", "WEBP")


#: Per provider, from each vendor's published input limits.
LIMITS: dict[str, ImageLimits] = {
    "kling": ImageLimits(max_bytes=10 * MB, min_side=300, min_aspect=1 / 2.5, max_aspect=2.5,
                         formats=("JPEG", "PNG")),
    "fal": ImageLimits(max_bytes=30 * MB),
    "replicate": ImageLimits(max_bytes=20 * MB),
}


@dataclass(frozen=True, slots=True)
class CheckedImage:
    path: Path
    format: str  # Pillow's name: "PNG", "JPEG", "WEBP"
    width: int
    height: int
    size_bytes: int

    @property
    def mime(self) -> str:
        return {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(self.format,
                                                                                 "application/octet-stream")


def check_image(path: Path, provider: str, limits: ImageLimits | None = None) -> CheckedImage:
    """Return what the image is, or raise :class:`ImageRefused` naming the file and the reason."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    rules = limits or LIMITS.get(provider, ImageLimits())
    name = path.name

    def refuse(reason: str) -> ImageRefused:
        return ImageRefused(f"image {name}: {reason}; nothing was sent", provider=provider)

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise refuse("the file is missing") from None
    except OSError as exc:
        raise refuse(f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    if not path.is_file():
        raise refuse("is not a file")
    if size > rules.max_bytes:
        raise refuse(f"{size / MB:.1f} MB is over {provider}'s {rules.max_bytes // MB} MB limit")
    try:
        with Image.open(path) as image:
            fmt = image.format or ""
            width, height = image.size
            if fmt not in rules.formats:
                raise refuse(f"{fmt or 'this'} format is not accepted by {provider} "
                             f"({', '.join(rules.formats)} only)")
            if width * height > rules.max_pixels or max(width, height) > rules.max_side:
                raise refuse(f"{width}×{height} pixels is too large (at most {rules.max_side} px a side "
                             f"and {rules.max_pixels / 1e6:.0f} megapixels)")
            if min(width, height) < rules.min_side:
                raise refuse(f"{width}×{height} pixels is too small for {provider} "
                             f"(at least {rules.min_side} px a side)")
            aspect = width / height
            if not rules.min_aspect <= aspect <= rules.max_aspect:
                raise refuse(f"its shape ({width}×{height}) is outside what {provider} accepts")
            image.load()  # decode it all: a truncated or corrupt file fails here, not at the provider
    except ImageRefused:
        raise
    except PermissionError:
        raise refuse("cannot be read (permission denied)") from None
    except UnidentifiedImageError:
        raise refuse("is not an image (or not one we can read)") from None
    except Image.DecompressionBombError:  # declared far beyond any limit: refused before decoding
        raise refuse(f"is too large (it declares more than {2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6:.0f} "
                     "megapixels)") from None
    except (OSError, ValueError) as exc:
        raise refuse(f"cannot be decoded ({exc})") from None
    return CheckedImage(path, fmt, width, height, size)
