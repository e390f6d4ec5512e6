"""``shotplanner contracts refresh`` against a loopback stand-in for Replicate's model API: it prints what
changed and rewrites nothing."""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shotplanner.core.contracts import contract_file, load_contract
from shotplanner.generation.contracts_refresh import refresh


class _Models(BaseHTTPRequestHandler):
    live: dict[str, Any] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        slug = self.path.removeprefix("/v1/models/")
        schema = self.live.get(slug)
        if schema is None or self.headers.get("Authorization") != "Bearer r8_test":
            self.send_response(404)
            self.end_headers()
            return
        openapi = {"components": {"schemas": {"Input": schema}}}
        body = json.dumps({"latest_version": {"openapi_schema": openapi}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())


def test_refresh_prints_the_changes_and_rewrites_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = load_contract("replicate", "google/veo-3.1")
    live = json.loads(json.dumps(shipped.schema))
    live["properties"].pop("seed")
    live["properties"]["fps"] = {"type": "integer", "enum": [24]}
    live["properties"]["resolution"]["enum"] = ["720p", "1080p", "4k"]
    _Models.live = {"google/veo-3.1": live}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Models)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    before = contract_file("replicate", "google/veo-3.1").read_bytes()
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_test")
    monkeypatch.setenv("SHOTPLANNER_REPLICATE_BASE_URL", f"http://127.0.0.1:{server.server_port}")
    out = io.StringIO()
    try:
        code = refresh(["replicate"], out)
    finally:
        server.shutdown()
    text = out.getvalue()
    assert code == 1
    assert "replicate google/veo-3.1: changed since" in text
    assert "+ fps: a new field" in text and "- seed: no longer in the live schema" in text
    assert "~ resolution: values ('720p', '1080p') → ('720p', '1080p', '4k')" in text
    assert "nothing was rewritten" in text
    assert contract_file("replicate", "google/veo-3.1").read_bytes() == before
