"""Shared HTTP plumbing of the provider clients: one client per provider, errors mapped to our hierarchy."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

import httpx

from shotplanner.generation.base import (
    AuthFailed,
    BadRequest,
    InsufficientCredit,
    ModelUnavailable,
    NetworkError,
    RateLimited,
    ServerError,
)

#: Explicit everywhere: a stuck provider must never hang a job forever.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=30.0)


def make_client(base_url: str, timeout: httpx.Timeout | None = None,
                max_connections: int = 64) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout or DEFAULT_TIMEOUT,
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        follow_redirects=False,
    )


def parse_retry_after(headers: httpx.Headers) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):  # neither seconds nor an HTTP date: no hint (it was a crash)
        return None


def error_text(response: httpx.Response) -> str:
    """The provider's own words: ``detail``, ``message``, ``error.message``… else the start of the body."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        text = response.text.strip()
        return text[:200] if text else response.reason_phrase
    return describe(body) or response.reason_phrase


def describe(body: Any) -> str:
    if isinstance(body, str):
        return body
    if isinstance(body, list):
        return "; ".join(filter(None, (describe(item) for item in body)))
    if not isinstance(body, dict):
        return ""
    for key in ("detail", "message", "msg", "error", "title"):
        value = body.get(key)
        if value:
            return describe(value)
    return ""


def raise_for_status(response: httpx.Response, provider: str, *, model_hint: str = "") -> None:
    """Map an HTTP error to the hierarchy. 2xx returns quietly."""
    code = response.status_code
    if code < 400:
        return
    text = error_text(response)
    if code == 429:
        raise RateLimited(f"rate limited: {text}", provider=provider,
                          retry_after=parse_retry_after(response.headers))
    if code >= 500 or code in (408, 409):
        raise ServerError(f"server error {code}: {text}", provider=provider, status_code=code)
    if code in (401, 403):
        raise AuthFailed(f"key refused ({code}): {text}", provider=provider, status_code=code)
    if code == 402:
        raise InsufficientCredit(f"insufficient credit: {text}", provider=provider, status_code=code)
    if code in (404, 410):
        what = f" '{model_hint}'" if model_hint else ""
        raise ModelUnavailable(f"model{what} not available ({code}): {text}", provider=provider,
                               status_code=code)
    raise BadRequest(f"request refused ({code}): {text}", provider=provider, status_code=code)


def json_object(response: httpx.Response, provider: str, *, model_hint: str = "") -> dict[str, Any]:
    """A 2xx answer's JSON object. An error status raises its class (``raise_for_status``); a 2xx carrying
    anything else (a proxy page, truncation, a list) is ServerError: the request may have worked."""
    raise_for_status(response, provider, model_hint=model_hint)
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
        raise ServerError(f"unreadable answer (HTTP {response.status_code}): not JSON",
                          provider=provider, status_code=response.status_code) from exc
    if not isinstance(data, dict):
        raise ServerError(f"the answer (HTTP {response.status_code}) is not a JSON object", provider=provider,
                          status_code=response.status_code)
    return data


#: Set by the queue around a create (each job runs in its own task, so this is per job): awaited once,
#: just before the request's first byte is written. The queue journals "may have left" there, so that a
#: kill before it is provably a request that never left.
before_send: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar("before_send", default=None)


async def send(client: httpx.AsyncClient, method: str, url: str, provider: str,
               **kwargs: Any) -> httpx.Response:
    """One request; transport failures become NetworkError (``sent`` says whether the server may have it)."""
    hook = before_send.get()
    if hook is not None:
        async def trace(name: str, info: dict[str, Any]) -> None:
            # httpcore's events: the connection is made, the request's headers are about to be written.
            if name.endswith("send_request_headers.started"):
                await hook()

        kwargs["extensions"] = {**kwargs.get("extensions", {}), "trace": trace}
    try:
        return await client.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise NetworkError(f"cannot connect: {type(exc).__name__}", provider=provider, sent=False) from exc
    except httpx.TimeoutException as exc:
        raise NetworkError(f"no answer in time: {type(exc).__name__}", provider=provider, sent=True) from exc
    except httpx.TransportError as exc:
        raise NetworkError(f"connection dropped: {type(exc).__name__}", provider=provider, sent=True) from exc


def prepare_runtime() -> None:
    """Call once at startup (the app, ``generate``): keeps one-time costs out of the running queue.

    httpx imports its connection stack (httpcore, h11, the anyio asyncio backend) on the first request:
    ~30 ms inside the event loop. And a full garbage collection walks every object alive since startup
    (modules, catalogs, Qt wrappers): ~20 ms. Importing up front and ``gc.freeze()``-ing what startup
    created removes both stalls from the time jobs run. Also: httpcore tries ``import sniffio`` on every
    request; when sniffio is not installed that failed import searches the whole path each time (~0.2 ms
    of loop time per request). Marking it absent in ``sys.modules`` makes the failure instant. The keyring
    package and its backend are loaded on the first key lookup (planning a batch asks for each provider's
    key source): ~20 ms of imports, done here instead.
    """
    import gc
    import importlib
    import importlib.util
    import sys

    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]

    for name in ("httpcore", "h11", "anyio", "anyio._backends._asyncio", "anyio.streams.tls"):
        try:
            importlib.import_module(name)
        except ImportError:  # a future httpx without these: nothing to warm
            pass
    try:
        import keyring

        keyring.get_keyring()  # resolves the backend once; lookups later reuse it
    except Exception:  # no keyring backend here: lookups report the key as missing, nothing to warm
        pass
    gc.collect()
    gc.freeze()
