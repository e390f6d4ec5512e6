"""Fixtures: real small MP4s, contract servers on loopback, providers pointed at them, fast queue settings."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from fractions import Fraction

import av
import numpy as np
import pytest

from shotplanner.generation.jobs import QueueSettings
from tests.generation.servers import ContractServer, keys_env


def make_mp4(seconds: float = 2.0, fps: int = 12, width: int = 64, height: int = 36) -> bytes:
    """A real H.264 (libx264, yuv420p) MP4: a moving gradient, decodable by anything."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        for i in range(int(seconds * fps)):
            pixels = np.zeros((height, width, 3), dtype=np.uint8)
            pixels[:, :, 0] = (np.arange(width) * 4 + i * 8) % 256
            pixels[:, :, 1] = 80
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


@pytest.fixture(scope="session", autouse=True)
def gui_app() -> object:
    """The Qt application, made on the main thread as the app and ``generate`` do before any render."""
    from shotplanner.media.qt import ensure_gui_app

    return ensure_gui_app()


@pytest.fixture(scope="session")
def clip_bytes() -> bytes:
    return make_mp4()


FAST = QueueSettings(poll_initial_s=0.01, poll_max_s=0.05, poll_timeout_s=5.0, max_polls=40,
                     max_retries=3, backoff_base_s=0.01, backoff_max_s=0.05, durable=True)


@pytest.fixture
def fast_settings() -> QueueSettings:
    return FAST


@pytest.fixture
def serve(clip_bytes: bytes, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], ContractServer]]:
    """``serve("fal")`` starts a contract server and puts that provider's test key in the environment."""
    servers: list[ContractServer] = []

    def start(kind: str) -> ContractServer:
        server = ContractServer(kind, clip=clip_bytes).start()
        servers.append(server)
        for key, value in keys_env(kind).items():
            monkeypatch.setenv(key, value)
        return server

    yield start
    for server in servers:
        server.stop()
