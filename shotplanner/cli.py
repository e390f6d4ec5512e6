"""The ``shotplanner`` command.

``shotplanner [PROJECT]`` opens the window; ``new``, ``demo``, ``catalog`` and ``recommend`` work on
their own; ``generate``, ``export`` and ``import`` live in their layers and are imported only when
asked for: the commands that need no Qt keep working on a machine where Qt's system libraries are
missing, and start-up stays quick.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from shotplanner.core.catalog_schema import ModelSpec

PROG = "shotplanner"
EXIT_OK, EXIT_ERROR, EXIT_UNAVAILABLE = 0, 1, 2

#: Subcommands provided by other layers: name → (module with add_arguments/run, one-line help).
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("shotplanner.generation.headless", "generate shots of a project without the window"),
    "frames": ("shotplanner.generation.frames_cli", "make a storyboard frame for every shot"),
    "export": ("shotplanner.interchange.export_cli", "export the cut or the shot list"),
    "import": ("shotplanner.interchange.import_cli", "import a screenplay or a shot list"),
    "contracts": ("shotplanner.generation.contracts_refresh",
                  "compare the shipped vendor input schemas with fal's and Replicate's live ones"),
    "conform": ("shotplanner.interchange.conform_cli", "apply an editor's cut (order, trims) to a project"),
}
OWN_COMMANDS: dict[str, str] = {
    "new": "create an empty project folder",
    "demo": "copy the demo film into a new folder",
    "catalog": "list the video models Shotplanner knows, with their status and limits",
    "recommend": "recommend a model for every shot of a project, with the reasons",
}


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    commands = set(OWN_COMMANDS) | set(LAZY_COMMANDS)
    if not args_list or (args_list[0] not in commands and not args_list[0].startswith("-")):
        return _open_window(args_list)
    if args_list[0] in ("-h", "--help"):
        _main_parser(None).print_help()
        return EXIT_OK
    if args_list[0] == "--version":
        from shotplanner import __version__

        print(f"{PROG} {__version__}")
        return EXIT_OK
    if args_list[0] == "--generation-worker":  # the frozen app starts its queue worker this way
        from shotplanner.generation.worker_process import main as worker_main

        return worker_main()
    if args_list[0] == "--healthcheck":
        from shotplanner.healthcheck import run_healthcheck

        return run_healthcheck()
    command = args_list[0]
    if command not in commands:
        _main_parser(None).parse_args(args_list)  # prints the usage error and exits 2
        return EXIT_UNAVAILABLE
    try:
        parser, run = _command_parser(command)
    except _Unavailable as e:
        print(f"{PROG} {command}: not available in this install ({e})", file=sys.stderr)
        return EXIT_UNAVAILABLE
    try:
        args = parser.parse_args(args_list)
    except SystemExit as e:  # argparse exits on --help (0) and on a usage error (2)
        return int(e.code or 0)
    try:
        return run(args)
    except BrokenPipeError:  # `shotplanner catalog | head`: the reader left, which is fine
        sys.stderr.close()
        return EXIT_OK


# ----------------------------------------------------------------------------- parsers


class _Unavailable(Exception):
    pass


Runner = Callable[[argparse.Namespace], int]


def _main_parser(lazy: tuple[str, argparse._SubParsersAction[argparse.ArgumentParser]] | None,
                 ) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Plan a film as a storyboard of shots and pick the AI video model that suits each.",
        epilog=f"Run '{PROG} [PROJECT]' (no command) to open the window, with a project folder if given.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in OWN_COMMANDS.items():
        sub.add_parser(name, help=help_text)
    for name, (_, help_text) in LAZY_COMMANDS.items():
        sub.add_parser(name, help=help_text)
    return parser


def _command_parser(command: str) -> tuple[argparse.ArgumentParser, Runner]:
    parser = argparse.ArgumentParser(prog=PROG)
    sub = parser.add_subparsers(dest="command", required=True)
    help_text = OWN_COMMANDS.get(command) or LAZY_COMMANDS[command][1]
    p = sub.add_parser(command, help=help_text, description=help_text)
    if command == "new":
        p.add_argument("path", type=Path, help="the new project folder")
        p.add_argument("--title", help="the film's title (default: the folder's name)")
        return parser, _cmd_new
    if command == "demo":
        p.add_argument("path", type=Path, help="a new (or empty) folder for the copy")
        return parser, _cmd_demo
    if command == "catalog":
        return parser, _cmd_catalog
    if command == "recommend":
        p.add_argument("project", type=Path, help="a project folder or its project.json")
        p.add_argument("--json", action="store_true", help="print the recommendations as JSON")
        return parser, _cmd_recommend
    module_name = LAZY_COMMANDS[command][0]
    try:
        module = importlib.import_module(module_name)
        module.add_arguments(p)
        run: Runner = module.run
    except ImportError as e:  # e.g. Qt's system libraries are missing: say so instead of a traceback
        raise _Unavailable(f"{module_name} cannot be loaded: {type(e).__name__}: {e}") from e
    return parser, run


# ----------------------------------------------------------------------------- the window


def _open_window(args_list: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description="Open the Shotplanner window.")
    parser.add_argument("project", nargs="?", type=Path, help="a project folder to open")
    try:
        args = parser.parse_args(args_list)
    except SystemExit as e:
        return int(e.code or 0)
    try:
        app = importlib.import_module("shotplanner.app")
        main_gui = app.main_gui
    except ImportError as e:  # usually a system library Qt needs (scripts/setup.sh installs them)
        print(f"{PROG}: the window cannot start here ({type(e).__name__}: {e}). Run 'make run' once "
              f"to install what Qt needs, or try '{PROG} --help' for the commands that work without it.",
              file=sys.stderr)
        return EXIT_UNAVAILABLE
    return int(main_gui(args.project))


# ----------------------------------------------------------------------------- own commands


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return EXIT_ERROR


def _cmd_new(args: argparse.Namespace) -> int:
    from shotplanner.core.recent import add_recent
    from shotplanner.core.storage import ProjectError, create_project

    folder: Path = args.path
    title = args.title if args.title is not None else folder.resolve().name
    try:
        project = create_project(folder, title)
    except ProjectError as e:
        return _fail(str(e))
    add_recent(folder)
    print(f"created {folder} ({project.title!r}, one empty scene)")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from shotplanner.core.demo import copy_demo
    from shotplanner.core.storage import ProjectError, load_project

    try:
        folder = copy_demo(args.path)
        project = load_project(folder)
    except ProjectError as e:
        return _fail(str(e))
    print(f"copied the demo film {project.title!r} ({len(project.all_shots())} shots) to {folder}")
    return EXIT_OK


def _cmd_catalog(args: argparse.Namespace) -> int:
    from shotplanner.core.catalog import CatalogError, load_catalog

    try:
        catalog = load_catalog()
    except (CatalogError, OSError) as e:
        return _fail(f"cannot load the model catalog: {e}")
    rows = [_catalog_row(m) for m in catalog.models]
    _print_table(["id", "name", "status", "durations", "resolutions", "aspect ratios", "audio",
                  "image input", "$/s", "routes"], rows, sys.stdout)
    live = sum(1 for m in catalog.models if m.is_live)
    print(f"\n{len(catalog.models)} models, {live} live or in preview, {len(catalog.models) - live} retired")
    if catalog.problems:
        print(f"\n{len(catalog.problems)} catalog problem(s); the rest of the catalog loaded:")
        for p in catalog.problems:
            where = f"{p.source}" + (f" line {p.line}" if p.line else "")
            who = f" ({p.model_id})" if p.model_id else ""
            print(f"  {where}{who}: {p.message}")
    return EXIT_OK


def _catalog_row(m: ModelSpec) -> list[str]:
    status = m.lifecycle.value
    if m.retired_on is not None:
        status += f" {m.retired_on.isoformat()}"
    if m.successor:
        status += f" → {m.successor}"
    if m.durations:
        durations = ", ".join(_num(d) for d in sorted(m.durations)) + " s"
    elif m.duration_range:
        durations = f"{_num(m.duration_range[0])}–{_num(m.duration_range[1])} s"
    else:
        durations = "—"
    images = [name for name, on in (("start", m.image_input.start_frame), ("end", m.image_input.end_frame),
                                     ("reference", m.image_input.reference)) if on]
    image_text = "+".join(images) if images else "no"
    if m.image_required:
        image_text += " (required)"
    prices = [r.price_per_second for r in m.routes if r.price_per_second is not None]
    price = "—" if not prices else (f"${min(prices):.3f}" if min(prices) == max(prices)
                                    else f"${min(prices):.3f}–{max(prices):.3f}")
    routes = ", ".join(dict.fromkeys(r.provider for r in m.routes)) or "—"
    return [m.id, m.name, status, durations, ", ".join(m.resolutions) or "—",
            ", ".join(m.aspect_ratios) or "—", m.audio, image_text, price, routes]


def _num(value: float) -> str:
    return f"{value:g}"


def _print_table(header: list[str], rows: list[list[str]], out: TextIO) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()
    out.write(line + "\n" + "  ".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")


def _cmd_recommend(args: argparse.Namespace) -> int:
    import json

    from shotplanner.core.catalog import CatalogError, load_catalog
    from shotplanner.core.recommend import recommend
    from shotplanner.core.recommend_prepared import character_usage
    from shotplanner.core.recommend_report import text_lines, to_dict
    from shotplanner.core.storage import ProjectError, load_project

    try:
        project = load_project(args.project)
    except ProjectError as e:
        return _fail(str(e))
    try:
        catalog = load_catalog()
    except (CatalogError, OSError) as e:
        return _fail(f"cannot load the model catalog: {e}")
    out = sys.stdout
    usage = character_usage(project)
    shots: list[dict[str, object]] = []
    if not args.json:
        out.write(f"{project.title} — {len(project.all_shots())} shots\n")
    for scene in project.scenes:
        if not args.json:
            out.write(f"\nScene {scene.number}" + (f": {scene.heading}" if scene.heading else "") + "\n")
        for shot in scene.shots:
            try:
                rec = recommend(shot, project, catalog, usage=usage)
            except Exception as e:  # one shot the recommender chokes on must not hide the others
                error = f"could not be recommended: {type(e).__name__}: {e}"
                if args.json:
                    shots.append({"shot_id": shot.id, "number": shot.number, "error": error})
                else:
                    out.write(f"  {shot.number or '?':<6} {error}\n")
                continue
            if args.json:
                shots.append(to_dict(shot, rec, scene.number))
            else:
                out.write("".join(line + "\n" for line in text_lines(shot, rec)))
    if args.json:
        json.dump({"title": project.title, "shots": shots}, out, indent=2, ensure_ascii=False)
        out.write("\n")
    return EXIT_OK
