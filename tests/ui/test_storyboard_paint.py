"""The storyboard paints every visible card in one Python call, from cached card pictures.

What must hold: that paint shows exactly what Qt's own per-card paint (through the delegate) shows; a
take's progress shows at once without redrawing the card's picture; a card whose content changed is
redrawn even when a paint's budget left it showing its previous picture for a frame.
"""

from __future__ import annotations

from PySide6.QtGui import QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem

from shotplanner.core.models import JobState, Take
from shotplanner.ui import storyboard_view
from tests.ui.helpers import make_project, open_window


def _window(qtbot):  # type: ignore[no-untyped-def]
    window = open_window(qtbot, None, make_project((6, 5, 6)))
    window.resize(1100, 700)
    window.show()
    qtbot.waitExposed(window)
    return window


def _grab(window) -> QImage:  # type: ignore[no-untyped-def]
    return window.view.viewport().grab().toImage()


def _qt_paint(window) -> QImage:  # type: ignore[no-untyped-def]
    """The viewport with every visible card painted again by Qt's per-item path (``delegate.paint``,
    as a ``QAbstractItemView`` paints an item) over the view's own picture of the scene headers."""
    view = window.view
    image = _grab(window)
    painter = QPainter(image)
    painter.setClipRect(view.viewport().rect())
    model = window.model
    palette = QPalette(view.palette())
    palette.setCurrentColorGroup(QPalette.ColorGroup.Active if view.isActiveWindow()
                                 else QPalette.ColorGroup.Inactive)
    for row in range(model.rowCount()):
        rect = view.visualRect(model.index(row, 0))
        if not rect.intersects(view.viewport().rect()):
            continue
        painter.fillRect(rect, view.palette().color(QPalette.ColorRole.Base))
        option = QStyleOptionViewItem()
        option.rect = rect
        option.palette = palette
        option.font = view.font()
        if view.selectionModel().isSelected(model.index(row, 0)):
            option.state = option.state | QStyle.StateFlag.State_Selected
        view.itemDelegate().paint(painter, option, model.index(row, 0))
    painter.end()
    return image


def test_one_call_paint_matches_qts_per_card_paint(qtbot) -> None:
    window = _window(qtbot)
    sb = window.storyboard
    shots = sb.shots()
    take = Take(model_id="kling-v2.5-turbo", provider="fal", state=JobState.RUNNING, progress=0.4)
    sb.add_take(shots[1].id, take)
    sb.add_take(shots[2].id, Take(model_id="kling-v2.5-turbo", provider="fal", state=JobState.FAILED))
    window.select([shots[0].id, shots[3].id])
    window.view.verticalScrollBar().setValue(37)  # a part-visible first line
    ours = _grab(window)
    assert ours == _qt_paint(window)
    assert ours != QImage()  # something was painted
    window.view.verticalScrollBar().setValue(0)
    before = _grab(window)
    sb.update_take(shots[1].id, take.id, progress=0.9)
    assert _grab(window) != before, "the new progress must show"


def test_progress_is_drawn_over_the_cached_card(qtbot) -> None:
    window = _window(qtbot)
    sb, delegate = window.storyboard, window.view.itemDelegate()
    shot = sb.shots()[0]
    take = Take(model_id="kling-v2.5-turbo", provider="fal", state=JobState.RUNNING, progress=0.1)
    sb.add_take(shot.id, take)
    first = _grab(window)
    picture = delegate._cards[shot.id][1].cacheKey()
    sb.update_take(shot.id, take.id, progress=0.7)
    second = _grab(window)
    assert second != first
    assert delegate._cards[shot.id][1].cacheKey() == picture, "a progress step redrew the card"
    assert second == _qt_paint(window)
    # A change to what the card itself shows draws a new picture.
    shot.layers.subject = "someone new"
    window.model.dataChanged.emit(window.model.index(0, 0), window.model.index(0, 0))
    third = _grab(window)
    assert delegate._cards[shot.id][1].cacheKey() != picture
    assert third != second


def test_cards_left_behind_by_the_paint_budget_are_drawn_next_frame(qtbot, monkeypatch) -> None:
    window = _window(qtbot)
    monkeypatch.setattr(storyboard_view, "PAINT_BUDGET_S", 0.0)  # one changed card per paint
    _grab(window)  # every visible card has a picture now
    for shot in window.storyboard.shots():
        shot.layers.subject = f"new {shot.number}"
    model = window.model
    model.dataChanged.emit(model.index(0, 0), model.index(model.rowCount() - 1, 0))
    _grab(window)
    assert not window.view._behind.isEmpty(), "the budget left no card behind"
    def settled() -> bool:
        # Run the repaint a catch-up scheduled first: between the timer and that paint nothing is
        # "behind" yet the viewport still shows old pictures.
        QApplication.processEvents()
        return window.view._behind.isEmpty() and not window.view._catch_up.isActive()

    qtbot.waitUntil(lambda: settled() and settled())
    # Still with no budget: a card still showing its old picture would show here (Qt's paint never does).
    assert _grab(window) == _qt_paint(window)


def _on_screen(window) -> QImage:  # type: ignore[no-untyped-def]
    """What the window's backing store holds for the viewport (scrolled pixels included), not a fresh
    render like ``grab()``."""
    from PySide6.QtCore import QPoint, QRect

    viewport = window.view.viewport()
    shot = window.screen().grabWindow(window.winId())
    return shot.copy(QRect(viewport.mapTo(window, QPoint(0, 0)), viewport.size())).toImage()


def test_scrolling_paints_only_the_strip_that_comes_into_view(qtbot) -> None:
    from PySide6.QtCore import QEvent, QObject

    window = _window(qtbot)
    sb = window.storyboard
    shots = sb.shots()
    take = Take(model_id="kling-v2.5-turbo", provider="fal", state=JobState.RUNNING, progress=0.1)
    sb.add_take(shots[5].id, take)
    QApplication.processEvents()
    painted: list[int] = []
    counting = [False]  # grab() paints the whole view too: only the event loop's paints count

    class Paints(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if counting[0] and event.type() == QEvent.Type.Paint:
                region = event.region()  # type: ignore[attr-defined]
                painted.append(sum(r.width() * r.height() for r in region))
            return False

    watcher = Paints()
    viewport = window.view.viewport()
    viewport.installEventFilter(watcher)
    bar = window.view.verticalScrollBar()
    for step in range(8):
        bar.setValue(bar.value() + 23)
        sb.update_take(shots[5].id, take.id, progress=0.1 + step * 0.1)  # a card changing mid-scroll
        counting[0] = True
        QApplication.processEvents()
        counting[0] = False
        # The moved pixels plus the new strip are exactly a full paint of the view.
        assert _on_screen(window) == _grab(window), f"scroll step {step} left stale pixels"
    viewport.removeEventFilter(watcher)
    whole = viewport.width() * viewport.height()
    assert painted and max(painted) < whole // 3, "each scroll step repainted the whole view"
