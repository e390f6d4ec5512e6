"""The model picker: the recommender's ranking for the current shot, with reasons, warnings, lifecycle
badges and cost; an override that re-validates the shot against the chosen model.

It re-ranks whenever the core says the shot changed (a layer typed, the duration edited, the
override set), so what it shows is always the recommender's answer for the shot as it is now.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shotplanner.core import events as ev
from shotplanner.core.catalog import Catalog
from shotplanner.core.catalog_schema import Lifecycle, ModelSpec
from shotplanner.core.models import Angle, Shot
from shotplanner.core.storyboard import Storyboard
from shotplanner.ui.commands import SplitShotCommand, UpdateShotCommand

ModelIdRole = Qt.ItemDataRole.UserRole + 1


def lifecycle_badge(model: ModelSpec, catalog: Catalog | None) -> str:
    """'live', 'preview' or 'retired 2026-09-24 → Veo 3.1' (plain text)."""
    if model.lifecycle is Lifecycle.RETIRED:
        text = "retired"
        if model.retired_on:
            text += f" {model.retired_on.isoformat()}"
        successor = catalog.find(model.successor) if (catalog and model.successor) else None
        if successor is not None:
            text += f" → {successor.name}"
        elif model.successor:
            text += f" → {model.successor}"
        return text
    return model.lifecycle.value


def _inside(folder: Path, relative: str) -> Path | None:
    """``folder / relative`` when it stays inside the project folder (a take path never leads outside)."""
    root = folder.resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) else None


def cost_text(shot: Shot, model: ModelSpec, route: Any = None) -> str:
    from shotplanner.core.cost import estimate_shot

    try:
        est = estimate_shot(shot, model, route)
    except Exception as exc:  # an odd catalog price must not hide the ranking
        return f"cost unknown ({exc})"
    if est.usd is None:
        return "cost unknown" + (f" — {est.note}" if est.note else "")
    return f"≈ ${est.usd:.2f}" + (f" (${est.per_second:.3f}/s)" if est.per_second else "")


_ARTICLE_CITE = re.compile(r" \(article lines? [\d, ]+\)")


def _why(rule: str, shot: Shot, triggers: dict[str, str]) -> str:
    """Why a rule applies to this shot, in the shot's own terms (it follows every edit).

    Rules without a sentence here fall back to what the recommender says drove them."""
    if rule in ("long_take", "establishing"):
        if shot.size.is_wide:
            return f"it is {'an' if shot.size.label[0] in 'AEIOU' else 'a'} {shot.size.label.lower()} shot"
        if shot.angle is Angle.AERIAL:
            return "it is an aerial shot"
        if shot.duration_s > 10.0:
            return f"it runs {shot.duration_s:g} s"
        return "its camera layer asks for a long or wide take"
    return {
        "character_closeup": "it is a close-up of a character with a reference image",
        "synced_audio": "it needs synced sound",
        "4k_detail": "it is a 4K detail shot",
        "draft": "it is a draft",
        "human_motion": "its action is human movement",
        "action": "its action is fast",
        "recurring_character": "its character appears in other shots",
        "crowd": "it shows a crowd in motion",
        "water_fabric": "it has water or fabric in motion",
        "lighting_transition": "its light changes during the shot",
        "atmosphere": "it asks for haze or volumetric light",
        "camera_language": "it asks for a camera move",
        "texture": "it is a close look at a surface",
        "portrait": "it is a close-up of a character",
    }.get(rule) or (f"its {triggers[rule]}" if rule in triggers else "of how it is set")


def _strength(rule: str) -> str:
    return {
        "long_take": "holds a long take longest",
        "character_closeup": "animates a reference image",
        "synced_audio": "makes synced sound",
        "4k_detail": "renders 4K detail",
        "draft": "drafts quickly",
        "human_motion": "moves people naturally",
        "action": "handles fast action",
        "portrait": "is built for character portraits",
    }.get(rule, "suits it")


def headline(shot: Shot, rec: Any, catalog: Catalog, chosen: ModelSpec | None) -> str:
    """The picker's headline (rich text): the pick, the user's choice, and — in plain words — which
    retired model would have suited this shot, why, and what takes its place. Built from the shot as it
    is now, so it changes when the shot does."""
    from shotplanner.core.recommend_rules import RULES

    best = rec.best
    head = f"<b>Shot {html.escape(shot.number)}</b> — "
    if best is None:
        head += html.escape(rec.message or "no model in the catalog can do this shot")
    else:
        head += f"recommended: <b>{html.escape(best.model.name)}</b>"
    if shot.model_id:
        name = chosen.name if chosen else shot.model_id
        head += f"<br>your choice: <b>{html.escape(name)}</b>"
    lines: list[str] = []
    excluded = {m.id: reason for m, reason in rec.excluded}
    named: set[str] = set()  # one sentence per pick, for the first of its jobs (Sora has many)
    for rule in rec.rules:
        for pick_id in RULES[rule].picks if rule in RULES else ():
            pick = catalog.find(pick_id)
            if pick is None or pick_id in named:
                continue
            named.add(pick_id)
            why = _why(rule, shot, getattr(rec, "triggers", {}))
            if not pick.is_live:
                when = f" on {pick.retired_on:%d %B %Y}" if pick.retired_on else ""
                successor = catalog.successor_of(pick)
                text = (f"{pick.name} would suit this shot ({why}; it {_strength(rule)}), but it was "
                        f"retired{when}.")
                if successor is not None and best is not None and successor.id == best.model.id:
                    text += f" Its successor {successor.name} is recommended instead."
                elif successor is not None:
                    text += f" Its successor is {successor.name}"
                    text += f"; {best.model.name} fits this shot better." if best is not None else "."
                elif best is not None:
                    text += f" {best.model.name} is recommended instead."
                lines.append(text)
            elif pick_id in excluded and (best is None or best.model.id != pick_id):
                lines.append(f"{pick.name} usually suits this shot ({why}), but it "
                             f"{excluded[pick_id]}.")
    # The recommender's other notes (a dialogue without sound…), minus the ones rewritten above.
    # (The article's line numbers stay in the reasons and in `recommend`; the headline is plain words.)
    lines += [_ARTICLE_CITE.sub("", n) for n in rec.notes if "the article's pick" not in n]
    for line in dict.fromkeys(lines):
        head += f"<br><i>{html.escape(line)}</i>"
    return head


class ModelPicker(QWidget):
    def __init__(self, storyboard: Storyboard, undo_stack: QUndoStack, catalog: Catalog | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelPicker")
        self._sb = storyboard
        self._stack = undo_stack
        self.catalog = catalog
        self.shot_id: str | None = None
        self.recommendation: Any = None
        # Ranking runs the recommender over the whole catalog: while the picker is hidden (a tab behind
        # the form) it is only marked stale, and ranked when shown or asked.
        self._stale = True

        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 10)
        self.summary = QLabel("No shot selected")
        self.summary.setObjectName("formHeader")
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.list = QListWidget()
        self.list.setObjectName("modelList")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.itemDoubleClicked.connect(lambda item: self.override(item.data(ModelIdRole)))
        lay.addWidget(self.list, 1)
        # A shot longer than any model holds: offer the recommender's split (segments chained by frame).
        self.split_button = QPushButton()
        self.split_button.setObjectName("splitButton")
        self.split_button.clicked.connect(self.split_long_shot)
        self.split_button.hide()
        # Above the ranking, so the offer stays in view however long the list is.
        lay.insertWidget(lay.indexOf(self.list), self.split_button)
        # A segment of a split shot starts on the last frame of the segment before, once that has a take.
        self.chain_button = QPushButton()
        self.chain_button.setObjectName("chainButton")
        self.chain_button.clicked.connect(self.start_from_previous_segment)
        self.chain_button.hide()
        lay.insertWidget(lay.indexOf(self.list), self.chain_button)
        #: The open project's folder (the window sets it): where the chained still is written.
        self.project_dir: Callable[[], Path | None] = lambda: None
        buttons = QHBoxLayout()
        self.use_button = QPushButton("Use selected model")
        self.use_button.clicked.connect(self._use_selected)
        self.follow_button = QPushButton("Follow recommendation")
        self.follow_button.clicked.connect(lambda: self.override(None))
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.follow_button)
        lay.addLayout(buttons)
        self.problems_label = QLabel()
        self.problems_label.setObjectName("lintLabel")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.problems_label)
        self.fix_button = QPushButton("Apply suggested settings")
        self.fix_button.clicked.connect(self.apply_fixes)
        lay.addWidget(self.fix_button)
        storyboard.events.connect(self._on_event)
        self.refresh()

    # ------------------------------------------------------------------ public

    def set_shot(self, shot_id: str | None) -> None:
        self.shot_id = shot_id
        self._changed()

    def set_catalog(self, catalog: Catalog | None) -> None:
        self.catalog = catalog
        self._changed()

    def _changed(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def _ensure(self) -> None:
        if self._stale:
            self.refresh()

    def showEvent(self, event: Any) -> None:
        self._ensure()
        super().showEvent(event)

    def ranked_ids(self) -> list[str]:
        """Model ids in the order shown (best first); excluded models are not ranked."""
        self._ensure()
        if self.recommendation is None:
            return []
        return [c.model.id for c in self.recommendation.candidates]

    def chosen_model(self) -> ModelSpec | None:
        """The user's override if set, else the recommender's best."""
        self._ensure()
        shot = self._shot()
        if shot is None or self.catalog is None:
            return None
        if shot.model_id:
            return self.catalog.find(shot.model_id)
        best = self.recommendation.best if self.recommendation is not None else None
        return best.model if best is not None else None

    def problems(self) -> list[Any]:
        """What must change in the shot for the chosen model (``core.validation.check_shot``)."""
        from shotplanner.core.validation import check_basic, check_shot

        shot = self._shot()
        if shot is None:
            return []
        model = self.chosen_model()
        found = list(check_basic(shot))
        if model is not None:
            # On the route the recommender found the job would take (the planner's choice), if ranked.
            rec = self.recommendation
            route = next((c.route for c in rec.candidates if c.model.id == model.id), None) if rec else None
            found += check_shot(shot, model, route, project=self._sb.project)
        return found

    def override(self, model_id: str | None) -> None:
        """Choose a model for the shot (``None``: follow the recommendation) as one undo step."""
        shot = self._shot()
        if shot is None or shot.model_id == model_id:
            return
        text = f"Use {model_id}" if model_id else "Follow recommended model"
        self._stack.push(UpdateShotCommand(self._sb, shot.id, {"model_id": model_id}, text))

    def split_long_shot(self) -> None:
        """Split the shot as the recommender offers, as one undo step."""
        shot = self._shot()
        offer = self.recommendation.split if self.recommendation is not None else None
        if shot is None or offer is None:
            return
        self._stack.push(SplitShotCommand(self._sb, shot.id, list(offer.segments), offer.model.id))

    def _previous_segment_clip(self, shot: Shot) -> tuple[Shot, Path] | None:
        folder = self.project_dir()
        if shot.chain_from is None or folder is None or shot.image_for("start") is not None:
            return None
        previous = self._sb.find(shot.chain_from)
        take = previous.cut_take() if previous is not None else None
        if previous is None or take is None or not take.clip or take.kind != "clip":
            return None
        clip = _inside(folder, take.clip)
        return (previous, clip) if clip is not None and clip.is_file() else None

    def start_from_previous_segment(self) -> None:
        """Give a chained segment the previous segment's last frame as its start image (one undo step)."""
        from shotplanner.core.models import ImageRef
        from shotplanner.core.storage import media_dir
        from shotplanner.media.errors import MediaError
        from shotplanner.media.last_frame import save_last_frame

        shot = self._shot()
        found = self._previous_segment_clip(shot) if shot is not None else None
        folder = self.project_dir()
        if shot is None or found is None or folder is None:
            return
        previous, clip = found
        try:
            still = save_last_frame(clip, media_dir(folder) / "frames")
        except MediaError as exc:
            self.chain_button.setToolTip(f"The last frame could not be read: {exc}")
            return
        ref = ImageRef(path=still.relative_to(folder).as_posix(), role="start",
                       label=f"last frame of {previous.number}")
        refs = [ref, *(r.model_copy() for r in shot.reference_images)]
        self._stack.push(UpdateShotCommand(self._sb, shot.id, {"reference_images": refs},
                                           f"Start from the last frame of {previous.number}"))

    def apply_fixes(self) -> None:
        """Apply every suggestion the validator gave, as one undo step."""
        shot = self._shot()
        if shot is None:
            return
        fixes = {p.field: p.suggestion for p in self.problems() if p.suggestion is not None}
        if fixes:
            self._stack.push(UpdateShotCommand(self._sb, shot.id, fixes, "Fit shot to model"))

    def detach(self) -> None:
        try:
            self._sb.events.disconnect(self._on_event)
        except ValueError:
            pass

    # ------------------------------------------------------------------ drawing

    def _shot(self) -> Shot | None:
        return self._sb.find(self.shot_id)

    def refresh(self) -> None:
        from shotplanner.core.recommend import recommend

        self._stale = False
        self.list.clear()
        shot = self._shot()
        enabled = shot is not None and self.catalog is not None
        for w in (self.use_button, self.follow_button, self.fix_button):
            w.setEnabled(enabled)
        if shot is None:
            self.recommendation = None
            self.split_button.hide()
            self.chain_button.hide()
            self.summary.setText("No shot selected")
            self.problems_label.clear()
            self.fix_button.hide()
            return
        if self.catalog is None:
            self.recommendation = None
            self.summary.setText("The model catalog could not be loaded; see the log for why.")
            return
        rec = recommend(shot, self._sb.project, self.catalog)
        self.recommendation = rec
        self._show_split(rec.split)
        chained = self._previous_segment_clip(shot)
        self.chain_button.setVisible(chained is not None)
        if chained is not None:
            self.chain_button.setText(f"Start from the last frame of {chained[0].number}")
        chosen = self.chosen_model()
        self.summary.setText(headline(shot, rec, self.catalog, chosen))

        for rank, cand in enumerate(rec.candidates, 1):
            self._add_row(rank, cand.model, cand.route, shot, cand.reasons, cand.warnings,
                          chosen is not None and cand.model.id == chosen.id)
        for model, reason in rec.excluded:
            self._add_excluded(model, reason, shot)
        self._show_problems()

    def _show_split(self, offer: Any) -> None:
        if offer is None:
            self.split_button.hide()
            return
        lengths = " + ".join(f"{d:g} s" for d in offer.segments)
        count = len(offer.segments)
        self.split_button.setText(f"Split into {count} segments ({lengths}) on {offer.model.name}")
        self.split_button.setToolTip(offer.text)
        self.split_button.show()

    def _add_row(self, rank: int, model: ModelSpec, route: Any, shot: Shot, reasons: Sequence[str],
                 warnings: Sequence[str], chosen: bool) -> None:
        badge = lifecycle_badge(model, self.catalog)
        title = f"{rank}. <b>{html.escape(model.name)}</b> &nbsp;<small>[{html.escape(badge)}]</small>"
        if chosen:
            title += " &nbsp;✓"
        parts = [title, f"<small>{html.escape(cost_text(shot, model, route))}</small>"]
        parts += [f"<small>• {html.escape(r)}</small>" for r in reasons]
        parts += [f"<small>⚠ {html.escape(w)}</small>" for w in warnings]
        self._add_item(model.id, "<br>".join(parts), enabled=True)

    def _add_excluded(self, model: ModelSpec, reason: str, shot: Shot) -> None:
        badge = lifecycle_badge(model, self.catalog)
        text = (f"<span style='color:gray'><b>{html.escape(model.name)}</b> <small>[{html.escape(badge)}]"
                f"</small><br><small>not suitable: {html.escape(reason)}</small></span>")
        self._add_item(model.id, text, enabled=model.is_live)

    def _add_item(self, model_id: str, rich: str, enabled: bool) -> None:
        item = QListWidgetItem()
        item.setData(ModelIdRole, model_id)
        label = QLabel(rich)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setContentsMargins(6, 4, 6, 4)
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        if not enabled:
            item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.list.addItem(item)
        width = max(self.list.viewport().width() - 8, 240)
        label.setFixedWidth(width)
        item.setSizeHint(label.sizeHint().expandedTo(label.minimumSizeHint()))
        self.list.setItemWidget(item, label)

    def _show_problems(self) -> None:
        problems = self.problems()
        model = self.chosen_model()
        if not problems:
            self.problems_label.setText(
                f"✓ The shot's settings suit {html.escape(model.name)}." if model else "")
            self.fix_button.hide()
            return
        who = html.escape(model.name) if model else "any model"
        lines = [f"<b>To use {who}, change:</b>"]
        for p in problems:
            hint = f" → {html.escape(str(p.suggestion))}" if p.suggestion is not None else ""
            lines.append(f"• {html.escape(p.message)}{hint}")
        self.problems_label.setText("<br>".join(lines))
        self.fix_button.setVisible(any(p.suggestion is not None for p in problems))

    def _use_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.override(item.data(ModelIdRole))

    def _on_event(self, event: ev.Event) -> None:
        if self.shot_id is None:
            return
        match event:
            case ev.ShotChanged(shot_id=sid) as changed if sid == self.shot_id and not changed.only_takes:
                # A take's progress does not change the ranking; re-ranking on every event would
                # redraw the list many times a second while the shot generates.
                self._changed()
            case ev.ResetDone() | ev.ShotsRemoved() | ev.ProjectChanged():
                self._changed()
