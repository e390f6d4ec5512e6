"""No lost work: autosave after a change, recovery after a crash, failure shown when the disk refuses."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QImage

from shotplanner.core import storage
from shotplanner.ui.thumbnails import THUMB_SIZE, ThumbnailCache
from tests.ui.helpers import open_window


def test_autosave_then_crash_then_recover(qtbot, project_dir: Path) -> None:
    w = open_window(qtbot, project_dir, autosave_delay_ms=50)
    w.select(["s1_0"])
    w.form.layer_edits["light"].setPlainText("hard low sun from the left")
    w.duplicate_selection()
    with qtbot.waitSignal(w.autosave.saved, timeout=3000):
        pass
    assert "Autosaved" in w.autosave_label.text()
    assert storage.recovery_path(project_dir).exists()
    # project.json itself is untouched by autosave.
    assert storage.load_project(project_dir).find_shot("s1_0").layers.light == ""
    edited = w.storyboard.project.model_dump_json(exclude={"modified_at"})

    # "Crash": the window is never closed or saved; a new session opens the same folder.
    second = open_window(qtbot, project_dir)
    assert second.check_recovery()
    assert not second.banner.isHidden()
    assert second.storyboard.shot("s1_0").layers.light == ""
    second.restore_recovery()
    assert second.storyboard.project.model_dump_json(exclude={"modified_at"}) == edited
    assert second.isWindowModified()
    assert second.save()
    assert not storage.recovery_path(project_dir).exists()
    assert storage.load_project(project_dir).find_shot("s1_0").layers.light == "hard low sun from the left"


def test_discarding_recovery_keeps_the_saved_version(qtbot, project_dir: Path) -> None:
    w = open_window(qtbot, project_dir)
    w.storyboard.update_shot("s1_0", notes="unsaved")
    w.autosave.schedule()
    assert w.autosave.write_now()
    second = open_window(qtbot, project_dir)
    assert second.check_recovery()
    second.discard_recovery()
    assert second.banner.isHidden()
    assert storage.load_recovery(project_dir) is None
    assert second.storyboard.shot("s1_0").notes == ""


def test_unwritable_folder_shows_the_failure_and_keeps_edits(qtbot, project_dir: Path) -> None:
    w = open_window(qtbot, project_dir)
    # A directory where the recovery file must go: the atomic rename fails even for root.
    storage.recovery_path(project_dir).mkdir()
    w.select(["s2_0"])
    w.form.layer_edits["mood"].setPlainText("quiet dread")
    with qtbot.waitSignal(w.autosave.failed, timeout=3000):
        pass
    assert "failed" in w.autosave_label.text().lower()
    assert "kept in memory" in w.last_message
    assert w.storyboard.shot("s2_0").layers.mood == "quiet dread"
    assert w.isWindowModified()
    assert w.autosave.pending  # it will try again on the next change
    # Save As into a writable folder keeps everything.
    target = project_dir.parent / "rescued"
    assert w.save_as(target)
    assert storage.load_project(target).find_shot("s2_0").layers.mood == "quiet dread"


def test_a_huge_image_is_thumbnailed_off_the_ui_thread(qtbot, tmp_path: Path) -> None:
    big = QImage(9000, 6000, QImage.Format.Format_RGB32)
    big.fill(QColor("#884422"))
    path = tmp_path / "huge.jpg"
    assert big.save(str(path), "JPG", 60)
    del big
    cache = ThumbnailCache()
    # The first request never decodes on the calling thread: it queues and returns at once.
    assert cache.get(path) is None
    assert cache.is_pending(path)
    with qtbot.waitSignal(cache.ready, timeout=20_000) as blocker:
        pass
    assert blocker.args == [str(path)]
    thumb = cache.get(path)
    assert thumb is not None
    assert thumb.width() <= THUMB_SIZE.width() and thumb.height() <= THUMB_SIZE.height()
    assert thumb.toImage().pixelColor(10, 10).red() > 100
    bad = tmp_path / "bad.png"
    bad.write_text("nope")
    assert cache.get(bad) is None
    with qtbot.waitSignal(cache.ready, timeout=5000):
        pass
    assert cache.get(bad) is None and cache.failure(bad)


class SlowDisk:
    """fsync on the autosave thread waits until released: a disk busy for as long as the test likes."""

    def __init__(self, monkeypatch) -> None:
        import os
        import threading

        self.entered = threading.Event()
        self.release = threading.Event()
        real = os.fsync

        def fsync(fd: int) -> None:
            if threading.current_thread().name.startswith("shotplanner-autosave"):
                self.entered.set()
                self.release.wait(10)
            real(fd)

        monkeypatch.setattr(os, "fsync", fsync)


def test_a_slow_disk_never_freezes_the_window(qtbot, project_dir: Path, monkeypatch) -> None:
    disk = SlowDisk(monkeypatch)
    w = open_window(qtbot, project_dir, autosave_delay_ms=50)
    w.storyboard.update_shot("s1_0", notes="written while the disk is busy")
    qtbot.waitUntil(disk.entered.is_set, timeout=3000)
    # The write waits for the disk; the event loop does not.
    ticks: list[int] = []
    from PySide6.QtCore import QTimer

    QTimer.singleShot(20, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: bool(ticks), timeout=2000)
    assert w.autosave.pending  # not on disk yet, and the window knows it
    assert not storage.recovery_path(project_dir).exists()
    with qtbot.waitSignal(w.autosave.saved, timeout=5000):
        disk.release.set()
    assert not w.autosave.pending
    assert storage.load_recovery(project_dir).find_shot("s1_0").notes == "written while the disk is busy"


def test_a_save_during_an_autosave_write_leaves_no_recovery_behind(qtbot, project_dir: Path,
                                                                    monkeypatch) -> None:
    import threading

    disk = SlowDisk(monkeypatch)
    w = open_window(qtbot, project_dir, autosave_delay_ms=50)
    w.storyboard.update_shot("s1_0", notes="saved by hand")
    qtbot.waitUntil(disk.entered.is_set, timeout=3000)
    threading.Timer(0.3, disk.release.set).start()  # the disk answers while Save waits for it
    assert w.save()  # Ctrl+S while the autosave write is still under way
    qtbot.wait(100)  # the write's own report arrives; it must not bring the file back
    assert not storage.recovery_path(project_dir).exists()
    assert storage.load_project(project_dir).find_shot("s1_0").notes == "saved by hand"
    assert not w.autosave.pending
