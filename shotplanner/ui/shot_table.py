"""The shot-list table: one row per shot with crew columns, scene header rows, sorting, inline editing.

:class:`ShotTable` is the table with its bar (film order / sorted, the column chooser, remembered in
QSettings). The parts live beside it: ``shot_table_columns`` (the columns and cell facts, no Qt),
``shot_table_model`` (the item model over the storyboard model: row order, cached cells, edits, drops),
``shot_table_view`` (the view's one-call paint, spans, drops and cell editors).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QHideEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QToolButton, QVBoxLayout, QWidget

from shotplanner.ui.shot_table_columns import COLUMNS
from shotplanner.ui.shot_table_model import ShotTableModel
from shotplanner.ui.shot_table_view import ShotTableView
from shotplanner.ui.storyboard_model import StoryboardModel

SETTINGS_KEY = "shotTable/hiddenColumns"


class ShotTable(QWidget):
    """The table with its bar: film order / sorted, and the column chooser (remembered in QSettings)."""

    def __init__(self, source: StoryboardModel, settings: QSettings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings if settings is not None else QSettings("Shotplanner", "Shotplanner")
        self.model = ShotTableModel(source, self)
        self.model.set_active(False)  # until the table is shown (showEvent)
        self.view = ShotTableView()
        self.view.setModel(self.model)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 4, 8, 4)
        self.order_label = QLabel()
        self.film_order_button = QPushButton("Film order")
        self.film_order_button.setToolTip("Show the shots in film order again, under their scenes")
        self.film_order_button.clicked.connect(self.show_film_order)
        self.columns_button = QToolButton()
        self.columns_button.setText("Columns")
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_menu = QMenu(self)
        self.column_actions: dict[str, QAction] = {}
        for i, column in enumerate(COLUMNS):
            action = self.columns_menu.addAction(column.title if column.key != "number" else "Number")
            action.setCheckable(True)
            action.toggled.connect(lambda on, i=i: self.set_column_visible(i, on))
            self.column_actions[column.key] = action
        self.columns_button.setMenu(self.columns_menu)
        bar.addWidget(self.order_label, 1)
        bar.addWidget(self.film_order_button)
        bar.addWidget(self.columns_button)
        lay.addLayout(bar)
        lay.addWidget(self.view)
        header = self.view.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(
            lambda pos: self.columns_menu.popup(header.mapToGlobal(pos)))
        header.sortIndicatorChanged.connect(self._sort_clicked)
        self.model.orderChanged.connect(self._order_changed)
        self._restore_columns()
        self._order_changed()

    def showEvent(self, event: QShowEvent) -> None:
        self.model.set_active(True)
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.model.set_active(False)

    # ------------------------------------------------------------------ columns

    def hidden_columns(self) -> list[str]:
        return [c.key for i, c in enumerate(COLUMNS) if self.view.isColumnHidden(i)]

    def set_column_visible(self, column: int, visible: bool) -> None:
        if visible == (not self.view.isColumnHidden(column)):
            return
        if not visible and len(self.hidden_columns()) >= len(COLUMNS) - 1:
            self.column_actions[COLUMNS[column].key].setChecked(True)  # keep one column showing
            return
        self.view.setColumnHidden(column, not visible)
        self._settings.setValue(SETTINGS_KEY, self.hidden_columns())

    def _restore_columns(self) -> None:
        stored = self._settings.value(SETTINGS_KEY)
        if isinstance(stored, str):
            stored = [stored] if stored else []
        hidden = set(stored) if isinstance(stored, list) else {c.key for c in COLUMNS if c.hidden}
        for i, column in enumerate(COLUMNS):
            self.view.setColumnHidden(i, column.key in hidden)
            action = self.column_actions[column.key]
            action.blockSignals(True)
            action.setChecked(column.key not in hidden)
            action.blockSignals(False)

    # ------------------------------------------------------------------ order

    def _sort_clicked(self, column: int, order: Qt.SortOrder) -> None:
        self.model.sort(column, order)

    def show_film_order(self) -> None:
        header = self.view.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)
        self.model.sort(-1)

    def _order_changed(self) -> None:
        sorted_ = not self.model.is_film_order
        self.film_order_button.setEnabled(sorted_)
        if sorted_:
            title = COLUMNS[self.model.sort_column].title
            self.order_label.setText(f"Sorted by {title} — the film order is unchanged")
        else:
            self.order_label.setText("Film order — drag rows to reorder, double-click a cell to edit")
