"""Print-quality map export without a display or Chromium: PNG at any dpi, vector PDF and SVG."""

from __future__ import annotations

import argparse
from pathlib import Path

from resilience_map.cli import CliError, prepare_headless_qt


def register(sub: argparse._SubParsersAction) -> None:
    img = sub.add_parser(
        "export-image",
        help="save a print-quality map: PNG at any dpi, or vector PDF/SVG (no display needed)",
        description="Without --indicator, the project's first indicator and its latest wave are shown.",
    )
    img.add_argument("project", type=Path)
    img.add_argument("--out", type=Path, required=True, help="file to write: .png, .pdf or .svg")
    img.add_argument("--paper", default="A4", choices=("A4", "A3"), help="paper size (default A4)")
    img.add_argument("--landscape", action="store_true", help="landscape instead of portrait")
    img.add_argument("--dpi", type=int, default=300, help="PNG resolution in dots per inch (default 300)")
    img.add_argument("--indicator", help="indicator code or name (default: the project's first)")
    img.add_argument("--wave", help="study wave name (default: the latest)")
    img.add_argument(
        "--layers",
        default="municipalities,borders,labels",
        help="comma-separated layers: municipalities, borders, coverage, scn, activities, labels "
        "(default: municipalities,borders,labels)",
    )
    img.add_argument(
        "--names",
        default="latin",
        choices=("latin", "local", "en"),
        help="name form of labels: Latin script, official local form, English (default latin)",
    )
    img.add_argument(
        "--scheme",
        default="quantiles",
        choices=("quantiles", "equal_interval", "natural_breaks"),
        help="classification",
    )
    img.add_argument("--classes", type=int, default=5, help="number of classes, 3-9 (default 5)")
    img.add_argument("--palette", default="YlGnBu", help="ColorBrewer palette (default YlGnBu)")
    img.add_argument("--change", action="store_true", help="show change since the previous wave")
    img.add_argument(
        "--country", help="show one country (AL, BA, XK, ME, MK, RS) instead of the whole region"
    )
    img.set_defaults(handler=cmd_export_image)


def cmd_export_image(args: argparse.Namespace) -> int:
    from resilience_map.maps.project_data import ProjectData
    from resilience_map.maps.scene import parse_layers, settings_for

    suffix = args.out.suffix.lower()
    if suffix not in (".png", ".pdf", ".svg"):
        raise CliError(f"--out must name a .png, .pdf or .svg file (got {args.out.name})")
    if not args.out.parent.is_dir():
        raise CliError(f"the folder {args.out.parent} does not exist")
    if not 36 <= args.dpi <= 1200:
        raise CliError("--dpi must be between 36 and 1200")
    layers = parse_layers(args.layers)
    data = ProjectData.open(args.project)
    settings = settings_for(
        data,
        indicator=args.indicator,
        wave=args.wave,
        scheme=args.scheme,
        classes=args.classes,
        palette=args.palette,
        change=args.change,
    )
    prepare_headless_qt()
    from resilience_map.render.print_map import PrintSpec, export_print_map

    export_print_map(
        data,
        args.out,
        settings,
        PrintSpec(args.paper, args.landscape, args.dpi),
        layers=layers,
        name_form=args.names,
        country=args.country,
    )
    print(f"Map written to {args.out}")
    return 0
