"""``shotplanner conform CUT --into PROJECT``: apply an editor's cut (EDL, FCP7 XML, FCPXML, OTIO)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_ERROR = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "cut", type=Path, help="the cut an editor changed: .edl, .xml (FCP7), .fcpxml or .otio"
    )
    parser.add_argument(
        "--into", type=Path, required=True, metavar="PROJECT", help="the project folder the cut came from"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would change and leave the project as it is"
    )


def _err(message: str) -> None:
    print(f"shotplanner conform: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from shotplanner.core.storage import ProjectError, load_project, project_folder, save_project
    from shotplanner.interchange.conform import conform_file
    from shotplanner.interchange.reports import BadInputError

    try:
        project = load_project(args.into)
    except ProjectError as exc:
        _err(str(exc))
        return EXIT_ERROR
    folder = project_folder(args.into)
    try:
        report = conform_file(project, args.cut, folder)
    except BadInputError as exc:
        _err(str(exc))
        _err(f"nothing was changed in {folder}")
        return EXIT_ERROR
    head, *rest = report.lines()
    if args.dry_run:
        print(f"{head} (dry run: {folder} was not changed)")
    else:
        try:
            save_project(project, folder)
        except ProjectError as exc:
            _err(str(exc))
            return EXIT_ERROR
        print(f"{head}; saved {folder}")
    for line in rest:
        print(f"  {line}")
    return EXIT_OK
