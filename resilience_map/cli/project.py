"""Project commands: open the app, build the demo, inspect a project, import boundaries."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from resilience_map.cli import CliError, expand_path, expand_paths


def register(sub: argparse._SubParsersAction) -> None:
    gui = sub.add_parser("open", help="open the desktop app (the default command)")
    gui.add_argument("project", nargs="?", type=Path, help="project file (.gpkg) to open")
    gui.add_argument("--demo", action="store_true",
                     help="open the bundled demo project (built on first use)")
    gui.set_defaults(handler=cmd_open)

    demo = sub.add_parser("demo", help="build the demo project from the bundled data")
    demo.add_argument("--boundaries", nargs="+", type=Path, default=[], metavar="PATH",
                      help="boundary files to import into the demo (any OGR format; wildcards "
                           "allowed: a pattern matching nothing builds the demo without them)")
    _credit_arguments(demo)
    demo.add_argument("--out", type=Path, default=Path("demo.gpkg"),
                      help="where to write it (default: demo.gpkg)")
    demo.add_argument("--force", action="store_true", help="replace an existing file")
    demo.set_defaults(handler=cmd_demo)

    info = sub.add_parser("info", help="counts per layer, schema version, synthetic-data flag")
    info.add_argument("project", type=Path)
    info.set_defaults(handler=cmd_info)

    imp = sub.add_parser("import-boundaries",
                         help="import municipality boundaries; only unambiguous matches are applied")
    imp.add_argument("project", type=Path)
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="boundary files (wildcards allowed)")
    imp.add_argument("--report", type=Path, help="write the match report (CSV) here")
    imp.add_argument("--country", help="ISO code of the file's country (AL, BA, XK, ME, MK, RS)")
    _credit_arguments(imp)
    imp.set_defaults(handler=cmd_import_boundaries)


def _credit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", metavar="TEXT",
                        help="who made the boundaries, as the map must credit them (default: what "
                             "the file says), e.g. \"© OpenStreetMap contributors\"")
    parser.add_argument("--licence", "--license", metavar="TEXT",
                        help="their licence (default: what the file says or what its known "
                             "provider uses), e.g. \"ODbL 1.0\"")


def cmd_open(args: argparse.Namespace) -> int:
    from resilience_map.ui.app import run_app  # Qt is loaded only for the GUI

    project = expand_path(args.project)
    if args.demo:
        project = ensure_user_demo()
    if project is not None and not project.exists():
        raise CliError(f"{project} does not exist")
    return run_app(project)


def ensure_user_demo() -> Path:
    """The demo project in the user's data folder, built the first time it is asked for."""
    from platformdirs import user_data_path

    from resilience_map.demo import build_demo

    path = user_data_path("ResilienceMap", "StrongCitiesNetwork") / "demo.gpkg"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        build_demo(path)
    return path


def cmd_demo(args: argparse.Namespace) -> int:
    from resilience_map.demo import build_demo

    missing: list[str] = []
    paths = expand_paths(args.boundaries, on_missing=missing.append)
    for pattern in missing:
        print(f"No boundary files match {pattern}; the demo draws those municipalities at "
              "their seat (import boundaries later with import-boundaries or File → Import "
              "boundaries).", file=sys.stderr)
    summary = build_demo(args.out, paths, overwrite=args.force,
                         progress=lambda m: print(m, file=sys.stderr),
                         source=args.source, licence=args.licence)
    print(f"Demo project written to {summary.path}")
    print(f"  municipalities: {summary.municipalities} ({summary.boundaries} with a boundary)")
    print(f"  hub activities: {summary.activities}; prevention structures: {summary.structures}")
    print(f"  indicator values: {summary.indicator_values} (synthetic – not study results)")
    for report in summary.boundary_reports:
        print(f"  {report}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from resilience_map.io.attribution import boundary_credits
    from resilience_map.store import ProjectStore

    with ProjectStore.open(expand_path(args.project), read_only=True) as store:
        info = store.info()
        credits = boundary_credits(store)
    for note in info.notes:
        print(f"resilience-map: note: {args.project}: {note}.", file=sys.stderr)
    print(f"Project:        {info.title}  ({info.path})")
    print(f"Schema version: {info.schema_version}")
    print(f"Created:        {info.created_at}")
    print(f"Synthetic data: {'yes – demo data, not study results' if info.synthetic_data else 'no'}")
    if info.read_only_reason:
        print(f"Access:         read-only: {info.read_only_reason}.")
    elif info.read_only:
        print("Access:         read-only")
    print("Layers:")
    for name, count in info.counts.items():
        extra = f" ({info.boundaries} with a boundary)" if name == "municipalities" else ""
        print(f"  {name:<24}{count:>7}{extra}")
    for credit in credits:
        print(f"{credit.text()} – {credit.units} units")
    return 0


def cmd_import_boundaries(args: argparse.Namespace) -> int:
    from resilience_map.session import ProjectSession
    from resilience_map.session.boundaries import import_boundary_files

    project = expand_path(args.project)
    paths = expand_paths(args.paths)
    # the window's path: one ImportBoundaries command through a session, polygons and credit
    with ProjectSession.opened(project, author="command line") as session:
        result = import_boundary_files(session, paths, country=args.country, report=args.report,
                                       source=args.source, licence=args.licence)
    for line in result.summaries:
        print(line)
    if result.pending:
        where = f"see {args.report}" if args.report else "use --report to list them"
        print(f"{result.pending} features need review ({where}); open the project in the app "
              "(File → Import boundaries) to assign them.")
    if not result.applied:
        raise CliError(f"nothing was imported into {project}: no feature could be matched "
                       "automatically (see the summary above)")
    print(f"{result.applied} municipality boundaries saved to {project}.")
    return 0
