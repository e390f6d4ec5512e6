"""What a clip is: duration, frame rate, size, codec and frame count, read with PyAV.

Downloads use it to check that what arrived is a video of the length asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from shotplanner.media.errors import MediaError


@dataclass(frozen=True, slots=True)
class ClipInfo:
    duration_s: float
    fps: float
    width: int
    height: int
    codec: str
    frames: int


def open_video(path: Path) -> tuple[Any, Any]:
    """Open ``path`` with PyAV: (container, its first video stream), or a MediaError naming the file.

    The caller closes the container (``with container:``).
    """
    try:
        container = av.open(str(path))
    except av.FFmpegError as exc:
        raise MediaError(f"{path.name} is not a video file ({exc.strerror or exc})") from None
    if not container.streams.video:
        container.close()
        raise MediaError(f"{path.name} has no video stream")
    return container, container.streams.video[0]


def probe(path: Path) -> ClipInfo:
    """Read a clip's facts. Raises MediaError naming the file when it is missing, not a video, or corrupt."""
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"{path.name}: no such clip ({path})")
    container, stream = open_video(path)
    with container:
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        frames = int(stream.frames or 0)
        try:
            if frames <= 0:
                # Containers without a frame index: count the packets (no decoding needed).
                frames = sum(1 for packet in container.demux(stream) if packet.size)
        except av.FFmpegError as exc:
            raise MediaError(f"{path.name} is damaged: {exc.strerror or exc}") from None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        else:
            duration = frames / fps if fps else 0.0
        width, height = stream.codec_context.width, stream.codec_context.height
        if frames <= 0 or width <= 0 or height <= 0:
            raise MediaError(f"{path.name} holds no readable video frames")
        return ClipInfo(duration_s=duration, fps=fps, width=width, height=height,
                        codec=stream.codec_context.name, frames=frames)
