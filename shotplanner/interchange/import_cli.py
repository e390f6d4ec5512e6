"""``shotplanner import SCREENPLAY.fountain|SCRIPT.fdx|SHOTS.csv --into PROJECT`` (created if missing).

The file's content decides how it is read (``sniff``), its name only breaks ties between plain-text
kinds: a Final Draft file named ``.txt`` is read as Final Draft, a timeline named ``.txt`` is refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shotplanner.core.models import Project
from shotplanner.interchange.reports import BadInputError, ImportReport

FOUNTAIN_SUFFIXES = (".fountain", ".spmd", ".txt")
EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        type=Path,
        help="a Fountain (.fountain) or Final Draft (.fdx) screenplay, or a shot list (.csv)",
    )
    parser.add_argument(
        "--into",
        type=Path,
        required=True,
        metavar="PROJECT",
        help="the project folder to import into (created if it does not exist)",
    )


def _err(message: str) -> None:
    print(f"shotplanner import: {message}", file=sys.stderr)


def import_file(source: Path, project: Project) -> ImportReport:
    """Import by content and file type; raises :class:`BadInputError` (project unchanged) on bad input."""
    from shotplanner.interchange.sniff import CUT_KINDS, describe, sniff

    suffix = source.suffix.lower()
    try:
        kind = sniff(source)
    except OSError as exc:
        raise BadInputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    if kind in CUT_KINDS:
        raise BadInputError(
            f"{source.name}: this is {describe(kind)}, not a screenplay or shot list; nothing was imported."
            " Bring an editor's cut back with File ▸ Import ▸ Editor's cut or `shotplanner conform`"
        )
    if kind == "fdx":
        from shotplanner.interchange.fdx import import_fdx

        return import_fdx(source, project)
    if kind in ("pdf", "xml") or (kind == "binary" and suffix not in FOUNTAIN_SUFFIXES):
        raise BadInputError(f"{source.name}: this is {describe(kind)}; import a .fountain, .fdx or .csv file")
    if suffix == ".fdx":
        raise BadInputError(f"{source.name}: this is not a Final Draft file (no <FinalDraft> root)")
    if suffix == ".csv":
        from shotplanner.interchange.shotlist import import_csv

        return import_csv(source, project)
    if suffix in FOUNTAIN_SUFFIXES:
        from shotplanner.interchange.fountain import import_fountain

        return import_fountain(source, project)
    raise BadInputError(
        f"{source.name}: unknown file type {suffix or '(none)'!r}; import .fountain, .fdx or .csv"
    )


def run(args: argparse.Namespace) -> int:
    from shotplanner.core.storage import (
        PROJECT_FILE,
        ProjectError,
        create_project,
        load_project,
        save_project,
    )

    source: Path = args.source
    target: Path = args.into
    folder = target.parent if target.name == PROJECT_FILE else target
    if not source.is_file():
        _err(f"{source}: no such file")
        return EXIT_ERROR
    is_new = not (folder / PROJECT_FILE).exists()
    try:
        # A new project starts with no scenes (the screenplay's first scene is scene 1) and takes the
        # title page's title, else the folder's name.
        project = Project() if is_new else load_project(folder)
    except ProjectError as exc:
        _err(str(exc))
        return EXIT_ERROR
    try:
        report = import_file(source, project)
    except BadInputError as exc:
        _err(str(exc))
        _err(f"nothing was imported into {folder}")
        return EXIT_ERROR
    if is_new and project.title == Project.model_fields["title"].default and folder.name:
        project.title = folder.name
    try:
        if is_new:
            create_project(folder, project.title)
        save_project(project, folder)
    except ProjectError as exc:
        _err(str(exc))
        return EXIT_ERROR
    head, *rest = report.lines()
    print(f"{head} into {folder}" + (" (new project)" if is_new else ""))
    for line in rest:
        _err(f"warning: {line}")
    return EXIT_OK
