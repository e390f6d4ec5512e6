"""``shotplanner export PROJECT --format otio|fcp7|fcpxml|edl|pdf|csv OUT`` and ``--animatic OUT.mp4``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shotplanner.core.models import Project
from shotplanner.interchange.cut import ExportReport
from shotplanner.interchange.timeline import TIMELINE_FORMATS

FORMATS: tuple[str, ...] = (*TIMELINE_FORMATS, "pdf", "csv")
SUFFIXES: dict[str, str] = {ext: fmt for fmt, ext in TIMELINE_FORMATS.items()} | {
    ".pdf": "pdf",
    ".csv": "csv",
}
EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", type=Path, help="a project folder or its project.json")
    parser.add_argument("out", type=Path, help="the file to write")
    parser.add_argument(
        "--format",
        "-f",
        choices=FORMATS,
        help="otio, fcp7 (Premiere/Resolve XML), fcpxml (Final Cut), edl (CMX3600), pdf or csv;"
        " default: from OUT's extension",
    )
    parser.add_argument(
        "--layout",
        choices=("sheet", "table"),
        default="sheet",
        help="PDF layout: storyboard sheet with posters (default) or a dense table",
    )
    # A flag, not an option with a value: OUT stays the one required positional, so argparse parses
    # both "export PROJECT --format edl OUT" and "export PROJECT --animatic OUT.mp4".
    parser.add_argument(
        "--animatic",
        action="store_true",
        help="render the whole cut as one MP4 animatic into OUT (default for a .mp4 OUT)",
    )


def _err(message: str) -> None:
    print(f"shotplanner export: {message}", file=sys.stderr)


def _print_report(report: ExportReport) -> None:
    head, *rest = report.lines()
    print(head)
    for line in rest:
        _err(f"warning: {line}")


def run(args: argparse.Namespace) -> int:
    from shotplanner.core.storage import ProjectError, load_project, project_folder

    animatic = args.animatic or (args.format is None and args.out.suffix.lower() == ".mp4")
    if animatic and args.format is not None:
        _err("--animatic writes an MP4; leave out --format")
        return EXIT_USAGE
    fmt = args.format
    if not animatic and fmt is None:
        fmt = SUFFIXES.get(args.out.suffix.lower())
        if fmt is None:
            _err(f"cannot tell the format from {args.out.name!r}; pass --format ({', '.join(FORMATS)})")
            return EXIT_USAGE
    try:
        project = load_project(args.project)
    except ProjectError as exc:
        _err(str(exc))
        return EXIT_ERROR
    folder = project_folder(args.project)
    try:
        if not animatic:
            _print_report(export(project, folder, args.out, fmt, layout=args.layout))
        else:
            from shotplanner.media.errors import MediaError
            from shotplanner.media.film import render_film

            notes: list[str] = []
            try:
                path = render_film(project, folder, args.out, notes=notes)
            except MediaError as exc:
                _err(f"animatic: {exc}")
                return EXIT_ERROR
            print(f"animatic: wrote {path}")
            for note in notes:
                _err(f"warning: {note}")
    except (ValueError, OSError) as exc:  # our export errors are ValueErrors with a full sentence
        _err(str(exc))
        return EXIT_ERROR
    return EXIT_OK


def export(project: Project, folder: Path, out: Path, fmt: str, *, layout: str = "sheet") -> ExportReport:
    """One entry point for every format (the window's File > Export can use it too)."""
    if fmt in TIMELINE_FORMATS:
        from shotplanner.interchange.timeline import export_timeline

        return export_timeline(project, folder, out, fmt)
    from shotplanner.interchange.shotlist import export_csv, export_pdf

    if fmt == "pdf":
        return export_pdf(project, folder, out, layout)
    if fmt == "csv":
        return export_csv(project, folder, out)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
