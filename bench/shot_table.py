"""Shot-list table figures on a 5,000-shot project (offscreen): open, scroll paint, sort.

Run from the repo root: ``.venv/bin/python bench/shot_table.py``. Prints one ``figure:`` line per figure
and ``N/M within budget`` last.

- ``table_open_5000``: from switching the window to the table (model, spans, columns) to its first paint.
- ``table_scroll_paint_p95``: a synchronous repaint of the viewport after each scroll step of a page,
  over 80 steps through the middle of the film (rows not seen before: their strings are made then; their
  model and cost, ~0.2 ms a shot, show "…" until the next loop turn fills them).
- ``table_sort_*``: sorting the view by a column, including the repaint that shows it.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.window import big_project  # noqa: E402

results: list[bool] = []


def figure(name: str, value: float, unit: str, limit: float) -> None:
    results.append(value <= limit)
    print(f"figure: {name} = {value:.3f} {unit} (budget <= {limit:g})")


def main() -> int:
    from PySide6.QtCore import QEvent, QObject, QSettings, Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from shotplanner.core import storage
    from shotplanner.core.catalog import load_catalog
    from shotplanner.ui.main_window import MainWindow
    from shotplanner.ui.shot_table_columns import COLUMNS
    from shotplanner.ui.style import apply_style

    apply_style(app, dark=False)
    tmp = Path(tempfile.mkdtemp(prefix="sp-bench-table-"))
    folder = tmp / "big"
    storage.save_project(big_project(), folder)
    window = MainWindow(storage.load_project(folder), folder, catalog=load_catalog(), confirm_close=False)
    window.table.deleteLater()
    window.resize(1440, 900)
    window.show()
    app.processEvents()

    # 1. open the table: a fresh table over the window's model, shown, to its first paint.
    from shotplanner.ui.shot_table import ShotTable

    painted: list[float] = []

    class Paint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.perf_counter())
            return False

    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    t0 = time.perf_counter()
    table = ShotTable(window.model, settings)
    table.model.edit_handler = window.edit_shot
    probe = Paint()
    table.view.viewport().installEventFilter(probe)
    window.views.addWidget(table)
    window.views.setCurrentWidget(table)
    deadline = time.perf_counter() + 30
    while not painted and time.perf_counter() < deadline:
        app.processEvents()
    assert table.model.rowCount() == 5000 + 250
    figure("table_open_5000", painted[0] - t0, "s", 1.0)

    # 2. scroll a page at a time through the middle, repainting each step.
    view = table.view
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 3)
    view.viewport().repaint()
    times = []
    for _ in range(80):
        bar.setValue(bar.value() + view.viewport().height() // 3)
        t = time.perf_counter()
        view.viewport().repaint()
        times.append((time.perf_counter() - t) * 1000)
    print("# slowest scroll paints (ms):", ", ".join(f"{t:.1f}" for t in sorted(times)[-6:]))
    times.sort()
    figure("table_scroll_paint_median", statistics.median(times), "ms", 8.0)
    figure("table_scroll_paint_p95", times[int(len(times) * 0.95) - 1], "ms", 8.0)

    # 3. sort by columns (header click path: the model's sort), with the repaint; back to film order.
    header = view.horizontalHeader()
    for key in ("duration", "size", "number"):
        column = next(i for i, c in enumerate(COLUMNS) if c.key == key)
        runs = []
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder) * 2:
            t = time.perf_counter()
            header.setSortIndicator(column, order)
            view.viewport().repaint()
            runs.append((time.perf_counter() - t) * 1000)
            table.show_film_order()
        figure(f"table_sort_{key}", statistics.median(runs), "ms", 100.0)
    t = time.perf_counter()
    table.show_film_order()
    view.viewport().repaint()
    figure("table_back_to_film_order", (time.perf_counter() - t) * 1000, "ms", 100.0)
    window.close()
    print(f"{sum(results)}/{len(results)} within budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
