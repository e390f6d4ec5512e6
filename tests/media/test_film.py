"""The whole-film animatic: storyboard order, cut takes, letterboxing, retiming, one MP4."""

from __future__ import annotations

from pathlib import Path

from shotplanner.core.models import LOCAL_MODEL_ID, LOCAL_PROVIDER, JobState, Project, Scene, Take
from shotplanner.media.animatic import render_animatic
from shotplanner.media.film import render_film
from shotplanner.media.probe import probe
from tests.media.clips import decode, gray, make_shot


def test_film_concatenates_cut_takes_and_fresh_animatics(tmp_path: Path) -> None:
    # Shot 1 has a circled take: a square clip at 30 fps, bright (neon-free daylight).
    first = make_shot("locked-off", duration=1.0, light="bright daylight", number="1")
    clip = tmp_path / "media" / "takes" / "square.mp4"
    render_animatic(first, None, tmp_path, clip, size=(240, 240), fps=30)
    first.takes.append(Take(model_id="some-model", provider="fal", state=JobState.DONE,
                            clip="media/takes/square.mp4", circled=True))
    # Shot 2 has nothing yet: rendered fresh. Shot 3 has no length: left out, and said so.
    second = make_shot("pan left", duration=1.5, light="night", number="2")
    third = make_shot(duration=0.0, number="3")
    # Shot 4 only has an animatic take whose file is gone: re-rendered instead.
    fourth = make_shot(duration=0.5, number="4")
    fourth.takes.append(Take(model_id=LOCAL_MODEL_ID, provider=LOCAL_PROVIDER, state=JobState.DONE,
                             clip="media/takes/missing.mp4"))
    project = Project(title="Film", fps=24, scenes=[Scene(number="1", shots=[first, second]),
                                                     Scene(number="2", shots=[third, fourth])])
    notes: list[str] = []
    seen: list[float] = []
    out = render_film(project, tmp_path, tmp_path / "media" / "film" / "cut.mp4", width=320, notes=notes,
                      progress=seen.append)
    info = probe(out)
    assert (info.width, info.height, info.fps) == (320, 180, 24.0)
    assert info.frames == 24 + 36 + 12
    assert seen[-1] == 1.0
    assert any("shot 3 left out" in n for n in notes)
    assert any("missing.mp4" in n and "animatic" in n for n in notes)
    frames = decode(out)
    # The square clip is pillarboxed: black bars left and right, picture in the middle.
    square = frames[12]
    assert square[:, :30].max() < 20 and square[:, -30:].max() < 20
    assert gray(square)[:, 60:260].mean() > 40
    # Storyboard order: the daylight shot comes first, then the night one (darker after its slate).
    assert gray(frames[20])[:, 60:260].mean() > gray(frames[24 + 30])[:, 60:260].mean() + 20
    # The night shot was rendered at the film size: no bars.
    assert frames[24 + 30][:, :10].max() > 20


def test_film_size_follows_the_project_aspect(tmp_path: Path) -> None:
    shot = make_shot(duration=0.5, aspect="9:16")
    project = Project(title="Vertical", fps=30, aspect="9:16", scenes=[Scene(number="1", shots=[shot])])
    out = render_film(project, tmp_path, tmp_path / "v.mp4", width=180)
    info = probe(out)
    assert (info.width, info.height, info.frames, info.fps) == (180, 320, 15, 30.0)
