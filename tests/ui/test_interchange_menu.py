"""File ▸ Export and File ▸ Import in the window: the same exports as the command line, off the GUI
thread from a snapshot, and imports as one undoable step that never half-applies."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from shotplanner.ui.interchange_menu import EXPORTS, install_interchange
from tests.ui.helpers import open_window

SCRIPT = """Title: The Crossing

INT. FERRY DECK - NIGHT

Rain hammers the rail. ANNA grips it with both hands.

ANNA
We should never have left.

EXT. HARBOUR - DAWN

The ferry noses into the grey harbour.
"""


def test_the_file_menu_offers_every_export_and_an_import(qtbot, project_dir: Path) -> None:
    w = open_window(qtbot, project_dir)
    menu = install_interchange(w)
    titles = [a.text() for a in w.ui.file_menu.actions()]
    assert "&Export" in titles and "&Import" in titles
    import_menu = next(a.menu() for a in w.ui.file_menu.actions() if a.text() == "&Import")
    assert import_menu.actions() == [menu.import_action, menu.conform_action]
    export_menu = next(a.menu() for a in w.ui.file_menu.actions() if a.text() == "&Export")
    assert [a.text() for a in export_menu.actions()] == [label for label, *_ in EXPORTS]
    menu.close()


def test_export_runs_from_a_snapshot_and_reports(qtbot, project_dir: Path, tmp_path: Path) -> None:
    w = open_window(qtbot, project_dir)
    menu = install_interchange(w)
    shots_then = len(w.storyboard)
    out = tmp_path / "cut.otio"
    future = menu.export("otio", out)
    # Editing while the export runs does not change what is exported.
    w.storyboard.remove_shots([w.storyboard.shot_at(0).id])
    lines = future.result(timeout=60)
    qtbot.waitUntil(lambda: not menu._running, timeout=5000)
    timeline = otio.adapters.read_from_file(str(out))
    assert len(timeline.video_tracks()[0]) == shots_then  # one item (clip or gap) per shot, as it was
    assert str(out) in lines[0] and "cut.otio" in w.last_message
    menu.close()


def test_import_is_one_undoable_step_and_bad_input_changes_nothing(qtbot, project_dir: Path,
                                                                   tmp_path: Path) -> None:
    w = open_window(qtbot, project_dir)
    menu = install_interchange(w)
    before = w.storyboard.project.model_dump()
    bad = tmp_path / "broken.fountain"
    bad.write_bytes(b"INT. ROOM - DAY\n\n/* never closed\n")
    assert not menu.import_file(bad)
    assert w.storyboard.project.model_dump() == before and "Nothing was imported" in w.last_message

    script = tmp_path / "crossing.fountain"
    script.write_text(SCRIPT)
    assert menu.import_file(script)
    headings = [s.heading for s in w.storyboard.project.scenes]
    assert "INT. FERRY DECK - NIGHT" in headings and "EXT. HARBOUR - DAWN" in headings
    assert any("never have left" in s.dialogue for s in w.storyboard.shots())
    w.undo_stack.undo()
    assert w.storyboard.project.model_dump() == before
    w.undo_stack.redo()
    assert "EXT. HARBOUR - DAWN" in [s.heading for s in w.storyboard.project.scenes]
    menu.close()
