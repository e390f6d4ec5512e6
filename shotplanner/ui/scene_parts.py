"""Scenes as parts of the plan: the Scene menu (heading, move, remove, renumber) and the offer of a new
number to shots moved into another scene.

Every change is an undo command on the window's stack (``ui/commands.py``); this module only decides
which scene an action means (the current shot's) and asks before nothing: removing a scene is undoable,
so it is not asked about — the status bar says how to get it back.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QWidget

from shotplanner.core.models import Scene
from shotplanner.core.numbering import next_free_number
from shotplanner.core.storyboard import Storyboard
from shotplanner.ui.commands import (
    MoveSceneCommand,
    RemoveSceneCommand,
    RenumberScenesCommand,
    UpdateShotCommand,
)


def number_in_place(sb: Storyboard, shot_id: str) -> str:
    """The number a shot would get where it stands now (its own current number set aside)."""
    scene = sb.scene_of(shot_id)
    shot = sb.shot(shot_id)
    index = next(i for i, s in enumerate(scene.shots) if s.id == shot_id)
    others = Scene.model_construct(number=scene.number, shots=[s for s in scene.shots if s.id != shot_id])
    taken = {s.number for s in sb.shots() if s.id != shot_id}
    if shot.number.startswith(scene.number) and shot.number not in taken and _belongs(shot.number, scene):
        return shot.number
    return next_free_number(others, index, taken)


def _belongs(number: str, scene: Scene) -> bool:
    """A number of this scene's own sequence (12, 12A, 12AA…), not another scene's that shares a prefix."""
    rest = number[len(scene.number):]
    return rest == "" or rest[0].isalpha()


class NumberOffer(QFrame):
    """A quiet bar: "Shot 1D is now in scene 3 — number it 3C?" with Renumber / Keep."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("numberOffer")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 4, 12, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.accept_button = QPushButton("Renumber")
        self.keep_button = QPushButton("Keep numbers")
        lay.addWidget(self.label, 1)
        lay.addWidget(self.accept_button)
        lay.addWidget(self.keep_button)
        self.hide()


class SceneParts:
    """The window's scene actions and the number offer, over one storyboard and undo stack."""

    def __init__(self, sb: Storyboard, stack: QUndoStack, current_shot: Callable[[], str | None],
                 edit_heading: Callable[[str], object], message: Callable[[str], None],
                 parent: QWidget) -> None:
        self._sb = sb
        self._stack = stack
        self._current_shot = current_shot
        self._edit_heading = edit_heading
        self._message = message
        self.offer = NumberOffer(parent)
        self.offer.accept_button.clicked.connect(self.accept_numbers)
        self.offer.keep_button.clicked.connect(self.offer.hide)
        self._offered: dict[str, str] = {}
        self.actions: dict[str, QAction] = {}
        for name, text, slot in (
            ("edit_heading", "Edit scene &heading", self.edit_current_heading),
            ("scene_up", "Move scene &earlier", lambda: self.move_current(-1)),
            ("scene_down", "Move scene &later", lambda: self.move_current(1)),
            ("remove_scene", "Remove scene", self.remove_current),
            ("renumber_scenes", "Renumber &scenes", self.renumber_scenes),
        ):
            action = QAction(text, parent)
            action.triggered.connect(lambda _c=False, s=slot: s())
            self.actions[name] = action
        self.actions["edit_heading"].setShortcut("F2")

    def fill_menu(self, menu: QMenu) -> QMenu:
        scene_menu = menu.addMenu("S&cene")
        scene_menu.addActions(list(self.actions.values()))
        return scene_menu

    # ------------------------------------------------------------------ scene actions

    def current_scene(self) -> Scene | None:
        shot_id = self._current_shot()
        if shot_id is not None and self._sb.find(shot_id) is not None:
            return self._sb.scene_of(shot_id)
        return self._sb.project.scenes[-1] if self._sb.project.scenes else None

    def edit_current_heading(self) -> None:
        scene = self.current_scene()
        if scene is not None:
            self._edit_heading(scene.id)

    def move_current(self, delta: int) -> None:
        scene = self.current_scene()
        if scene is None:
            return
        index = self._sb.scene_index(scene.id) + delta
        if 0 <= index < len(self._sb.project.scenes):
            self._stack.push(MoveSceneCommand(self._sb, scene.id, index))

    def remove_current(self) -> None:
        scene = self.current_scene()
        if scene is None:
            return
        count = len(scene.shots)
        self._stack.push(RemoveSceneCommand(self._sb, scene.id))
        self._message(f"Removed scene {scene.number} and its {count} shot(s) — Undo brings them back.")

    def renumber_scenes(self) -> None:
        self._stack.push(RenumberScenesCommand(self._sb))

    # ------------------------------------------------------------------ numbers of moved shots

    def offer_numbers(self, shot_ids: list[str]) -> dict[str, str]:
        """After shots moved into another scene: offer each the number of its new place."""
        proposals: dict[str, str] = {}
        for shot_id in shot_ids:
            if self._sb.find(shot_id) is None:
                continue
            number = number_in_place(self._sb, shot_id)
            if number != self._sb.shot(shot_id).number:
                proposals[shot_id] = number
        self._offered = proposals
        if not proposals:
            self.offer.hide()
            return proposals
        scene = self._sb.scene_of(next(iter(proposals)))
        pairs = ", ".join(f"{self._sb.shot(sid).number} → {n}" for sid, n in list(proposals.items())[:4])
        more = f" and {len(proposals) - 4} more" if len(proposals) > 4 else ""
        self.offer.label.setText(f"Moved into scene {scene.number}: renumber {pairs}{more}?")
        self.offer.show()
        return proposals

    def accept_numbers(self) -> None:
        """Give the moved shots their offered numbers, as one undo step."""
        offered, self._offered = self._offered, {}
        self.offer.hide()
        live = {sid: n for sid, n in offered.items() if self._sb.find(sid) is not None}
        if not live:
            return
        self._stack.beginMacro("Renumber moved shots")
        for shot_id, number in live.items():
            self._stack.push(UpdateShotCommand(self._sb, shot_id, {"number": number}, "Renumber shot"))
        self._stack.endMacro()
