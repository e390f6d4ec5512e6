"""Splitting a long shot into segments chained by frame: one operation, undone and redone exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotplanner.core import storage
from shotplanner.core.catalog import load_catalog
from shotplanner.core.models import ImageRef, Project, Scene, Shot, ShotSize, Take
from shotplanner.core.recommend import recommend
from shotplanner.core.split import resplit, split_shot, unsplit
from shotplanner.core.storyboard import Storyboard, StoryboardError


def _board() -> tuple[Storyboard, Shot]:
    long = Shot(
        id="long",
        number="12",
        size=ShotSize.EWS,
        duration_s=20,
        notes="dusk over the bay",
        reference_images=[
            ImageRef(path="media/refs/start.png", role="start"),
            ImageRef(path="media/refs/sheet.png", role="reference"),
            ImageRef(path="media/refs/end.png", role="end"),
        ],
        takes=[Take(id="t1", model_id="local-animatic", provider="local")],
    )
    project = Project(
        scenes=[
            Scene(id="sc", number="1", shots=[Shot(id="a", number="11"), long, Shot(id="b", number="13")])
        ]
    )
    return Storyboard(project), long


def _state(sb: Storyboard) -> list[tuple[str, str, float, str | None, list[str]]]:
    return [
        (s.id, s.number, s.duration_s, s.chain_from, [r.role for r in s.reference_images]) for s in sb.shots()
    ]


def test_split_chains_segments_by_frame_where_the_shot_stood() -> None:
    sb, long = _board()
    record = split_shot(sb, "long", [10.0, 10.0], "kling-v3")
    shots = sb.shots()
    assert [s.number for s in shots] == ["11", "12", "12A", "13"]
    first, second = shots[1], shots[2]
    assert first is long and first.duration_s == 10 and first.takes[0].id == "t1"  # segment 1 keeps its takes
    assert second.chain_from == "long" and second.takes == [] and second.duration_s == 10
    assert {first.model_id, second.model_id} == {"kling-v3"}
    assert [r.role for r in first.reference_images] == ["start", "reference"]  # the end frame moved on
    assert [r.role for r in second.reference_images] == ["reference", "end"]  # no start image: the chain is
    assert "continues in 12A" in first.notes and "starts on the last frame of 12" in second.notes
    assert second.layers == first.layers and second.size is ShotSize.EWS
    assert record.segment_ids == (second.id,)


def test_three_segments_chain_each_to_the_one_before() -> None:
    sb, _ = _board()
    split_shot(sb, "long", [7.0, 7.0, 6.0], None)
    segs = sb.shots()[1:4]
    assert [s.chain_from for s in segs] == [None, segs[0].id, segs[1].id]
    assert [s.duration_s for s in segs] == [7, 7, 6]
    assert "last frame of 12A" in segs[2].notes


def test_unsplit_and_resplit_are_exact() -> None:
    sb, _ = _board()
    before = _state(sb)
    record = split_shot(sb, "long", [10.0, 10.0], "kling-v3")
    after = _state(sb)
    removed = unsplit(sb, record)
    assert _state(sb) == before and sb.shot("long").notes == "dusk over the bay"
    assert sb.shot("long").model_id is None
    resplit(sb, record, removed)
    assert _state(sb) == after


def test_bad_splits_are_refused_and_change_nothing() -> None:
    sb, _ = _board()
    before = _state(sb)
    for segments in ([20.0], [10.0, 0.0]):
        with pytest.raises(StoryboardError):
            split_shot(sb, "long", segments, None)
    with pytest.raises(StoryboardError):
        split_shot(sb, "missing", [5.0, 5.0], None)
    assert _state(sb) == before


def test_split_segments_survive_a_save_and_each_is_recommended_as_a_chained_segment(tmp_path: Path) -> None:
    catalog = load_catalog()
    sb, long = _board()
    long.reference_images = []
    offer = recommend(long, sb.project, catalog).split
    assert offer is not None
    split_shot(sb, "long", list(offer.segments), offer.model.id)
    storage.save_project(sb.project, tmp_path / "film")
    loaded = storage.load_project(tmp_path / "film")
    segs = [s for s in loaded.all_shots() if s.id == "long" or s.chain_from]
    assert len(segs) == len(offer.segments) and segs[1].chain_from == "long"
    for seg in segs:
        rec = recommend(seg, loaded, catalog)
        assert rec.split is None and rec.best is not None and rec.best.accepted
        assert rec.best.model.id == offer.model.id  # each segment fits the model the split was made for
