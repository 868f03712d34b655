"""Checks on a file before SQLite is allowed to touch it.

SQLite happily "opens" a text file or a truncated database and only fails on
the first query, with messages like "file is not a database". We look at the
header ourselves so the user gets a sentence that says what is wrong, and so
that nothing is ever written to a file we do not understand.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from resilience_map.store.errors import (
    CorruptProjectError,
    NotAProjectError,
    ProjectError,
)
from resilience_map.store.guard import Interrupt, guard_connection

SQLITE_MAGIC = b"SQLite format 3\x00"


def check_sqlite_file(path: Path) -> None:
    """Raise a ProjectError unless ``path`` looks like a complete SQLite database."""
    if not path.exists():
        raise ProjectError(f"{path} does not exist.")
    if path.is_dir():
        raise NotAProjectError(f"{path} is a folder, not a project file.")
    size = path.stat().st_size
    if size == 0:
        raise NotAProjectError(f"{path} is empty (0 bytes); it is not a project file.")
    with path.open("rb") as fh:
        header = fh.read(100)
    if not header.startswith(SQLITE_MAGIC):
        raise NotAProjectError(
            f"{path.name} is not a GeoPackage: it is not an SQLite database "
            "(perhaps a text file or another format renamed to .gpkg)."
        )
    if len(header) < 100:
        raise CorruptProjectError(f"{path.name} is truncated: its header is incomplete. "
                                  "Restore it from a backup copy.")


def check_size(path: Path) -> None:
    """Refuse a file shorter than its header promises (call while holding a read
    transaction, so that no other program is half-way through a commit)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        header = fh.read(100)
    expected = expected_size(header)
    if expected is not None and size < expected:
        raise CorruptProjectError(
            f"{path.name} is truncated or half-written: {size:,} bytes of an expected "
            f"{expected:,}. Restore it from a backup copy."
        )


def expected_size(header: bytes) -> int | None:
    """File size the header promises, or None when the header does not say.

    The in-header page count is only trustworthy when the "version-valid-for"
    number equals the file change counter (SQLite file format, section 1.3).
    """
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    change_counter = int.from_bytes(header[24:28], "big")
    page_count = int.from_bytes(header[28:32], "big")
    valid_for = int.from_bytes(header[92:96], "big")
    if page_count == 0 or valid_for != change_counter:
        return None
    return page_size * page_count


def connect_readonly(path: Path, interrupt: Interrupt | None = None) -> sqlite3.Connection:
    """A connection that can never write (used to inspect before opening for real)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    guard_connection(conn, interrupt or Interrupt())
    return conn


def connect_readwrite(path: Path, interrupt: Interrupt | None = None) -> sqlite3.Connection:
    """A connection for edits: explicit transactions, full fsync, foreign keys on."""
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None, timeout=5.0
    )
    conn.row_factory = sqlite3.Row
    guard_connection(conn, interrupt or Interrupt())
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA journal_mode = DELETE")
    return conn


def is_writable(path: Path) -> bool:
    """SQLite needs write access to the file *and* its folder (for the journal)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def integrity_problems(conn: sqlite3.Connection, quick: bool = True) -> list[str]:
    """Messages from SQLite's own consistency check; empty when the file is sound.

    An interrupted check (cancel, time limit) raises instead of reporting damage.
    """
    pragma = "quick_check" if quick else "integrity_check"
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}")]
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_INTERRUPT:
            raise
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def damage_summary(name: str, problems: list[str]) -> str:
    """SQLite's check output (often hundreds of lines) as one sentence."""
    first = " ".join(problems[0].split())
    if len(first) > 160:
        first = first[:157] + "..."
    count = f"{len(problems)} problems" if len(problems) > 1 else "a problem"
    return (f"{name} is damaged: SQLite's integrity check found {count} (first: {first}). "
            "Restore it from a backup copy (File → Restore a backup copy…).")
