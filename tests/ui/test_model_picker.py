"""The picker ranks with the real recommender and catalog, re-ranks on change, and validates overrides."""

from __future__ import annotations

from pathlib import Path

from shotplanner.core.catalog import load_catalog
from shotplanner.core.recommend import recommend
from shotplanner.ui.model_picker import lifecycle_badge
from tests.ui.helpers import open_window


def test_picker_ranks_and_reranks_when_the_shot_changes(qtbot, project_dir: Path) -> None:
    w = open_window(qtbot, project_dir)
    w.select(["s1_1"])
    picker = w.picker
    sb = w.storyboard
    expected = [c.model.id for c in recommend(sb.shot("s1_1"), sb.project, w.catalog).candidates]
    assert picker.ranked_ids() == expected and expected
    assert picker.list.count() >= len(expected)

    # Ask for synced dialogue audio: the ranking changes, and silent models drop out of it.
    w.form.audio_check.setChecked(True)
    sb.update_shot("s1_1", dialogue="We leave at four.")
    after = picker.ranked_ids()
    assert after != expected
    assert after == [c.model.id for c in recommend(sb.shot("s1_1"), sb.project, w.catalog).candidates]
    catalog = w.catalog
    assert all(catalog.get(mid).audio != "none" for mid in after[:3])
    # Selecting another shot re-ranks for that shot.
    w.select(["s3_0"])
    assert picker.shot_id == "s3_0"
    ranked = [c.model.id for c in recommend(sb.shot("s3_0"), sb.project, catalog).candidates]
    assert picker.ranked_ids() == ranked


def test_override_revalidates_and_says_what_must_change(qtbot, project_dir: Path) -> None:
    w = open_window(qtbot, project_dir)
    w.select(["s2_0"])
    w.storyboard.update_shot("s2_0", duration_s=7.0)
    picker = w.picker
    picker.override("kling-v2.6")  # makes 5 or 10 s only
    shot = w.storyboard.shot("s2_0")
    assert shot.model_id == "kling-v2.6"
    problems = picker.problems()
    assert [p.field for p in problems] == ["duration_s"]
    picker.refresh()
    assert "Kling" in picker.problems_label.text() and "7" in picker.problems_label.text()
    assert not picker.fix_button.isHidden()
    picker.apply_fixes()
    assert shot.duration_s in (5.0, 10.0)
    assert picker.problems() == []
    # Both steps undo: first the fix, then the override.
    w.undo_stack.undo()
    assert shot.duration_s == 7.0
    w.undo_stack.undo()
    assert shot.model_id is None


def test_retired_models_are_badged_with_their_successor(qtbot, project_dir: Path) -> None:
    catalog = load_catalog()
    badge = lifecycle_badge(catalog.get("sora-2-pro"), catalog)
    assert badge.startswith("retired 2026-09-24") and catalog.get("kling-v3").name in badge
    assert lifecycle_badge(catalog.get("kling-v3"), catalog) == "live"
    w = open_window(qtbot, project_dir)
    w.select(["s1_0"])
    w.picker.override("sora-2-pro")
    fields = [p.field for p in w.picker.problems()]
    assert "model_id" in fields  # a retired choice is flagged, with the successor as the fix
    w.picker.refresh()
    assert "retired" in w.picker.problems_label.text()
    assert w.model.insight(w.storyboard.shot("s1_0")).model_retired


def test_take_progress_neither_reranks_nor_relints(qtbot, project_dir: Path) -> None:
    """A generating shot sends many take events a second; the plan did not change, so the picker's
    ranking and the card's lint stay as they are (re-ranking each time stalled the window)."""
    from shotplanner.core.models import Take

    w = open_window(qtbot, project_dir)
    w.select(["s1_1"])
    picker, sb = w.picker, w.storyboard
    picker._stale = False
    insight = w.model.insight(sb.shot("s1_1"))
    take = Take(model_id="kling-v3", provider="kling")
    sb.add_take("s1_1", take)
    sb.update_take("s1_1", take.id, progress=0.5)
    assert not picker._stale
    assert w.model.insight(sb.shot("s1_1")) is insight
    # An edit to the plan itself still does both.
    sb.update_shot("s1_1", duration_s=9.0)
    assert w.model.insight(sb.shot("s1_1")) is not insight
    assert picker._stale  # hidden: it re-ranks when shown


def test_headline_names_the_retired_pick_its_successor_and_why_and_follows_the_shot(
        qtbot, project_dir: Path) -> None:
    from shotplanner.core.models import Angle, ShotSize

    w = open_window(qtbot, project_dir)
    w.select(["s1_1"])
    w.picker_dock.raise_()
    sb = w.storyboard

    def headline() -> str:
        w.picker.ranked_ids()  # ranks now if the (hidden, offscreen) picker was only marked stale
        return w.picker.summary.text()

    sb.update_shot("s1_1", size=ShotSize.WS, angle=Angle.EYE_LEVEL, duration_s=8.0, audio=False,
                   layers=sb.shot("s1_1").layers.model_copy(update={"camera": "static"}))
    text = headline()
    assert "Sora 2 Pro would suit this shot (it is a wide shot" in text
    assert "retired on 24 September 2026" in text
    assert "successor" in text and "article" not in text
    # The shot becomes a close-up: no long-take reason is left, so the Sora sentence goes.
    sb.update_shot("s1_1", size=ShotSize.CU)
    text = headline()
    assert "Sora 2 Pro" not in text and "article" not in text
    # It needs sound now: Veo 3, retired, is named with the reason.
    sb.update_shot("s1_1", audio=True)
    text = headline()
    assert "Veo 3 would suit this shot (it needs synced sound" in text
    assert "retired on 30 June 2026" in text
