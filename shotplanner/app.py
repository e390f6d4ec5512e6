"""The composition root: one QApplication, the qasync event loop, the window, and a clean quit.

Start-up order matters: PySide6 is imported before qasync so qasync picks that binding (it prefers
PyQt6 otherwise). On Python 3.11 ``asyncio.run`` has no ``loop_factory``; ``asyncio.Runner`` does.
The loop awaits an event set by ``aboutToQuit`` — never ``app.exec()`` inside ``run_until_complete`` —
and on the way out every task still running is cancelled and every registered client closed.

Start-up is in two steps so the window appears at once. This module imports only Qt at module level;
``main_gui`` first shows :class:`OpeningWindow` — the window frame with the app's look, its menus and an
"Opening …" state — and lets it paint (one short ``app.exec()``, left with ``app.exit`` once the frame
has painted). Only then does it import asyncio, qasync and the core (pydantic models, catalog,
recommender), load the project and build the storyboard window at the frame's geometry, which replaces
the frame. ``first_paint`` fires at the frame's paint, ``storyboard_paint`` at the storyboard's.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import PySide6  # noqa: F401  (imported before qasync on purpose, see the module docstring)
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox, QWidget

log = logging.getLogger("shotplanner")

DEMO_COPY = "Demo film"


class Services:
    """Long-lived async things (HTTP clients, the job queue) that must be closed at quit."""

    def __init__(self) -> None:
        self._closers: list[Callable[[], Awaitable[None]]] = []

    def add_closer(self, closer: Callable[[], Awaitable[None]]) -> None:
        self._closers.append(closer)

    async def aclose(self) -> None:
        import asyncio

        for closer in reversed(self._closers):
            try:
                await asyncio.wait_for(closer(), timeout=5)
            except Exception:  # one stuck client must not keep the others open
                log.exception("closing a service failed")


class ShotplannerApp(QApplication):
    """The QApplication, turning a quit into an orderly shutdown while the qasync loop runs.

    ``quit()`` (and closing the last window) sends the application a ``Quit`` event that would end
    ``exec()`` — and with it the qasync loop — at once, leaving running tasks and clients that need a
    few more loop turns to close (a thread pool, HTTP connections) stranded. While ``intercept_quit`` is
    on, the event becomes :attr:`quitRequested`; the loop then cancels tasks, closes the services and
    only then ends.
    """

    quitRequested = Signal()

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.intercept_quit = False

    def event(self, e: QEvent) -> bool:
        if self.intercept_quit and e.type() == QEvent.Type.Quit:
            self.quitRequested.emit()
            return True
        return super().event(e)


class ErrorReporter:
    """``sys.excepthook``: log the traceback, then show the error without blocking (``open()``)."""

    def __init__(self) -> None:
        self.parent: QWidget | None = None
        self._box: QMessageBox | None = None
        self.count = 0

    def __call__(self, etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        import asyncio
        import traceback

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
    from logging.handlers import RotatingFileHandler

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


class OpeningWindow(QMainWindow):
    """The window frame shown while the project and the storyboard are being built.

    It has the main window's object name (so the stylesheet gives it the same look), its size, its menu
    titles (disabled until the real menus exist) and says what is being opened. It imports nothing but Qt.
    """

    MENUS = ("&File", "&Edit", "&Shot", "&View", "&Generate", "&Help")

    def __init__(self, what: str) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"{what} — Shotplanner" if what else "Shotplanner")
        for title in self.MENUS:
            self.menuBar().addMenu(title).setEnabled(False)
        label = QLabel(f"Opening “{what}”…" if what else "Opening…")
        label.setObjectName("openingLabel")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setEnabled(False)  # drawn in the palette's disabled (muted) text colour
        self.setCentralWidget(label)
        self.statusBar().showMessage("Opening the project…")
        from shotplanner.ui.window_state import restore_geometry

        restore_geometry(self)  # where the window was last closed, or a size that fits this screen
        self.closed_by_user = False

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed_by_user = True
        super().closeEvent(event)


class _Opening(QObject):
    """Watches the start-up step: the frame's first paint, and any quit asked for meanwhile."""

    def __init__(self, app: QApplication, frame: OpeningWindow,
                 first_paint: Callable[[], None] | None) -> None:
        super().__init__()
        self.app = app
        self.frame = frame
        self.first_paint = first_paint
        self.painted = False
        self._quit_seen = False
        frame.installEventFilter(self)
        # A platform that never exposes the frame must not stall start-up.
        QTimer.singleShot(3000, self, self._go_on)

    @property
    def quit_requested(self) -> bool:
        return self._quit_seen or self.frame.closed_by_user

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Quit and watched is self.app:
            self._quit_seen = True
        elif kind == QEvent.Type.Paint and watched is self.frame and not self.painted:
            self.painted = True
            # After this paint has been handled, not before it.
            QTimer.singleShot(0, self, self._after_paint)
        return False

    def _after_paint(self) -> None:
        if self.first_paint is not None:
            # quit() inside the callback only sends the application a Quit event (there is no real loop
            # yet to leave): watch for it just here — an application-wide filter for the whole start-up
            # would put every Qt event through Python.
            self.app.installEventFilter(self)
            try:
                self.first_paint()
            finally:
                self.app.removeEventFilter(self)
        self._go_on()

    def _go_on(self) -> None:
        # exit(), not quit(): a quit asked for meanwhile is recorded above and honoured once the window
        # is built (the project is opened — or created — first, then the app leaves cleanly).
        self.app.exit(0)

    def finish(self) -> None:
        self.frame.removeEventFilter(self)


def show_opening(app: QApplication, what: str,
                 first_paint: Callable[[], None] | None) -> tuple[OpeningWindow, bool]:
    """Show the frame and run the event loop until it has painted; returns it and whether quit was asked."""
    frame = OpeningWindow(what)
    watcher = _Opening(app, frame, first_paint)
    frame.show()
    app.exec()
    watcher.finish()
    return frame, watcher.quit_requested


def _opening_name(project: Path | None) -> str:
    if project is None:
        return ""
    name = project.name if project.suffix != ".json" else project.parent.name
    return name or str(project)


async def _run_window(app: QApplication, window: Any, services: Services, frame: QWidget | None = None,
                      quit_requested: bool = False) -> int:
    import asyncio

    closing = asyncio.Event()
    app.aboutToQuit.connect(closing.set)
    if isinstance(app, ShotplannerApp):
        app.quitRequested.connect(closing.set)
        app.intercept_quit = True
    window.show()
    if frame is not None:
        # The storyboard window is up at the frame's place; the frame goes (not a quit: a window is open).
        frame.close()
        frame.deleteLater()
    window.check_recovery()
    if quit_requested:
        closing.set()
    await closing.wait()
    # Cancel whatever is still running (polling, downloads) before closing the clients they use.
    from shotplanner.generation.runner import cancel_other_tasks

    await cancel_other_tasks(timeout=5)
    await services.aclose()
    return 0


def main_gui(project: Path | None, *, first_paint: Callable[[], None] | None = None,
             storyboard_paint: Callable[[], None] | None = None) -> int:
    """Open the window on ``project`` (or the last project, or the demo) and run until it closes.

    ``first_paint`` is called once the window frame has painted (before the project is loaded),
    ``storyboard_paint`` once the storyboard itself has painted.
    """
    # Qt's multimedia plugin lists every optional library it could not load (VA-API, PipeWire…);
    # that is normal on most machines and only noise in the user's terminal.
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")
    app = QApplication.instance() or ShotplannerApp(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Shotplanner")
    app.setOrganizationName("Shotplanner")
    from shotplanner.core.paths import APP_ID, app_icon_path

    app.setDesktopFileName(APP_ID)  # desktops match the window to its menu entry (name, icon) by this
    app.setWindowIcon(QIcon(str(app_icon_path())))
    reporter = ErrorReporter()
    previous_hook = sys.excepthook
    sys.excepthook = reporter
    frame: QWidget | None = None
    # Worker threads (generation loop, decoders, thumbnails) must never run Qt destructors: cycles are
    # collected on this thread only (see shotplanner/ui/gui_gc.py).
    from shotplanner.ui.gil import prefer_gui_thread
    from shotplanner.ui.gui_gc import GuiThreadCollector

    collector = GuiThreadCollector(app)
    prefer_gui_thread()
    try:
        from shotplanner.ui.preferences import Preferences
        from shotplanner.ui.style import apply_theme
        from shotplanner.ui.wheel_guard import install_wheel_guard

        theme = Preferences.load().theme
        app.setProperty("shotplanner_theme", theme)
        apply_theme(app, theme)
        install_wheel_guard(app)  # the wheel scrolls forms; it never changes an unfocused control
        frame, quit_requested = show_opening(app, _opening_name(project), first_paint)
        reporter.parent = frame

        # The frame is on screen: now the heavy part (asyncio, qasync, pydantic, the core, the window).
        import asyncio

        import qasync

        from shotplanner.core.storage import ProjectError

        setup_logging()
        try:
            doc, folder = choose_project(project)
        except ProjectError as exc:
            # Nothing was opened, so nothing can be lost; say why where the user is looking. The
            # event loop is not running yet, so this modal box nests in no async code.
            print(f"shotplanner: {exc}", file=sys.stderr)
            QMessageBox.critical(frame, "Cannot open the project", str(exc))
            return 2
        window = build_window(doc, folder)
        window.setGeometry(frame.geometry())
        if frame.isMaximized():
            window.setWindowState(Qt.WindowState.WindowMaximized)
        reporter.parent = window
        if storyboard_paint is not None:
            window.firstPaint.connect(storyboard_paint)
        services = Services()

        def install_review_panels() -> None:
            # After the storyboard's first paint: the plan is on screen ~0.3 s sooner, then the
            # Takes and Queue panels join it and interrupted jobs resume.
            from shotplanner.generation.http import prepare_runtime
            from shotplanner.ui.interchange_menu import install_interchange
            from shotplanner.ui.review import install_review

            services.add_closer(install_review(window, resume=True).aclose)
            interchange = install_interchange(window)

            async def close_interchange() -> None:
                interchange.close()

            services.add_closer(close_interchange)
            from shotplanner.ui.preferences import apply_preferences
            from shotplanner.ui.window_state import remember_window

            remember_window(window)  # panel layout as last closed; saved again at close
            apply_preferences(window)
            # Warm httpx's lazy imports and freeze what start-up allocated, so neither stalls the
            # window later while jobs run.
            prepare_runtime()

        window.firstPaint.connect(install_review_panels)
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            return runner.run(_run_window(app, window, services, frame, quit_requested))
    finally:
        from shotplanner.ui.wheel_guard import uninstall_wheel_guard

        uninstall_wheel_guard(app)  # no Python filter left for the events of Qt's own teardown
        collector.stop()
        collector.deleteLater()
        sys.excepthook = previous_hook
        if isinstance(app, ShotplannerApp):
            app.intercept_quit = False
        if frame is not None:
            # Still there when opening failed; already deleted when the window replaced it.
            with contextlib.suppress(RuntimeError):
                frame.close()
                frame.deleteLater()
