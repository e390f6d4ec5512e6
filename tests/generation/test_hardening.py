"""Review fixes in the queue and the providers: key safety on redirects, no blind re-sends, clean states."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from shotplanner.core.models import JobState
from shotplanner.generation.queue import JobQueue
from tests.generation.helpers import provider_for, request, run_jobs
from tests.generation.servers import ContractServer


@pytest.mark.parametrize("kind", ["fal", "replicate", "kling"])
def test_a_download_never_carries_the_key_even_through_a_redirect(kind: str, serve, tmp_path: Path,
                                                                  fast_settings, clip_bytes: bytes) -> None:
    api = serve(kind)  # results are public signed URLs: no key goes with a download, to any host
    cdn = ContractServer(kind, clip=clip_bytes, host="127.0.0.2").start()
    try:
        cdn.jobs["job00001"] = {"polls": 0}  # the API's first job id: the CDN serves its clip
        api.faults.redirect_downloads = cdn.base
        queue, _ = asyncio.run(run_jobs(tmp_path, api, fast_settings, [request(kind)]))
        job = queue.jobs["take1"]
        assert job.state is JobState.DONE, job.message
        assert (tmp_path / job.clip).read_bytes() == clip_bytes
        assert api.download_auth == [""] and cdn.download_auth == [""]  # neither host saw a key
    finally:
        cdn.stop()


def _closed_port_base() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there now: every connect is refused


def test_a_submit_that_never_left_ends_failed_and_retryable_not_unknown(tmp_path: Path,
                                                                       fast_settings, monkeypatch) -> None:
    from shotplanner.generation.registry import create_provider
    from tests.generation.servers import keys_env

    for key, value in keys_env("fal").items():
        monkeypatch.setenv(key, value)

    async def scenario() -> None:
        provider = create_provider("fal", base_url=_closed_port_base(), allow_loopback_http=True)
        queue = JobQueue(tmp_path, {"fal": provider}, fast_settings)
        queue.enqueue(request("fal"))
        await asyncio.wait_for(queue.join(), 20)
        job = queue.jobs["take1"]
        assert job.state is JobState.FAILED and job.retryable, (job.state, job.message)
        assert "cannot connect" in job.message
        await queue.aclose()

    asyncio.run(scenario())


def test_kling_lookup_then_resend_is_bounded(serve, tmp_path: Path, fast_settings) -> None:
    import httpx

    server = serve("kling")
    server.faults.lose_submit = 0.4  # every submit times out and Kling never has the task

    async def scenario() -> None:
        provider = provider_for(server, timeout=httpx.Timeout(0.15))
        queue = JobQueue(tmp_path, {"kling": provider}, fast_settings)
        queue.enqueue(request("kling"))
        await asyncio.wait_for(queue.join(), 20)  # before the fix: looked up and re-sent forever
        job = queue.jobs["take1"]
        assert job.state is JobState.FAILED and job.retryable, (job.state, job.message)
        assert server.creates == 0
        await queue.aclose()

    asyncio.run(scenario())


@pytest.mark.parametrize("code", [500, 502, 504, 409])
def test_a_create_answered_with_an_error_after_it_was_made_is_unknown_not_resent(
        code, serve, tmp_path: Path, fast_settings) -> None:
    server = serve("fal")
    server.faults.create_then_status = [code] * 5  # fal made the job, then answered an error
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("fal")]))
    job = queue.jobs["take1"]
    assert job.state is JobState.UNKNOWN, (job.state, job.message)
    assert "may exist at fal" in job.message and "not sent again" in job.message
    assert server.creates == 1  # one POST: never sent again on its own


def test_a_create_answered_with_garbage_is_unknown_not_resent(serve, tmp_path: Path, fast_settings) -> None:
    server = serve("fal")
    server.faults.create_then_garbage = 5
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("fal")]))
    job = queue.jobs["take1"]
    assert job.state is JobState.UNKNOWN, (job.state, job.message)
    assert server.creates == 1


def test_fal_ingress_errors_are_documented_as_not_created_and_sent_again(serve, tmp_path: Path,
                                                                         fast_settings) -> None:
    server = serve("fal")
    server.faults.submit_status = [502, 503, 504]  # nginx pages, no x-fal-request-id: fal never saw them
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("fal")]))
    assert queue.jobs["take1"].state is JobState.DONE and server.creates == 1


@pytest.mark.parametrize("fault", ["create_then_status", "create_then_garbage", "hang_submit"])
def test_kling_finds_a_create_that_may_have_worked_by_our_own_id(fault, serve, tmp_path: Path,
                                                               fast_settings) -> None:
    server = serve("kling")
    if fault == "create_then_status":
        server.faults.create_then_status = [502]
    elif fault == "create_then_garbage":
        server.faults.create_then_garbage = 1
    else:
        server.faults.hang_submit = 0.6  # the task exists; the answer comes after the client's timeout

    async def scenario() -> JobQueue:
        import httpx

        queue = JobQueue(tmp_path, {"kling": provider_for(server, timeout=httpx.Timeout(0.3))}, fast_settings)
        queue.enqueue(request("kling"))
        await asyncio.sleep(0.1)
        server.faults.hang_submit = 0.0  # lookups answer normally
        await asyncio.wait_for(queue.join(), 20)
        await queue.aclose()
        return queue

    job = asyncio.run(scenario()).jobs["take1"]
    assert job.state is JobState.DONE, job.message  # found under external_task_id, followed, downloaded
    assert server.creates == 1  # never abandoned as "request refused", never sent twice


@pytest.mark.parametrize("fault", ["create_then_status", "create_then_garbage"])
def test_replicate_finds_a_create_that_may_have_worked_in_its_prediction_list(fault, serve, tmp_path: Path,
                                                                            fast_settings) -> None:
    server = serve("replicate")
    setattr(server.faults, fault, [503] if fault == "create_then_status" else 1)
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("replicate")]))
    job = queue.jobs["take1"]
    assert job.state is JobState.DONE, job.message
    assert server.creates == 1


def test_replicate_5xx_that_made_nothing_is_sent_again(serve, tmp_path: Path, fast_settings) -> None:
    server = serve("replicate")
    server.faults.submit_status = [503]  # answered without creating: the list shows nothing
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("replicate")]))
    assert queue.jobs["take1"].state is JobState.DONE and server.creates == 1


def test_kling_gateway_timeout_is_looked_up_by_our_own_id(serve, tmp_path: Path, fast_settings) -> None:
    server = serve("kling")
    server.faults.submit_status = [504]
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("kling")]))
    job = queue.jobs["take1"]
    assert job.state is JobState.DONE, job.message  # Kling had nothing under our id: sent once more
    assert server.creates == 1


def test_cancel_refuses_once_the_paid_clip_is_downloading(serve, tmp_path: Path, fast_settings,
                                                          clip_bytes: bytes) -> None:
    server = serve("fal")
    answers: list[bool] = []

    async def scenario() -> None:
        queue = JobQueue(tmp_path, {"fal": provider_for(server)}, fast_settings)
        tasks: list[asyncio.Task[None]] = []

        async def cancel() -> None:
            answers.append(await queue.cancel("take1"))

        def watch(event: object) -> None:
            if getattr(event, "state", None) is JobState.DOWNLOADING and not tasks:
                server.faults.latency = 0.3  # the download is still on its way when cancel arrives
                tasks.append(asyncio.ensure_future(cancel()))

        queue.subscribe(watch)
        queue.enqueue(request("fal"))
        await asyncio.wait_for(queue.join(), 20)
        await asyncio.gather(*tasks)
        job = queue.jobs["take1"]
        assert answers == [False]
        assert job.state is JobState.DONE, job.message
        assert (tmp_path / job.clip).read_bytes() == clip_bytes
        await queue.aclose()

    asyncio.run(scenario())


def test_a_stale_cancel_does_not_cancel_the_retry(serve, tmp_path: Path, fast_settings) -> None:
    server = serve("fal")
    server.faults.submit_status = [503] * 4  # the first attempt fails after its retries
    server.faults.latency = 0.05

    async def scenario() -> None:
        queue = JobQueue(tmp_path, {"fal": provider_for(server)}, fast_settings)
        queue.enqueue(request("fal"))
        while queue.jobs["take1"].state is not JobState.SUBMITTING:
            await asyncio.sleep(0.005)
        assert await queue.cancel("take1")  # asked while sending: remembered for when the answer comes
        await asyncio.wait_for(queue.join(), 20)
        job = queue.jobs["take1"]
        assert job.state is JobState.FAILED and job.retryable, (job.state, job.message)
        server.faults.latency = 0.0
        queue.retry("take1")
        await asyncio.wait_for(queue.join(), 20)
        assert job.state is JobState.DONE, (job.state, job.message)
        assert server.creates == 1
        await queue.aclose()

    asyncio.run(scenario())
