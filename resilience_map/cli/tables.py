"""Data in and out: ``import-table`` (study results, structures, notes) and ``export``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from resilience_map.cli import CliError

PROBLEMS_SHOWN = 15


def register(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser(
        "import-table", help="import indicator values, prevention structures or notes from a table",
        description="Reads CSV/TSV/TXT or XLSX/XLS/ODS, matches municipalities by code or any "
                    "name form, validates every row, then applies everything as one undoable step. "
                    "Refused rows and unrecognised names stop the import unless you choose to skip them.")
    imp.add_argument("project", type=Path)
    imp.add_argument("file", type=Path, help="the table to import")
    imp.add_argument("--sheet", help="sheet of a spreadsheet (default: the first with data)")
    imp.add_argument("--mapping", type=Path, help="a saved mapping profile (JSON)")
    imp.add_argument("--wave", help="study wave of every value (instead of a wave column)")
    imp.add_argument("--target", choices=("values", "structures", "notes"),
                     help="what the table holds (default: guessed from its headers)")
    imp.add_argument("--encoding", help="text encoding, e.g. UTF-8, Windows-1250, Windows-1251 "
                                        "(default: detected)")
    imp.add_argument("--header-row", type=int, metavar="N", help="file row holding the headers")
    imp.add_argument("--country", help="only match municipalities of this country (AL, BA, XK, ME, MK, RS)")
    imp.add_argument("--assign", action="append", default=[], metavar="NAME=ID",
                     help="assign an unrecognised name to a municipality (registry id, e.g. "
                          "ba-novi-grad-sarajevo); repeatable")
    imp.add_argument("--skip-unresolved", action="store_true",
                     help="leave out rows whose municipality name is not recognised")
    imp.add_argument("--skip-invalid", action="store_true",
                     help="import the valid rows and leave out refused ones (listed in the report)")
    imp.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    imp.add_argument("--report", type=Path, help="write the row report (CSV) here")
    imp.add_argument("--save-mapping", type=Path, metavar="PATH",
                     help="save the mapping used as a profile to reuse with --mapping")
    imp.set_defaults(handler=cmd_import_table)

    exp = sub.add_parser("export", help="export the project as CSV, XLSX, GeoPackage, GeoJSON "
                                        "or an offline HTML map")
    exp.add_argument("project", type=Path)
    exp.add_argument("--format", required=True, choices=("csv", "xlsx", "gpkg", "geojson", "html"))
    exp.add_argument("--wave", help="study wave (default: the latest)")
    exp.add_argument("--indicator", help="only this indicator (code)")
    exp.add_argument("--names", choices=("latin", "local", "en"), default="latin",
                     help="which name form of municipalities to show (default: latin)")
    exp.add_argument("--records", default="indicator_values",
                     help="CSV only: which records (indicator_values, prevention_structures, "
                          "municipality_notes, hub_activities, municipalities, study_waves, "
                          "indicator_definitions)")
    exp.add_argument("--out", type=Path, required=True, help="file to write")
    exp.set_defaults(handler=cmd_export)


TARGETS = {"values": "indicator_values", "structures": "prevention_structures",
           "notes": "municipality_notes"}


def cmd_import_table(args: argparse.Namespace) -> int:
    from resilience_map.io.tables.workflow import ImportOptions, prepare_import
    from resilience_map.session import ProjectSession

    options = ImportOptions(
        sheet=args.sheet, encoding=args.encoding, header_row=args.header_row,
        mapping=args.mapping, wave=args.wave, target=TARGETS.get(args.target or ""),
        country=args.country, assignments=_assignments(args.assign),
        skip_unresolved=args.skip_unresolved)
    # The project is locked from planning to applying, so nothing changes in between.
    with ProjectSession.opened(args.project, author="command line", read_only=args.dry_run) as session:
        prepared = prepare_import(session.require_store(), args.file, options)
        plan = prepared.plan
        _print_preview(prepared)
        if args.save_mapping:
            prepared.mapping.save(args.save_mapping)
            print(f"Mapping saved to {args.save_mapping}")
        if args.report:
            plan.write_report(args.report)
            print(f"Row report written to {args.report}")
        _check_complete(plan, args)
        if args.dry_run:
            print("Dry run: nothing was written.")
            return 0
        if not plan.changes:
            print("Nothing to change: the project already holds everything in the table.")
            return 0
        session.apply(plan.changes)
    print(f"Applied as one step: {len(plan.changes):,} records written to {args.project.name}.")
    return 0


def _check_complete(plan, args: argparse.Namespace) -> None:
    """Stop (nothing written) when rows would be lost without the user saying so."""
    if plan.unresolved and not args.skip_unresolved:
        first = plan.unresolved[0].describe()
        raise CliError(f"{len(plan.unresolved)} municipality name(s) not recognised (first: {first}); "
                       "nothing was written. Assign them with --assign NAME=ID or pass "
                       "--skip-unresolved")
    refused = plan.refused()
    if refused and not args.skip_invalid:
        raise CliError(f"{len(refused)} row(s) refused (first: {refused[0].message(plan.source)}); "
                       "nothing was written. Fix them, or pass --skip-invalid to import the "
                       "other rows")


def _assignments(items: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for item in items:
        name, sep, registry_id = item.partition("=")
        if not sep or not name.strip():
            raise CliError(f"--assign {item!r}: write NAME=REGISTRY_ID (e.g. \"Novi Grad=ba-novi-grad\")")
        out[name.strip()] = registry_id.strip() or None
    return out


def _print_preview(prepared) -> None:
    source, layout, mapping, plan = prepared.source, prepared.layout, prepared.mapping, prepared.plan
    how = f"sheet {source.sheet!r}" if source.sheet else (
        f"encoding {source.encoding_label}, delimiter {_delimiter_name(source.delimiter)}")
    print(f"{source.name}: {how}; headers in row {layout.header_row}; "
          f"{len(layout.rows):,} data rows")
    shape = mapping.shape
    print(f"Mapping ({mapping.target.replace('_', ' ')}, {shape} table): "
          + ", ".join(f"{h} → {f}" for h, f in mapping.columns.items()))
    if plan.ignored_columns:
        print("Columns not imported: " + ", ".join(plan.ignored_columns))
    print(plan.summary())
    for name in plan.unresolved[:PROBLEMS_SHOWN]:
        print(f"  not recognised: {name.describe()}")
    for outcome in [o for o in plan.refused() if "assign a municipality" not in o.reason][:PROBLEMS_SHOWN]:
        print(f"  refused: {outcome.message(plan.source)}")


def _delimiter_name(delimiter: str | None) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}.get(delimiter or "", repr(delimiter))


def cmd_export(args: argparse.Namespace) -> int:
    from resilience_map.exporting import ExportOptions, export_project

    if not args.out.parent.is_dir():
        raise CliError(f"the folder {args.out.parent} does not exist")
    options = ExportOptions(format=args.format, wave=args.wave, indicator=args.indicator,
                            names=args.names, records=args.records)
    written = export_project(args.project, args.out, options)
    print(f"{args.format.upper()} export written to {written}", file=sys.stdout)
    return 0
