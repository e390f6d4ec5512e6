"""The last frame of a clip, saved as a PNG: the start image of the next segment of a split shot.

A split long shot is chained by frame (``core.split``): each segment starts where the one before it
ended. The still is taken at full size from the clip's final decoded frame and named by the clip's
size and modification time, so a re-generated take gets a fresh still.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

import av
from PySide6.QtGui import QImage

from shotplanner.media.errors import MediaError
from shotplanner.media.probe import open_video

#: Seek this far before the end, then decode forward to the last frame (keyframes are rarely farther).
TAIL_S = 2.0


def last_frame_name(clip_path: Path) -> str:
    st = clip_path.stat()
    key = hashlib.sha1(f"{clip_path.name}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:10]
    return f"{clip_path.stem}.last.{key}.png"


def save_last_frame(clip_path: Path, dest_dir: Path) -> Path:
    """Write the clip's last frame to ``dest_dir`` (once per clip version) and return its path."""
    clip_path = Path(clip_path)
    if not clip_path.is_file():
        raise MediaError(f"{clip_path.name}: no such clip ({clip_path})")
    target = Path(dest_dir) / last_frame_name(clip_path)
    if target.exists():
        return target
    container, stream = open_video(clip_path)
    last = None
    with container:
        duration = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        try:
            if duration > TAIL_S and stream.time_base is not None:
                container.seek(int((duration - TAIL_S) / stream.time_base), stream=stream, backward=True)
            for frame in container.decode(stream):
                last = frame
        except av.FFmpegError as exc:
            if last is None:
                raise MediaError(f"{clip_path.name} is damaged: {exc.strerror or exc}") from None
    if last is None:
        raise MediaError(f"{clip_path.name} holds no readable video frames")
    rgb = last.to_ndarray(format="rgb24")
    image = QImage(rgb.data, rgb.shape[1], rgb.shape[0], rgb.strides[0], QImage.Format.Format_RGB888)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".last.", suffix=".png", dir=target.parent)
    os.close(fd)
    try:
        if not image.save(tmp):  # the .png suffix picks the format
            raise MediaError(f"could not write {target.name} in {target.parent}")
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return target
