"""The shot list: the rows a crew reads, as CSV (export and import) and PDF (see ``shotlist_pdf``).

The CSV has the PDF's columns (scene, number, size, angle, movement, lens, duration, model, composed
prompt, notes) plus dialogue and the six prompt layers, so that importing it back restores every shot.
The composed prompt is derived from the layers and is only read when a file has no layer columns.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from shotplanner.core.models import (
    LAYER_NAMES,
    MAX_SHOT_SECONDS,
    SHOT_SIZE_LABELS,
    Angle,
    Movement,
    Project,
    PromptLayers,
    Scene,
    Shot,
    ShotSize,
)
from shotplanner.interchange.cut import ExportReport
from shotplanner.interchange.facts import RECOMMENDED_SUFFIX, FactSource
from shotplanner.interchange.reports import BadInputError, ImportReport

COLUMNS: tuple[str, ...] = (
    "scene",
    "scene_heading",
    "shot",
    "size",
    "angle",
    "movement",
    "lens_mm",
    "duration_s",
    "model",
    "prompt",
    "notes",
    "dialogue",
    *LAYER_NAMES,
)
#: The columns an imported file must have.
REQUIRED = ("shot",)
MAX_REPORTED_ERRORS = 20


@dataclass(frozen=True, slots=True)
class ShotRow:
    """One shot as the shot list prints it."""

    scene: Scene
    shot: Shot
    model: str
    prompt: str

    def csv_values(self) -> dict[str, str]:
        s = self.shot
        values = {
            "scene": self.scene.number,
            "scene_heading": self.scene.heading,
            "shot": s.number,
            "size": s.size.value,
            "angle": s.angle.value,
            "movement": s.movement.value,
            "lens_mm": str(s.lens_mm) if s.lens_mm else "",
            "duration_s": f"{s.duration_s:g}",
            "model": self.model,
            "prompt": self.prompt,
            "notes": s.notes,
            "dialogue": s.dialogue,
        }
        values.update(dict(s.layers.items()))
        return values


def shot_rows(project: Project) -> list[ShotRow]:
    facts = FactSource(project)
    return [
        ShotRow(scene, shot, facts.model(shot), facts.compose(shot))
        for scene in project.scenes
        for shot in scene.shots
    ]


# ----------------------------------------------------------------- CSV export


def export_csv(project: Project, project_dir: Path | None, out_path: Path) -> ExportReport:
    """Write the shot list as UTF-8 CSV (with a BOM, so spreadsheet programs read the accents)."""
    del project_dir  # the CSV names no media; the parameter keeps every exporter's signature alike
    report = ExportReport(fmt="csv")
    rows = shot_rows(project)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row.csv_values())
    report.out_paths.append(out_path)
    report.clips = len(rows)
    return report


# ----------------------------------------------------------------- CSV import


def _lookup(enum_values: dict[str, object], text: str, what: str) -> object:
    key = text.strip().casefold()
    if key in enum_values:
        return enum_values[key]
    choices = ", ".join(sorted({str(getattr(v, "value", v)) for v in enum_values.values()}))
    raise ValueError(f"unknown {what} {text.strip()!r} (expected one of: {choices})")


_SIZES: dict[str, object] = {s.value.casefold(): s for s in ShotSize} | {
    label.casefold(): s for s, label in SHOT_SIZE_LABELS.items()
}
_ANGLES: dict[str, object] = {a.value.casefold(): a for a in Angle}
_MOVES: dict[str, object] = {m.value.casefold(): m for m in Movement}


@dataclass(slots=True)
class _ParsedRow:
    line: int
    scene: str
    heading: str
    number: str
    fields: dict[str, object]


def _parse_row(raw: dict[str, str], line: int, has_layers: bool) -> _ParsedRow:
    def cell(name: str) -> str:
        return (raw.get(name) or "").strip()

    number = cell("shot")
    if not number:
        raise ValueError("the shot number is empty")
    fields: dict[str, object] = {}
    if cell("size"):
        fields["size"] = _lookup(_SIZES, cell("size"), "shot size")
    if cell("angle"):
        fields["angle"] = _lookup(_ANGLES, cell("angle"), "angle")
    if cell("movement"):
        fields["movement"] = _lookup(_MOVES, cell("movement"), "camera movement")
    if "lens_mm" in raw:
        lens = cell("lens_mm").lower().removesuffix("mm").strip()
        if lens:
            if not lens.isdigit() or not 4 <= int(lens) <= 1200:
                raise ValueError(f"lens {cell('lens_mm')!r} is not a focal length between 4 and 1200 mm")
            fields["lens_mm"] = int(lens)
        else:
            fields["lens_mm"] = None
    if cell("duration_s"):
        text = cell("duration_s").lower().removesuffix("s").strip()
        try:
            seconds = float(text)
        except ValueError:
            raise ValueError(f"duration {cell('duration_s')!r} is not a number of seconds") from None
        if not 0 <= seconds <= MAX_SHOT_SECONDS:
            raise ValueError(f"duration {seconds:g} s is outside 0-{MAX_SHOT_SECONDS:g} s")
        fields["duration_s"] = seconds
    if "model" in raw:
        model = cell("model")
        fields["model_id"] = None if not model or model.endswith(RECOMMENDED_SUFFIX.strip()) else model
    for name in ("notes", "dialogue"):
        if name in raw:
            fields[name] = raw.get(name) or ""
    if has_layers:
        fields["layers"] = PromptLayers(**{n: raw.get(n) or "" for n in LAYER_NAMES})
    elif cell("prompt"):
        fields["layers"] = PromptLayers(action=cell("prompt"))
    return _ParsedRow(line, cell("scene"), cell("scene_heading"), number, fields)


def read_csv_rows(text: str, source: str) -> tuple[list[_ParsedRow], list[str]]:
    """Parse and check every row first; raise with line numbers so a bad file changes nothing."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        raise BadInputError(f"{source}: line 1: the file is empty (expected a header row)")
    reader.fieldnames = [(f or "").strip().lower() for f in reader.fieldnames]
    missing = [c for c in REQUIRED if c not in reader.fieldnames]
    if missing:
        raise BadInputError(
            f"{source}: line 1: the header has no {', '.join(missing)!s} column"
            f" (columns are: {', '.join(COLUMNS)})"
        )
    warnings = [
        f"{source}: line 1: column {c!r} is not a shot list column and was ignored"
        for c in reader.fieldnames
        if c not in COLUMNS
    ]
    has_layers = any(n in reader.fieldnames for n in LAYER_NAMES)
    rows: list[_ParsedRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise BadInputError(f"{source}: line {reader.line_num}: {exc}") from None
        line = reader.line_num
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue
        if None in raw:
            errors.append(f"{source}: line {line}: more cells than header columns")
            continue
        try:
            row = _parse_row(raw, line, has_layers)
        except ValueError as exc:
            errors.append(f"{source}: line {line}: {exc}")
            continue
        if row.number in seen:
            errors.append(
                f"{source}: line {line}: shot {row.number} already appears on line {seen[row.number]}"
            )
            continue
        seen[row.number] = line
        rows.append(row)
    if errors:
        more = len(errors) - MAX_REPORTED_ERRORS
        shown = errors[:MAX_REPORTED_ERRORS] + ([f"... and {more} more"] if more > 0 else [])
        raise BadInputError("\n".join(shown))
    return rows, warnings


def import_csv(path: Path, project: Project) -> ImportReport:
    """Merge a shot list CSV into ``project``.

    A row whose shot number exists updates that shot (its takes and id stay); any other row becomes a
    new shot at the end of its scene (a scene is created, with the row's heading, if none has that
    number). Columns absent from the file leave those fields alone.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"{path}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8") from None
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    rows, warnings = read_csv_rows(text, path.name)
    report = ImportReport(source=path.name, warnings=warnings)
    by_number = {s.number: s for s in project.all_shots() if s.number}
    scenes = {s.number: s for s in project.scenes}
    for row in rows:
        existing = by_number.get(row.number)
        if existing is not None:
            for name, value in row.fields.items():
                setattr(existing, name, value)
            report.shots_updated += 1
            continue
        scene_number = row.scene or (project.scenes[-1].number if project.scenes else "1")
        scene = scenes.get(scene_number)
        if scene is None:
            scene = Scene(number=scene_number, heading=row.heading)
            project.scenes.append(scene)
            scenes[scene_number] = scene
            report.scenes_added += 1
        shot = Shot(number=row.number, **row.fields)
        scene.shots.append(shot)
        by_number[row.number] = shot
        report.shots_added += 1
    return report


def export_pdf(project: Project, project_dir: Path, out_path: Path, layout: str = "sheet") -> ExportReport:
    """The shot list as PDF: ``sheet`` (storyboard, a poster per shot) or ``table`` (dense rows)."""
    from shotplanner.interchange.shotlist_pdf import write_pdf

    return write_pdf(shot_rows(project), project, project_dir, out_path, layout)
