"""The model picker: the recommender's ranking for the current shot, with reasons, warnings, lifecycle
badges and cost; an override that re-validates the shot against the chosen model.

It re-ranks whenever the core says the shot changed (a layer typed, the duration edited, the
override set), so what it shows is always the recommender's answer for the shot as it is now.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
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
from shotplanner.core.models import Shot
from shotplanner.core.storyboard import Storyboard
from shotplanner.ui.commands import UpdateShotCommand

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


def cost_text(shot: Shot, model: ModelSpec, route: Any = None) -> str:
    from shotplanner.core.cost import estimate_shot

    try:
        est = estimate_shot(shot, model, route)
    except Exception as exc:  # an odd catalog price must not hide the ranking
        return f"cost unknown ({exc})"
    if est.usd is None:
        return "cost unknown" + (f" — {est.note}" if est.note else "")
    return f"≈ ${est.usd:.2f}" + (f" (${est.per_second:.3f}/s)" if est.per_second else "")


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
            found += check_shot(shot, model)
        return found

    def override(self, model_id: str | None) -> None:
        """Choose a model for the shot (``None``: follow the recommendation) as one undo step."""
        shot = self._shot()
        if shot is None or shot.model_id == model_id:
            return
        text = f"Use {model_id}" if model_id else "Follow recommended model"
        self._stack.push(UpdateShotCommand(self._sb, shot.id, {"model_id": model_id}, text))

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
        chosen = self.chosen_model()
        best = rec.best
        head = f"<b>Shot {html.escape(shot.number)}</b> — "
        if best is None:
            head += html.escape(rec.message or "no model in the catalog can do this shot")
        else:
            head += f"recommended: <b>{html.escape(best.model.name)}</b>"
        if shot.model_id:
            name = chosen.name if chosen else shot.model_id
            head += f"<br>your choice: <b>{html.escape(name)}</b>"
        for note in rec.notes:
            head += f"<br><i>{html.escape(note)}</i>"
        self.summary.setText(head)

        for rank, cand in enumerate(rec.candidates, 1):
            self._add_row(rank, cand.model, cand.route, shot, cand.reasons, cand.warnings,
                          chosen is not None and cand.model.id == chosen.id)
        for model, reason in rec.excluded:
            self._add_excluded(model, reason, shot)
        self._show_problems()

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
