"""Poster frames for shot cards: one still per clip, cached beside it and redone when the clip changes.

The cache key is the clip's size and modification time, so a re-downloaded or re-rendered clip gets a
new poster without anyone having to remember to delete the old one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

import av
import numpy as np
from PySide6.QtGui import QImage

from shotplanner.media.errors import MediaError
from shotplanner.media.probe import open_video

#: Where in the clip the poster is taken: 1 s in (past an animatic's slate), or the middle if shorter.
POSTER_AT_S = 1.0


def poster_dir_for(clip_path: Path) -> Path:
    """``PROJECT/media/posters`` for clips in ``media/takes`` (or ``media/film``); else the clip's folder."""
    parent = clip_path.parent
    if parent.name in ("takes", "film") and parent.parent.name == "media":
        return parent.parent / "posters"
    return parent


def poster_name(clip_path: Path, width: int) -> str:
    st = clip_path.stat()
    key = hashlib.sha1(f"{clip_path.name}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:10]
    return f"{clip_path.stem}.{key}.w{width}.jpg"


def poster_for(clip_path: Path, cache_dir: Path | None = None, width: int = 320) -> Path:
    """The poster JPEG of ``clip_path`` (made on first call, reused until the clip changes)."""
    clip_path = Path(clip_path)
    if not clip_path.is_file():
        raise MediaError(f"{clip_path.name}: no such clip ({clip_path})")
    folder = Path(cache_dir) if cache_dir is not None else poster_dir_for(clip_path)
    target = folder / poster_name(clip_path, width)
    if target.exists():
        return target
    rgb = extract_frame(clip_path, width)
    folder.mkdir(parents=True, exist_ok=True)
    image = QImage(rgb.data, rgb.shape[1], rgb.shape[0], rgb.strides[0], QImage.Format.Format_RGB888)
    fd, tmp = tempfile.mkstemp(prefix=".poster.", suffix=".jpg", dir=folder)
    os.close(fd)
    try:
        # The format comes from the .jpg suffix: PySide6's stubs type it as bytes, its runtime takes str only.
        if not image.save(tmp, None, 85):
            raise MediaError(f"could not write poster {target.name} in {folder}")
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    # Older posters of this clip at this width are stale now.
    for old in folder.glob(f"{glob_escape(clip_path.stem)}.*.w{width}.jpg"):
        if old != target:
            with contextlib.suppress(OSError):
                old.unlink()
    return target


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def extract_frame(clip_path: Path, width: int) -> np.ndarray:
    """The frame at POSTER_AT_S (or mid-clip), scaled to ``width`` (even height), as RGB."""
    container, stream = open_video(clip_path)
    with container:
        stream.thread_type = "AUTO"
        duration = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        at = min(POSTER_AT_S, duration / 2) if duration > 0 else 0.0
        picked = None
        try:
            if at > 0 and stream.time_base is not None:
                container.seek(int(at / stream.time_base), stream=stream, backward=True)
            for frame in container.decode(stream):
                picked = frame
                if frame.time is None or frame.time >= at - 1e-6:
                    break
        except av.FFmpegError as exc:
            if picked is None:
                raise MediaError(f"{clip_path.name} is damaged: {exc.strerror or exc}") from None
        if picked is None:
            raise MediaError(f"{clip_path.name} holds no readable video frames")
        height = max(2, 2 * round(picked.height * width / picked.width / 2))
        pixels: np.ndarray = picked.to_ndarray(width=width, height=height, format="rgb24")
        return pixels
