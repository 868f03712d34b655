"""Opening a project file: the read-only checks before anything is read for real, the
skeleton of a new file, and how failures become the sentences a user sees."""

from __future__ import annotations

import sqlite3
import typing
from pathlib import Path

from resilience_map.domain.records import utc_now
from resilience_map.store import geopackage as gpkg
from resilience_map.store import schema
from resilience_map.store.errors import (
    CorruptProjectError,
    NewerProjectError,
    NotAProjectError,
    project_error,
)
from resilience_map.store.guard import Interrupt
from resilience_map.store.replica import mint_unplaced
from resilience_map.store.schema import APPLICATION_NAME, META_TABLE, create_schema
from resilience_map.store.schema_check import check_schema
from resilience_map.store.sqlite_file import (
    check_size,
    connect_readonly,
    damage_summary,
    integrity_problems,
)


def inspect_file(path: Path, interrupt: Interrupt) -> tuple[int, str | None]:
    """Read-only checks: GeoPackage, ours, not newer, schema, not damaged.

    Returns the schema version and why the file must stay read-only (or None).
    """
    try:
        conn = connect_readonly(path, interrupt)
    except sqlite3.Error as exc:
        raise CorruptProjectError(f"{path.name} cannot be opened: {exc}.") from exc
    try:
        try:
            try:
                conn.execute("BEGIN")
                conn.execute("PRAGMA schema_version").fetchone()  # a read lock: no commit half-done
            except sqlite3.DatabaseError:
                check_size(path)  # a truncated file is the likeliest cause: say so
                raise
            check_size(path)
            if not gpkg.is_geopackage(conn):
                raise NotAProjectError(f"{path.name} is an SQLite database but not a GeoPackage.")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if META_TABLE not in tables:
                raise NotAProjectError(
                    f"{path.name} is a GeoPackage made by another program, not a Resilience "
                    "Map project. Use File → Import boundaries to bring its polygons in.")
            meta = dict(conn.execute(f'SELECT key, value FROM "{META_TABLE}"').fetchall())
        except sqlite3.DatabaseError as exc:
            raise _damaged(exc, path) from exc
        if meta.get("application") != APPLICATION_NAME:
            raise NotAProjectError(f"{path.name} is not a Resilience Map project.")
        try:
            version = int(meta.get("schema_version", "0"))
        except ValueError:
            raise CorruptProjectError(f"{path.name} has an unreadable schema version; restore it "
                                      "from a backup copy.") from None
        if version > schema.SCHEMA_VERSION:
            raise NewerProjectError(
                f"{path.name} was saved by a newer Resilience Map (schema {version}; this "
                f"version reads up to {schema.SCHEMA_VERSION}). Update the app to open it."
            )
        try:
            # An older file lacks what its upgrade adds; the full check follows the upgrade.
            reason = check_schema(conn, path, complete=version == schema.SCHEMA_VERSION)
        except sqlite3.DatabaseError as exc:
            raise _damaged(exc, path) from exc
        problems = integrity_problems(conn)
        if problems:
            raise CorruptProjectError(damage_summary(path.name, problems))
        return version, reason
    finally:
        conn.close()


def create_new_file(tmp: Path, title: str, author: str) -> None:
    """An empty project (schema and metadata) at ``tmp``, committed and closed."""
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.execute("BEGIN")
        create_schema(conn)
        meta = {"application": APPLICATION_NAME, "schema_version": str(schema.SCHEMA_VERSION),
                "title": title, "created_at": utc_now(), "created_by": author,
                "synthetic_data": "0"}
        conn.executemany(f'INSERT INTO "{META_TABLE}" VALUES (?, ?)', meta.items())
        mint_unplaced(conn)  # its place (replica fingerprint) is fixed where it is first opened
        conn.execute("COMMIT")
    finally:
        conn.close()


def reraise(exc: BaseException, path: Path, action: str, interrupt: Interrupt | None = None) -> typing.NoReturn:
    """Raise ``exc`` as the ProjectError sentence a user should see."""
    error = project_error(exc, path, action, cancel_sentence(interrupt, path, action) if interrupt else None)
    if error is exc:
        raise exc
    raise error from exc


def cancel_sentence(interrupt: Interrupt, path: Path, action: str) -> str | None:
    """The sentence for a statement the interrupt stopped (None when it stopped nothing)."""
    limit = interrupt.fired_limit
    reason = interrupt.take_reason() if interrupt.fired else None
    if reason == "time limit":
        return (f"{path.name} could not be {action} within {limit or 0:g} s, so the "
                "work was stopped and nothing was changed; the file may be damaged or built to be slow. "
                "Open a backup copy instead.")
    if reason == "cancelled":
        return f"Work on {path.name} was cancelled; nothing was changed."
    return None


def _damaged(exc: sqlite3.DatabaseError, path: Path) -> CorruptProjectError:
    """A read that failed is a damaged file; a cancel (SQLite interrupted) is raised as it is."""
    if getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_INTERRUPT:
        raise exc
    return CorruptProjectError(f"{path.name} is damaged ({' '.join(str(exc).split())}). Restore it from a "
                               "backup copy (File → Restore a backup copy…).")
