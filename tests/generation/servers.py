"""Local contract servers: real loopback HTTP speaking each provider's documented API, faults on demand.

One ``ContractServer(kind)`` per provider (``fal``, ``replicate``, ``kling``), threaded, on
127.0.0.1 with an ephemeral port. ``server.faults`` switches faults on (see ``Faults``); ``server.creates``
counts create requests; every job's clip is served from ``/files/{job}.mp4`` with Range support.

Run as a script (``python -m tests.generation.servers KIND --latency 0.05 --clip-bytes N``) it serves in
its own process and prints ``PORT`` on the first line: the benchmark uses that so the server's work never
shows up as the client's event-loop stalls.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

FAL_KEY = "fal-test-key-0123456789"
REPLICATE_KEY = "r8_test_token_0123456789"
KLING_ACCESS = "kling-access-0123456789"
KLING_SECRET = "kling-secret-0123456789"


@dataclass
class Faults:
    latency: float = 0.0
    submit_429: int = 0  # first N creates answer 429 with Retry-After
    retry_after: str = "0.05"
    submit_status: list[int] = field(default_factory=list)  # first creates answer these codes (5xx…)
    poll_status: list[int] = field(default_factory=list)  # first status polls answer these codes
    poll_429: int = 0
    malformed_polls: int = 0  # first N status polls answer broken JSON with HTTP 200
    malformed_always: bool = False
    moderation: bool = False  # accepted with 200, then fails for content policy
    never_finish: bool = False
    polls_to_finish: int = 1
    drop_downloads: int = 0  # first N downloads send half the bytes, then drop the connection
    no_range: bool = False
    output_url: str | None = None  # e.g. "http://example.com/x.mp4" or "file:///etc/passwd"
    hang_submit: float = 0.0  # create the job, then hold the answer this long (client times out)
    echo_key_in_error: bool = False  # a 400 whose body repeats the Authorization header
    lose_submit: float = 0.0  # hold every create this long, then drop it without creating anything
    redirect_downloads: str | None = None  # clip downloads answer 302 to this base URL + the same path
    create_then_status: list[int] = field(default_factory=list)  # first creates make the job, answer these
    create_then_garbage: int = 0  # first N creates make the job, then answer 200 with an unreadable body
    #: Each create makes the job, then waits on this event before answering (a kill lands meanwhile).
    hold_created: threading.Event | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # read by listen() in __init__: a short backlog resets bursts of connects


class ContractServer:
    def __init__(self, kind: str, clip: bytes = b"", port: int = 0, host: str = "127.0.0.1",
                 image: bytes = b"") -> None:
        self.kind = kind
        self.clip = clip
        #: What image endpoints (storyboard frames) answer with, served from ``/files/{job}.png``.
        self.image = image
        self.create_paths: list[str] = []  # the path of every create request, in order
        self.faults = Faults()
        self.lock = threading.Lock()
        self.jobs: dict[str, dict[str, Any]] = {}
        self.creates = 0
        self.create_bodies: list[Any] = []
        self.polls = 0
        self.downloads = 0
        self.cancels = 0
        self.auth_failures = 0
        self.download_auth: list[str] = []  # the Authorization header of every download ("" when none)
        self._ids = itertools.count(1)
        self._sub_counters: dict[str, int] = {}
        handler = type("Handler", (_Handler,), {"server_ref": self})
        self.httpd = _Server((host, port), handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self._thread: threading.Thread | None = None

    def start(self) -> ContractServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def take(self, counter: str, limit: int) -> bool:
        """True for the first ``limit`` calls of ``counter`` (fault budgets)."""
        with self.lock:
            used = self._sub_counters.get(counter, 0)
            if used < limit:
                self._sub_counters[counter] = used + 1
                return True
            return False

    def take_list(self, counter: str, items: list[int]) -> int | None:
        with self.lock:
            used = self._sub_counters.get(counter, 0)
            if used < len(items):
                self._sub_counters[counter] = used + 1
                return items[used]
            return None

    def new_job(self, extra: dict[str, Any]) -> str:
        with self.lock:
            self.creates += 1
            job_id = f"job{next(self._ids):05d}"
            self.jobs[job_id] = {"polls": 0, **extra}
            return job_id

    def job_state(self, job_id: str) -> str:
        """'queued' | 'running' | 'done' | 'failed' | 'canceled' after one more poll."""
        with self.lock:
            job = self.jobs[job_id]
            if job.get("canceled"):
                return "canceled"
            job["polls"] += 1
            self.polls += 1
            if self.faults.never_finish:
                return "running"
            if job["polls"] < self.faults.polls_to_finish:
                return "queued" if job["polls"] == 1 else "running"
            return "failed" if self.faults.moderation else "done"

    def clip_url(self, job_id: str) -> str:
        return self.faults.output_url or f"{self.base}/files/{job_id}.mp4"

    def env(self) -> dict[str, str]:
        """Environment for a subprocess that should talk to this server."""
        env = {"SHOTPLANNER_ALLOW_LOOPBACK_HTTP": "1",
               f"SHOTPLANNER_{self.kind.upper()}_BASE_URL": self.api_base}
        env.update(keys_env(self.kind))
        return env

    @property
    def api_base(self) -> str:
        return self.base


def keys_env(kind: str) -> dict[str, str]:
    return {
        "fal": {"FAL_KEY": FAL_KEY},
        "replicate": {"REPLICATE_API_TOKEN": REPLICATE_KEY},
        "kling": {"KLING_ACCESS_KEY": KLING_ACCESS, "KLING_SECRET_KEY": KLING_SECRET},
    }[kind]


def _verify_jwt(token: str) -> bool:
    try:
        head, payload, sig = token.split(".")
        expected = hmac.new(KLING_SECRET.encode(), f"{head}.{payload}".encode(), hashlib.sha256).digest()
        given = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, json.JSONDecodeError):
        return False
    now = time.time()
    return (hmac.compare_digest(expected, given) and claims.get("iss") == KLING_ACCESS
            and claims.get("nbf", now) <= now + 1 and claims.get("exp", 0) > now)


def _tagged_png(png: bytes, job_id: str) -> bytes:
    """``png`` with a tEXt chunk naming the job before IEND: every job's image is its own file."""
    import struct
    import zlib

    if not png.endswith(b"IEND\xaeB`\x82"):
        return png
    payload = b"Comment\x00" + job_id.encode()
    chunk = struct.pack(">I", len(payload)) + b"tEXt" + payload
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + payload) & 0xFFFFFFFF)
    return png[:-12] + chunk + png[-12:]


def _is_image_endpoint(endpoint: str) -> bool:
    return any(tag in endpoint for tag in ("nano-banana", "seedream", "flux-pro/kontext"))


class _Handler(BaseHTTPRequestHandler):
    server_ref: ContractServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    # ------------------------------------------------------------------------------ plumbing

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, code: int, payload: Any = None, *, raw: bytes | None = None,
              headers: dict[str, str] | None = None) -> None:
        data = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self) -> bool:
        s = self.server_ref
        auth = self.headers.get("Authorization", "")
        ok = {
            "fal": auth == f"Key {FAL_KEY}",
            "replicate": auth == f"Bearer {REPLICATE_KEY}",
            "kling": auth.startswith("Bearer ") and _verify_jwt(auth[7:]),
        }[s.kind]
        if not ok:
            with s.lock:
                s.auth_failures += 1
            if s.kind == "kling":
                self._send(401, {"code": 1002, "message": "invalid token", "request_id": "r"})
            else:
                self._send(401, {"detail": "invalid credentials"})
        return ok

    def _handle(self, method: str) -> None:
        s = self.server_ref
        if s.faults.latency:
            time.sleep(s.faults.latency)
        path = urlsplit(self.path).path
        if path.startswith("/files/"):
            self._download(path)
            return
        body = self._body() if method in ("POST", "PUT") else b""
        if not self._authorized():
            return
        getattr(self, f"_{s.kind}")(method, path, body)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # ----------------------------------------------------------------------------- common faults

    def _create_fault(self) -> bool:
        """429/5xx on create: answered without creating anything."""
        s = self.server_ref
        if s.faults.lose_submit:
            time.sleep(s.faults.lose_submit)  # the client gave up waiting; nothing was created
            self.close_connection = True
            return True
        if s.faults.echo_key_in_error:
            self._send(400, {"detail": f"bad request from {self.headers.get('Authorization')}"})
            return True
        if s.take("submit_429", s.faults.submit_429):
            payload = ({"code": 1302, "message": "rate limit", "request_id": "r"} if s.kind == "kling"
                       else {"detail": "Request was throttled."})
            self._send(429, payload, headers={"Retry-After": s.faults.retry_after})
            return True
        code = s.take_list("submit_status", s.faults.submit_status)
        if code is not None:
            if s.kind == "fal":
                # fal's ingress answers before the request reaches it: nginx's page, no x-fal-request-id.
                self._send(code, raw=f"<html><center><h1>{code}</h1></center><hr><center>nginx</center>"
                                     "</html>".encode(), headers={"Content-Type": "text/html"})
                return True
            payload = ({"code": 5000, "message": "server error", "request_id": "r"} if s.kind == "kling"
                       else {"detail": f"upstream error {code}"})
            self._send(code, payload)
            return True
        return False

    def _poll_fault(self) -> bool:
        s = self.server_ref
        if s.take("poll_429", s.faults.poll_429):
            self._send(429, {"detail": "slow down"}, headers={"Retry-After": s.faults.retry_after})
            return True
        code = s.take_list("poll_status", s.faults.poll_status)
        if code is not None:
            self._send(code, raw=b"<html>502 Bad Gateway</html>")
            return True
        if s.faults.malformed_always or s.take("malformed", s.faults.malformed_polls):
            self._send(200, raw=b'{"status": "IN_PROG')
            return True
        return False

    def _created(self, job_id: str, payload: Any) -> None:
        s = self.server_ref
        if s.faults.hang_submit:
            time.sleep(s.faults.hang_submit)  # the job exists; the answer never arrives in time
            return
        if s.faults.hold_created is not None:
            s.faults.hold_created.wait(30)
        ours = {"x-fal-request-id": job_id} if s.kind == "fal" else {}  # fal's app was reached
        code = s.take_list("create_then_status", s.faults.create_then_status)
        if code is not None:  # the job exists; the answer says otherwise
            payload = ({"code": 5000, "message": "server error", "request_id": "r"} if s.kind == "kling"
                       else {"detail": f"internal error {code}"})
            self._send(code, payload, headers=ours)
            return
        if s.take("create_then_garbage", s.faults.create_then_garbage):
            self._send(200, raw=b'{"request_id": "' + job_id.encode()[:3], headers=ours)
            return
        self._send(200, payload, headers=ours)

    def _record(self, body: bytes) -> Any:
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = body[:200]
        with self.server_ref.lock:
            self.server_ref.create_bodies.append(parsed)
        return parsed

    # ----------------------------------------------------------------------------------- fal

    def _fal(self, method: str, path: str, body: bytes) -> None:
        s = self.server_ref
        parts = path.strip("/").split("/")
        if method == "POST":
            if self._create_fault():
                return
            self._record(body)
            with s.lock:
                s.create_paths.append(path)
            owner_app = "/".join(parts[:2])
            job_id = s.new_job({"app": owner_app, "endpoint": "/".join(parts)})
            base = f"{s.base}/{owner_app}/requests/{job_id}"
            self._created(job_id, {"request_id": job_id, "response_url": base,
                                   "status_url": f"{base}/status", "cancel_url": f"{base}/cancel"})
            return
        if len(parts) < 4 or parts[2] != "requests" or parts[3] not in s.jobs:
            self._send(404, {"detail": "Request not found"})
            return
        job_id = parts[3]
        tail = parts[4:] if len(parts) > 4 else []
        if method == "PUT" and tail == ["cancel"]:
            with s.lock:
                s.cancels += 1
                s.jobs[job_id]["canceled"] = True
            self._send(202, {"status": "CANCELLATION_REQUESTED"})
            return
        if tail == ["status"]:
            if self._poll_fault():
                return
            state = s.job_state(job_id)
            if state == "queued":
                self._send(200, {"status": "IN_QUEUE", "queue_position": 0})
            elif state == "running":
                self._send(200, {"status": "IN_PROGRESS", "logs": []})
            elif state == "canceled":
                self._send(200, {"status": "CANCELED"})
            elif state == "failed":
                self._send(200, {"status": "COMPLETED", "logs": [],
                                 "error": "Output failed content moderation checks",
                                 "error_type": "content_policy_violation"})
            else:
                self._send(200, {"status": "COMPLETED", "logs": [], "error": None, "error_type": None})
            return
        if not tail and method == "GET":
            if s.faults.moderation:
                self._send(422, {"detail": [{"loc": ["body"], "msg": "content policy violation",
                                             "type": "content_policy_violation"}]})
                return
            if _is_image_endpoint(s.jobs[job_id].get("endpoint", "")):
                # fal-js image outputs: ``images: Array<Image>`` (url, content_type, width, height…).
                image = {"url": f"{s.base}/files/{job_id}.png", "content_type": "image/png",
                         "file_name": "output.png", "file_size": len(s.image)}
                self._send(200, {"images": [image], "description": ""})
                return
            self._send(200, {"video": {"url": s.clip_url(job_id), "content_type": "video/mp4",
                                       "file_name": "output.mp4", "file_size": len(s.clip)}})
            return
        self._send(404, {"detail": "Not found"})

    # ----------------------------------------------------------------------------- replicate

    def _replicate(self, method: str, path: str, body: bytes) -> None:
        s = self.server_ref
        if method == "POST" and path.endswith("/predictions"):
            if self._create_fault():
                return
            parsed = self._record(body)
            if not isinstance(parsed, dict) or "input" not in parsed:
                self._send(422, {"title": "Invalid input", "detail": "input is required", "status": 422})
                return
            model = path.removeprefix("/v1/models/").removesuffix("/predictions")
            input_ = {k: v for k, v in parsed["input"].items() if not str(v).startswith("data:")}
            created = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{time.time() % 1:.6f}"[2:] + "Z"
            job_id = s.new_job({"model": model, "input": input_, "created_at": created})
            self._created(job_id, {"id": job_id, "status": "starting", "output": None, "error": None,
                                   "urls": {"get": f"{s.base}/v1/predictions/{job_id}"}})
            return
        parts = path.strip("/").split("/")
        if method == "GET" and parts == ["v1", "predictions"]:
            self._replicate_list()
            return
        if len(parts) < 3 or parts[1] != "predictions" or parts[2] not in s.jobs:
            self._send(404, {"title": "Not found", "detail": "Prediction not found", "status": 404})
            return
        job_id = parts[2]
        if method == "POST" and parts[3:] == ["cancel"]:
            with s.lock:
                s.cancels += 1
                s.jobs[job_id]["canceled"] = True
            self._send(200, {"id": job_id, "status": "canceled"})
            return
        if self._poll_fault():
            return
        state = s.job_state(job_id)
        status = {"queued": "starting", "running": "processing", "canceled": "canceled",
                  "failed": "failed", "done": "succeeded"}[state]
        payload: dict[str, Any] = {"id": job_id, "status": status, "output": None, "error": None}
        if state == "failed":
            payload["error"] = "NSFW content detected in the output. Try a different prompt."
        if state == "done":
            payload["output"] = s.clip_url(job_id)
        self._send(200, payload)

    def _replicate_list(self) -> None:
        """``GET /v1/predictions``: newest first, 100 a page, ``created_after`` honoured (as documented)."""
        s = self.server_ref
        from urllib.parse import parse_qs

        query = parse_qs(urlsplit(self.path).query)
        after = (query.get("created_after") or [""])[0]
        with s.lock:
            rows = [{"id": jid, "model": j.get("model", ""), "version": j.get("version", ""),
                     "input": j.get("input", {}), "created_at": j["created_at"], "status": "starting",
                     "source": "api", "urls": {"get": f"{s.base}/v1/predictions/{jid}"}}
                    for jid, j in s.jobs.items()]
        rows = [r for r in rows if not after or r["created_at"] > after]
        rows.sort(key=lambda r: r["created_at"], reverse=True)
        self._send(200, {"next": None, "previous": None, "results": rows[:100]})

    # --------------------------------------------------------------------------------- kling

    def _kling(self, method: str, path: str, body: bytes) -> None:
        s = self.server_ref
        parts = path.strip("/").split("/")  # v1 videos KIND [ID]
        if len(parts) < 3 or parts[:2] != ["v1", "videos"] or parts[2] not in ("text2video", "image2video"):
            self._send(404, {"code": 1202, "message": "invalid method", "request_id": "r"})
            return
        kind = parts[2]
        if method == "POST" and len(parts) == 3:
            if self._create_fault():
                return
            parsed = self._record(body)
            external = parsed.get("external_task_id") if isinstance(parsed, dict) else None
            with s.lock:
                duplicate = external and any(j.get("external") == external for j in s.jobs.values())
            if duplicate:
                self._send(400, {"code": 1201, "message": "external_task_id already exists",
                                 "request_id": "r"})
                return
            job_id = s.new_job({"kind": kind, "external": external})
            self._created(job_id, {"code": 0, "message": "SUCCEED", "request_id": "r",
                                   "data": {"task_id": job_id, "task_status": "submitted",
                                            "task_info": {"external_task_id": external},
                                            "created_at": int(time.time() * 1000)}})
            return
        if method == "GET" and len(parts) == 4:
            ident = parts[3]
            with s.lock:
                job_id = ident if ident in s.jobs and s.jobs[ident]["kind"] == kind else next(
                    (jid for jid, j in s.jobs.items() if j.get("external") == ident and j["kind"] == kind),
                    None)
            if job_id is None:
                self._send(404, {"code": 1201, "message": "task not found", "request_id": "r"})
                return
            if self._poll_fault():
                return
            state = s.job_state(job_id)
            status = {"queued": "submitted", "running": "processing", "canceled": "failed",
                      "failed": "failed", "done": "succeed"}[state]
            data: dict[str, Any] = {"task_id": job_id, "task_status": status,
                                    "task_info": {"external_task_id": s.jobs[job_id].get("external")}}
            if state == "failed":
                data["task_status_msg"] = "Failure to pass the risk control system"
            if state == "done":
                data["task_result"] = {"videos": [{"id": "v1", "url": s.clip_url(job_id), "duration": "2"}]}
            self._send(200, {"code": 0, "message": "SUCCEED", "request_id": "r", "data": data})
            return
        self._send(404, {"code": 1202, "message": "invalid method", "request_id": "r"})

    # ------------------------------------------------------------------------------ download

    def _download(self, path: str) -> None:
        s = self.server_ref
        with s.lock:
            s.download_auth.append(self.headers.get("Authorization", ""))
        if s.faults.redirect_downloads:
            self.send_response(302)
            self.send_header("Location", f"{s.faults.redirect_downloads}{path}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        file_name = path.rsplit("/", 1)[-1]
        name = file_name.removesuffix(".mp4").removesuffix(".png")
        if name not in s.jobs:
            self._send(404, {"detail": "no such file"})
            return
        data = _tagged_png(s.image, name) if file_name.endswith(".png") else s.clip
        total = len(data)
        start = 0
        rng = self.headers.get("Range", "")
        if rng.startswith("bytes=") and not s.faults.no_range:
            start = int(rng[6:].split("-")[0] or 0)
            if start >= total:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{total}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        with s.lock:
            s.downloads += 1
        drop = s.take("drop", s.faults.drop_downloads)
        self.send_response(206 if start else 200)
        self.send_header("Content-Type", "image/png" if file_name.endswith(".png") else "video/mp4")
        self.send_header("Content-Length", str(total - start))
        self.send_header("Accept-Ranges", "bytes")
        if start:
            self.send_header("Content-Range", f"bytes {start}-{total - 1}/{total}")
        self.end_headers()
        end = start + (total - start) // 2 if drop else total
        view = memoryview(data)
        try:
            for pos in range(start, end, 1 << 20):
                self.wfile.write(view[pos:min(end, pos + (1 << 20))])
            if drop:
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["fal", "replicate", "kling"])
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--clip-bytes", type=int, default=4096)
    args = parser.parse_args()
    server = ContractServer(args.kind, clip=b"\0" * args.clip_bytes)
    server.faults.latency = args.latency
    print(server.port, flush=True)
    try:
        server.httpd.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
