"""Kling official API (V1): JWT auth from access key + secret key, ``succeed`` spelled Kling's way.

The JWT is HS256 built here with hmac/hashlib (no JWT dependency). We send our own
``external_task_id`` with every submit so an unanswered submit can be looked up instead of re-sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from shotplanner.generation.base import (
    AuthFailed,
    BadRequest,
    GenerationError,
    GenerationRequest,
    InsufficientCredit,
    ModelUnavailable,
    ModerationRefused,
    RateLimited,
    RemoteState,
    RemoteStatus,
    ServerError,
)
from shotplanner.generation.http import json_object, parse_retry_after, send
from shotplanner.generation.preflight import checked_body
from shotplanner.generation.providers.common import (
    HttpProvider,
    encode_images,
    failed_status,
    raw_base64,
)

TOKEN_LIFETIME = 1800


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def make_jwt(access_key: str, secret_key: str, now: float | None = None) -> str:
    now = time.time() if now is None else now
    header = {"alg": "HS256", "typ": "JWT"}
    payload = {"iss": access_key, "exp": int(now) + TOKEN_LIFETIME, "nbf": int(now) - 5}
    signing_input = (_b64url(json.dumps(header, separators=(",", ":")).encode()) + "."
                     + _b64url(json.dumps(payload, separators=(",", ":")).encode()))
    signature = hmac.new(secret_key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def error_for_code(code: int, message: str, provider: str,
                   retry_after: float | None = None) -> GenerationError:
    """Kling's business codes (checked even on HTTP 200)."""
    text = f"{message} (code {code})"
    if 1000 <= code <= 1004:
        return AuthFailed(f"key refused: {text}", provider=provider)
    if code in (1101, 1102):
        return InsufficientCredit(f"no credit: {text}", provider=provider)
    if code in (1302, 1303):
        return RateLimited(f"rate limited: {text}", provider=provider, retry_after=retry_after)
    if code == 1103:
        return ModelUnavailable(f"model not enabled for this key: {text}", provider=provider)
    if code == 1203:
        return ModelUnavailable(f"model not found: {text}", provider=provider)
    if code in (1300, 1301):
        return ModerationRefused(f"refused by the content filter: {text}", provider=provider)
    if code >= 5000:
        return ServerError(f"server error: {text}", provider=provider)
    return BadRequest(f"request refused: {text}", provider=provider)


class KlingProvider(HttpProvider):
    name = "kling"
    default_base_url = "https://api-singapore.klingai.com"
    api_domain = "klingai.com"
    default_concurrency = 3
    supports_lookup = True

    _token: str = ""
    _token_exp: float = 0.0

    def _auth(self) -> dict[str, str]:
        now = time.time()
        if not self._token or now > self._token_exp - 300:
            access, secret = self.keys()
            self._token = make_jwt(access, secret, now)
            self._token_exp = now + TOKEN_LIFETIME
        return {"Authorization": f"Bearer {self._token}"}

    async def _call(self, method: str, path: str, **kwargs: object) -> dict[str, object]:
        response = await send(self.client, method, path, self.name, headers=self._auth(), **kwargs)
        data = None
        if response.headers.get("content-type", "").startswith("application/json"):
            try:
                data = response.json()
            except ValueError:
                data = None
        if isinstance(data, dict) and isinstance(data.get("code"), int) and data["code"] != 0:
            if response.status_code == 401:
                self._token = ""  # expired/invalid token: rebuild next time
            error = error_for_code(int(data["code"]), str(data.get("message", "")), self.name,
                                   parse_retry_after(response.headers))
            error.status_code = response.status_code  # the queue tells a 504 (may exist) from a 500
            raise error
        body = json_object(response, self.name)
        if not isinstance(body.get("data"), dict):
            raise ServerError("answer without a data object", provider=self.name)
        data_object: dict[str, object] = body["data"]
        return data_object

    async def submit(self, request: GenerationRequest) -> str:
        image_mode = request.start_image is not None or request.end_image is not None
        # Kling wants raw base64, without the data: prefix; the output follows the image's aspect.
        encoded = await encode_images(request, raw_base64)
        body = checked_body(request, encoded)
        kind = "image2video" if image_mode else "text2video"
        data = await self._call("POST", f"/v1/videos/{kind}", json=body)
        task_id = data.get("task_id")
        if not task_id:
            raise ServerError("submit answered without a task_id", provider=self.name)
        return f"{kind}/{task_id}"

    async def poll(self, remote_id: str) -> RemoteStatus:
        data = await self._call("GET", f"/v1/videos/{remote_id}")
        return self._status(data)

    def _status(self, data: dict[str, object]) -> RemoteStatus:
        status = str(data.get("task_status", ""))
        if status == "submitted":
            return RemoteStatus(RemoteState.SUBMITTED, message="submitted")
        if status == "processing":
            return RemoteStatus(RemoteState.RUNNING, message="generating")
        if status == "failed":
            return failed_status(str(data.get("task_status_msg") or "the task failed"), self.name)
        if status != "succeed":
            raise ServerError(f"unknown task status {status!r}", provider=self.name)
        result = data.get("task_result")
        videos = result.get("videos") if isinstance(result, dict) else None
        first = videos[0] if isinstance(videos, list) and videos else None
        url = first.get("url") if isinstance(first, dict) else None
        if not url:
            raise ServerError("task succeeded without a video URL", provider=self.name)
        return RemoteStatus(RemoteState.DONE, progress=1.0, result_url=str(url))

    async def find_created(self, request: GenerationRequest, since: str | None) -> str | None:
        """Find the task by our external_task_id; None when Kling has no such task (never created)."""
        if not request.external_id:
            return None
        for kind in ("text2video", "image2video"):
            try:
                data = await self._call("GET", f"/v1/videos/{kind}/{request.external_id}")
            except (BadRequest, ModelUnavailable):
                continue  # not found under this kind
            task_id = data.get("task_id")
            if task_id:
                return f"{kind}/{task_id}"
        return None

    async def cancel(self, remote_id: str) -> bool:
        return False  # the V1 API has no cancel
