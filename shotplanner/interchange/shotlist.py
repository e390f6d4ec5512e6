"""The shot list: the rows a crew reads, as CSV (export and import) and PDF (see ``shotlist_pdf``).

The CSV has the PDF's columns (scene, number, size, angle, movement, lens, duration, model, composed
prompt, notes) plus every other field of a shot, the six prompt layers and the cast, so that importing
it into an empty project restores the plan. The composed prompt is derived from the layers and is only
read when a file has no layer columns. Import reads what crews write (``vocabulary``), under the headers
they use, and takes every good row: the others are listed by line and column with the reason.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from shotplanner.core.heading import format_heading, parse_heading
from shotplanner.core.models import (
    ASPECT_RATIOS,
    LAYER_NAMES,
    MAX_SHOT_SECONDS,
    RESOLUTIONS,
    Character,
    ImageRef,
    Project,
    PromptLayers,
    Quality,
    Scene,
    Shot,
)
from shotplanner.interchange import vocabulary
from shotplanner.interchange.cut import ExportReport
from shotplanner.interchange.facts import RECOMMENDED_SUFFIX, FactSource
from shotplanner.interchange.reports import BadInputError, ImportReport

COLUMNS: tuple[str, ...] = (
    "film",
    "scene",
    "scene_heading",
    "scene_description",
    "shot",
    "size",
    "angle",
    "movement",
    "lens_mm",
    "duration_s",
    "aspect",
    "resolution",
    "fps",
    "audio",
    "quality",
    "model",
    "prompt",
    "notes",
    "dialogue",
    "characters",
    "reference_images",
    "reference_labels",
    *LAYER_NAMES,
    # Cast rows (no shot number): one per character, after the shots.
    "character",
    "character_description",
    "character_images",
)
#: The columns an imported file must have (a cast-only file has ``character`` instead).
REQUIRED = ("shot",)
#: How many skipped rows the report lists one by one.
MAX_REPORTED_ERRORS = 50
#: Separator inside list cells (characters, reference images); spreadsheets leave it alone.
LIST_SEP = " | "
#: What crews call the columns → ours (compared after lower-casing and collapsing spaces/punctuation).
HEADER_ALIASES: dict[str, str] = {
    "title": "film", "film title": "film", "project": "film",
    "scene #": "scene", "scene no": "scene", "scene number": "scene", "sc": "scene", "sc #": "scene",
    "heading": "scene_heading", "slugline": "scene_heading", "slug": "scene_heading",
    "location": "scene_heading", "scene heading": "scene_heading", "set": "scene_heading",
    "scene description": "scene_description", "synopsis": "scene_description",
    "int / ext": "int_ext", "int/ext": "int_ext", "i/e": "int_ext", "int ext": "int_ext",
    "n/d": "time_of_day", "d/n": "time_of_day", "day/night": "time_of_day", "time of day": "time_of_day",
    "shot #": "shot", "shot no": "shot", "shot number": "shot", "#": "shot", "no": "shot", "shot id": "shot",
    "shot size": "size", "framing": "size", "shot type": "size", "type": "size",
    "camera angle": "angle", "shot angle": "angle",
    "camera movement": "movement", "camera move": "movement", "move": "movement", "motion": "movement",
    "camera motion": "movement",
    "lens": "lens_mm", "focal length": "lens_mm", "lens mm": "lens_mm", "lens (mm)": "lens_mm",
    "duration": "duration_s", "length": "duration_s", "dur": "duration_s", "time": "duration_s",
    "seconds": "duration_s", "duration (s)": "duration_s", "est time": "duration_s",
    "sound": "audio", "audio needed": "audio",
    "description": "action", "shot description": "action", "details": "action",
    "comments": "notes", "note": "notes", "remarks": "notes",
    "dialog": "dialogue", "lines": "dialogue",
    "cast": "characters", "talent": "characters", "actors": "characters",
    "aspect ratio": "aspect", "frame rate": "fps", "framerate": "fps",
}
_TRUE = {"yes", "y", "true", "1", "x", "✓", "✔", "on", "sound", "sync", "diegetic", "non-diegetic",
         "dialogue", "dialog", "sfx", "music", "vo", "v.o.", "ambience", "wild"}
_FALSE = {"no", "n", "false", "0", "", "off", "mos", "-", "none", "silent", "no sound"}
#: Columns read only to build a scene heading when the file has none ("INT / EXT", "N/D").
_HEADING_PARTS = ("int_ext", "time_of_day")


@dataclass(frozen=True, slots=True)
class ShotRow:
    """One shot as the shot list prints it."""

    scene: Scene
    shot: Shot
    model: str
    prompt: str
    #: The model as people read it ("Kling 2.1 (recommended)"); ``model`` keeps the id for the CSV.
    model_label: str = ""

    def csv_values(self, project: Project) -> dict[str, str]:
        s = self.shot
        names = [c.name for c in (project.character(cid) for cid in s.character_ids) if c is not None]
        values = {
            "film": project.title,
            "scene": self.scene.number,
            "scene_heading": self.scene.heading,
            "scene_description": self.scene.description,
            "shot": s.number,
            "size": s.size.value,
            "angle": s.angle.value,
            "movement": s.movement.value,
            "lens_mm": str(s.lens_mm) if s.lens_mm else "",
            "duration_s": f"{s.duration_s:g}",
            "aspect": s.aspect,
            "resolution": s.resolution,
            "fps": f"{s.fps:g}",
            "audio": "yes" if s.audio else "no",
            "quality": s.quality.value,
            "model": self.model,
            "prompt": self.prompt,
            "notes": s.notes,
            "dialogue": s.dialogue,
            "characters": LIST_SEP.join(names),
            "reference_images": LIST_SEP.join(f"{r.role}={r.path}" for r in s.reference_images),
            "reference_labels": LIST_SEP.join(r.label for r in s.reference_images)
            if any(r.label for r in s.reference_images)
            else "",
        }
        values.update(dict(s.layers.items()))
        return values


def shot_rows(project: Project) -> list[ShotRow]:
    facts = FactSource(project)
    rows = []
    for scene in project.scenes:
        for shot in scene.shots:
            model = facts.model(shot)
            rows.append(ShotRow(scene, shot, model, facts.compose(shot), facts.model_name(model)))
    return rows


# ----------------------------------------------------------------- CSV export


def export_csv(project: Project, project_dir: Path | None, out_path: Path) -> ExportReport:
    """Write the shot list as UTF-8 CSV (with a BOM, so spreadsheet programs read the accents).

    Every field of every shot is a column, and the cast follows as rows without a shot number, so
    importing the file into an empty project gives the same plan back (takes are media, not a list).
    """
    del project_dir  # the CSV names no media; the parameter keeps every exporter's signature alike
    report = ExportReport(fmt="csv")
    rows = shot_rows(project)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row.csv_values(project))
        for character in project.characters:
            writer.writerow(
                {
                    "film": project.title,
                    "character": character.name,
                    "character_description": character.description,
                    "character_images": LIST_SEP.join(character.reference_images),
                }
            )
    report.out_paths.append(out_path)
    report.clips = len(rows)
    return report


# ----------------------------------------------------------------- CSV import


def _column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how a spreadsheet names the column."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def canonical_header(name: str) -> str:
    key = " ".join((name or "").strip().lower().replace("_", " ").split())
    if key.replace(" ", "_") in COLUMNS:
        return key.replace(" ", "_")
    return HEADER_ALIASES.get(key, HEADER_ALIASES.get(key.rstrip(":"), key.replace(" ", "_")))


class CellError(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


@dataclass(slots=True)
class _ParsedRow:
    line: int
    scene: str
    heading: str
    description: str
    number: str
    fields: dict[str, object]
    characters: list[str] | None
    film: str


@dataclass(slots=True)
class _CastRow:
    line: int
    name: str
    description: str | None
    images: list[str] | None


def _safe_media_path(text: str, column: str) -> str:
    path = text.strip().replace("\\", "/")
    parts = path.split("/")
    if not path or path.startswith("/") or (len(path) > 1 and path[1] == ":") or ".." in parts:
        raise CellError(column, f"{text.strip()!r} is not a path inside the project folder")
    return path


def _duration(text: str) -> float:
    raw = text.strip().lower()
    if ":" in raw:  # m:ss or hh:mm:ss
        try:
            parts = [float(p) for p in raw.split(":")]
        except ValueError:
            raise ValueError(f"duration {text.strip()!r} is not a number of seconds") from None
        seconds = 0.0
        for p in parts:
            seconds = seconds * 60 + p
        return seconds
    for unit in ("seconds", "second", "secs", "sec", "s"):
        if raw.endswith(unit):
            raw = raw[: -len(unit)].strip()
            break
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        raise ValueError(f"duration {text.strip()!r} is not a number of seconds") from None


def _parse_row(raw: dict[str, str], line: int, has_layers: bool) -> _ParsedRow:
    def cell(name: str) -> str:
        return (raw.get(name) or "").strip()

    def check(name: str, parse: Callable[[str], object]) -> object:
        try:
            return parse(cell(name))
        except CellError:
            raise
        except (ValueError, ValidationError) as exc:
            raise CellError(name, str(exc).splitlines()[0]) from None

    number = cell("shot")
    if not number:
        raise CellError("shot", "the shot number is empty")
    fields: dict[str, object] = {}
    if cell("size"):
        fields["size"] = check("size", vocabulary.size)
    if cell("angle"):
        fields["angle"] = check("angle", vocabulary.angle)
    if cell("movement"):
        fields["movement"] = check("movement", vocabulary.movement)
    if "lens_mm" in raw:
        lens = cell("lens_mm").lower().removesuffix("mm").strip()
        if lens:
            if not lens.isdigit() or not 4 <= int(lens) <= 1200:
                raise CellError(
                    "lens_mm", f"lens {cell('lens_mm')!r} is not a focal length between 4 and 1200 mm"
                )
            fields["lens_mm"] = int(lens)
        else:
            fields["lens_mm"] = None
    if cell("duration_s"):
        seconds = float(check("duration_s", _duration))  # type: ignore[arg-type]
        if not 0 <= seconds <= MAX_SHOT_SECONDS:
            raise CellError("duration_s", f"duration {seconds:g} s is outside 0-{MAX_SHOT_SECONDS:g} s")
        fields["duration_s"] = seconds
    if cell("aspect"):
        aspect = cell("aspect").replace(" ", "").replace("x", ":")
        if aspect not in ASPECT_RATIOS:
            raise CellError("aspect", f"aspect {cell('aspect')!r} is not one of {', '.join(ASPECT_RATIOS)}")
        fields["aspect"] = aspect
    if cell("resolution"):
        res = cell("resolution").lower().replace("uhd", "4k")
        if res not in RESOLUTIONS:
            raise CellError(
                "resolution", f"resolution {cell('resolution')!r} is not one of {', '.join(RESOLUTIONS)}"
            )
        fields["resolution"] = res
    if cell("fps"):
        try:
            fps = float(cell("fps").lower().removesuffix("fps").strip())
        except ValueError:
            raise CellError("fps", f"frame rate {cell('fps')!r} is not a number") from None
        if not 1 <= fps <= 120:
            raise CellError("fps", f"frame rate {fps:g} is outside 1-120")
        fields["fps"] = fps
    if "audio" in raw:
        flag = cell("audio").casefold()
        if flag not in _TRUE | _FALSE:
            raise CellError("audio", f"audio {cell('audio')!r} is not yes or no")
        fields["audio"] = flag in _TRUE
    if cell("quality"):
        try:
            fields["quality"] = Quality(cell("quality").lower())
        except ValueError:
            raise CellError("quality", f"quality {cell('quality')!r} is not draft or final") from None
    if "model" in raw:
        model = cell("model")
        fields["model_id"] = None if not model or model.endswith(RECOMMENDED_SUFFIX.strip()) else model
    for name in ("notes", "dialogue"):
        if name in raw:
            fields[name] = raw.get(name) or ""
    if "reference_images" in raw:
        refs: list[ImageRef] = []
        labels = [x.strip() for x in cell("reference_labels").split(LIST_SEP.strip())] if cell(
            "reference_labels"
        ) else []
        for i, item in enumerate(x for x in cell("reference_images").split(LIST_SEP.strip()) if x.strip()):
            role, sep, path = item.strip().partition("=")
            if not sep:
                role, path = "reference", item
            if role.strip() not in ("start", "end", "reference"):
                raise CellError(
                    "reference_images", f"image role {role.strip()!r} is not start, end or reference"
                )
            label = labels[i] if i < len(labels) else ""
            refs.append(
                ImageRef(path=_safe_media_path(path, "reference_images"), role=role.strip(), label=label)
            )
        fields["reference_images"] = refs
    if has_layers:
        fields["layers"] = PromptLayers(**{n: raw.get(n) or "" for n in LAYER_NAMES})
    elif cell("prompt"):
        fields["layers"] = PromptLayers(action=cell("prompt"))
    # Crews separate names with ";" or ","; ours is " | ".
    names = re.split(r"[|;,]", cell("characters"))
    characters = [x.strip() for x in names if x.strip()] if "characters" in raw else None
    description = cell("scene_description")
    heading = cell("scene_heading")
    if cell("int_ext") or cell("time_of_day"):
        parts = parse_heading(heading)
        if not parts.int_ext or not parts.time_of_day:
            int_ext = parts.int_ext or cell("int_ext").upper().rstrip(".") + ("." if cell("int_ext") else "")
            time_of_day = parts.time_of_day or cell("time_of_day").upper()
            heading = format_heading(int_ext.replace("..", "."), parts.location, time_of_day)
    return _ParsedRow(line, cell("scene"), heading, description, number, fields, characters, cell("film"))


def _parse_cast(raw: dict[str, str], line: int) -> _CastRow:
    name = (raw.get("character") or "").strip()
    images = None
    if "character_images" in raw:
        images = [
            _safe_media_path(x, "character_images")
            for x in (raw.get("character_images") or "").split(LIST_SEP.strip())
            if x.strip()
        ]
    description = raw.get("character_description") if "character_description" in raw else None
    return _CastRow(line, name, description, images)


@dataclass(slots=True)
class CsvRows:
    shots: list[_ParsedRow] = field(default_factory=list)
    cast: list[_CastRow] = field(default_factory=list)
    #: Rows that were left out, each "line L, column C (name): reason".
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    total: int = 0


def read_csv_rows(text: str, source: str) -> CsvRows:
    """Parse every row; good rows are kept, each bad one is named by line and column with the reason.

    Only a file that cannot be read as a table at all (no header, no shot column) raises.
    """
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        raise BadInputError(f"{source}: line 1: the file is empty (expected a header row)")
    original = list(reader.fieldnames)
    reader.fieldnames = [canonical_header(f) for f in original]
    index = {name: i for i, name in reversed(list(enumerate(reader.fieldnames)))}
    if "shot" not in index and "character" not in index:
        raise BadInputError(
            f"{source}: line 1: the header has no shot column (columns are: {', '.join(original)};"
            f" Shotplanner's are: {', '.join(COLUMNS)})"
        )
    out = CsvRows()
    out.warnings = [
        f"{source}: line 1: column {_column_letter(i)} {orig.strip()!r} is not a shot list column"
        " and was ignored"
        for i, (orig, c) in enumerate(zip(original, reader.fieldnames, strict=True))
        if c not in COLUMNS and c not in _HEADING_PARTS
    ]
    has_layers = any(n in index for n in LAYER_NAMES if n != "camera")
    if "camera" in index and not has_layers:
        # "Camera" beside no other prompt layer is the camera unit ("A Cam"), not the camera layer.
        i = index.pop("camera")
        reader.fieldnames[i] = "camera_unit"
        out.warnings.append(
            f"{source}: line 1: column {_column_letter(i)} {original[i].strip()!r} was read as the camera"
            " unit (A/B camera) and ignored; the camera prompt layer is the 'camera' column beside the"
            " other layers"
        )
    seen: dict[str, int] = {}

    def where(line: int, column: str | None) -> str:
        if column is None or column not in index:
            return f"{source}: line {line}"
        i = index[column]
        return f"{source}: line {line}, column {_column_letter(i)} ({original[i].strip() or column})"

    while True:
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            out.skipped.append(f"{source}: line {reader.line_num}: {exc}; the rest of the file was not read")
            break
        line = reader.line_num
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue
        out.total += 1
        if None in raw:
            out.skipped.append(f"{where(line, None)}: more cells than header columns")
            continue
        if not (raw.get("shot") or "").strip() and (raw.get("character") or "").strip():
            try:
                out.cast.append(_parse_cast(raw, line))
            except CellError as exc:
                out.skipped.append(f"{where(line, exc.column)}: {exc}")
            continue
        try:
            row = _parse_row(raw, line, has_layers)
        except CellError as exc:
            out.skipped.append(f"{where(line, exc.column)}: {exc}")
            continue
        if row.number in seen:
            out.skipped.append(
                f"{where(line, 'shot')}: shot {row.number} already appears on line {seen[row.number]}"
            )
            continue
        seen[row.number] = line
        out.shots.append(row)
    return out


def _character(project: Project, by_name: dict[str, Character], name: str) -> Character:
    key = name.casefold()
    if key not in by_name:
        by_name[key] = Character(name=name)
        project.characters.append(by_name[key])
    return by_name[key]


def import_csv(path: Path, project: Project) -> ImportReport:
    """Merge a shot list CSV into ``project``, taking every good row.

    A row whose shot number exists updates that shot (its takes and id stay); any other row becomes a
    new shot at the end of its scene (a scene is created, with the row's heading, if none has that
    number). Columns absent from the file leave those fields alone. Rows that cannot be read are
    listed in the report by line and column with the reason; if no row can be read, nothing changes and
    :class:`BadInputError` says why.
    """
    from shotplanner.interchange.fountain import DEFAULT_TITLE, is_empty_project

    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"{path}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8") from None
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    rows = read_csv_rows(text, path.name)
    if not rows.shots and not rows.cast:
        shown = rows.skipped[:MAX_REPORTED_ERRORS]
        more = len(rows.skipped) - len(shown)
        detail = "\n".join(shown + ([f"... and {more} more"] if more > 0 else []))
        raise BadInputError(detail or f"{path.name}: no shot rows found")
    report = ImportReport(source=path.name, warnings=rows.warnings)
    fresh = is_empty_project(project)
    if fresh and rows.shots and all(r.scene for r in rows.shots):
        # The empty scene `shotplanner new` makes is not the list's: the list's scene 3 stays scene 3.
        wanted = {r.scene for r in rows.shots}
        project.scenes = [s for s in project.scenes if s.number in wanted]
    film = next((r.film for r in rows.shots if r.film), "")
    if film and (fresh or project.title in ("", DEFAULT_TITLE)):
        project.title = film
    by_number = {s.number: s for s in project.all_shots() if s.number}
    scenes = {s.number: s for s in project.scenes}
    by_name = {c.name.casefold(): c for c in project.characters}
    for cast in rows.cast:
        character = _character(project, by_name, cast.name)
        if cast.description is not None:
            character.description = cast.description
        if cast.images is not None:
            character.reference_images = cast.images
    for row in rows.shots:
        fields = dict(row.fields)
        if row.characters is not None:
            fields["character_ids"] = [_character(project, by_name, n).id for n in row.characters]
        existing = by_number.get(row.number)
        if existing is not None:
            for name, value in fields.items():
                setattr(existing, name, value)
            report.shots_updated += 1
            continue
        scene_number = row.scene or (project.scenes[-1].number if project.scenes else "1")
        scene = scenes.get(scene_number)
        if scene is None:
            scene = Scene(number=scene_number, heading=row.heading, description=row.description)
            project.scenes.append(scene)
            scenes[scene_number] = scene
            report.scenes_added += 1
        else:
            if row.heading and not scene.heading:
                scene.heading = row.heading
            if row.description and not scene.description:
                scene.description = row.description
        shot = Shot.model_validate({"number": row.number, **fields})
        scene.shots.append(shot)
        by_number[row.number] = shot
        report.shots_added += 1
    if rows.skipped:
        taken = len(rows.shots) + len(rows.cast)
        report.warnings.insert(
            0, f"{taken} of {rows.total} rows imported; {len(rows.skipped)} skipped (listed below)"
        )
        report.warnings += rows.skipped[:MAX_REPORTED_ERRORS]
        if len(rows.skipped) > MAX_REPORTED_ERRORS:
            report.warnings.append(f"... and {len(rows.skipped) - MAX_REPORTED_ERRORS} more skipped rows")
    report.skipped = len(rows.skipped)
    return report


def export_pdf(project: Project, project_dir: Path, out_path: Path, layout: str = "sheet") -> ExportReport:
    """The shot list as PDF: ``sheet`` (storyboard, a poster per shot) or ``table`` (dense rows)."""
    from shotplanner.interchange.shotlist_pdf import write_pdf

    return write_pdf(shot_rows(project), project, project_dir, out_path, layout)
