"""The storyboard's layout arithmetic on its own (no widget): sections, hit-testing, drop slots."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize

from shotplanner.core.models import Scene, Shot
from shotplanner.ui.storyboard_layout import HEADER_GRID, StoryboardLayout

CELL = QSize(100, 80)


def _layout(*counts: int, columns: int = 2) -> StoryboardLayout:
    scenes = [Scene(id=f"sc{n}", number=str(n), shots=[Shot(number=f"{n}{chr(65 + i)}") for i in range(c)])
              for n, c in enumerate(counts, 1)]
    layout = StoryboardLayout()
    layout.build(scenes, CELL, HEADER_GRID, columns)
    return layout


def test_sections_stack_headers_and_lines_and_an_empty_scene_keeps_a_line() -> None:
    layout = _layout(3, 0, 5)
    tops = [(s.top, s.height, s.first_row, s.count) for s in layout.sections]
    assert tops == [(0, 34 + 2 * 80, 0, 3), (194, 34 + 80, 3, 0), (308, 34 + 3 * 80, 3, 5)]
    assert layout.content_height == 308 + 34 + 240


def test_every_card_hit_tests_to_its_own_row() -> None:
    layout = _layout(3, 0, 5, 1, columns=3)
    for row in range(9):
        rect = layout.content_rect(row)
        assert layout.row_at(rect.center().x(), rect.center().y()) == row
    assert layout.row_at(50, 10) is None  # a header
    assert layout.row_at(250, 34 + 80 + 10) is None  # past scene 1's last card
    assert layout.content_rect(9) == QRect()


def test_drop_slots_before_after_and_at_the_end() -> None:
    layout = _layout(3, 0, columns=2)
    header = layout.drop_slot(10, 5, list_mode=False, width=200)
    assert header is not None and (header.section.order, header.index, header.under) == (0, 0, None)
    right_half = layout.drop_slot(80, 34 + 40, list_mode=False, width=200)  # card 0, right half
    assert right_half is not None and (right_half.index, right_half.under) == (1, 0)
    after_last = layout.drop_slot(150, 34 + 80 + 40, list_mode=False, width=200)  # the gap after card 2
    assert after_last is not None and (after_last.index, after_last.under) == (3, None)
    empty = layout.drop_slot(10, 194 + 50, list_mode=False, width=200)
    assert empty is not None and (empty.section.order, empty.index) == (1, 0)
    assert layout.scene_slot(10) == (0, 0) and layout.scene_slot(190) == (1, 194)


def test_a_rubber_band_selects_the_cards_it_touches() -> None:
    layout = _layout(5, columns=2)  # cards: 0 1 / 2 3 / 4
    assert list(layout.rows_in(QRect(150, 34 + 10, 10, 100))) == [(1, 1), (3, 3)]
    assert list(layout.rows_in(QRect(0, 34 + 170, 200, 10))) == [(4, 4)]
    assert layout.rows_between(0, 50) == (0, 4)
