"""Paints a shot as a storyboard card (grid) or a compact row (list).

Paint flow (as in napari's layer delegate): the view asks the delegate to paint each visible index; the
delegate reads only roles from the model (shot, scene, insight, take, thumbnail) and the palette from
the style option, so it follows light/dark palettes and never touches the core directly.

Each card is drawn once into a pixmap, kept while nothing it shows changes (:func:`card_content`); its
take's state and progress, which change many times per job, are drawn over that picture at every paint.
The storyboard view paints all visible cards from these pictures in one Python call.

Card layout (grid)::

    ┌ scene band: "SC 2 · INT. KITCHEN – NIGHT" on the first shot of a scene ┐
    │ thumbnail (poster or reference image, 16:9) or a placeholder           │
    │ 2A                                              MCU · 4 s              │
    │ [Kling v3]  running 40% ▓▓▓░░                                  ⚠ 2     │
    └────────────────────────────────────────────────────────────────────────┘
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from enum import Enum
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from shotplanner.core.models import JobState, Scene, Shot, Take
from shotplanner.ui.storyboard_model import CardData, ShotInsight, StoryboardModel

GRID_SIZE = QSize(224, 196)
LIST_HEIGHT = 34
BAND = 20
PAD = 8

# Muted hues for scene bands; alternating scenes are told apart without shouting.
SCENE_HUES = (210, 150, 30, 280, 0, 180)

# Qt flag combinations built once: ``|`` on Python enums is slow enough to show up in a paint profile.
LEFT_VCENTER = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT_VCENTER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
VCENTER = Qt.AlignmentFlag.AlignVCenter
CENTER_WRAP = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
RETIRED = QColor("#c8553d")
WARNING = QColor("#b7791f")
#: Cards kept as pixmaps (~170 kB each in the grid, so at most ~45 MB): a screenful many times over, so
#: scrolling back and forth over a few hundred shots repaints from memory.
CARD_CACHE_SIZE = 256


class CardMode(Enum):
    GRID = "grid"
    LIST = "list"


def scene_color(order: int, palette: QPalette) -> QColor:
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    hue = SCENE_HUES[order % len(SCENE_HUES)]
    return QColor.fromHsl(hue, 70, 70 if dark else 215)


def scene_title(scene: Scene) -> str:
    return f"SC {scene.number}" + (f" · {scene.heading}" if scene.heading else "")


def take_color(state: JobState, palette: QPalette) -> QColor:
    if state is JobState.DONE:
        return QColor("#3f9b5b")
    if state in (JobState.FAILED, JobState.UNKNOWN):
        return QColor("#c8553d")
    if state is JobState.CANCELED:
        return palette.color(QPalette.ColorRole.PlaceholderText)
    return palette.color(QPalette.ColorRole.Highlight)


def card_content(card: CardData) -> Hashable:
    """Everything a card or list row shows but its take's state, as one hashable value (the card cache's
    key). The take's state and progress change many times per job: they are drawn over the cached card
    (:meth:`CardDelegate.draw_card`), so a progress step never redraws a card."""
    shot, thumb = card.shot, card.thumbnail
    return (
        shot.number, shot.size, shot.duration_s, shot.layers.subject, shot.layers.action,
        card.scene.number, card.scene.heading, card.scene_start, card.scene_order, card.insight,
        0 if thumb is None else (thumb.cacheKey(), thumb.isNull()),
    )


class CardDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = CardMode.GRID
        self._fonts: dict[str, QFont] = {}
        self._metrics: dict[str, QFontMetrics] = {}
        self._base: QFont | None = None
        # Card backgrounds (body, border, scene band) are the same for many cards: drawn once each.
        self._backgrounds: dict[tuple[int, int, int, bool, int, float], QPixmap] = {}
        # Whole cards but their take's state, drawn once per content: shot id -> (everything the card shows,
        # its pixmap, where the take's state goes in it).
        self._cards: OrderedDict[str, tuple[tuple[Any, ...], QPixmap, QRect | None]] = OrderedDict()
        #: Card pictures drawn so far (the view's paint budget counts them).
        self.redraws = 0

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        if self.mode is CardMode.GRID:
            return GRID_SIZE
        width = option.rect.width() if option.rect.width() > 0 else 600
        return QSize(width, LIST_HEIGHT)

    def _font(self, base: QFont, kind: str) -> QFont:
        if self._base is None or base != self._base:
            self._base = QFont(base)
            self._fonts.clear()
            self._metrics.clear()
        key = kind
        font = self._fonts.get(key)
        if font is None:
            font = QFont(base)
            if kind == "number":
                font.setPointSizeF(base.pointSizeF() * 1.25)
                font.setBold(True)
            elif kind == "small":
                font.setPointSizeF(max(base.pointSizeF() * 0.85, 7.0))
            elif kind == "band":
                font.setPointSizeF(max(base.pointSizeF() * 0.85, 7.0))
                font.setBold(True)
            self._fonts[key] = font
            self._metrics[key] = QFontMetrics(font)
        return font

    def _fm(self, kind: str) -> QFontMetrics:
        return self._metrics[kind]

    def _background(self, p: QPainter, pal: QPalette, size: QSize, band: QColor, selected: bool) -> QPixmap:
        dpr = p.device().devicePixelRatioF() if p.device() is not None else 1.0
        key = (size.width(), size.height(), band.rgba(), selected, pal.cacheKey(), dpr)
        pixmap = self._backgrounds.get(key)
        if pixmap is not None:
            return pixmap
        if len(self._backgrounds) > 64:
            self._backgrounds.clear()
        pixmap = QPixmap(round(size.width() * dpr), round(size.height() * dpr))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.GlobalColor.transparent)
        bp = QPainter(pixmap)
        bp.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rect = QRect(0, 0, size.width(), size.height())
        bp.setPen(pal.color(QPalette.ColorRole.Highlight) if selected else pal.color(QPalette.ColorRole.Mid))
        bp.setBrush(pal.color(QPalette.ColorRole.Base))
        bp.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        if selected:
            bp.setPen(Qt.PenStyle.NoPen)
            tint = QColor(pal.color(QPalette.ColorRole.Highlight))
            tint.setAlpha(40)
            bp.setBrush(tint)
            bp.drawRoundedRect(QRectF(rect), 6, 6)
        band_rect = QRect(1, 1, rect.width() - 2, BAND)
        bp.setPen(Qt.PenStyle.NoPen)
        bp.setBrush(band)
        bp.drawRoundedRect(QRectF(band_rect), 5, 5)
        bp.drawRect(band_rect.adjusted(0, BAND // 2, 0, 0))
        bp.end()
        self._backgrounds[key] = pixmap
        return pixmap

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        model = index.model()
        if not isinstance(model, StoryboardModel) or not index.isValid():
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        self.draw_card(painter, option.rect, model.card(index.row()), selected, option.palette, option.font)
        painter.restore()

    def draw_card(self, painter: QPainter, rect: QRect, card: CardData, selected: bool, palette: QPalette,
                  font: QFont, *, stale_ok: bool = False) -> bool:
        """Draw ``card`` in ``rect``: its cached picture, then its take's state over it.

        Returns False when, with ``stale_ok``, the card's previous picture was drawn because its content
        changed (the caller draws it again in the next frame; the take's state shown is current).
        """
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        pixmap, take_box, fresh = self._card_pixmap(card, selected, rect.size(), palette, font, dpr,
                                                    stale_ok=stale_ok)
        painter.drawPixmap(rect.topLeft(), pixmap)
        if card.take is not None and take_box is not None:
            painter.setFont(self._font(font, "small"))
            box = take_box.translated(rect.topLeft())
            self._paint_take(painter, palette, box, card.take, self._fm("small"))
        return fresh

    def card_pixmap(self, card: CardData, selected: bool, size: QSize, palette: QPalette, font: QFont,
                    dpr: float) -> QPixmap:
        """The card's picture without its take's state (see :meth:`draw_card`)."""
        return self._card_pixmap(card, selected, size, palette, font, dpr, stale_ok=False)[0]

    def _card_pixmap(self, card: CardData, selected: bool, size: QSize, palette: QPalette,
                     font: QFont, dpr: float, *, stale_ok: bool) -> tuple[QPixmap, QRect | None, bool]:
        """The cached picture, where the take's state goes in it, and whether the picture is current.

        With ``stale_ok``, a card whose content changed but whose previous picture (same size) is still
        cached gets that picture back (not current) instead of being drawn now: the view does this when
        its paint budget is spent and draws the card properly in the next frame.

        The key is everything the picture shows, so an outdated picture is never taken for a current one
        whatever path changed the shot; a repaint of an unchanged card is one ``drawPixmap``.
        """
        key = (self.mode, size.width(), size.height(), selected, palette.cacheKey(),
               palette.currentColorGroup(), font.key(), dpr, card_content(card))
        shot_id = card.shot.id
        cached = self._cards.get(shot_id)
        if cached is not None and cached[0] == key:
            self._cards.move_to_end(shot_id)
            return cached[1], cached[2], True
        if stale_ok and cached is not None and cached[0][:3] == key[:3]:  # same mode and size
            return cached[1], cached[2], False
        pixmap = QPixmap(max(1, round(size.width() * dpr)), max(1, round(size.height() * dpr)))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        option = QStyleOptionViewItem()
        option.rect = QRect(0, 0, size.width(), size.height())
        option.palette = palette
        option.font = font
        if selected:
            option.state = option.state | QStyle.StateFlag.State_Selected
        if self.mode is CardMode.GRID:
            take_box = self._paint_card(p, option, card)
        else:
            take_box = self._paint_row(p, option, card)
        p.end()
        self.redraws += 1
        self._cards[shot_id] = (key, pixmap, take_box)
        self._cards.move_to_end(shot_id)
        while len(self._cards) > CARD_CACHE_SIZE:
            self._cards.popitem(last=False)
        return pixmap, take_box, True

    # ------------------------------------------------------------------ grid card

    def _paint_card(self, p: QPainter, option: QStyleOptionViewItem, card: CardData) -> QRect | None:
        pal = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        rect = QRect(option.rect).adjusted(5, 5, -5, -5)
        shot, scene, order = card.shot, card.scene, card.scene_order
        band = scene_color(order, pal)

        # Card body and scene band (every card carries its scene's colour; the first names the scene).
        p.drawPixmap(rect.topLeft(), self._background(p, pal, rect.size(), band, selected))
        band_rect = QRect(rect.left() + 1, rect.top() + 1, rect.width() - 2, BAND)
        p.setPen(QColor("#f4f4f4") if band.lightness() < 128 else QColor("#202020"))
        p.setFont(self._font(option.font, "band"))
        # The scene's header above its first line names it; the band only carries number and colour.
        text = f"SC {scene.number}"
        fm = self._fm("band")
        p.drawText(band_rect.adjusted(PAD, 0, -PAD, 0), VCENTER,
                   fm.elidedText(text, Qt.TextElideMode.ElideRight, band_rect.width() - 2 * PAD))

        # Thumbnail area, 16:9.
        thumb_w = rect.width() - 2 * PAD
        thumb = QRect(rect.left() + PAD, band_rect.bottom() + 6, thumb_w, round(thumb_w * 9 / 16))
        self._paint_thumbnail(p, pal, thumb, card.thumbnail, shot)

        # Number, size, duration.
        y = thumb.bottom() + 4
        line = QRect(rect.left() + PAD, y, rect.width() - 2 * PAD, 24)
        p.setPen(pal.color(QPalette.ColorRole.Text))
        p.setFont(self._font(option.font, "number"))
        p.drawText(line, LEFT_VCENTER, shot.number or "—")
        p.setFont(self._font(option.font, "small"))
        p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        p.drawText(line, RIGHT_VCENTER, f"{shot.size.value} · {shot.duration_s:g} s")

        # Model badge, take state, lint count.
        line2 = QRect(rect.left() + PAD, line.bottom() + 2, rect.width() - 2 * PAD, 18)
        return self._paint_status_line(p, pal, option.font, line2, card.insight)

    def _paint_thumbnail(self, p: QPainter, pal: QPalette, box: QRect, pixmap: QPixmap | None,
                         shot: Shot) -> None:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(pal.color(QPalette.ColorRole.AlternateBase))
        p.drawRoundedRect(QRectF(box), 4, 4)
        if pixmap is not None and not pixmap.isNull():
            scaled = pixmap.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, scaled.width(), scaled.height())
            target.moveCenter(box.center())
            p.drawPixmap(target, pixmap)
            return
        # No picture yet: the subject in words reads better than an empty grey box.
        p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        text = shot.layers.subject or shot.layers.action or shot.size.label
        p.drawText(box.adjusted(8, 6, -8, -6), CENTER_WRAP, text[:140])

    def _paint_status_line(self, p: QPainter, pal: QPalette, base: QFont, line: QRect,
                           insight: ShotInsight | None) -> QRect | None:
        """Model badge and lint count; returns the room left for the take's state (None when none)."""
        p.setFont(self._font(base, "small"))
        fm = self._fm("small")
        x = line.left()
        if insight is not None and insight.model_label:
            label = insight.model_label + (" (retired)" if insight.model_retired else "")
            label = fm.elidedText(label, Qt.TextElideMode.ElideRight, int(line.width() * 0.55))
            w = fm.horizontalAdvance(label) + 12
            pill = QRect(x, line.top() + 1, w, line.height() - 2)
            color = RETIRED if insight.model_retired else pal.color(QPalette.ColorRole.Highlight)
            fill = QColor(color)
            fill.setAlpha(45)
            p.setPen(color if insight.overridden else Qt.PenStyle.NoPen)
            p.setBrush(fill)
            p.drawRoundedRect(QRectF(pill), 8, 8)
            p.setPen(pal.color(QPalette.ColorRole.Text))
            p.drawText(pill, Qt.AlignmentFlag.AlignCenter, label)
            x = pill.right() + 6
        right = line.right()
        if insight is not None and insight.lint_warnings:
            text = f"⚠ {insight.lint_warnings}"
            w = fm.horizontalAdvance(text)
            p.setPen(WARNING)
            p.drawText(QRect(right - w, line.top(), w, line.height()), Qt.AlignmentFlag.AlignVCenter, text)
            right -= w + 8
        return QRect(x, line.top(), right - x, line.height()) if right > x else None

    def _paint_take(self, p: QPainter, pal: QPalette, box: QRect, take: Take, fm: QFontMetrics) -> None:
        color = take_color(take.state, pal)
        label = take.state.value
        if take.state.is_active:
            # Progress bar under the label while a job is under way.
            bar = QRect(box.left(), box.bottom() - 3, box.width(), 3)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(pal.color(QPalette.ColorRole.Midlight))
            p.drawRect(bar)
            p.setBrush(color)
            p.drawRect(QRect(bar.left(), bar.top(), round(bar.width() * take.progress), bar.height()))
            label = f"{label} {take.progress:.0%}"
        elif take.circled:
            label = "◯ frame" if take.kind == "frame" else "◯ circled"
        if take.kind == "frame" and not take.circled:
            label = f"frame {label}"  # a storyboard still, not a clip
        p.setPen(color)
        p.drawText(box.adjusted(0, 0, 0, -3), LEFT_VCENTER,
                   fm.elidedText(label, Qt.TextElideMode.ElideRight, box.width()))

    # ------------------------------------------------------------------ list row

    def _paint_row(self, p: QPainter, option: QStyleOptionViewItem, card: CardData) -> QRect | None:
        pal = option.palette
        rect = QRect(option.rect)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        shot, order, starts = card.shot, card.scene_order, card.scene_start
        if selected:
            p.fillRect(rect, pal.color(QPalette.ColorRole.Highlight).lighter(170)
                       if pal.color(QPalette.ColorRole.Window).lightness() >= 128
                       else pal.color(QPalette.ColorRole.Highlight).darker(150))
        p.fillRect(QRect(rect.left(), rect.top(), 6, rect.height()), scene_color(order, pal))
        if starts:
            p.setPen(pal.color(QPalette.ColorRole.Mid))
            p.drawLine(rect.topLeft(), rect.topRight())
        x = rect.left() + 14
        p.setPen(pal.color(QPalette.ColorRole.Text))
        p.setFont(self._font(option.font, "band"))
        p.drawText(QRect(x, rect.top(), 56, rect.height()), Qt.AlignmentFlag.AlignVCenter, shot.number)
        x += 60
        p.setFont(self._font(option.font, "small"))
        p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        p.drawText(QRect(x, rect.top(), 90, rect.height()), Qt.AlignmentFlag.AlignVCenter,
                   f"{shot.size.value} · {shot.duration_s:g} s")
        x += 94
        status_w = min(300, rect.width() // 3)
        text_w = max(rect.right() - status_w - x - 8, 40)
        fm = self._fm("small")
        words = shot.layers.subject or shot.layers.action or ""
        p.setPen(pal.color(QPalette.ColorRole.Text))
        p.drawText(QRect(x, rect.top(), text_w, rect.height()), Qt.AlignmentFlag.AlignVCenter,
                   fm.elidedText(words, Qt.TextElideMode.ElideRight, text_w))
        line = QRect(rect.right() - status_w, rect.top() + (rect.height() - 18) // 2, status_w - 8, 18)
        return self._paint_status_line(p, pal, option.font, line, card.insight)
