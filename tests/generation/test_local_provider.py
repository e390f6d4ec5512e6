"""The local animatic provider through the generation protocol: submit, poll, fetch, cancel."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from shotplanner.core.models import ImageRef, Project, PromptLayers, Scene, Shot
from shotplanner.generation.base import BadRequest, GenerationRequest, Provider, RemoteState, RemoteStatus
from shotplanner.generation.local import LocalAnimaticProvider
from shotplanner.media.probe import probe


def _project(*shots: Shot) -> Project:
    return Project(title="Local", scenes=[Scene(number="1", shots=list(shots))])


def _shot(number: str, duration: float = 1.0, **fields: object) -> Shot:
    layers = PromptLayers(subject="A dog", action="runs", camera="slow push-in", light="golden hour")
    return Shot(number=number, layers=layers, duration_s=duration, resolution="480p", **fields)


def _request(shot: Shot, take_id: str = "t1", **fields: object) -> GenerationRequest:
    values: dict[str, object] = dict(
        take_id=take_id, shot_id=shot.id, model_id="local-animatic", provider="local",
        provider_model="animatic", prompt="a dog runs", duration_s=shot.duration_s, aspect=shot.aspect,
        resolution=shot.resolution, fps=shot.fps)
    values.update(fields)
    return GenerationRequest(**values)  # type: ignore[arg-type]


async def _until_done(provider: LocalAnimaticProvider, remote_id: str, seen: list[float] | None = None,
                      ) -> RemoteStatus:
    for _ in range(2000):
        status = await provider.poll(remote_id)
        if seen is not None and status.progress is not None:
            seen.append(status.progress)
        if status.state in (RemoteState.DONE, RemoteState.FAILED, RemoteState.CANCELED):
            return status
        await asyncio.sleep(0.01)
    raise AssertionError("render did not finish")


def test_it_is_a_provider_and_renders_a_take(tmp_path: Path) -> None:
    shot = _shot("1", duration=2.0)
    provider = LocalAnimaticProvider(project=_project(shot), project_dir=tmp_path)
    assert isinstance(provider, Provider) and provider.name == "local" and provider.max_concurrency >= 1

    async def run() -> tuple[RemoteStatus, list[float], list[tuple[int, int | None]]]:
        remote_id = await provider.submit(_request(shot))
        seen: list[float] = []
        status = await _until_done(provider, remote_id, seen)
        got: list[tuple[int, int | None]] = []
        dest = tmp_path / "media" / "takes" / "incoming.tmp"
        await provider.fetch(status, dest, lambda d, t: got.append((d, t)))
        await provider.aclose()
        return status, seen, got

    status, seen, got = asyncio.run(run())
    assert status.state is RemoteState.DONE and status.cost_usd == 0.0 and status.message == ""
    assert seen == sorted(seen) and seen[-1] == 1.0
    fetched = tmp_path / "media" / "takes" / "incoming.tmp"
    info = probe(fetched)
    assert (info.width, info.height, info.frames, info.fps) == (854, 480, 48, 24.0)
    assert got[-1][0] == fetched.stat().st_size
    # Nothing else is left in the takes folder: the render's own file was moved, not copied.
    assert sorted(p.name for p in (tmp_path / "media" / "takes").iterdir()) == ["incoming.tmp"]


def test_several_shots_render_in_parallel(tmp_path: Path) -> None:
    shots = [_shot(str(i), duration=0.5) for i in range(3)]
    provider = LocalAnimaticProvider(project=_project(*shots), project_dir=tmp_path, max_concurrency=2)

    async def run() -> list[RemoteStatus]:
        ids = [await provider.submit(_request(s, take_id=f"t{i}")) for i, s in enumerate(shots)]
        states = [(await provider.poll(i)).state for i in ids]
        assert RemoteState.SUBMITTED in states or RemoteState.RUNNING in states or RemoteState.DONE in states
        done = await asyncio.gather(*(_until_done(provider, i) for i in ids))
        await provider.aclose()
        return list(done)

    for status in asyncio.run(run()):
        assert status.state is RemoteState.DONE and status.result_path is not None
        assert probe(status.result_path).frames == 12


@pytest.mark.parametrize("duration", [0.0, -1.0, 5000.0])
def test_zero_or_absurd_duration_is_a_bad_request(tmp_path: Path, duration: float) -> None:
    shot = _shot("1")
    provider = LocalAnimaticProvider(project=_project(shot), project_dir=tmp_path)

    async def run() -> None:
        try:
            with pytest.raises(BadRequest, match="duration"):
                await provider.submit(_request(shot, duration_s=duration))
        finally:
            await provider.aclose()

    asyncio.run(run())
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.mp4"))


def test_cancel_mid_render_leaves_nothing_in_media(tmp_path: Path) -> None:
    shot = _shot("1", duration=20.0)
    provider = LocalAnimaticProvider(project=_project(shot), project_dir=tmp_path)

    async def run() -> RemoteStatus:
        remote_id = await provider.submit(_request(shot))
        for _ in range(2000):
            status = await provider.poll(remote_id)
            if (status.progress or 0) > 0.05:
                break
            await asyncio.sleep(0.01)
        assert status.state is RemoteState.RUNNING and status.progress is not None and status.progress < 1
        assert await provider.cancel(remote_id) is True
        final = await provider.poll(remote_id)
        await provider.aclose()
        return final

    final = asyncio.run(run())
    assert final.state is RemoteState.CANCELED
    assert [p for p in (tmp_path / "media").rglob("*") if p.is_file()] == []


def test_unreadable_reference_renders_the_backdrop_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "media" / "refs").mkdir(parents=True)
    (tmp_path / "media" / "refs" / "hero.jpg").write_bytes(b"not really a jpeg")
    shot = _shot("1", reference_images=[ImageRef(path="media/refs/hero.jpg", role="start")])
    provider = LocalAnimaticProvider(project=_project(shot), project_dir=tmp_path)

    async def run() -> RemoteStatus:
        status = await _until_done(provider, await provider.submit(_request(shot)))
        await provider.aclose()
        return status

    status = asyncio.run(run())
    assert status.state is RemoteState.DONE
    assert "hero.jpg" in status.message and "backdrop" in status.message


def test_without_a_project_the_request_alone_is_rendered(tmp_path: Path) -> None:
    shot = _shot("1", duration=0.5, aspect="9:16")
    provider = LocalAnimaticProvider()

    async def run() -> RemoteStatus:
        remote_id = await provider.submit(_request(shot, start_image=tmp_path / "no.png"))
        status = await _until_done(provider, remote_id)
        dest = tmp_path / "out.mp4"
        await provider.fetch(status, dest, lambda d, t: None)
        await provider.aclose()
        return status

    status = asyncio.run(run())
    info = probe(tmp_path / "out.mp4")
    assert (info.width, info.height, info.frames) == (480, 854, 12)
    assert "no.png" in status.message and "missing" in status.message


def test_poll_of_an_unknown_job_fails_clearly() -> None:
    provider = LocalAnimaticProvider()

    async def run() -> RemoteStatus:
        status = await provider.poll("local-gone")
        await provider.aclose()
        return status

    status = asyncio.run(run())
    assert status.state is RemoteState.FAILED and "generate the shot again" in status.message


def test_the_render_uses_the_request_snapshot_not_the_live_project(tmp_path: Path) -> None:
    from shotplanner.core.catalog import load_catalog
    from shotplanner.generation.base import build_request

    shot = _shot("1", duration=1.0)  # camera: "slow push-in"
    live = _project(shot)
    catalog = load_catalog()
    model = catalog.get("local-animatic")
    request = build_request(shot, live, tmp_path, model, catalog.route(model.id, "local"), "t1")
    assert request.shot_snapshot is not shot and request.project_snapshot is not live
    assert request.project_snapshot is not None and request.project_snapshot.title == "Local"
    # The window's thread edits the shot after the request left: the render must not see it.
    shot.layers.camera = "fast whip pan left"
    provider = LocalAnimaticProvider(project=live, project_dir=tmp_path)

    async def run() -> str:
        remote_id = await provider.submit(request)
        status = await _until_done(provider, remote_id)
        assert status.state is RemoteState.DONE, status.message
        job = provider._jobs[remote_id]
        assert job.future is not None
        move = job.future.result().move
        await provider.aclose()
        return move

    assert asyncio.run(run()) == "slow push-in"
