"""File ▸ Export and File ▸ Import in the window: the same exports as the command line, off the GUI
thread from a snapshot, and imports as one undoable step that never half-applies."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from shotplanner.core import storage
from shotplanner.core.models import Project
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


def _big_film(folder: Path, count: int = 1200) -> Project:
    """Two scenes of ``count`` shots in all, each with a take (files absent: no slates to render)."""
    from shotplanner.core.models import JobState, Scene, Shot, Take
    from shotplanner.core.numbering import standard_number

    def take(n: int) -> Take:
        return Take(model_id="kling-2.1", provider="fal", state=JobState.DONE, clip=f"media/takes/{n}.mp4")

    half = count // 2
    scenes = [
        Scene(id=f"sc{s}", number=str(s), heading=f"INT. ROOM {s} - DAY",
              shots=[Shot(id=f"s{s}_{i}", number=standard_number(str(s), i), duration_s=2.0,
                          takes=[take(s * count + i)]) for i in range(half)])
        for s in (1, 2)
    ]
    project = Project(title="Big film", scenes=scenes)
    storage.save_project(project, folder)
    return project


def _editors_cut(project: Project, folder: Path, out: Path) -> None:
    """The editor put scene 2 first and reversed the shots of scene 1."""
    from shotplanner.interchange.timeline import export_timeline

    edited = project.model_copy(deep=True)
    edited.scenes.reverse()
    edited.scenes[1].shots.reverse()
    export_timeline(edited, folder, out, "fcp7")


def test_the_editors_cut_is_read_off_the_gui_thread_and_lands_as_one_step(qtbot, tmp_path: Path,
                                                                          monkeypatch) -> None:
    import threading

    from PySide6.QtCore import QTimer

    from shotplanner.ui import conform_runner

    threads: list[int] = []
    real_stage = conform_runner.stage

    def stage(*args):  # the real reading and matching, noting which thread runs it
        threads.append(threading.get_ident())
        return real_stage(*args)

    monkeypatch.setattr(conform_runner, "stage", stage)

    folder = tmp_path / "big"
    project = _big_film(folder)
    cut = tmp_path / "cut.xml"
    _editors_cut(project, folder, cut)
    w = open_window(qtbot, folder)
    menu = install_interchange(w)
    before = w.storyboard.project.model_dump()
    seen_running = []
    ticker = QTimer()
    ticker.setInterval(5)
    ticker.timeout.connect(lambda: seen_running.append(menu.conform.running))
    ticker.start()
    assert menu.conform_file(cut)
    assert "Reading the editor's cut cut.xml" in w.last_message
    qtbot.waitUntil(lambda: not menu.conform.running, timeout=120_000)
    ticker.stop()
    # the cut was read and matched on the worker, and the GUI thread's timers kept firing meanwhile
    assert threads and threading.get_ident() not in threads
    assert seen_running.count(True) >= 3
    assert w.undo_stack.undoText() == "Conform to cut.xml" and w.undo_stack.count() == 1
    scenes = w.storyboard.project.scenes
    assert [sc.number for sc in scenes] == ["2", "1"]
    assert [s.id for s in scenes[1].shots] == [f"s1_{i}" for i in reversed(range(600))]
    assert "1200 clips matched to shots" in w.last_message
    w.undo_stack.undo()
    assert w.storyboard.project.model_dump() == before
    menu.close()


def test_edits_made_while_the_cut_is_read_are_kept(qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "big"
    project = _big_film(folder, 400)
    cut = tmp_path / "cut.xml"
    _editors_cut(project, folder, cut)
    w = open_window(qtbot, folder)
    menu = install_interchange(w)
    assert menu.conform_file(cut)
    # the user types a note before the worker's result is picked up (the GUI thread runs this first)
    w.storyboard.update_shot("s2_3", notes="kept while the cut was read")
    assert not menu.conform_file(cut) and "Still reading cut.xml" in w.last_message  # one at a time
    qtbot.waitUntil(lambda: not menu.conform.running, timeout=120_000)
    assert w.undo_stack.undoText() == "Conform to cut.xml"
    assert [sc.number for sc in w.storyboard.project.scenes] == ["2", "1"]
    assert w.storyboard.shot("s2_3").notes == "kept while the cut was read"
    menu.close()


def test_a_file_that_is_not_a_cut_changes_nothing(qtbot, project_dir: Path, tmp_path: Path) -> None:
    w = open_window(qtbot, project_dir)
    menu = install_interchange(w)
    before = w.storyboard.project.model_dump()
    script = tmp_path / "crossing.xml"
    script.write_text(SCRIPT)
    assert menu.conform_file(script)
    qtbot.waitUntil(lambda: not menu.conform.running, timeout=60_000)
    assert "Nothing was changed" in w.last_message and "not an editor's cut" in w.last_message
    assert w.undo_stack.count() == 0 and w.storyboard.project.model_dump() == before
    menu.close()
