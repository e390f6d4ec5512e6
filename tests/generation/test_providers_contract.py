"""Every provider client against its contract server: the happy path and each fault, end to end."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import av
import httpx
import pytest

from shotplanner.core.models import JobState
from shotplanner.generation.journal import journal_dir
from tests.generation.helpers import request, run_jobs, states, write_png

KINDS = ["fal", "replicate", "kling"]


@pytest.mark.parametrize("kind", KINDS)
def test_job_arrives_as_our_own_decodable_clip(kind, serve, tmp_path: Path, fast_settings,
                                               clip_bytes) -> None:
    server = serve(kind)
    server.faults.polls_to_finish = 3
    queue, events = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request(kind)]))
    job = queue.jobs["take1"]
    assert job.state is JobState.DONE, job.message
    assert job.clip == "media/takes/take1.mp4"
    clip = tmp_path / job.clip
    assert clip.read_bytes() == clip_bytes
    with av.open(str(clip)) as container:
        assert len(list(container.decode(video=0))) == 24
    assert server.creates == 1 and server.auth_failures == 0
    assert job.cost_usd == 0.5  # the estimate, recorded on the take (these APIs report no figure)
    seen = states(events)
    assert seen[0] is JobState.QUEUED and seen[-1] is JobState.DONE
    assert {JobState.SUBMITTING, JobState.SUBMITTED, JobState.DOWNLOADING} <= set(seen)
    record = json.loads((journal_dir(tmp_path) / "take1.json").read_text())
    assert record["remote_id"] == job.remote_id and record["state"] == "done"
    assert not list((tmp_path / "media/takes").glob(".*.part"))


def test_request_mapping_reaches_the_wire(serve, tmp_path: Path, fast_settings) -> None:
    kling = serve("kling")
    image = write_png(tmp_path / "media" / "refs" / "start.png")
    asyncio.run(run_jobs(tmp_path, kling, fast_settings,
                         [request("kling", duration=3.0, start_image=image, audio=True)]))
    body = kling.create_bodies[0]
    assert body["model_name"] == "kling-v3" and body["duration"] == "3" and body["sound"] == "on"
    assert body["external_task_id"] == "shotplanner-take1"
    assert body["image"] and not body["image"].startswith("data:")  # raw base64, as Kling wants
    assert "aspect_ratio" not in body  # image-to-video follows the image
    fal = serve("fal")
    image = write_png(tmp_path / "f" / "media" / "refs" / "start.png")
    i2v = replace(request("fal", start_image=image),
                  provider_model="fal-ai/kling-video/v3/pro/image-to-video")
    asyncio.run(run_jobs(tmp_path / "f", fal, fast_settings, [i2v]))
    assert fal.create_bodies[0]["start_image_url"].startswith("data:image/png;base64,")
    assert fal.create_bodies[0]["duration"] == "3"


@pytest.mark.parametrize("kind", KINDS)
def test_429_with_retry_after_then_success(kind, serve, tmp_path: Path, fast_settings) -> None:
    server = serve(kind)
    server.faults.submit_429 = 2
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request(kind)]))
    assert queue.jobs["take1"].state is JobState.DONE
    assert server.creates == 1


def test_429_with_a_retry_after_that_is_neither_seconds_nor_a_date_is_still_retried(
        serve, tmp_path: Path, fast_settings) -> None:
    """An unreadable hint is no hint (it used to end the job as "internal error: ValueError")."""
    server = serve("fal")
    server.faults.submit_429 = 1
    server.faults.retry_after = "soon"
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("fal")]))
    assert queue.jobs["take1"].state is JobState.DONE
    assert server.creates == 1


@pytest.mark.parametrize("codes", [[502], [502, 503], [503, 504, 502]])
def test_5xx_on_submit_and_poll_are_retried(codes, serve, tmp_path: Path, fast_settings) -> None:
    # On submit: fal's ingress answers (nginx, no request id), documented as made before fal saw it.
    server = serve("fal")
    server.faults.submit_status = list(codes)
    server.faults.poll_status = list(codes)
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("fal")]))
    assert queue.jobs["take1"].state is JobState.DONE
    assert server.creates == 1


def test_5xx_beyond_the_retry_budget_fails_retryable(serve, tmp_path: Path, fast_settings) -> None:
    server = serve("replicate")
    server.faults.submit_status = [503] * 10
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("replicate")]))
    job = queue.jobs["take1"]
    assert job.state is JobState.FAILED and job.retryable
    assert "server error 503" in job.message and server.creates == 0


def test_malformed_json_once_is_survived_always_is_reported(serve, tmp_path: Path, fast_settings) -> None:
    server = serve("fal")
    server.faults.malformed_polls = 2
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("fal")]))
    assert queue.jobs["take1"].state is JobState.DONE
    server.faults.malformed_always = True
    queue, _ = asyncio.run(run_jobs(tmp_path / "b", server, fast_settings, [request("fal", "take2")]))
    job = queue.jobs["take2"]
    assert job.state is JobState.FAILED and job.retryable and "not JSON" in job.message


@pytest.mark.parametrize("kind", KINDS)
def test_moderation_after_a_200_fails_at_once(kind, serve, tmp_path: Path, fast_settings) -> None:
    server = serve(kind)
    server.faults.moderation = True
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request(kind)]))
    job = queue.jobs["take1"]
    assert job.state is JobState.FAILED and not job.retryable
    assert "content filter" in job.message, job.message
    assert job.error_kind == "ModerationRefused"
    assert server.polls == 1 and server.creates == 1  # no spinning, no second submit


def test_never_finishing_job_gives_up_bounded_and_retry_resumes_without_resubmit(
        serve, tmp_path: Path, fast_settings) -> None:
    from dataclasses import replace

    server = serve("replicate")
    server.faults.never_finish = True
    settings = replace(fast_settings, max_polls=6)

    async def scenario() -> None:
        from shotplanner.generation.queue import JobQueue
        from tests.generation.helpers import provider_for

        queue = JobQueue(tmp_path, {"replicate": provider_for(server)}, settings)
        queue.enqueue(request("replicate"))
        await queue.join()
        job = queue.jobs["take1"]
        assert job.state is JobState.FAILED and job.retryable
        assert "no result after 6 checks" in job.message and "nothing is sent again" in job.message
        assert server.polls == 6
        server.faults.never_finish = False
        queue.retry("take1")
        await queue.join()
        assert job.state is JobState.DONE and server.creates == 1
        await queue.aclose()

    asyncio.run(scenario())


@pytest.mark.parametrize("kind", ["fal", "kling"])
def test_dropped_connection_mid_download_resumes_with_range(kind, serve, tmp_path, fast_settings, clip_bytes):
    server = serve(kind)
    server.faults.drop_downloads = 2
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request(kind)]))
    job = queue.jobs["take1"]
    assert job.state is JobState.DONE, job.message
    assert (tmp_path / job.clip).read_bytes() == clip_bytes
    assert server.downloads == 3


def test_dropped_download_restarts_when_server_ignores_range(serve, tmp_path, fast_settings, clip_bytes):
    server = serve("replicate")
    server.faults.drop_downloads = 1
    server.faults.no_range = True
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("replicate")]))
    assert (tmp_path / queue.jobs["take1"].clip).read_bytes() == clip_bytes


@pytest.mark.parametrize("url", ["http://example.com/out.mp4", "file:///etc/passwd", "ftp://example.com/a.mp4"])
def test_unsafe_output_urls_are_refused(url, serve, tmp_path: Path, fast_settings) -> None:
    server = serve("fal")
    server.faults.output_url = url
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("fal")]))
    job = queue.jobs["take1"]
    assert job.state is JobState.FAILED and not job.retryable
    assert "only https URLs are fetched" in job.message
    assert not (tmp_path / "media/takes/take1.mp4").exists()


def test_loopback_http_needs_the_explicit_setting(serve, tmp_path: Path, fast_settings) -> None:
    from shotplanner.generation.base import UnsafeURL

    server = serve("fal")
    with pytest.raises(UnsafeURL, match=r"only sent over https to fal\.run"):
        asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("fal")], allow_loopback_http=False))
    assert server.creates == 0 and server.auth_failures == 0  # the key went nowhere


def test_non_video_and_wrong_duration_are_rejected_and_kept(serve, tmp_path: Path, fast_settings) -> None:
    server = serve("fal")
    server.clip = b"<html>" + b"x" * 5000
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("fal")]))
    job = queue.jobs["take1"]
    assert job.state is JobState.FAILED and "not a readable video" in job.message
    assert (tmp_path / "media/takes/take1.rejected").exists() and job.clip is None


def test_duration_far_from_the_asked_one_is_rejected(serve, tmp_path: Path, fast_settings) -> None:
    server = serve("kling")
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("kling", duration=10.0)]))
    job = queue.jobs["take1"]
    assert job.state is JobState.FAILED and "but 10.00 s was asked" in job.message


def test_unanswered_submit_is_unknown_and_never_resent(serve, tmp_path: Path, fast_settings) -> None:
    server = serve("fal")
    server.faults.hang_submit = 1.0
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("fal")],
                                    timeout=httpx.Timeout(0.3)))
    job = queue.jobs["take1"]
    assert job.state is JobState.UNKNOWN
    assert "may exist at fal" in job.message and "check there" in job.message
    assert server.creates == 1
    from shotplanner.generation.jobs import QueueError

    with pytest.raises(QueueError, match="check there first"):
        queue.retry("take1")


def test_kling_unanswered_submit_is_found_by_external_task_id(serve, tmp_path: Path, fast_settings) -> None:
    server = serve("kling")
    server.faults.hang_submit = 1.0

    async def scenario() -> None:
        from shotplanner.generation.queue import JobQueue
        from tests.generation.helpers import provider_for

        queue = JobQueue(tmp_path, {"kling": provider_for(server, timeout=httpx.Timeout(0.3))}, fast_settings)
        queue.enqueue(request("kling"))
        await asyncio.sleep(0.5)
        server.faults.hang_submit = 0.0  # lookups answer normally
        await queue.join()
        job = queue.jobs["take1"]
        assert job.state is JobState.DONE, job.message
        assert server.creates == 1
        await queue.aclose()

    asyncio.run(scenario())


def test_missing_key_is_a_clear_per_provider_failure(serve, tmp_path: Path, fast_settings,
                                                     monkeypatch) -> None:
    server = serve("kling")
    monkeypatch.delenv("KLING_SECRET_KEY")
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("kling")]))
    job = queue.jobs["take1"]
    assert job.state is JobState.FAILED and not job.retryable
    assert "KLING_ACCESS_KEY and KLING_SECRET_KEY" in job.message and server.creates == 0


def test_cancel_stops_the_job_remotely(serve, tmp_path: Path, fast_settings) -> None:
    server = serve("fal")
    server.faults.never_finish = True

    async def scenario() -> None:
        from shotplanner.generation.queue import JobQueue
        from tests.generation.helpers import provider_for

        queue = JobQueue(tmp_path, {"fal": provider_for(server)}, fast_settings)
        queue.enqueue(request("fal"))
        while queue.jobs["take1"].state is not JobState.RUNNING:
            await asyncio.sleep(0.01)
        assert await queue.cancel("take1")
        await queue.join()
        job = queue.jobs["take1"]
        assert job.state is JobState.CANCELED and job.message == "canceled"
        assert server.cancels == 1
        assert not await queue.cancel("take1")
        await queue.aclose()

    asyncio.run(scenario())


def test_concurrency_limit_is_kept(serve, tmp_path: Path, fast_settings) -> None:
    server = serve("fal")
    server.faults.latency = 0.02
    server.faults.polls_to_finish = 2
    peak = 0

    async def scenario() -> None:
        nonlocal peak
        from shotplanner.generation.queue import JobQueue
        from tests.generation.helpers import provider_for

        queue = JobQueue(tmp_path, {"fal": provider_for(server, max_concurrency=3)}, fast_settings)

        def watch(_event: object) -> None:
            nonlocal peak
            busy = sum(j.state in (JobState.SUBMITTING, JobState.SUBMITTED, JobState.RUNNING)
                       for j in queue.jobs.values())
            peak = max(peak, busy)

        queue.subscribe(watch)
        for i in range(9):
            queue.enqueue(request("fal", f"t{i}"))
        await queue.join()
        assert all(j.state is JobState.DONE for j in queue.jobs.values())
        await queue.aclose()

    asyncio.run(scenario())
    assert peak == 3 and server.creates == 9


def test_resume_after_restart_polls_and_downloads_without_resubmitting(serve, tmp_path, fast_settings):
    server = serve("replicate")
    server.faults.never_finish = True

    async def first_run() -> None:
        from shotplanner.generation.queue import JobQueue
        from tests.generation.helpers import provider_for

        queue = JobQueue(tmp_path, {"replicate": provider_for(server)}, fast_settings)
        queue.enqueue(request("replicate"))
        while queue.jobs["take1"].remote_id is None:
            await asyncio.sleep(0.01)
        await queue.aclose()  # the app quits: the job stays in the journal

    async def second_run() -> None:
        from shotplanner.generation.queue import JobQueue
        from tests.generation.helpers import provider_for

        server.faults.never_finish = False
        queue = JobQueue(tmp_path, {"replicate": provider_for(server)}, fast_settings)
        resumed = await queue.resume()
        assert [j.take_id for j in resumed] == ["take1"]
        await queue.join()
        assert queue.jobs["take1"].state is JobState.DONE
        await queue.aclose()

    asyncio.run(first_run())
    asyncio.run(second_run())
    assert server.creates == 1


def test_an_expired_result_url_says_so(serve, tmp_path: Path, fast_settings) -> None:
    server = serve("replicate")
    server.faults.output_url = f"{server.base}/files/gone.mp4"  # the file was deleted after its hour
    queue, _ = asyncio.run(run_jobs(tmp_path, server, fast_settings, [request("replicate")]))
    job = queue.jobs["take1"]
    assert job.state is JobState.FAILED and not job.retryable
    assert "no longer at the provider" in job.message and "expired" in job.message
