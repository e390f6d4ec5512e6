"""Replicate predictions: ``POST /v1/models/{owner}/{name}/predictions``, poll ``/v1/predictions/{id}``.

Outputs of API-created predictions are deleted after one hour, so the queue downloads at once.
"""

from __future__ import annotations

from shotplanner.generation.base import GenerationRequest, RemoteState, RemoteStatus, ServerError
from shotplanner.generation.http import json_body, raise_for_status, send
from shotplanner.generation.preflight import checked_body
from shotplanner.generation.providers.common import (
    HttpProvider,
    data_uri,
    encode_images,
    failed_status,
)


class ReplicateProvider(HttpProvider):
    name = "replicate"
    default_base_url = "https://api.replicate.com"
    default_concurrency = 4

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys()[0]}"}

    async def build_input(self, request: GenerationRequest) -> dict[str, object]:
        """The model's ``input`` as its schema spells it (``bodies.replicate_input``), checked first."""
        encoded = await encode_images(request, data_uri)
        return checked_body(request, encoded)

    async def submit(self, request: GenerationRequest) -> str:
        body: dict[str, object] = {"input": await self.build_input(request)}
        model = request.provider_model
        if ":" in model:  # "owner/name:version" pins a version
            body["version"] = model.split(":", 1)[1]
            path = "/v1/predictions"
        else:
            path = f"/v1/models/{model}/predictions"
        response = await send(self.client, "POST", path, self.name, json=body, headers=self._auth())
        raise_for_status(response, self.name, model_hint=model)
        data = json_body(response, self.name)
        prediction_id = data.get("id") if isinstance(data, dict) else None
        if not prediction_id:
            raise ServerError("submit answered without a prediction id", provider=self.name)
        return str(prediction_id)

    async def poll(self, remote_id: str) -> RemoteStatus:
        response = await send(self.client, "GET", f"/v1/predictions/{remote_id}", self.name,
                              headers=self._auth())
        raise_for_status(response, self.name)
        data = json_body(response, self.name)
        if not isinstance(data, dict):
            raise ServerError("prediction is not an object", provider=self.name)
        status = str(data.get("status", ""))
        if status == "starting":
            return RemoteStatus(RemoteState.SUBMITTED, message="starting")
        if status == "processing":
            return RemoteStatus(RemoteState.RUNNING, message="generating")
        if status == "canceled":
            return RemoteStatus(RemoteState.CANCELED, message="canceled at Replicate")
        if status == "failed":
            return failed_status(str(data.get("error") or "the prediction failed"), self.name)
        if status != "succeeded":
            raise ServerError(f"unknown status {status!r}", provider=self.name)
        output = data.get("output")
        url = output[0] if isinstance(output, list) and output else output
        if not isinstance(url, str) or not url:
            raise ServerError("prediction succeeded without an output URL", provider=self.name)
        return RemoteStatus(RemoteState.DONE, progress=1.0, result_url=url,
                            message="output expires one hour after completion")

    async def cancel(self, remote_id: str) -> bool:
        response = await send(self.client, "POST", f"/v1/predictions/{remote_id}/cancel", self.name,
                              headers=self._auth())
        return response.status_code < 400
