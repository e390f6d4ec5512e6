"""Replicate predictions: ``POST /v1/models/{owner}/{name}/predictions``, poll ``/v1/predictions/{id}``.

Outputs of API-created predictions are deleted after one hour, so the queue downloads at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shotplanner.generation.base import (
    GenerationRequest,
    RemoteState,
    RemoteStatus,
    ServerError,
    SubmitUnknown,
)
from shotplanner.generation.http import json_object, send
from shotplanner.generation.preflight import checked_body
from shotplanner.generation.providers.common import (
    HttpProvider,
    data_uri,
    encode_images,
    failed_status,
)

#: Clock difference allowed between us and Replicate when matching a prediction's ``created_at``.
CLOCK_SKEW = timedelta(minutes=2)
#: Pages of the prediction list read while looking for a create that may have worked.
LIST_PAGES = 3


class ReplicateProvider(HttpProvider):
    name = "replicate"
    default_base_url = "https://api.replicate.com"
    api_domain = "replicate.com"
    default_concurrency = 4
    supports_lookup = True

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
        prediction_id = json_object(response, self.name, model_hint=model).get("id")
        if not prediction_id:
            raise ServerError("submit answered without a prediction id", provider=self.name)
        return str(prediction_id)

    async def poll(self, remote_id: str) -> RemoteStatus:
        response = await send(self.client, "GET", f"/v1/predictions/{remote_id}", self.name,
                              headers=self._auth())
        data = json_object(response, self.name)
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

    async def find_created(self, request: GenerationRequest, since: str | None) -> str | None:
        """Look for the prediction a create that may have worked made, in ``GET /v1/predictions``.

        Replicate takes no id of ours, so the match is: same model (or pinned version), same prompt,
        created after the create left (less a clock margin). One match is the job; none means it was never
        created; several cannot be told apart, so the job stays "may exist" (SubmitUnknown).
        """
        model, _, version = request.provider_model.partition(":")
        start = (datetime.fromisoformat(since) if since else datetime.now(UTC)) - CLOCK_SKEW
        params: dict[str, str] | None = {
            "created_after": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
        url = "/v1/predictions"
        matches: list[str] = []
        for _page in range(LIST_PAGES):
            response = await send(self.client, "GET", url, self.name, params=params, headers=self._auth())
            data = json_object(response, self.name)
            results = data.get("results")
            if not isinstance(results, list):
                raise ServerError("the prediction list is not a list", provider=self.name)
            for row in results:
                if not isinstance(row, dict) or not row.get("id"):
                    continue
                same_model = row.get("version") == version if version else row.get("model") == model
                raw_input = row.get("input")
                given: dict[str, Any] = raw_input if isinstance(raw_input, dict) else {}
                fits = same_model and given.get("prompt") == request.prompt
                if fits and _after(row.get("created_at"), start):
                    matches.append(str(row["id"]))
            next_url = data.get("next")
            if not next_url:
                break
            url, params = str(next_url), None
            if not url.startswith(self.base_url + "/"):
                break  # a next page elsewhere would receive our key: not followed
        if len(matches) > 1:
            raise SubmitUnknown(f"{len(matches)} predictions match this create; check which one is this "
                                "take's before sending it again", provider=self.name)
        return matches[0] if matches else None


def _after(created_at: object, start: datetime) -> bool:
    try:
        return datetime.fromisoformat(str(created_at).replace("Z", "+00:00")) >= start
    except ValueError:
        return False
