"""File ▸ Export and File ▸ Import: the command line's export/import, in the window.

Exports run on a worker thread from a snapshot of the project taken on the GUI thread (the user keeps
editing meanwhile); the worker touches no Qt object, and a GUI-side timer picks the result up. An import
changes the document, so it runs on a copy and lands as one undoable step. The editor's cut is read and
matched on the same worker (``conform_runner``) and lands the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QUndoCommand
from PySide6.QtWidgets import QFileDialog

from shotplanner.core.models import Project
from shotplanner.core.storyboard import Storyboard
from shotplanner.ui.conform_runner import ConformRunner

if TYPE_CHECKING:
    from shotplanner.ui.main_window import MainWindow

#: (menu label, format, file filter, default suffix)
EXPORTS: tuple[tuple[str, str, str, str], ...] = (
    ("Timeline for Premiere / Resolve (FCP7 XML)…", "fcp7", "FCP7 XML (*.xml)", ".xml"),
    ("Timeline for Final Cut (FCPXML)…", "fcpxml", "FCPXML (*.fcpxml)", ".fcpxml"),
    ("Timeline as OpenTimelineIO…", "otio", "OpenTimelineIO (*.otio)", ".otio"),
    ("Edit decision list (CMX3600 EDL)…", "edl", "EDL (*.edl)", ".edl"),
    ("Shot list as PDF storyboard…", "pdf", "PDF (*.pdf)", ".pdf"),
    ("Shot list as PDF table…", "pdf-table", "PDF (*.pdf)", ".pdf"),
    ("Shot list as CSV…", "csv", "CSV (*.csv)", ".csv"),
    ("Film animatic (MP4)…", "animatic", "MP4 video (*.mp4)", ".mp4"),
)


class ReplaceProjectCommand(QUndoCommand):
    """Swap the whole document (an import); undo puts the previous one back exactly."""

    def __init__(self, storyboard: Storyboard, new: Project, text: str) -> None:
        super().__init__(text)
        self._sb = storyboard
        self._old = storyboard.project
        self._new = new

    def redo(self) -> None:
        self._sb.replace_project(self._new)

    def undo(self) -> None:
        self._sb.replace_project(self._old)


def run_export(project: Project, folder: Path, out: Path, fmt: str) -> list[str]:
    """Write one export; returns the lines to show (what was written, what is missing)."""
    if fmt == "animatic":
        from shotplanner.media.film import render_film

        notes: list[str] = []
        path = render_film(project, folder, out, notes=notes)
        return [f"Wrote the film animatic to {path}", *notes]
    from shotplanner.interchange.export_cli import export

    layout = "table" if fmt == "pdf-table" else "sheet"
    report = export(project, folder, out, "pdf" if fmt == "pdf-table" else fmt, layout=layout)
    written = ", ".join(str(p) for p in report.out_paths)
    lines = [f"Wrote {written} ({report.clips} clips, {report.placeholders} slates for shots with no take)"]
    lines += [f"Shot {number}: media missing at {path}" for number, path in report.missing]
    return lines + list(report.warnings)


class InterchangeMenu(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shotplanner-export")
        self._running: list[tuple[Future[list[str]], str]] = []
        self._poll = QTimer(self)
        self._poll.setInterval(100)
        self._poll.timeout.connect(self._collect)
        self._dialog: QFileDialog | None = None
        say = window.show_message
        self.conform = ConformRunner(lambda: window.storyboard, self._pool, self._replace, say, self)
        menu = window.ui.file_menu
        before = window.ui.actions["quit"]
        export_menu = menu.addMenu("&Export")
        menu.insertMenu(before, export_menu)
        for label, fmt, filt, suffix in EXPORTS:
            action = QAction(label, self)
            action.triggered.connect(lambda _=False, f=fmt, fl=filt, sx=suffix: self.ask_export(f, fl, sx))
            export_menu.addAction(action)
        import_menu = menu.addMenu("&Import")
        menu.insertMenu(before, import_menu)
        self.import_action = QAction("&Screenplay or shot list…", self)
        self.import_action.triggered.connect(self.ask_import)
        import_menu.addAction(self.import_action)
        self.conform_action = QAction("&Editor's cut…", self)
        self.conform_action.setStatusTip("Apply the order and trims of a cut an editor changed (conform)")
        self.conform_action.triggered.connect(self.ask_conform)
        import_menu.addAction(self.conform_action)
        menu.insertSeparator(before)

    # ---------------------------------------------------------------- dialogs (never exec())

    def _ask_file(self, title: str, filt: str, save: bool, done: Callable[[Path], object]) -> None:
        dialog = QFileDialog(self.window, title, str(self.window.folder or Path.home()), filt)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile if save else QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: done(Path(path)))
        dialog.finished.connect(dialog.deleteLater)
        self._dialog = dialog
        dialog.open()

    def ask_export(self, fmt: str, filt: str, suffix: str) -> None:
        def chosen(path: Path) -> None:
            self.export(fmt, path if path.suffix else path.with_suffix(suffix))

        self._ask_file("Export", filt, True, chosen)

    def ask_import(self) -> None:
        filt = "Screenplay or shot list (*.fountain *.spmd *.txt *.fdx *.csv)"
        self._ask_file("Import", filt, False, self.import_file)

    def ask_conform(self) -> None:
        filt = "Editor's cut (*.edl *.xml *.fcpxml *.otio)"
        self._ask_file("Import editor's cut", filt, False, self.conform_file)

    # ---------------------------------------------------------------- the work

    def export(self, fmt: str, out: Path) -> Future[list[str]]:
        """Start an export in the background from a snapshot of the document as it is now."""
        folder = self.window.folder
        if folder is None:
            raise ValueError("save the project first: exports refer to its media folder")
        snapshot = self.window.storyboard.project.model_copy(deep=True)
        future = self._pool.submit(run_export, snapshot, folder, out, fmt)
        self._running.append((future, fmt))
        self.window.show_message(f"Exporting {out.name}…")
        self._poll.start()
        return future

    def _collect(self) -> None:
        still: list[tuple[Future[list[str]], str]] = []
        for future, fmt in self._running:
            if not future.done():
                still.append((future, fmt))
                continue
            try:
                lines = future.result()
            except Exception as exc:  # an export that fails is reported, never a crash
                lines = [f"Export ({fmt}) failed: {exc}"]
            self.window.show_message("\n".join(lines))
        self._running = still
        if not still:
            self._poll.stop()

    def import_file(self, source: Path) -> bool:
        """Import into a copy; on success the copy replaces the document as one undoable step."""
        from shotplanner.interchange.import_cli import import_file
        from shotplanner.interchange.reports import BadInputError

        copy = self.window.storyboard.project.model_copy(deep=True)
        try:
            report = import_file(source, copy)
        except (BadInputError, OSError) as exc:
            self.window.show_message(f"Nothing was imported: {exc}")
            return False
        command = ReplaceProjectCommand(self.window.storyboard, copy, f"Import {source.name}")
        self.window.undo_stack.push(command)
        self.window.show_message("\n".join(report.lines()))
        return True

    def conform_file(self, cut: Path) -> bool:
        """Start applying an editor's cut in the background; it lands as one undoable step (or a message)."""
        folder = self.window.folder
        if folder is None:
            self.window.show_message("Save the project first: the cut refers to its media folder")
            return False
        return self.conform.start(cut, folder)

    def _replace(self, project: Project, text: str) -> None:
        self.window.undo_stack.push(ReplaceProjectCommand(self.window.storyboard, project, text))

    def close(self) -> None:
        self.conform.close()
        self._poll.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)


def install_interchange(window: MainWindow) -> InterchangeMenu:
    menu = InterchangeMenu(window)
    window.interchange = menu  # type: ignore[attr-defined]  # File ▸ Print uses its PDF export
    return menu
