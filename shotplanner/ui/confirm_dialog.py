"""The confirmation before anything billable is sent: each job's shot, model, provider, seconds and
estimate, the total, and the keys a part of the plan lacks. Never modal (a nested loop inside qasync
breaks running tasks): the controller sends when it is accepted."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shotplanner.generation.frame_plan import FrameJob, FramePlan
from shotplanner.generation.planner import Plan, PlannedJob


class ConfirmDialog(QDialog):
    """Lists the jobs, their models, providers and estimated cost, with the total; Send or Cancel."""

    def __init__(self, plan: Plan | FramePlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle("Send to the providers?")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        # What Send sends: a job without its key is named below, not listed.
        jobs: Sequence[PlannedJob | FrameJob] = plan.sendable
        n = len(jobs)
        lay.addWidget(
            QLabel(
                f"{n} job{'s' if n != 1 else ''} will be sent. Billable jobs are charged by "
                "the provider even if you discard the take."
            )
        )
        self.table = QTableWidget(n, 5)
        self.table.setHorizontalHeaderLabels(["Shot", "Model", "Provider", "Seconds", "Estimate"])
        self.table.verticalHeader().hide()
        for row, job in enumerate(jobs):
            if not job.billable:
                cost = "free"
            elif job.estimate_usd is None:
                cost = "no published price"
            else:
                cost = f"${job.estimate_usd:,.2f}"
            seconds = "still" if job.request.kind == "frame" else f"{job.request.duration_s:g}"
            values = [job.shot_number, job.model_name, job.provider, seconds, cost]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if job.estimate_note and col == 4:
                    item.setToolTip(job.estimate_note)
                choice = getattr(job, "choice", None)  # a storyboard-frame job has no route choice
                if col == 1 and choice is not None:
                    # What the request really does with the shot's images (and what it cannot use).
                    said = [choice.describe_images(), *(note.message for note in getattr(job, "notes", ()))]
                    item.setToolTip("\n".join(said))
                self.table.setItem(row, col, item)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table)
        self.total_label = QLabel(f"<b>Estimated total: {plan.total_text()}</b>")
        lay.addWidget(self.total_label)
        if plan.missing_keys:
            from shotplanner.ui.missing_keys import missing_keys_text

            self.keys_label = QLabel(missing_keys_text(plan.missing_keys) + " Those shots are not sent.")
            self.keys_label.setObjectName("lintLabel")
            self.keys_label.setWordWrap(True)
            lay.addWidget(self.keys_label)
        buttons = QDialogButtonBox()
        self.send_button = buttons.addButton("Send", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(560, 320)
