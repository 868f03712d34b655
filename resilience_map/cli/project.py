"""Project commands: open the app, build the demo, inspect a project, import boundaries."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from resilience_map.cli import CliError, expand_paths


def register(sub: argparse._SubParsersAction) -> None:
    gui = sub.add_parser("open", help="open the desktop app (the default command)")
    gui.add_argument("project", nargs="?", type=Path, help="project file (.gpkg) to open")
    gui.add_argument("--demo", action="store_true",
                     help="open the bundled demo project (built on first use)")
    gui.set_defaults(handler=cmd_open)

    demo = sub.add_parser("demo", help="build the demo project from the bundled data")
    demo.add_argument("--boundaries", nargs="+", type=Path, default=[], metavar="PATH",
                      help="boundary files to import into the demo (any OGR format; wildcards allowed)")
    demo.add_argument("--out", type=Path, default=Path("demo.gpkg"), help="where to write it (default: demo.gpkg)")
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
    imp.set_defaults(handler=cmd_import_boundaries)


def cmd_open(args: argparse.Namespace) -> int:
    from resilience_map.ui.app import run_app  # Qt is loaded only for the GUI

    project = args.project
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

    summary = build_demo(args.out, expand_paths(args.boundaries), overwrite=args.force,
                         progress=lambda m: print(m, file=sys.stderr))
    print(f"Demo project written to {summary.path}")
    print(f"  municipalities: {summary.municipalities} ({summary.boundaries} with a boundary)")
    print(f"  hub activities: {summary.activities}; prevention structures: {summary.structures}")
    print(f"  indicator values: {summary.indicator_values} (synthetic – not study results)")
    for report in summary.boundary_reports:
        print(f"  {report}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from resilience_map.store import ProjectStore

    with ProjectStore.open(args.project, read_only=True) as store:
        info = store.info()
    print(f"Project:        {info.title}  ({info.path})")
    print(f"Schema version: {info.schema_version}")
    print(f"Created:        {info.created_at}")
    print(f"Synthetic data: {'yes – demo data, not study results' if info.synthetic_data else 'no'}")
    if info.read_only:
        print("Access:         read-only")
    print("Layers:")
    for name, count in info.counts.items():
        extra = f" ({info.boundaries} with a boundary)" if name == "municipalities" else ""
        print(f"  {name:<24}{count:>7}{extra}")
    return 0


def cmd_import_boundaries(args: argparse.Namespace) -> int:
    from resilience_map.io.boundary_import import import_boundary_files

    result = import_boundary_files(args.project, expand_paths(args.paths), country=args.country,
                                   report=args.report, author="command line")
    for line in result.summaries:
        print(line)
    print(f"{result.applied} municipality boundaries saved to {args.project}.")
    if result.pending:
        where = f"see {args.report}" if args.report else "use --report to list them"
        print(f"{result.pending} features need review ({where}); open the project in the app "
              "(File → Import boundaries) to assign them.")
    return 0
