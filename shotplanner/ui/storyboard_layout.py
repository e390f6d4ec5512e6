"""Where things are on the storyboard: scenes as sections, placing and hit-testing, as arithmetic.

Each scene is a section (empty ones too, so a shot can be dropped into them): a header strip, then
``ceil(n / columns)`` lines of cards (one card per line in the list mode). Everything here is in *content*
coordinates — y from the top of the whole storyboard, before scrolling — and knows no widget: the view
(``storyboard_view``) turns viewport positions into content positions and back, paints, and handles
input. Placing, hit-testing and finding what is visible cost a bisection over the scenes, whatever the
number of shots: 5,000 shots lay out in microseconds.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize

from shotplanner.core.models import Scene

#: Height of a scene's header strip (px) in the grid and in the list.
HEADER_GRID = 34
HEADER_LIST = 28
#: Width of the bar that shows where dragged shots will land.
INDICATOR_W = 4


@dataclass(frozen=True, slots=True)
class Section:
    """One scene as laid out: its first flat row, its shot count, and where its header starts (px)."""

    scene: Scene
    order: int
    first_row: int
    count: int
    top: int
    height: int


@dataclass(frozen=True, slots=True)
class DropSlot:
    """Where a drop lands in a section: ``index`` among its shots as they stand (before any is moved),
    the card under the point (a flat row, or None), and the indicator bar (content coordinates)."""

    section: Section
    index: int
    under: int | None
    bar: QRect


class StoryboardLayout:
    """The sections of a storyboard for one cell size, header height and number of columns."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self._tops: list[int] = []  # section tops, for bisection by y
        self._filled: list[Section] = []  # sections with shots, for bisection by row
        self._firsts: list[int] = []
        self.columns = 1
        self.cell = QSize(1, 1)
        self.header = HEADER_GRID
        self.content_height = 0

    def build(self, scenes: Sequence[Scene], cell: QSize, header: int, columns: int) -> None:
        """Lay the scenes out: O(scenes), whatever the number of shots."""
        self.cell, self.header, self.columns = cell, header, max(1, columns)
        sections: list[Section] = []
        top = 0
        row = 0
        for order, scene in enumerate(scenes):
            count = len(scene.shots)
            # An empty scene keeps one free line: something to drop onto.
            lines = -(-count // self.columns) if count else 1
            height = header + lines * cell.height()
            sections.append(Section(scene, order, row, count, top, height))
            top += height
            row += count
        self.sections = sections
        self._tops = [s.top for s in sections]
        self._filled = [s for s in sections if s.count]
        self._firsts = [s.first_row for s in self._filled]
        self.content_height = sections[-1].top + sections[-1].height if sections else 0

    # ------------------------------------------------------------------ finding

    def section_of_row(self, row: int) -> Section | None:
        k = bisect_right(self._firsts, row) - 1
        if k < 0:
            return None
        section = self._filled[k]
        return section if row < section.first_row + section.count else None

    def section_at_y(self, y: int) -> Section | None:
        """The section at content height ``y``."""
        k = bisect_right(self._tops, y) - 1
        if k < 0 or not self.sections:
            return None
        section = self.sections[k]
        return section if y < section.top + section.height else None

    def section_of_scene(self, scene_id: str) -> Section | None:
        return next((s for s in self.sections if s.scene.id == scene_id), None)

    def sections_from(self, y: int) -> Iterator[Section]:
        """The sections from the one at content height ``y`` down (the caller stops when past its area)."""
        yield from self.sections[max(0, bisect_right(self._tops, y) - 1):]

    def in_header(self, section: Section, y: int) -> bool:
        return y < section.top + self.header

    # ------------------------------------------------------------------ cards

    def content_rect(self, row: int) -> QRect:
        """The card of flat ``row`` (empty when there is none)."""
        section = self.section_of_row(row)
        if section is None:
            return QRect()
        return self.card_rect(section, row - section.first_row)

    def card_rect(self, section: Section, k: int) -> QRect:
        """The ``k``-th card of ``section``."""
        line, col = divmod(k, self.columns)
        return QRect(col * self.cell.width(), section.top + self.header + line * self.cell.height(),
                     self.cell.width(), self.cell.height())

    def cards_between(self, section: Section, top: int, bottom: int) -> range:
        """Which of the section's cards (index in the section) lie on lines between ``top`` and ``bottom``."""
        body = section.top + self.header
        first_line = max(0, (top - body) // self.cell.height())
        last_line = (bottom - body) // self.cell.height()
        return range(first_line * self.columns, min(section.count, (last_line + 1) * self.columns))

    def row_at(self, x: int, y: int) -> int | None:
        """The flat row of the card at (``x``, content ``y``), or None (a header, a gap, outside)."""
        section = self.section_at_y(y)
        if section is None or not section.count:
            return None
        inner = y - section.top - self.header
        if inner < 0:
            return None
        col = x // self.cell.width() if x >= 0 else -1
        if col < 0 or col >= self.columns:
            return None
        k = (inner // self.cell.height()) * self.columns + col
        return section.first_row + k if k < section.count else None

    def rows_between(self, top: int, bottom: int) -> tuple[int, int]:
        """First and last flat rows that may show between content heights ``top`` and ``bottom`` (an empty
        range is (0, -1))."""
        first, last = None, -1
        for section in self.sections_from(top):
            if section.top > bottom:
                break
            if section.count:
                first = section.first_row if first is None else first
                last = section.first_row + section.count - 1
        return (first or 0, last)

    def rows_in(self, area: QRect) -> Iterator[tuple[int, int]]:
        """The flat rows of the cards ``area`` (content coordinates) touches, as (first, last) runs."""
        cell = self.cell
        for section in self.sections:
            if not section.count or section.top > area.bottom() or section.top + section.height <= area.top():
                continue
            body = section.top + self.header
            first_line = max(0, (area.top() - body) // cell.height())
            last_line = (area.bottom() - body) // cell.height()
            if last_line < 0:
                continue
            c0 = max(0, area.left() // cell.width())
            c1 = min(self.columns - 1, area.right() // cell.width())
            if c1 < c0:
                continue
            for line in range(first_line, last_line + 1):
                start = line * self.columns + c0
                stop = min(line * self.columns + c1, section.count - 1)
                if start > stop:
                    break
                yield section.first_row + start, section.first_row + stop

    # ------------------------------------------------------------------ drops

    def drop_slot(self, x: int, y: int, *, list_mode: bool, width: int) -> DropSlot | None:
        """Where a drop at (``x``, content ``y``) lands: a header means "at the start of this scene", the
        left/right (grid) or top/bottom (list) half of a card means before/after it, the space after a
        scene's last card means its end. ``width`` is the viewport's (a list's bar spans it)."""
        if not self.sections:
            return None
        section = self.section_at_y(y)
        if section is None:
            section = self.sections[-1] if y >= self.content_height else self.sections[0]
        cell = self.cell
        body = section.top + self.header

        def bar(k: int) -> QRect:
            """The bar before slot ``k`` of the section (k == count: after the last card)."""
            if list_mode:
                return QRect(0, body + k * cell.height() - INDICATOR_W // 2, width, INDICATOR_W)
            if k == section.count and k > 0:
                line, col = divmod(k - 1, self.columns)
                col += 1
            else:
                line, col = divmod(k, self.columns)
            return QRect(col * cell.width() - INDICATOR_W // 2 + (3 if col == 0 else 0),
                         body + line * cell.height() + 6, INDICATOR_W, cell.height() - 12)

        if y < body or not section.count:
            return DropSlot(section, 0, None, bar(0))
        inner = y - body
        line = inner // cell.height()
        if list_mode:
            k = min(line, section.count)
            after = inner - line * cell.height() > cell.height() // 2
        else:
            col = min(max(x, 0) // cell.width(), self.columns - 1)
            k = line * self.columns + col
            after = x - col * cell.width() > cell.width() // 2
        if k >= section.count:
            return DropSlot(section, section.count, None, bar(section.count))
        slot = k + (1 if after else 0)
        return DropSlot(section, slot, section.first_row + k, bar(slot))

    def scene_slot(self, y: int) -> tuple[int, int] | None:
        """Where a dragged scene lands: (index in the scene list, the content height of its bar)."""
        if not self.sections:
            return None
        section = self.section_at_y(y) or self.sections[-1 if y >= self.content_height else 0]
        index = section.order + (1 if y > section.top + section.height // 2 else 0)
        top = self.sections[index].top if index < len(self.sections) else self.content_height
        return index, top
