"""Bringing a clip home: URL safety, streamed resumable download, and the checks before it counts.

``stream_to`` appends to a partial ``dest_tmp`` with an HTTP Range request when the server supports it
and restarts from zero when it does not. ``check_clip`` opens the file with PyAV and compares its
duration with what was asked. The queue then renames the file atomically to a name of its own.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from shotplanner.generation.base import BytesCallback, DownloadInvalid, JobFailed, NetworkError, UnsafeURL
from shotplanner.generation.http import raise_for_status

CHUNK = 256 * 1024
MAX_REDIRECTS = 5
#: No clip is larger; a download that grows past this is refused (a misbehaving or hostile server).
MAX_CLIP_BYTES = 4 * 1024**3


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refused_address(address: str, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return not allow_loopback
    return not ip.is_global  # private, link-local (cloud metadata), CGNAT, reserved, multicast, unspecified


async def check_result_url(url: str, provider: str, *, allow_loopback_http: bool = False) -> str:
    """https only (plain http only to a loopback host, behind the test switch), and never to a host that
    is or resolves to a private, link-local or loopback address (loopback only behind the switch): such a
    URL is refused before any connection.

    The name is resolved here and again by the connection (a rebinding DNS server could answer
    differently the second time); this check stops every URL that names or resolves to such an address.
    """
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    loopback_http = scheme == "http" and allow_loopback_http and is_loopback(host)
    if not host or not (scheme == "https" or loopback_http):
        shown = f"{scheme}://{host}" if host else f"{scheme}: URL"
        raise UnsafeURL(f"refusing to download from {shown}: only https URLs are fetched", provider=provider)
    try:
        addresses = [host] if _is_ip(host) else [
            info[4][0] for info in await asyncio.get_running_loop().getaddrinfo(
                host, parts.port or 443, type=socket.SOCK_STREAM)]
    except OSError as exc:
        raise NetworkError(f"cannot resolve the result's host ({exc.strerror or exc})", provider=provider,
                           sent=False) from exc
    bad = [a for a in addresses if _refused_address(str(a), allow_loopback_http)]
    if bad or not addresses:
        raise UnsafeURL(f"refusing to download from {host}: it is a private, link-local or loopback "
                        f"address ({bad[0] if bad else 'none found'}), not the provider's storage",
                        provider=provider)
    return url


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


async def stream_to(client: httpx.AsyncClient, url: str, dest_tmp: Path, on_bytes: BytesCallback, *,
                    provider: str, allow_loopback_http: bool = False) -> None:
    """Download ``url`` into ``dest_tmp``, continuing a partial file when the server allows a Range."""
    url = await check_result_url(url, provider, allow_loopback_http=allow_loopback_http)
    have = dest_tmp.stat().st_size if dest_tmp.exists() else 0
    for _hop in range(MAX_REDIRECTS + 1):
        # No key ever goes with a download: every provider serves results from public (signed) URLs.
        request_headers: dict[str, str] = {}
        if have:
            request_headers["Range"] = f"bytes={have}-"
        try:
            async with client.stream("GET", url, headers=request_headers) as response:
                if response.status_code in (301, 302, 303, 307, 308):
                    location = response.headers.get("location", "")
                    url = await check_result_url(urljoin(url, location), provider,
                                                 allow_loopback_http=allow_loopback_http)
                    continue
                if response.status_code == 416 and have:
                    # Our partial file is already complete (or stale): start over to be sure.
                    dest_tmp.unlink(missing_ok=True)
                    have = 0
                    continue
                if response.status_code in (404, 410):
                    # Replicate deletes outputs after an hour, Kling after 30 days: say so, not "no model".
                    raise JobFailed(f"the clip is no longer at the provider (HTTP {response.status_code}; "
                                    "its result URL may have expired)", provider=provider)
                raise_for_status(response, provider)
                append = have > 0 and response.status_code == 206
                total = _total_size(response, have if append else 0)
                if total is not None and total > MAX_CLIP_BYTES:
                    raise DownloadInvalid(f"clip is {total} bytes, over the {MAX_CLIP_BYTES}-byte limit",
                                          provider=provider)
                done = have if append else 0
                with open(dest_tmp, "ab" if append else "wb") as out:
                    async for chunk in response.aiter_raw(CHUNK):
                        out.write(chunk)
                        done += len(chunk)
                        if done > MAX_CLIP_BYTES:
                            raise DownloadInvalid(f"clip exceeds the {MAX_CLIP_BYTES}-byte limit",
                                                  provider=provider)
                        on_bytes(done, total)
                if total is not None and done < total:
                    raise NetworkError(f"download ended early ({done} of {total} bytes)", provider=provider)
                return
        except httpx.TransportError as exc:
            raise NetworkError(f"download interrupted: {type(exc).__name__}", provider=provider) from exc
    raise UnsafeURL(f"too many redirects (more than {MAX_REDIRECTS})", provider=provider)


def _total_size(response: httpx.Response, offset: int) -> int | None:
    content_range = response.headers.get("content-range", "")
    if "/" in content_range:
        tail = content_range.rsplit("/", 1)[1]
        if tail.isdigit():
            return int(tail)
    length = response.headers.get("content-length")
    if length and length.isdigit():
        return int(length) + offset
    return None


@dataclass(frozen=True, slots=True)
class ClipCheck:
    """What a downloaded file must satisfy before it becomes a take's clip."""

    min_bytes: int = 1024
    max_bytes: int = MAX_CLIP_BYTES
    #: Open with PyAV and require a video stream. Off only in the benchmark (its bytes are not video).
    decode: bool = True
    #: Allowed duration difference: max(absolute seconds, fraction of the asked duration).
    tolerance_s: float = 1.5
    tolerance_ratio: float = 0.25


def check_clip(path: Path, asked_duration_s: float | None, check: ClipCheck,
               provider: str = "") -> float | None:
    """Raise DownloadInvalid when the file is not an acceptable clip; return its duration when known."""
    size = path.stat().st_size
    if size < check.min_bytes:
        raise DownloadInvalid(f"clip is only {size} bytes (at least {check.min_bytes} expected)",
                              provider=provider)
    if size > check.max_bytes:
        raise DownloadInvalid(f"clip is {size} bytes, over the {check.max_bytes}-byte limit",
                              provider=provider)
    if not check.decode:
        return None
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise DownloadInvalid("the file has no video stream", provider=provider)
            stream = container.streams.video[0]
            duration = _duration(container, stream)
            # Decode one frame: a valid header over garbage must not pass.
            next(container.decode(stream), None)
    except DownloadInvalid:
        raise
    except (av.error.FFmpegError, StopIteration, ValueError, OSError) as exc:
        raise DownloadInvalid(f"the file is not a readable video ({type(exc).__name__})",
                              provider=provider) from exc
    if asked_duration_s and duration is not None:
        allowed = max(check.tolerance_s, check.tolerance_ratio * asked_duration_s)
        if abs(duration - asked_duration_s) > allowed:
            raise DownloadInvalid(
                f"clip lasts {duration:.2f} s but {asked_duration_s:.2f} s was asked", provider=provider)
    return duration


def _duration(container: object, stream: object) -> float | None:
    if getattr(stream, "duration", None) and getattr(stream, "time_base", None):
        return float(stream.duration * stream.time_base)  # type: ignore[attr-defined]
    if getattr(container, "duration", None):
        return float(container.duration) / 1_000_000  # type: ignore[attr-defined]
    return None
