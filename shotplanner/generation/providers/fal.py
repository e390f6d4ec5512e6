"""fal.ai queue API: submit to ``queue.fal.run/{endpoint}``, poll ``…/requests/{id}/status``, read result.

fal's quirks: the status/result/cancel URLs drop the endpoint's sub-path (we keep the ``response_url``
path submit returns), and a failed job also ends ``COMPLETED`` with an ``error`` field.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from shotplanner.generation.base import BadRequest, GenerationRequest, RemoteState, RemoteStatus, ServerError
from shotplanner.generation.http import error_text, json_object, send
from shotplanner.generation.preflight import checked_body
from shotplanner.generation.providers.common import (
    HttpProvider,
    data_uri,
    encode_images,
    failed_status,
)
from shotplanner.generation.providers.fal_frames import build_frame_body


def validation_text(response: httpx.Response) -> str:
    """fal's 422 body ``{"detail": [{"loc": [...], "msg": ...}]}`` as "field: message", field names kept."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return error_text(response)
    if not isinstance(detail, list):
        return error_text(response)
    parts = []
    for item in detail:
        if not isinstance(item, dict):
            continue
        loc = [str(x) for x in item.get("loc", []) if x != "body"]
        where = ".".join(loc)
        parts.append(f"{where}: {item.get('msg', '')}" if where else str(item.get("msg", "")))
    return "; ".join(parts) or error_text(response)


class FalProvider(HttpProvider):
    name = "fal"
    default_base_url = "https://queue.fal.run"
    api_domain = "fal.run"
    default_concurrency = 4

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Key {self.keys()[0]}"}

    async def build_input(self, request: GenerationRequest) -> dict[str, object]:
        """The body as the endpoint's schema spells it (``bodies.fal_body``), checked before it is sent."""
        if request.kind == "frame":  # a storyboard still: an image endpoint, its own checked body
            return await build_frame_body(request)
        encoded = await encode_images(request, data_uri)
        return checked_body(request, encoded)

    async def submit(self, request: GenerationRequest) -> str:
        body = await self.build_input(request)
        response = await send(self.client, "POST", f"/{request.provider_model.strip('/')}", self.name,
                              json=body, headers=self._auth())
        if _ingress_error(response):
            raise ServerError(f"fal's gateway answered {response.status_code} before the request reached it",
                              provider=self.name, status_code=response.status_code, not_created=True)
        if response.status_code == 422:
            raise BadRequest(f"refused: {validation_text(response)}", provider=self.name, status_code=422)
        data = json_object(response, self.name, model_hint=request.provider_model)
        request_id = data.get("request_id")
        if not request_id:
            raise ServerError("submit answered without a request_id", provider=self.name)
        return self._remote_id(data, request.provider_model, str(request_id))

    def _remote_id(self, data: dict[str, object], endpoint: str, request_id: str) -> str:
        """The requests path (``owner/app/requests/{id}``), taken from response_url when it is ours."""
        response_url = str(data.get("response_url") or "")
        parts = urlsplit(response_url)
        ours = urlsplit(self.base_url)
        if parts.netloc == ours.netloc and "/requests/" in parts.path:
            base_path = ours.path.rstrip("/")
            path = parts.path[len(base_path):] if parts.path.startswith(base_path) else parts.path
            return path.strip("/")
        owner_app = "/".join(endpoint.strip("/").split("/")[:2])
        return f"{owner_app}/requests/{request_id}"

    async def poll(self, remote_id: str) -> RemoteStatus:
        response = await send(self.client, "GET", f"/{remote_id}/status", self.name,
                              params={"logs": "1"}, headers=self._auth())
        data = json_object(response, self.name)
        status = str(data.get("status", ""))
        if status == "IN_QUEUE":
            position = data.get("queue_position")
            message = f"in queue (position {position})" if position is not None else "in queue"
            return RemoteStatus(RemoteState.SUBMITTED, message=message)
        if status == "IN_PROGRESS":
            return RemoteStatus(RemoteState.RUNNING, message="generating")
        if status in ("FAILED", "ERROR"):
            return self._failed(str(data.get("error") or "the job failed"), str(data.get("error_type") or ""))
        if status in ("CANCELED", "CANCELLED"):
            return RemoteStatus(RemoteState.CANCELED, message="canceled at fal")
        if status != "COMPLETED":
            raise ServerError(f"unknown status {status!r}", provider=self.name)
        if data.get("error"):
            return self._failed(str(data["error"]), str(data.get("error_type") or ""))
        return await self._result(remote_id)

    async def _result(self, remote_id: str) -> RemoteStatus:
        response = await send(self.client, "GET", f"/{remote_id}", self.name, headers=self._auth())
        if 400 <= response.status_code < 500 and response.status_code not in (401, 403, 408, 409, 429):
            # A failed job's result answers with an error: that is the job's failure, not ours.
            return self._failed(error_text(response), response.headers.get("x-fal-error-type", ""))
        data = json_object(response, self.name)
        video = data.get("video")
        url = video.get("url") if isinstance(video, dict) else None
        images = data.get("images")
        if not url and isinstance(images, list) and images and isinstance(images[0], dict):
            url = images[0].get("url")  # image endpoints (storyboard frames): the first image
        if not url:
            raise ServerError("result has no video or image URL", provider=self.name)
        return RemoteStatus(RemoteState.DONE, progress=1.0, result_url=str(url))

    def _failed(self, message: str, error_type: str) -> RemoteStatus:
        return failed_status(message, self.name, error_type)

    async def cancel(self, remote_id: str) -> bool:
        response = await send(self.client, "PUT", f"/{remote_id}/cancel", self.name, headers=self._auth())
        return response.status_code in (200, 202)


def _ingress_error(response: httpx.Response) -> bool:
    """fal's own client retries a create only on these: a 502/503/504 from its gateway (nginx's page,
    no ``x-fal-request-id``), given before the request reached fal. Any other 5xx may hide a job."""
    return (response.status_code in (502, 503, 504) and "x-fal-request-id" not in response.headers
            and "nginx" in response.text.lower())
