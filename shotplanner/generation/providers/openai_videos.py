"""OpenAI Videos API (Sora 2 / Sora 2 Pro).

OpenAI shut this API down on 2026-09-24. The client stays for the API's own host;
a 404 or ``model_not_found`` reads as "retired", a clear permanent state, never a crash.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from shotplanner.generation.base import (
    BadRequest,
    GenerationError,
    GenerationRequest,
    JobFailed,
    ModelUnavailable,
    ModerationRefused,
    RemoteState,
    RemoteStatus,
    ServerError,
)
from shotplanner.generation.http import error_text, json_body, raise_for_status, send
from shotplanner.generation.preflight import checked_body
from shotplanner.generation.providers.bodies import OPENAI_SECONDS, openai_size
from shotplanner.generation.providers.common import HttpProvider, checked_bytes, failed_status

RETIRED_MESSAGE = ("OpenAI retired the Videos API (sora-2, sora-2-pro) on 2026-09-24; "
                   "pick another model")
SECONDS = OPENAI_SECONDS
size_for = openai_size


def fit_to_size(path: Path, size: str) -> bytes:
    """The image at ``path`` as a PNG of exactly ``size`` ("1280x720"): scaled to cover, centre-cropped.

    QtGui's QImage needs no application object, and no widget is involved (the generation layer stays
    below the UI). An unreadable image is a refusal before anything is sent.
    """
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage

    width, _, height = size.partition("x")
    w, h = int(width), int(height)
    image = QImage(str(path))
    if image.isNull():
        raise BadRequest(f"cannot read the start image {path.name}; nothing was sent", provider="openai")
    scaled = image.scaled(w, h, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                          Qt.TransformationMode.SmoothTransformation)
    cropped = scaled.copy((scaled.width() - w) // 2, (scaled.height() - h) // 2, w, h)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    cropped.save(buffer, "PNG")  # type: ignore[call-overload]  # PySide6's stub says bytes; it takes str only
    return bytes(data.data())


class OpenAIVideosProvider(HttpProvider):
    name = "openai"
    default_base_url = "https://api.openai.com/v1"
    api_domain = "openai.com"
    default_concurrency = 2

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys()[0]}"}

    def download_headers(self, url: str) -> dict[str, str]:
        # The content endpoint is on the API itself and needs the key; never send it elsewhere.
        return self._auth() if url.startswith(self.base_url + "/") else {}

    def _check(self, response_status: int, text: str, code: str, *, on_submit: bool) -> None:
        if "model_not_found" in code or "model_not_found" in text or (on_submit and response_status == 404):
            raise ModelUnavailable(RETIRED_MESSAGE, provider=self.name, status_code=response_status)
        if response_status in (404, 410):
            # A 404 on an existing video: it is gone (expired or deleted), the API is not retired.
            raise JobFailed(f"the video is no longer at the provider ({response_status}): {text}",
                            provider=self.name, status_code=response_status)

    async def submit(self, request: GenerationRequest) -> str:
        form = checked_body(request, {p: p.name for p in (request.start_image,) if p is not None})
        # Multipart always (the API's contract): plain fields as (None, value) parts, the image as a file.
        files: dict[str, tuple[str | None, bytes | str, str] | tuple[None, str]] = {
            key: (None, str(value)) for key, value in form.items() if key != "input_reference"}
        if request.start_image:
            await checked_bytes(request.start_image, self.name)  # readable, decodable, within limits
            # The API wants the reference at the output size: scaled to cover it, centre-cropped.
            raw = await asyncio.to_thread(fit_to_size, request.start_image, str(form["size"]))
            files["input_reference"] = (request.start_image.stem + ".png", raw, "image/png")
        response = await send(self.client, "POST", "/videos", self.name, files=files, headers=self._auth())
        self._raise(response, on_submit=True)
        data = json_body(response, self.name)
        video_id = data.get("id") if isinstance(data, dict) else None
        if not video_id:
            raise ServerError("create answered without a video id", provider=self.name)
        return str(video_id)

    def _raise(self, response: object, *, on_submit: bool = False) -> None:
        import httpx

        assert isinstance(response, httpx.Response)
        if response.status_code < 400:
            return
        code = ""
        try:
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("error"), dict):
                code = str(body["error"].get("code") or "")
        except ValueError:
            pass
        self._check(response.status_code, error_text(response), code, on_submit=on_submit)
        if response.status_code == 400 and "moderation" in code:
            raise ModerationRefused(f"refused by the content filter: {error_text(response)}",
                                    provider=self.name, status_code=400)
        raise_for_status(response, self.name)

    async def poll(self, remote_id: str) -> RemoteStatus:
        response = await send(self.client, "GET", f"/videos/{remote_id}", self.name, headers=self._auth())
        self._raise(response)
        data = json_body(response, self.name)
        if not isinstance(data, dict):
            raise ServerError("video is not an object", provider=self.name)
        poll_after = response.headers.get("openai-poll-after-ms")
        hint = float(poll_after) / 1000 if poll_after and poll_after.isdigit() else None
        status = str(data.get("status", ""))
        progress = data.get("progress")
        fraction = max(0.0, min(1.0, float(progress) / 100)) if isinstance(progress, int | float) else None
        if status == "queued":
            return RemoteStatus(RemoteState.SUBMITTED, progress=fraction, message="queued", poll_after=hint)
        if status == "in_progress":
            return RemoteStatus(RemoteState.RUNNING, progress=fraction, message="generating", poll_after=hint)
        if status == "failed":
            err = data.get("error") if isinstance(data.get("error"), dict) else {}
            text = str(err.get("message") or "the video failed")  # type: ignore[union-attr]
            code = str(err.get("code") or "")  # type: ignore[union-attr]
            return failed_status(text, self.name, code)
        if status != "completed":
            raise ServerError(f"unknown status {status!r}", provider=self.name)
        return RemoteStatus(RemoteState.DONE, progress=1.0,
                            result_url=f"{self.base_url}/videos/{remote_id}/content")

    async def cancel(self, remote_id: str) -> bool:
        return False  # DELETE only removes finished videos; there is no cancel


__all__ = ["RETIRED_MESSAGE", "GenerationError", "OpenAIVideosProvider"]
