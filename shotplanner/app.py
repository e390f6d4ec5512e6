"""The composition root: one QApplication, the qasync event loop, the window, and a clean quit.

Start-up order matters: PySide6 is imported before qasync so qasync picks that binding (it prefers
PyQt6 otherwise). On Python 3.11 ``asyncio.run`` has no ``loop_factory``; ``asyncio.Runner`` does.
The loop awaits an event set by ``aboutToQuit`` — never ``app.exec()`` inside ``run_until_complete`` —
and on the way out every task still running is cancelled and every registered client closed.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from collections.abc import Awaitable, Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Any

import PySide6  # noqa: F401  (imported before qasync on purpose, see the module docstring)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

log = logging.getLogger("shotplanner")

DEMO_COPY = "Demo film"


class Services:
    """Long-lived async things (HTTP clients, the job queue) that must be closed at quit."""

    def __init__(self) -> None:
        self._closers: list[Callable[[], Awaitable[None]]] = []

    def add_closer(self, closer: Callable[[], Awaitable[None]]) -> None:
        self._closers.append(closer)

    async def aclose(self) -> None:
        for closer in reversed(self._closers):
            try:
                await asyncio.wait_for(closer(), timeout=5)
            except Exception:  # one stuck client must not keep the others open
                log.exception("closing a service failed")


class ErrorReporter:
    """``sys.excepthook``: log the traceback, then show the error without blocking (``open()``)."""

    def __init__(self) -> None:
        self.parent: QWidget | None = None
        self._box: QMessageBox | None = None
        self.count = 0

    def __call__(self, etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(etype, KeyboardInterrupt):
            app = QApplication.instance()
            if app is not None:
                app.quit()
            return
        if issubclass(etype, asyncio.CancelledError):
            log.debug("task cancelled at shutdown")
            return
        self.count += 1
        log.error("unhandled error:\n%s", "".join(traceback.format_exception(etype, value, tb)))
        if QApplication.instance() is None:
            return
        text = f"{etype.__name__}: {value}"
        if self._box is not None and self._box.isVisible():
            self._box.setInformativeText(f"{self.count} errors so far; the log has the details.")
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "Something went wrong",
                          f"{text}\n\nYour work is kept; the details are in the log file.",
                          QMessageBox.StandardButton.Ok, self.parent)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.destroyed.connect(lambda: setattr(self, "_box", None))
        self._box = box
        box.open()


def setup_logging() -> Path | None:
    from shotplanner.core.paths import state_dir

    root = logging.getLogger()
    if any(getattr(h, "_shotplanner", False) for h in root.handlers):
        return None
    root.setLevel(logging.INFO)
    stream = logging.StreamHandler()
    stream.setLevel(logging.WARNING)
    stream._shotplanner = True  # type: ignore[attr-defined]
    root.addHandler(stream)
    try:
        folder = state_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "shotplanner.log"
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._shotplanner = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return path


def choose_project(arg: Path | None) -> tuple[Any, Path]:
    """The project to open: the argument (created if it is a new or empty folder), else the most
    recent project that still opens, else a copy of the demo film in the data folder."""
    from shotplanner.core import storage
    from shotplanner.core.demo import copy_demo
    from shotplanner.core.paths import data_dir
    from shotplanner.core.recent import recent_projects

    if arg is not None:
        folder = storage.project_folder(arg)
        empty = not folder.exists() or not any(folder.iterdir())
        if not (folder / storage.PROJECT_FILE).exists() and empty:
            return storage.create_project(folder, folder.name), folder
        return storage.load_project(arg), folder
    for recent in recent_projects():
        try:
            return storage.load_project(recent), storage.project_folder(recent)
        except storage.ProjectError as exc:
            log.info("recent project skipped: %s", exc)
    demo = data_dir() / DEMO_COPY
    if not (demo / storage.PROJECT_FILE).exists():
        copy_demo(demo)
    return storage.load_project(demo), demo


def build_window(project: Any, folder: Path, **kwargs: Any) -> Any:
    """The main window for ``project`` with the catalog loaded (a broken catalog is reported, not fatal)."""
    from shotplanner.core.catalog import load_catalog
    from shotplanner.ui.main_window import MainWindow

    try:
        catalog = load_catalog()
    except Exception as exc:
        log.error("model catalog could not be loaded: %s", exc)
        catalog = None
    window = MainWindow(project, folder, catalog=catalog, **kwargs)
    if catalog is not None and catalog.problems:
        window.show_message(f"The model catalog has {len(catalog.problems)} problem(s); see the log.")
        for problem in catalog.problems:
            log.warning("catalog: %s", problem)
    return window


async def _run_window(app: QApplication, window: Any, services: Services) -> int:
    closing = asyncio.Event()
    app.aboutToQuit.connect(closing.set)
    window.show()
    window.check_recovery()
    await closing.wait()
    # Cancel whatever is still running (polling, downloads) before closing the clients they use.
    current = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=5)
    await services.aclose()
    return 0


def main_gui(project: Path | None, *, first_paint: Callable[[], None] | None = None) -> int:
    """Open the window on ``project`` (or the last project, or the demo) and run until it closes."""
    import qasync

    from shotplanner.core.storage import ProjectError
    from shotplanner.ui.style import apply_style

    setup_logging()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Shotplanner")
    app.setOrganizationName("Shotplanner")
    reporter = ErrorReporter()
    previous_hook = sys.excepthook
    sys.excepthook = reporter
    try:
        apply_style(app)
        try:
            doc, folder = choose_project(project)
        except ProjectError as exc:
            print(f"shotplanner: {exc}", file=sys.stderr)
            return 2
        window = build_window(doc, folder)
        reporter.parent = window
        if first_paint is not None:
            window.firstPaint.connect(first_paint)
        services = Services()
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            return runner.run(_run_window(app, window, services))
    finally:
        sys.excepthook = previous_hook
