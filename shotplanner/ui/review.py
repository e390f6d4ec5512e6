"""Plugging review into the main window: one call, ``install_review(window)``, from the composition root.

It adds the Takes and Queue panels through ``MainWindow.add_panel``, a Generate menu (generate, render
animatic, play the film, keys and providers), keeps the takes panel on the current shot, lets the film
player highlight the card it plays, and marks the document modified when takes arrive (they are not undo
steps). The window itself is not edited beyond the one call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from shotplanner.core.models import LOCAL_MODEL_ID
from shotplanner.ui.compare import CompareView
from shotplanner.ui.film_player import FilmPlayer
from shotplanner.ui.generation_controller import GenerationController
from shotplanner.ui.keys_dialog import KeysDialog
from shotplanner.ui.queue_panel import QueuePanel
from shotplanner.ui.takes_panel import TakesPanel

if TYPE_CHECKING:
    from shotplanner.generation.base import Provider
    from shotplanner.generation.frame_plan import FramePlan
    from shotplanner.generation.jobs import QueueSettings
    from shotplanner.generation.planner import Plan
    from shotplanner.ui.main_window import MainWindow


class ReviewHub(QObject):
    """Holds the review parts of one window; ``aclose()`` at quit stops following jobs."""

    def __init__(
        self,
        window: MainWindow,
        *,
        providers: Mapping[str, Provider] | None = None,
        settings: QueueSettings | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.controller = GenerationController(
            window.storyboard,
            lambda: window.folder,
            window.catalog,
            providers=providers,
            settings=settings,
            parent=self,
        )
        self.controller.confirm_parent = window
        self.takes = TakesPanel(
            window.storyboard, window.undo_stack, lambda: window.folder, window.catalog, self.controller
        )
        self.queue_panel = QueuePanel(self.controller)
        self.takes_dock = window.add_panel(self.takes, Qt.DockWidgetArea.RightDockWidgetArea, "Takes")
        window.tabifyDockWidget(window.picker_dock, self.takes_dock)
        window.form_dock.raise_()  # a new tab comes to the front; the shot form stays where people start
        self.queue_dock = window.add_panel(self.queue_panel, Qt.DockWidgetArea.BottomDockWidgetArea, "Queue")
        self.film = FilmPlayer(window.storyboard, lambda: window.folder)
        self.film.setParent(window, Qt.WindowType.Window)
        self.film.start_shot = window.current_shot_id
        self.film.currentShotChanged.connect(lambda shot_id: window.select([shot_id]))
        self.compare: CompareView | None = None
        self._compare_shot: str | None = None
        self.keys: KeysDialog | None = None

        self.controller.documentChanged.connect(window.mark_modified)
        window.projectSaved.connect(self.controller.forget_saved)
        self.controller.message.connect(window.show_message)
        self.takes.compareRequested.connect(self.open_compare)
        self.controller.keysMissing.connect(self.keys_missing)
        self.keys_needed: QWidget | None = None
        window.view.selectionModel().currentChanged.connect(lambda *_: self._follow_selection())
        self._follow_selection()
        self._add_menu()

    def _add_menu(self) -> None:
        w = self.window
        menu = w.ui.add_menu("&Generate")
        self.actions: dict[str, QAction] = {}
        for name, text, key, slot in (
            ("generate", "&Generate selected shots…", "Ctrl+G", self.generate_selected),
            ("animatic", "Render &animatics of selected shots", "Ctrl+Shift+G", self.animatics_selected),
            ("play_film", "&Play the film from the selected shot", "F5", self.play_film),
            ("keys", "&Keys and providers…", None, self.open_keys),
        ):
            action = QAction(text, w)
            if key:
                action.setShortcut(QKeySequence(key))
            action.triggered.connect(lambda _c=False, s=slot: s())
            menu.addAction(action)
            self.actions[name] = action
        from shotplanner.ui.frames_menu import install_frames

        self.frames = install_frames(self, menu)
        w.ui.toolbar.addSeparator()
        w.ui.toolbar.addActions(
            [self.actions["generate"], self.actions["animatic"], self.actions["play_film"]]
        )

    def _follow_selection(self) -> None:
        shot_id = self.window.current_shot_id()
        if shot_id != self.takes.shot_id:
            self.takes.set_shot(shot_id)

    # ------------------------------------------------------------------ actions

    def generate_selected(self) -> Any:
        ids = self.window.selected_ids()
        return self.controller.generate(ids) if ids else None

    def animatics_selected(self) -> None:
        ids = self.window.selected_ids()
        if ids:
            self.controller.generate(ids, LOCAL_MODEL_ID)

    def play_film(self) -> FilmPlayer:
        self.film.resize(800, 520)
        self.film.show()
        self.film.activateWindow()  # Space and Escape reach the player
        self.film.play_from(self.window.current_shot_id())
        return self.film

    def open_compare(self, shot_id: str, take_a: str, take_b: str) -> CompareView:
        sb = self.window.storyboard
        shot = sb.shot(shot_id)
        a, b = sb.take(shot_id, take_a), sb.take(shot_id, take_b)
        if self.compare is None:
            self.compare = CompareView()
            self.compare.setParent(self.window, Qt.WindowType.Window)
            self.compare.resize(1100, 700)
            self.compare.circleRequested.connect(self._circle_from_compare)
        index = {t.id: i for i, t in enumerate(shot.takes, 1)}
        self.compare.set_takes(
            self.window.folder,
            a,
            b,
            (f"Shot {shot.number} T{index[a.id]}", f"Shot {shot.number} T{index[b.id]}"),
        )
        self.compare.show()
        self.compare.activateWindow()
        self._compare_shot = shot_id
        return self.compare

    def _circle_from_compare(self, take_id: str, on: bool) -> None:
        from shotplanner.ui.review_commands import CircleTakeCommand

        shot_id = self._compare_shot
        if shot_id is None or self.compare is None or self.compare.takes is None:
            return
        sb = self.window.storyboard
        self.window.undo_stack.push(CircleTakeCommand(sb, shot_id, take_id if on else None))
        a, b = self.compare.takes
        self.compare.update_takes(sb.take(shot_id, a.id), sb.take(shot_id, b.id))

    def keys_missing(self, plan: Plan | FramePlan) -> QWidget:
        """The plan needs keys that are not set up: name them (and their shots), offer the Keys dialog."""
        from shotplanner.ui.missing_keys import KeysNeededDialog

        shots: dict[str, list[str]] = {}
        for job in plan.jobs:
            if job.missing_key:
                shots.setdefault(job.provider, []).append(job.shot_number)
        if self.keys_needed is not None:
            self.keys_needed.close()
        dialog = KeysNeededDialog(plan.missing_keys, shots, self.open_keys, self.window)
        dialog.destroyed.connect(lambda *_: setattr(self, "keys_needed", None))
        self.keys_needed = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()  # the keyboard goes to it: Enter opens Keys
        return dialog

    def open_keys(self) -> KeysDialog:
        if self.keys is None:
            self.keys = KeysDialog(self.window, on_limit=self.controller.set_concurrency)
        self.keys.show()
        self.keys.raise_()
        self.keys.activateWindow()
        return self.keys

    async def aclose(self) -> None:
        self.takes.detach()
        await self.controller.aclose()


def install_review(
    window: MainWindow,
    *,
    providers: Mapping[str, Provider] | None = None,
    settings: QueueSettings | None = None,
    resume: bool = False,
) -> ReviewHub:
    """Add review (generation queue, takes, compare, film, keys) to ``window``; keep the returned hub.

    ``resume=True`` (the app) picks up jobs an earlier session left running, once the event loop runs.
    """
    hub = ReviewHub(window, providers=providers, settings=settings)
    window.review = hub  # type: ignore[attr-defined]  # keeps it alive with the window
    if resume and window.folder is not None:
        # A zero timer fires inside the running qasync loop, where tasks can be started.
        QTimer.singleShot(0, hub, hub.controller.resume_soon)
    return hub
