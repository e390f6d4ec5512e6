"""Where keys and downloads may go: base URLs https on the provider's own domain (loopback only behind the
test switch), result URLs https and never to a private, link-local or loopback address after resolution."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shotplanner.core.models import JobState
from shotplanner.generation.base import UnsafeURL
from shotplanner.generation.download import check_result_url
from shotplanner.generation.registry import create_provider
from tests.generation.helpers import request, run_jobs
from tests.generation.servers import keys_env
from tests.generation.test_headless import REPO, make_project


@pytest.mark.parametrize("name,url", [
    ("fal", "http://queue.fal.run"),  # the right host, but the key would cross the network in clear
    ("fal", "https://queue.fal.run.evil.example"),
    ("fal", "https://evil.example/fal.run"),
    ("replicate", "https://api.replicate.com@evil.example"),
    ("kling", "http://10.0.0.5"),
    ("kling", "https://api.klingai.com.evil.example"),
])
def test_a_base_url_off_the_providers_https_host_is_refused(name: str, url: str) -> None:
    with pytest.raises(UnsafeURL, match="key is only sent over https"):
        create_provider(name, base_url=url, allow_loopback_http=True)


@pytest.mark.parametrize("name,url", [
    ("fal", "https://queue.fal.run"), ("fal", "https://rest.alpha.fal.run"),
    ("replicate", "https://api.replicate.com"), ("kling", "https://api-beijing.klingai.com"),
])
def test_the_providers_own_https_hosts_are_accepted(name: str, url: str) -> None:
    provider = create_provider(name, base_url=url, allow_loopback_http=False)
    assert provider.base_url == url  # type: ignore[attr-defined]
    asyncio.run(provider.aclose())


def test_generate_refuses_an_http_base_url_and_sends_no_key(tmp_path: Path) -> None:
    make_project(tmp_path / "film", 1)
    env = {**os.environ, **keys_env("fal"), "SHOTPLANNER_FAL_BASE_URL": "http://queue.fal.run"}
    env.pop("SHOTPLANNER_ALLOW_LOOPBACK_HTTP", None)
    done = subprocess.run([sys.executable, "-m", "shotplanner", "generate", str(tmp_path / "film"),
                           "--provider", "fal", "--yes"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "refusing the base URL http://queue.fal.run" in done.stdout, done.stdout
    assert keys_env("fal")["FAL_KEY"] not in done.stdout + done.stderr


@pytest.mark.parametrize("url", [
    "https://10.1.2.3/clip.mp4", "https://192.168.0.7/clip.mp4", "https://169.254.169.254/latest/clip.mp4",
    "https://[::1]/clip.mp4", "https://[::ffff:127.0.0.1]/clip.mp4", "https://100.64.0.1/clip.mp4",
    "https://localhost/clip.mp4",  # a name: refused for what it resolves to
])
def test_result_urls_on_private_link_local_or_loopback_addresses_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURL, match="private, link-local or loopback"):
        asyncio.run(check_result_url(url, "fal", allow_loopback_http=False))


def test_behind_the_switch_only_loopback_is_allowed() -> None:
    assert asyncio.run(check_result_url("https://localhost/x.mp4", "fal", allow_loopback_http=True))
    with pytest.raises(UnsafeURL):
        asyncio.run(check_result_url("https://10.1.2.3/x.mp4", "fal", allow_loopback_http=True))


def test_a_job_whose_result_is_on_a_private_address_is_never_fetched(serve, tmp_path: Path,
                                                                    fast_settings) -> None:
    server = serve("fal")
    server.faults.output_url = "https://169.254.169.254/latest/meta-data/clip.mp4"
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("fal")]))
    job = queue.jobs["take1"]
    assert job.state is JobState.FAILED and not job.retryable, job.message
    assert "169.254.169.254" in job.message and not (tmp_path / "media/takes/take1.mp4").exists()
