"""Storyboard frames in the window: frame the selected shots or the whole scene, start from the last cut.

A submenu of Generate, installed by ``review``. Frames are planned by ``generation.frame_plan`` (the same
planner as ``shotplanner frames``) and sent through the window's generation controller exactly like clips:
the confirmation with the cost for anything billable, the queue in its worker, the journal, resume.
"Start from the previous shot's last frame" takes the previous shot's cut take's last frame
(``media.last_frame``, as chained segments do) into ``media/frames/`` and makes it this shot's start
image, as one undo step.
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
from shotplanner.ui.confirm_dialog import ConfirmDialog

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
        from shotplanner.media.errors import MediaError
        from shotplanner.media.last_frame import save_last_frame

        sb, folder, shot_id = self.window.storyboard, self.window.folder, self.window.current_shot_id()
        if folder is None or shot_id is None:
            return False
        project = sb.project
        before, take = previous_shot(project, shot_id), previous_clip(project, shot_id)
        root = Path(folder).resolve()
        clip = (root / take.clip).resolve() if take is not None and take.clip else None
        if before is None or clip is None or not clip.is_relative_to(root) or not clip.is_file():
            self.window.show_message("The previous shot has no clip yet to continue from")
            return False
        try:
            # The same still a chained segment starts from (media.last_frame): one way to take it.
            still = save_last_frame(clip, root / FRAMES_DIR)
        except MediaError as exc:
            self.window.show_message(f"Cannot read the last frame of shot {before.number}: {exc}")
            return False
        shot = sb.shot(shot_id)
        images = [r for r in shot.reference_images if r.role != "start"]
        images.insert(0, ImageRef(path=still.relative_to(root).as_posix(), role="start",
                                  label=continuity_start_label(before)))
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
