"""What the HTTP provider clients share: the client, keys, base URL, image encoding and ``fetch``."""

from __future__ import annotations

import asyncio
import base64
import mimetypes
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from shotplanner.generation import secrets
from shotplanner.generation.base import (
    BytesCallback,
    GenerationRequest,
    JobFailed,
    ModerationRefused,
    PermanentError,
    RemoteState,
    RemoteStatus,
    ServerError,
)
from shotplanner.generation.download import stream_to
from shotplanner.generation.http import make_client
from shotplanner.generation.registry import ProviderSpec


class HttpProvider:
    """Base of the remote clients. Subclasses set ``name``, ``default_base_url``, ``default_concurrency``."""

    name = ""
    default_base_url = ""
    default_concurrency = 4
    supports_lookup = False

    def __init__(self, *, base_url: str | None = None, keys: tuple[str, ...] | None = None,
                 max_concurrency: int | None = None, allow_loopback_http: bool = False,
                 timeout: httpx.Timeout | None = None, download_max_bytes: int = 4 * 1024**3) -> None:
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.max_concurrency = max_concurrency or self.default_concurrency
        self.allow_loopback_http = allow_loopback_http
        self.download_max_bytes = download_max_bytes
        self._keys = keys
        self._timeout = timeout
        # Auth travels per request (never as a client default) so a CDN download never receives it.
        self.client = make_client(self.base_url, timeout=timeout,
                                  max_connections=max(16, 2 * self.max_concurrency))

    def spec(self) -> ProviderSpec:
        """How to build this provider again in the generation worker process (keys included only when
        they were given here; otherwise the worker looks them up itself)."""
        return ProviderSpec(self.name, {
            "base_url": self.base_url, "keys": self._keys, "max_concurrency": self.max_concurrency,
            "allow_loopback_http": self.allow_loopback_http, "timeout": self._timeout,
            "download_max_bytes": self.download_max_bytes,
        })

    def keys(self) -> tuple[str, ...]:
        """The key parts, looked up once on first use (MissingKey when absent)."""
        if self._keys is None:
            self._keys = secrets.require_keys(self.name)
        return self._keys

    async def fetch(self, status: RemoteStatus, dest_tmp: Path, on_bytes: BytesCallback) -> None:
        if not status.result_url:
            raise ServerError("the provider reported success but gave no video URL", provider=self.name)
        await stream_to(self.client, status.result_url, dest_tmp, on_bytes, provider=self.name,
                        allow_loopback_http=self.allow_loopback_http, max_bytes=self.download_max_bytes,
                        headers=self.download_headers(status.result_url))

    def download_headers(self, url: str) -> dict[str, str]:
        """Headers for fetching a result; only providers serving results from their own API add auth."""
        return {}

    async def lookup(self, external_id: str) -> str | None:
        return None

    async def aclose(self) -> None:
        await self.client.aclose()


async def data_uri(path: Path) -> str:
    raw = await asyncio.to_thread(Path(path).read_bytes)
    mime = mimetypes.guess_type(str(path))[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}"


async def raw_base64(path: Path) -> str:
    raw = await asyncio.to_thread(Path(path).read_bytes)
    return base64.b64encode(raw).decode("ascii")


def whole_seconds(request: GenerationRequest) -> int:
    return max(1, round(request.duration_s))


async def encode_images(request: GenerationRequest,
                        encode: Callable[[Path], Awaitable[str]]) -> dict[Path, str]:
    """Every image of the request, read off the event loop and encoded once (path → encoding)."""
    paths = [p for p in (request.start_image, request.end_image, *request.reference_images) if p is not None]
    return {path: await encode(path) for path in dict.fromkeys(paths)}


MODERATION_WORDS = ("moderation", "content policy", "content_policy", "safety", "nsfw", "flagged",
                    "sensitive", "risk control", "prohibited", "violat")


def looks_like_moderation(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in MODERATION_WORDS)


def failed_status(message: str, provider: str, *hints: str) -> RemoteStatus:
    """A job the provider reports failed: ModerationRefused when its words (or ``hints``, e.g. an error
    type or code) say a content filter refused it, else JobFailed."""
    error: PermanentError
    if any(looks_like_moderation(text) for text in (message, *hints)):
        error = ModerationRefused(f"refused by the content filter: {message}", provider=provider)
    else:
        error = JobFailed(f"generation failed: {message}", provider=provider)
    return RemoteStatus(RemoteState.FAILED, message=error.message, error=error)
