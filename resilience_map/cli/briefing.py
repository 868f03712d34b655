"""Consultation briefings as PDF: a municipality, a country, or an activity's participants."""

from __future__ import annotations

import argparse
from pathlib import Path

from resilience_map.cli import CliError, prepare_headless_qt


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "briefing", help="write a consultation briefing (PDF) for a municipality, a country or a hub activity"
    )
    cmd.add_argument("project", type=Path)
    target = cmd.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--municipality", metavar="NAME", help="name in any script or form (Čair, Çair, Чаир) or registry id"
    )
    target.add_argument("--country", metavar="XX", help="AL, BA, XK, ME, MK or RS")
    target.add_argument("--activity", metavar="TITLE", help="hub activity title (or a unique part of it)")
    cmd.add_argument("--out", type=Path, required=True, help="PDF file to write")
    cmd.add_argument(
        "--include-restricted",
        action="store_true",
        help="include restricted notes (each page showing one is marked Restricted)",
    )
    cmd.set_defaults(handler=cmd_briefing)


def cmd_briefing(args: argparse.Namespace) -> int:
    from resilience_map.maps.project_data import ProjectData

    if args.out.suffix.lower() != ".pdf":
        raise CliError(f"--out must name a .pdf file (got {args.out.name})")
    if not args.out.parent.is_dir():
        raise CliError(f"the folder {args.out.parent} does not exist")
    data = ProjectData.open(args.project)
    prepare_headless_qt()
    from resilience_map.render import briefing_pdf

    options = {"include_restricted": args.include_restricted}
    if args.municipality is not None:
        result = briefing_pdf.write_municipality_briefing(data, args.municipality, args.out, **options)
    elif args.country is not None:
        result = briefing_pdf.write_country_briefing(data, args.country, args.out, **options)
    else:
        result = briefing_pdf.write_activity_briefing(data, args.activity, args.out, **options)
    units = "municipality" if result.municipalities == 1 else "municipalities"
    print(f"Briefing ({result.municipalities} {units}) written to {result.path}")
    return 0
