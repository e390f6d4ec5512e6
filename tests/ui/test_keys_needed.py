"""Keys where they are needed: a plan that needs a missing key names it (and its shots), offers the Keys
dialog, and queues nothing for those shots; with the key set up the same shots go."""

from __future__ import annotations

from pathlib import Path

from shotplanner.ui.missing_keys import KeysNeededDialog
from shotplanner.ui.review import install_review
from tests.ui import review_support
from tests.ui.helpers import open_window
from tests.ui.review_support import review_project, saved

aloop = review_support.aloop  # a fixture


def test_a_missing_key_is_named_the_keys_dialog_offered_and_nothing_queued(qtbot, aloop, tmp_path: Path,
                                                                            monkeypatch) -> None:
    monkeypatch.delenv("FAL_KEY", raising=False)
    folder = saved(review_project(2), tmp_path / "film")
    window = open_window(qtbot, folder)
    hub = install_review(window)
    window.select([s.id for s in window.storyboard.shots()])
    assert hub.generate_selected() is None  # no confirmation: nothing is sendable
    dialog = hub.keys_needed
    assert isinstance(dialog, KeysNeededDialog) and dialog.isVisible()
    text = dialog.label.text()
    assert "fal.ai" in text and "FAL_KEY" in text and "shots 1, 2" in text and "Nothing was sent" in text
    assert all(not s.takes for s in window.storyboard.shots())  # no failed take, nothing queued
    jobs = folder / ".shotplanner" / "jobs"
    assert not jobs.exists() or not list(jobs.glob("*.json"))  # nothing journaled: nothing will be sent
    dialog.keys_button.click()
    assert hub.keys is not None and hub.keys.isVisible()
    assert hub.keys.boxes["fal"].source_label.text() == "missing"
    aloop.run_until_complete(hub.aclose())


def test_with_the_key_the_confirmation_lists_only_what_is_sent(qtbot, aloop, tmp_path: Path,
                                                               monkeypatch) -> None:
    monkeypatch.setenv("FAL_KEY", "fal-test-key-123456789")
    folder = saved(review_project(1), tmp_path / "film")
    window = open_window(qtbot, folder)
    hub = install_review(window)
    window.select([s.id for s in window.storyboard.shots()])
    confirm = hub.generate_selected()
    assert confirm is not None and hub.keys_needed is None
    assert confirm.table.rowCount() == 1 and not hasattr(confirm, "keys_label")
    confirm.reject()
    aloop.run_until_complete(hub.aclose())


def test_the_default_provider_preference_picks_the_route(qtbot, aloop, tmp_path: Path, monkeypatch) -> None:
    from shotplanner.core.catalog import load_catalog
    from shotplanner.ui.preferences import Preferences, apply_preferences

    catalog = load_catalog()
    # A live model offered by both fal and Replicate (catalog order decides when there is no preference).
    model = next(m for m in catalog.models
                 if m.is_live and {"fal", "replicate"} <= {r.provider for r in m.routes})
    monkeypatch.setenv("FAL_KEY", "fal-test-key-123456789")
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8-test-token-123456789")
    folder = saved(review_project(1, model_id=model.id), tmp_path / "film")
    window = open_window(qtbot, folder)
    hub = install_review(window)
    shot_ids = [s.id for s in window.storyboard.shots()]
    first, other = [r.provider for r in model.routes if r.provider in ("fal", "replicate")][:2]
    assert [j.provider for j in hub.controller.plan(shot_ids).jobs] == [first]
    apply_preferences(window, Preferences(default_provider=other, theme="light"))
    assert [j.provider for j in hub.controller.plan(shot_ids).jobs] == [other]
    aloop.run_until_complete(hub.aclose())
