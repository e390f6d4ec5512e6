"""Storyboard frames in the window: frame the selected shots or the whole scene, start from the last cut.

A submenu of Generate, installed by ``review``. Frames are planned by ``generation.frame_plan`` (the same
planner as ``shotplanner frames``) and sent through the window's generation controller exactly like clips:
the confirmation with the cost for anything billable, the queue in its worker, the journal, resume.
"Start from the previous shot's last frame" decodes the previous shot's cut take (PyAV) into
``media/frames/`` and makes it this shot's start image, as one undo step.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from shotplanner.core.frame_models import frame_model, frame_models
from shotplanner.core.frames import FRAMES_DIR, continuity_start_label, previous_clip, previous_shot
from shotplanner.core.models import ImageRef
from shotplanner.generation.frame_plan import FramePlan, plan_frames
from shotplanner.generation.planner import Skipped
from shotplanner.ui.commands import UpdateShotCommand
from shotplanner.ui.generation_controller import ConfirmDialog

if TYPE_CHECKING:
    from shotplanner.ui.review import ReviewHub


class FrameActions(QObject):
    def __init__(self, hub: ReviewHub) -> None:
        super().__init__(hub)
        self.hub = hub
        self.window = hub.window
        self.controller = hub.controller

    def plan(self, shot_ids: list[str], model_id: str) -> FramePlan:
        """What framing ``shot_ids`` on ``model_id`` would send, with its cost (a new frame each time)."""
        folder = self.window.folder
        if folder is None:
            return FramePlan([], [Skipped("", "", "save the project in a folder first")])
        sb = self.window.storyboard
        return plan_frames(sb.project, folder, [sb.shot(i) for i in shot_ids], frame_model(model_id))

    def frame_shots(self, shot_ids: list[str], model_id: str) -> ConfirmDialog | None:
        return self.controller.submit(self.plan(shot_ids, model_id)) if shot_ids else None

    def frame_selected(self, model_id: str) -> ConfirmDialog | None:
        return self.frame_shots(self.window.selected_ids(), model_id)

    def frame_scene(self, model_id: str) -> ConfirmDialog | None:
        """Every shot of the current shot's scene, with the scene's cast looks and location references."""
        shot_id = self.window.current_shot_id()
        if shot_id is None:
            self.window.show_message("Select a shot of the scene to frame")
            return None
        scene = self.window.storyboard.scene_of(shot_id)
        return self.frame_shots([s.id for s in scene.shots], model_id)

    def start_from_previous(self) -> bool:
        """The current shot starts where the previous shot's cut take ends (its last frame)."""
        from shotplanner.media.frame import extract_last_frame

        sb, folder, shot_id = self.window.storyboard, self.window.folder, self.window.current_shot_id()
        if folder is None or shot_id is None:
            return False
        project = sb.project
        before, take = previous_shot(project, shot_id), previous_clip(project, shot_id)
        if before is None or take is None or not take.clip:
            self.window.show_message("The previous shot has no clip yet to continue from")
            return False
        target = f"{FRAMES_DIR}/last-{take.id}.png"
        try:
            extract_last_frame(Path(folder) / take.clip, Path(folder) / target)
        except ValueError as exc:
            self.window.show_message(f"Cannot read the last frame of shot {before.number}: {exc}")
            return False
        shot = sb.shot(shot_id)
        images = [r for r in shot.reference_images if r.role != "start"]
        images.insert(0, ImageRef(path=target, role="start", label=continuity_start_label(before)))
        self.window.undo_stack.push(UpdateShotCommand(sb, shot_id, {"reference_images": images},
                                                      "Start from the previous shot's last frame"))
        return True


def install_frames(hub: ReviewHub, menu: QMenu) -> FrameActions:
    """Add the Storyboard frames submenu to the Generate menu; the actions go into ``hub.actions``."""
    actions = FrameActions(hub)
    sub = menu.addMenu("Storyboard &frames")
    for model in frame_models():
        suffix = " (offline, free)" if model.is_local else "…"
        for name, text, slot in (
            (f"frame:{model.id}", f"Frame selected shots with {model.name}{suffix}", actions.frame_selected),
            (f"frame_scene:{model.id}", f"Frame the scene with {model.name}{suffix}", actions.frame_scene),
        ):
            action = QAction(text, hub.window)
            action.triggered.connect(lambda _c=False, s=slot, m=model.id: s(m))
            sub.addAction(action)
            hub.actions[name] = action
        sub.addSeparator()
    action = QAction("Start from the previous shot's &last frame", hub.window)
    action.triggered.connect(lambda _c=False: actions.start_from_previous())
    sub.addAction(action)
    hub.actions["continue_from_previous"] = action
    return actions
