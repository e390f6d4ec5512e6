"""What the HTTP provider clients share: the client, keys, base URL, image encoding and ``fetch``."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

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
    UnsafeURL,
)
from shotplanner.generation.download import is_loopback, stream_to
from shotplanner.generation.http import make_client
from shotplanner.generation.media_check import CheckedImage, ImageRefused, check_image
from shotplanner.generation.spec import ProviderSpec


class HttpProvider:
    """Base of the remote clients. Subclasses set ``name``, ``default_base_url``, ``default_concurrency``."""

    name = ""
    default_base_url = ""
    #: The provider's domain: a base URL must be https on it or on one of its subdomains.
    api_domain = ""
    default_concurrency = 4
    supports_lookup = False

    def __init__(self, *, base_url: str | None = None, keys: tuple[str, ...] | None = None,
                 max_concurrency: int | None = None, allow_loopback_http: bool = False,
                 timeout: httpx.Timeout | None = None) -> None:
        # The key goes wherever the base URL points: https on the provider's own host only (loopback,
        # http or https, behind the test switch).
        self.base_url = check_base_url((base_url or self.default_base_url).rstrip("/"), self.name,
                                       self.api_domain or urlsplit(self.default_base_url).hostname or "",
                                       allow_loopback=allow_loopback_http)
        self.max_concurrency = max_concurrency or self.default_concurrency
        self.allow_loopback_http = allow_loopback_http
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
                        allow_loopback_http=self.allow_loopback_http)

    async def find_created(self, request: GenerationRequest, since: str | None) -> str | None:
        return None  # only providers with ``supports_lookup`` are asked

    async def aclose(self) -> None:
        await self.client.aclose()


def check_base_url(url: str, provider: str, domain: str, *, allow_loopback: bool) -> str:
    """The base URL, when its key may go there: https on ``domain`` (or a subdomain), or loopback behind
    the test switch. Anything else raises UnsafeURL (the key never leaves)."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if allow_loopback and scheme in ("http", "https") and is_loopback(host):
        return url
    if scheme == "https" and (host == domain or host.endswith("." + domain)) and not parts.username:
        return url
    shown = f"{scheme}://{host}" if host else repr(url)
    raise UnsafeURL(f"refusing the base URL {shown}: {provider}'s key is only sent over https to {domain}",
                    provider=provider)


async def checked_bytes(path: Path, provider: str) -> tuple[CheckedImage, bytes]:
    """The image's bytes, once ``media_check`` found it readable, decodable and within ``provider``'s
    limits (ImageRefused, naming the file, before anything is sent)."""
    def read() -> tuple[CheckedImage, bytes]:
        checked = check_image(Path(path), provider)
        try:
            return checked, Path(path).read_bytes()
        except OSError as exc:
            raise ImageRefused(f"image {Path(path).name}: cannot be read ({exc.strerror or exc}); "
                               "nothing was sent", provider=provider) from None

    return await asyncio.to_thread(read)


async def data_uri(path: Path, provider: str = "") -> str:
    checked, raw = await checked_bytes(path, provider)
    return f"data:{checked.mime};base64,{base64.b64encode(raw).decode('ascii')}"


async def raw_base64(path: Path, provider: str = "") -> str:
    _checked, raw = await checked_bytes(path, provider)
    return base64.b64encode(raw).decode("ascii")


def whole_seconds(request: GenerationRequest) -> int:
    return max(1, round(request.duration_s))


async def encode_images(request: GenerationRequest,
                        encode: Callable[[Path, str], Awaitable[str]]) -> dict[Path, str]:
    """Every image of the request, checked against its provider's limits (``media_check``), read off the
    event loop and encoded once (path → encoding)."""
    paths = [p for p in (request.start_image, request.end_image, *request.reference_images) if p is not None]
    return {path: await encode(path, request.provider) for path in dict.fromkeys(paths)}


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
