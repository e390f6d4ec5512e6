"""Shot list PDF with ReportLab: a storyboard sheet (poster per shot) or a dense table.

Drawn straight on the canvas (no Platypus) so a 5,000-shot list stays fast. Text uses a Unicode TrueType
font found on the system (DejaVu, Arial, Segoe) or ReportLab's own Vera, and falls back per character
to a CJK TrueType font (Debian's fonts-droid-fallback, which scripts/setup.sh installs; Windows and macOS
fonts otherwise), so names in any script print instead of turning into empty boxes. Every font is
embedded (subset): the PDF reads the same on a machine without those fonts. Only when no CJK font is
installed at all does CJK text fall back to a CID font the reader must supply, and the report says so.

A shot without a clip shows its storyboard frame, its start or reference image, or its character's
sheet, before it shows an empty frame; models are printed by name, as the window shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from shotplanner.core.confine import inside
from shotplanner.core.models import Project, fps_label
from shotplanner.interchange.cut import ExportReport
from shotplanner.interchange.shotlist import ShotRow

LAYOUTS = ("sheet", "table")
PAGE = landscape(A4)
MARGIN = 28.0
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
    "C:/Windows/Fonts/segoeui.ttf",
)
_BOLD_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)
#: TrueType (glyf) fonts with CJK coverage; ReportLab embeds TrueType outlines, not CFF (.otf, Noto CJK).
_CJK_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf", 0),
    ("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf", 0),
    ("/Library/Fonts/Arial Unicode.ttf", 0),
    ("/System/Library/Fonts/Supplemental/Arial Unicode.ttf", 0),
    ("C:/Windows/Fonts/msgothic.ttc", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
)
#: The last resort: a standard CID font (not embedded; the PDF reader supplies it).
CID_FALLBACK = "HeiseiKakuGo-W5"
CJK_FONT = "SPCJK"


class PdfExportError(ValueError):
    pass


@cache
def _fonts() -> tuple[str, str, frozenset[int], str]:
    """Register the fonts once: (regular, bold, code points they cover, the CJK fallback's name)."""
    regular = next((p for p in _FONT_CANDIDATES if Path(p).is_file()), None)
    bold = next((p for p in _BOLD_CANDIDATES if Path(p).is_file()), None)
    if regular is None:
        regular, bold = "Vera.ttf", "VeraBd.ttf"  # shipped inside ReportLab
    sans = TTFont("SPSans", regular)
    pdfmetrics.registerFont(sans)
    pdfmetrics.registerFont(TTFont("SPSans-Bold", bold or regular))
    cjk = CID_FALLBACK
    for path, index in _CJK_CANDIDATES:
        if not Path(path).is_file():
            continue
        try:
            pdfmetrics.registerFont(TTFont(CJK_FONT, path, subfontIndex=index))
        except Exception:  # a CFF-flavoured or damaged file: try the next one
            continue
        cjk = CJK_FONT
        break
    else:
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    covered = frozenset(sans.face.charToGlyph.keys())
    return "SPSans", "SPSans-Bold", covered, cjk


class Text:
    """Measuring, wrapping and drawing text with per-character font fallback."""

    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas
        self.regular, self.bold, self.covered, self.cjk = _fonts()
        #: Set when a character needed the non-embedded CID fallback (the report says so).
        self.used_cid = False

    def runs(self, text: str, font: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for ch in text:
            f = font if (ord(ch) in self.covered or ch.isspace()) else self.cjk
            if f == CID_FALLBACK:
                self.used_cid = True
            if out and out[-1][0] == f:
                out[-1] = (f, out[-1][1] + ch)
            else:
                out.append((f, ch))
        return out

    def width(self, text: str, size: float, font: str | None = None) -> float:
        font = font or self.regular
        if text.isascii():
            return pdfmetrics.stringWidth(text, font, size)
        return sum(pdfmetrics.stringWidth(t, f, size) for f, t in self.runs(text, font))

    def draw(self, x: float, y: float, text: str, size: float, font: str | None = None) -> None:
        font = font or self.regular
        if text.isascii():
            self.c.setFont(font, size)
            self.c.drawString(x, y, text)
            return
        for f, t in self.runs(text, font):
            self.c.setFont(f, size)
            self.c.drawString(x, y, t)
            x += pdfmetrics.stringWidth(t, f, size)

    def wrap(
        self, text: str, width: float, size: float, max_lines: int, font: str | None = None
    ) -> list[str]:
        """Greedy word wrap; long words are cut; the last line gets an ellipsis if text remains."""
        lines: list[str] = []
        words = text.split()
        current = ""
        i = 0
        while i < len(words):
            word = words[i]
            trial = f"{current} {word}" if current else word
            if self.width(trial, size, font) <= width:
                current = trial
                i += 1
                continue
            if not current:  # one word wider than the line: cut it
                cut = len(word)
                while cut > 1 and self.width(word[:cut], size, font) > width:
                    cut -= 1
                current, words[i] = word[:cut], word[cut:]
            lines.append(current)
            current = ""
            if len(lines) == max_lines:
                break
        if current and len(lines) < max_lines:
            lines.append(current)
        if i < len(words) and lines:
            last = lines[-1]
            while last and self.width(last + "…", size, font) > width:
                last = last[:-1]
            lines[-1] = last + "…"
        return lines


def _still(row: ShotRow, project: Project, project_dir: Path) -> Path | None:
    """What shows a shot that has no clip: its newest storyboard frame, its start or reference image,
    or the sheet of a character in it (paths outside the project folder are never read)."""
    shot = row.shot
    root = project_dir.resolve()
    circled = shot.circled_frame  # the director's chosen frame first, then the newest
    candidates = [circled.clip] if circled is not None and circled.clip else []
    candidates += [t.clip for t in reversed(shot.takes) if t.kind == "frame" and t.clip]
    for role in ("start", "reference", "end"):
        ref = shot.image_for(role)
        if ref is not None:
            candidates.append(ref.path)
    for cid in shot.character_ids:
        character = project.character(cid)
        if character is not None:
            candidates += character.reference_images
    for rel in candidates:
        path = (project_dir / rel).resolve()
        if path.is_relative_to(root) and path.is_file():
            return path
    return None


def _poster(row: ShotRow, project_dir: Path, project: Project | None = None) -> tuple[Path | None, str]:
    """The poster image for a shot, or ``None`` and why (shown in the placeholder frame)."""
    take = row.shot.cut_take()
    if take is None or not take.clip or take.kind == "frame":
        still = _still(row, project, project_dir) if project is not None else None
        return (still, "") if still is not None else (None, "no clip yet")
    clip = inside(project_dir, take.clip)
    if clip is None:
        return None, "clip outside the project folder"
    poster = inside(project_dir, take.poster)
    if poster is not None and poster.is_file():
        return poster, ""
    if not clip.is_file():
        return None, "clip missing"
    from shotplanner.media.posters import poster_for

    try:
        return poster_for(clip), ""
    except Exception as exc:  # a clip that cannot be decoded still gets its page, with the reason
        return None, f"no poster ({type(exc).__name__})"


def _placeholder(c: Canvas, text: Text, x: float, y: float, w: float, h: float, why: str) -> None:
    c.setFillColor(colors.HexColor("#e6e6e6"))
    c.setStrokeColor(colors.HexColor("#9a9a9a"))
    c.rect(x, y, w, h, fill=1, stroke=1)
    c.line(x, y, x + w, y + h)
    c.line(x, y + h, x + w, y)
    c.setFillColor(colors.HexColor("#555555"))
    label_w = text.width(why, 9)
    c.setFillColor(colors.white)
    c.rect(x + (w - label_w) / 2 - 4, y + h / 2 - 5, label_w + 8, 14, fill=1, stroke=0)
    c.setFillColor(colors.HexColor("#555555"))
    text.draw(x + (w - label_w) / 2, y + h / 2 - 1, why, 9)
    c.setFillColor(colors.black)


def _image(c: Canvas, path: Path, x: float, y: float, w: float, h: float) -> bool:
    try:
        c.drawImage(ImageReader(str(path)), x, y, w, h, preserveAspectRatio=True, anchor="c")
    except Exception:  # an unreadable image file: the caller draws the placeholder instead
        return False
    c.setStrokeColor(colors.HexColor("#9a9a9a"))
    c.rect(x, y, w, h, fill=0, stroke=1)
    return True


def _header(c: Canvas, text: Text, project: Project, page: int, subtitle: str) -> float:
    width, height = PAGE
    text.draw(MARGIN, height - MARGIN - 4, project.title, 14, text.bold)
    right = f"{subtitle} · {fps_label(project.fps)} fps · page {page}"
    text.draw(width - MARGIN - text.width(right, 8), height - MARGIN - 4, right, 8)
    c.setStrokeColor(colors.black)
    c.line(MARGIN, height - MARGIN - 10, width - MARGIN, height - MARGIN - 10)
    return height - MARGIN - 16


def _facts_line(row: ShotRow) -> str:
    s = row.shot
    parts = [
        s.size.value,
        s.angle.value,
        s.movement.value,
        f"{s.lens_mm}mm" if s.lens_mm else "",
        f"{s.duration_s:g} s",
    ]
    return " · ".join(p for p in parts if p)


def _sheet(c: Canvas, text: Text, rows: list[ShotRow], project: Project, project_dir: Path) -> int:
    cols, per_row = 3, 2
    width, height = PAGE
    gutter = 16.0
    cell_w = (width - 2 * MARGIN - (cols - 1) * gutter) / cols
    top = height - MARGIN - 24
    cell_h = (top - MARGIN - (per_row - 1) * gutter) / per_row
    w_ratio, h_ratio = (int(v) for v in project.aspect.split(":"))
    img_h = min(cell_w * h_ratio / w_ratio, cell_h * 0.5)
    pages = 0
    per_page = cols * per_row
    for start in range(0, max(len(rows), 1), per_page):
        pages += 1
        _header(c, text, project, pages, "storyboard")
        for k, row in enumerate(rows[start : start + per_page]):
            col, line = k % cols, k // cols
            x = MARGIN + col * (cell_w + gutter)
            y_top = top - line * (cell_h + gutter)
            poster, why = _poster(row, project_dir, project)
            if poster is None or not _image(c, poster, x, y_top - img_h, cell_w, img_h):
                _placeholder(c, text, x, y_top - img_h, cell_w, img_h, why or "poster unreadable")
            y = y_top - img_h - 13
            text.draw(x, y, row.shot.number or "?", 11, text.bold)
            scene = f"{row.scene.number} {row.scene.heading}".strip()
            sx = x + text.width(row.shot.number or "?", 11, text.bold) + 8
            for ln in text.wrap(scene, x + cell_w - sx, 7, 1):
                text.draw(sx, y + 1, ln, 7)
            y -= 11
            text.draw(x, y, _facts_line(row), 8)
            y -= 10
            if row.model:
                text.draw(x, y, f"Model: {row.model_label or row.model}", 8)
                y -= 10
            room = int((y - (y_top - cell_h)) // 9)
            blocks = [
                (row.prompt, 8),
                (f"Notes: {row.shot.notes}" if row.shot.notes else "", 7),
                (f"Dialogue: {row.shot.dialogue}" if row.shot.dialogue else "", 7),
            ]
            for body, size in blocks:
                if not body or room <= 0:
                    continue
                wanted = room if size == 8 else min(room, 2)
                lines = text.wrap(body, cell_w, size, max(1, wanted - (2 if size == 8 else 0)))
                for ln in lines:
                    text.draw(x, y, ln, size)
                    y -= 9
                room -= len(lines)
        c.showPage()
    return pages


_TABLE_COLS: tuple[tuple[str, float, Callable[[ShotRow], str]], ...] = (
    ("Shot", 0.05, lambda r: r.shot.number),
    ("Scene", 0.11, lambda r: f"{r.scene.number} {r.scene.heading}".strip()),
    ("Size", 0.05, lambda r: r.shot.size.value),
    ("Angle", 0.06, lambda r: r.shot.angle.value),
    ("Move", 0.07, lambda r: r.shot.movement.value),
    ("Lens", 0.04, lambda r: f"{r.shot.lens_mm}mm" if r.shot.lens_mm else ""),
    ("Dur", 0.04, lambda r: f"{r.shot.duration_s:g} s"),
    ("Model", 0.10, lambda r: r.model_label or r.model),
    ("Prompt", 0.33, lambda r: r.prompt),
    (
        "Notes",
        0.15,
        lambda r: " ".join(x for x in (r.shot.notes, r.shot.dialogue and f"“{r.shot.dialogue}”") if x),
    ),
)


def _table(c: Canvas, text: Text, rows: list[ShotRow], project: Project) -> int:
    width, _ = PAGE
    usable = width - 2 * MARGIN
    size, leading, max_lines = 7.0, 8.5, 4
    pages = 0

    def new_page() -> float:
        nonlocal pages
        pages += 1
        y = _header(c, text, project, pages, "shot list")
        x = MARGIN
        for title, frac, _ in _TABLE_COLS:
            text.draw(x + 2, y - 9, title, 7.5, text.bold)
            x += frac * usable
        c.line(MARGIN, y - 13, width - MARGIN, y - 13)
        return y - 14

    y = new_page()
    for row in rows:
        cells = [text.wrap(get(row), frac * usable - 4, size, max_lines) for _, frac, get in _TABLE_COLS]
        h = max(1, *(len(lines) for lines in cells)) * leading + 4
        if y - h < MARGIN:
            c.showPage()
            y = new_page()
        x = MARGIN
        for (_, frac, _), lines in zip(_TABLE_COLS, cells, strict=True):
            for i, ln in enumerate(lines):
                text.draw(x + 2, y - 8 - i * leading, ln, size)
            x += frac * usable
        y -= h
        c.setStrokeColor(colors.HexColor("#c8c8c8"))
        c.line(MARGIN, y, width - MARGIN, y)
        c.setStrokeColor(colors.black)
    c.showPage()
    return pages


def write_pdf(
    rows: list[ShotRow], project: Project, project_dir: Path, out_path: Path, layout: str
) -> ExportReport:
    if layout not in LAYOUTS:
        raise PdfExportError(f"unknown PDF layout {layout!r}; choose {' or '.join(LAYOUTS)}")
    out_path = Path(out_path)
    project_dir = Path(project_dir)
    report = ExportReport(fmt=f"pdf ({layout})")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    regular = _fonts()[0]  # registered first: the canvas then never falls back to unembedded Helvetica
    c = Canvas(str(out_path), pagesize=PAGE, pageCompression=1, initialFontName=regular)  # type: ignore[arg-type]
    c.setTitle(project.title)
    c.setAuthor("Shotplanner")
    text = Text(c)
    if layout == "sheet":
        _sheet(c, text, rows, project, project_dir)
    else:
        _table(c, text, rows, project)
    for row in rows:
        take = row.shot.cut_take()
        clip = inside(project_dir, take.clip) if take is not None else None
        if clip is not None and not clip.is_file():
            report.missing.append((row.shot.number or row.shot.id, clip.resolve()))
    if text.used_cid:
        report.warnings.append(
            "no CJK TrueType font is installed (Debian: fonts-droid-fallback); CJK text uses a font the"
            " PDF reader must have, it is not embedded"
        )
    try:
        c.save()
    except OSError as exc:
        raise PdfExportError(f"could not write {out_path}: {exc.strerror or exc}") from exc
    report.out_paths.append(out_path)
    report.clips = len(rows)
    return report
