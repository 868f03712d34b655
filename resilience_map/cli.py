"""Command line: open the app, build the demo, inspect a project, import boundaries.

Every command reports failures as one readable line on stderr and a non-zero
exit status, never as a traceback: users run these from scripts and shells.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from resilience_map import __version__

EXIT_ERROR = 2


class CliError(Exception):
    """An error already phrased for the user."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resilience-map",
        description="Resilience Map: municipalities, resilience indicators, prevention structures "
                    "and hub activities of the Western Balkans, offline. Without a command, opens "
                    "the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("open", help="open the desktop app (the default command)")
    gui.add_argument("project", nargs="?", type=Path, help="project file (.gpkg) to open")
    gui.add_argument("--demo", action="store_true",
                     help="open the bundled demo project (built on first use)")

    demo = sub.add_parser("demo", help="build the demo project from the bundled data")
    demo.add_argument("--boundaries", nargs="+", type=Path, default=[], metavar="PATH",
                      help="boundary files to import into the demo (any OGR format)")
    demo.add_argument("--out", type=Path, default=Path("demo.gpkg"), help="where to write it (default: demo.gpkg)")
    demo.add_argument("--force", action="store_true", help="replace an existing file")

    info = sub.add_parser("info", help="counts per layer, schema version, synthetic-data flag")
    info.add_argument("project", type=Path)

    imp = sub.add_parser("import-boundaries",
                         help="import municipality boundaries; only unambiguous matches are applied")
    imp.add_argument("project", type=Path)
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="boundary files")
    imp.add_argument("--report", type=Path, help="write the match report (CSV) here")
    imp.add_argument("--country", help="ISO code of the file's country (AL, BA, XK, ME, MK, RS)")

    img = sub.add_parser("export-image", help="save a PNG snapshot of the map (works without a display)")
    img.add_argument("project", type=Path)
    img.add_argument("--indicator", required=True, help="indicator code or name, e.g. BRAVE14")
    img.add_argument("--wave", help="study wave name (default: the latest)")
    img.add_argument("--out", type=Path, required=True, help="PNG file to write")
    img.add_argument("--scale", type=int, choices=(1, 2), default=1, help="pixel density (default 1)")
    img.add_argument("--width", type=int, default=1200, help="map width in pixels at 1x (default 1200)")
    img.add_argument("--height", type=int, default=800, help="map height in pixels at 1x (default 800)")
    img.add_argument("--scheme", default="quantiles",
                     choices=("quantiles", "equal_interval", "natural_breaks"), help="classification")
    img.add_argument("--classes", type=int, default=5, help="number of classes, 3-9 (default 5)")
    img.add_argument("--change", action="store_true", help="show change since the previous wave")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"open", "demo", "info", "import-boundaries", "export-image"}
    if not argv or (argv[0] not in commands and argv[0] not in ("-h", "--help", "--version")):
        argv = ["open", *argv]
    args = build_parser().parse_args(argv)
    handlers = {"open": cmd_open, "demo": cmd_demo, "info": cmd_info,
                "import-boundaries": cmd_import_boundaries, "export-image": cmd_export_image}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        print("resilience-map: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # every failure becomes one readable line
        print(f"resilience-map: error: {_describe(exc)}", file=sys.stderr)
        return EXIT_ERROR


def _describe(exc: Exception) -> str:
    if isinstance(exc, (CliError, ValueError, LookupError)) or type(exc).__module__.startswith("resilience_map"):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
    return f"{type(exc).__name__}: {exc}"


def cmd_open(args: argparse.Namespace) -> int:
    from resilience_map.ui.app import run_app, warm_up_imports  # Qt is loaded only for the GUI

    warm_up_imports()

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

    summary = build_demo(args.out, args.boundaries, overwrite=args.force,
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

    result = import_boundary_files(args.project, args.paths, country=args.country,
                                   report=args.report, author="command line")
    for line in result.summaries:
        print(line)
    print(f"{result.applied} municipality boundaries saved to {args.project}.")
    if result.pending:
        where = f"see {args.report}" if args.report else "use --report to list them"
        print(f"{result.pending} features need review ({where}); open the project in the app "
              "(File → Import boundaries) to assign them.")
    return 0


def cmd_export_image(args: argparse.Namespace) -> int:
    prepare_headless_qt()
    from resilience_map.maps.choropleth import ChoroplethSettings
    from resilience_map.maps.classify import Scheme
    from resilience_map.store import ProjectStore
    from resilience_map.ui.app import create_application
    from resilience_map.ui.map_controller import ProjectSnapshot
    from resilience_map.ui.map_export import export_map_image, find_indicator, find_wave

    if args.out.suffix.lower() != ".png":
        raise CliError("--out must name a .png file")
    if not args.out.parent.is_dir():
        raise CliError(f"the folder {args.out.parent} does not exist")
    app = create_application()  # noqa: F841 (kept alive while rendering)
    with ProjectStore.open(args.project, read_only=True) as store:
        snapshot = ProjectSnapshot.read(store)
        title = store.info().title
    indicator, wave = find_indicator(snapshot, args.indicator), find_wave(snapshot, args.wave)
    settings = ChoroplethSettings(indicator.uuid, wave.uuid, scheme=Scheme(args.scheme), k=args.classes,
                                  change=args.change)
    out = export_map_image(snapshot, settings, args.out, project_title=title, scale=args.scale,
                           size=(args.width, args.height))
    print(f"Map image written to {out}")
    return 0


def prepare_headless_qt() -> None:
    """Without a display, render off screen; Chromium refuses its sandbox as root."""
    import os

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")


if __name__ == "__main__":
    raise SystemExit(main())
