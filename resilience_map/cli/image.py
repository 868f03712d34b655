"""Map image export without a display."""

from __future__ import annotations

import argparse
from pathlib import Path

from resilience_map.cli import CliError, prepare_headless_qt


def register(sub: argparse._SubParsersAction) -> None:
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
    img.set_defaults(handler=cmd_export_image)


def cmd_export_image(args: argparse.Namespace) -> int:
    prepare_headless_qt()
    from resilience_map.maps.choropleth import ChoroplethSettings
    from resilience_map.maps.classify import Scheme
    from resilience_map.session import ProjectSession
    from resilience_map.ui.app import create_application
    from resilience_map.ui.map.content import MapContent
    from resilience_map.ui.map.export import export_map_image

    if args.out.suffix.lower() != ".png":
        raise CliError("--out must name a .png file")
    if not args.out.parent.is_dir():
        raise CliError(f"the folder {args.out.parent} does not exist")
    app = create_application()  # noqa: F841 (kept alive while rendering)
    with ProjectSession.opened(args.project, read_only=True) as session:
        content = MapContent.of(session)
    indicator, wave = content.find_indicator(args.indicator), content.find_wave(args.wave)
    settings = ChoroplethSettings(indicator.uuid, wave.uuid, scheme=Scheme(args.scheme), k=args.classes,
                                  change=args.change)
    out = export_map_image(content, settings, args.out, scale=args.scale, size=(args.width, args.height))
    print(f"Map image written to {out}")
    return 0
