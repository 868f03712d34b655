"""Synchronisation commands: change packages, the hub, and what is pending."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from resilience_map.cli import CliError


def register(sub: argparse._SubParsersAction) -> None:
    exp = sub.add_parser("sync-export", help="write the changes another copy has not seen to a .rmsync package")
    exp.add_argument("project", type=Path)
    exp.add_argument("--out", type=Path, required=True, help="package to write (FILE.rmsync)")
    which = exp.add_mutually_exclusive_group()
    which.add_argument("--for", dest="for_replica", metavar="REPLICA",
                       help="only what replica REPLICA has not seen (as far as this copy knows)")
    which.add_argument("--since", metavar="DATE", help="only changes made since DATE (YYYY-MM-DD)")
    exp.set_defaults(handler=cmd_export)

    imp = sub.add_parser("sync-import", help="apply a .rmsync package (one undoable step)")
    imp.add_argument("project", type=Path)
    imp.add_argument("package", type=Path)
    imp.add_argument("--report", type=Path, help="write the applied changes and conflicts (CSV) here")
    imp.add_argument("--dry-run", action="store_true", help="check and report, change nothing")
    imp.set_defaults(handler=cmd_import)

    status = sub.add_parser("sync-status", help="this copy's replica id, unsent changes and open conflicts")
    status.add_argument("project", type=Path)
    status.set_defaults(handler=cmd_status)

    sync = sub.add_parser("sync", help="send this copy's new changes to a hub and receive everyone else's")
    sync.add_argument("project", type=Path)
    sync.add_argument("--hub", required=True, metavar="URL",
                      help="postgresql://ACCOUNT@HOST/DATABASE (password: PGPASSWORD, ~/.pgpass or asked)")
    sync.add_argument("--dry-run", action="store_true", help="show what would be sent and received")
    sync.add_argument("--report", type=Path, help="write what was applied, refused and in conflict (CSV)")
    sync.set_defaults(handler=cmd_sync)

    hub = sub.add_parser("hub", help="set up and manage a PostgreSQL/PostGIS hub")
    hub_sub = hub.add_subparsers(dest="hub_command", metavar="HUB_COMMAND", required=True)
    init = hub_sub.add_parser("init", help="create the hub schema, roles and policies in a database")
    init.add_argument("url", metavar="URL")
    init.set_defaults(handler=cmd_hub_init)
    account = hub_sub.add_parser("add-account", help="create a login for hub staff or for one municipality")
    account.add_argument("url", metavar="URL")
    account.add_argument("name", metavar="ACCOUNT")
    who = account.add_mutually_exclusive_group(required=True)
    who.add_argument("--staff", action="store_true", help="hub staff: may change everything")
    who.add_argument("--municipality", metavar="REGISTRY_ID", help="may change only this municipality's records")
    account.set_defaults(handler=cmd_hub_account)


def _open(path: Path):
    """The project in a session, as the window has it: imports and syncs are session steps."""
    from resilience_map.session import ProjectSession
    from resilience_map.session.synchronise import Synchronisation

    if not path.exists():
        raise CliError(f"{path} does not exist")
    session = ProjectSession.opened(path, author="command line")
    return session, Synchronisation(session)


def cmd_export(args: argparse.Namespace) -> int:
    session, sync = _open(args.project)
    with session:
        summary = sync.export_package(args.out, for_replica=args.for_replica, since=args.since)
    print(f"{summary.changes:,} changes written to {summary.path} ({summary.size / 1024:,.1f} KiB) "
          f"from replica {summary.sender}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from resilience_map.sync.package import read_package
    from resilience_map.sync.report import rows_for, write_report

    package = read_package(args.package)  # checked before the project is even opened
    session, sync = _open(args.project)
    with session:
        summary = sync.import_package(package, dry_run=args.dry_run)
        merge = summary.merge
        if args.report:
            write_report(args.report, rows_for(merge, summary.refused, args.dry_run), session.require_store())
    verb = "would apply" if args.dry_run else "applied"
    print(f"{args.package.name}: {len(merge.applied):,} changes {verb} from replica {summary.package.sender} "
          f"({merge.already_known:,} already here); records: {len(merge.added)} added, "
          f"{len(merge.updated)} changed, {len(merge.removed)} removed; "
          f"{len(merge.new_conflicts)} new conflicts; {len(summary.refused)} refused.")
    for w, reason in summary.refused[:10]:
        print(f"  refused {w.table} {w.uuid}: {reason}", file=sys.stderr)
    for warning in merge.warnings:
        print(f"  warning: {warning}", file=sys.stderr)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    session, sync = _open(args.project)
    with session:
        print(f"Replica:           {session.require_store().replica_id}")
        print(f"Unsent changes:    {sync.pending_count():,}")
        print(f"Open conflicts:    {len(sync.conflicts()):,}")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from resilience_map.sync.report import rows_for, write_report

    session, sync = _open(args.project)
    with session:
        result = sync.sync_hub(args.hub, dry_run=args.dry_run)
        if args.report:
            write_report(args.report, rows_for(result.merge, result.refused, args.dry_run), session.require_store())
    print(result.summary())
    for w, reason in result.refused[:10]:
        print(f"  refused {w.table} {w.uuid}: {reason}", file=sys.stderr)
    return 0


def cmd_hub_init(args: argparse.Namespace) -> int:
    from resilience_map.sync.hub import init_hub

    print(init_hub(args.url))
    return 0


def cmd_hub_account(args: argparse.Namespace) -> int:
    import getpass
    import os

    from resilience_map.sync.hub import add_account

    password = os.environ.get("RESILIENCE_MAP_ACCOUNT_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise CliError("set RESILIENCE_MAP_ACCOUNT_PASSWORD or run in a terminal to type the new password")
        password = getpass.getpass(f"Password for {args.name}: ")
    print(add_account(args.url, args.name, password, None if args.staff else args.municipality))
    return 0
