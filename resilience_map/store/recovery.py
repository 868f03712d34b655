"""After a crash: roll back interrupted saves; when replacing a file: never leave a journal behind.

SQLite keeps a rollback journal (``<project>-journal``) beside the file during a
transaction. If the process dies mid-save, that "hot" journal holds the pages as
they were, and the next *read-write* connection puts them back. A read-only
connection cannot, and refuses the file, so :func:`roll_back_interrupted_save`
opens the file read-write once before anything else looks at it.

A journal belongs to whatever file has the project's name. Replacing the file
while an old journal sits beside it (a demo rebuilt with ``--force``, a new
project saved over an old one, a backup restored) makes SQLite "roll back" the old
journal into the *new* file and corrupt it. :func:`replace_file` therefore deals
with the old file's journal first: it rolls it back into the old file under an
exclusive SQLite lock, removes what is left, and only then renames the new file
into place.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from resilience_map.store.errors import ProjectBusyError, ProjectReadOnlyError
from resilience_map.store.lock import ProjectLock, ProjectLockedError

ROLLED_BACK_NOTE = ("an interrupted save was rolled back (the program writing it had stopped), so the "
                    "project is exactly as it was after the last completed save")
#: Files SQLite keeps beside a database; none may outlive the file they belong to.
COMPANIONS = ("-journal", "-wal", "-shm")


def journal_of(path: Path) -> Path:
    return path.with_name(path.name + "-journal")


def has_journal(path: Path) -> bool:
    journal = journal_of(path)
    try:
        return journal.stat().st_size > 0
    except OSError:
        return False


def roll_back_interrupted_save(path: Path, lock: ProjectLock | None = None) -> bool:
    """Let SQLite roll back a hot journal beside ``path``. True when one was rolled back.

    A journal is only "interrupted" if no Resilience Map holds the project's lock
    (otherwise it is that writer's transaction in progress, and SQLite itself will
    not touch it either). ``lock`` is the caller's, if it already holds it.
    """
    if not has_journal(path):
        return False
    if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        raise ProjectReadOnlyError(
            f"{path.name} has an unfinished save ({journal_of(path).name}) that can only be rolled back "
            "where the file is writable; copy both files to a writable folder and open the copy there.")
    own = lock is None or not lock.held
    if own:
        lock = ProjectLock(path)
        try:
            lock.acquire()
        except ProjectLockedError:
            return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=5.0)
        try:
            conn.execute("PRAGMA schema_version").fetchone()  # the first read rolls a hot journal back
        finally:
            conn.close()
    finally:
        if own:
            lock.release()  # type: ignore[union-attr]
    return not has_journal(path)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def fsync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows has no directory handles to flush."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_file(new: Path, path: Path) -> None:
    """Put the complete database ``new`` in place of ``path`` in one atomic rename.

    The caller holds the project's lock. ``new`` must be closed, in the same folder,
    and have no journal of its own. A crash at any moment leaves either the old file
    (with its journal, if it had one) or the new file without any journal.
    """
    fsync_file(new)
    with _quiet_old_file(path):
        for suffix in COMPANIONS:
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        os.replace(new, path)
    fsync_folder(path.parent)


@contextlib.contextmanager
def _quiet_old_file(path: Path) -> Iterator[None]:
    """Hold an exclusive SQLite lock on the old file (rolling back its hot journal first),
    so no other program is in the middle of a transaction on it when it is replaced."""
    if not path.exists():
        yield
        return
    conn: sqlite3.Connection | None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=5.0,
                               isolation_level=None)
    except sqlite3.Error:
        conn = None  # cannot be opened as a database: no program can be using it as one
    if conn is not None:
        try:
            conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.DatabaseError as exc:
            conn.close()
            conn = None
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise ProjectBusyError(
                    f"{path.name} is in use by another program (perhaps QGIS), so it was not replaced. "
                    "Close it there and try again.") from None
    try:
        if conn is not None and os.name == "nt":  # Windows cannot rename over an open file
            conn.close()
            conn = None
        yield
    finally:
        if conn is not None:
            conn.close()


def remove_leftovers(path: Path, tag: str, name: str | None = None) -> None:
    """Delete temporary files ``.<project>.<pid>.<tag>`` (and their journals and lock
    files) that a killed process left while building a replacement for ``path``.

    Called under the project's lock, so no live process of ours is using them; with
    ``name`` only that one temporary file goes.
    """
    pattern = name or f".{path.name}.*.{tag}"
    for leftover in path.parent.glob(glob_escape(pattern)):
        for suffix in ("", *COMPANIONS, ".lock"):
            with contextlib.suppress(OSError):
                leftover.with_name(leftover.name + suffix).unlink(missing_ok=True)


def glob_escape(pattern: str) -> str:
    """Escape glob metacharacters in a file name, keeping ``*`` as the one wildcard."""
    return "".join(f"[{c}]" if c in "[]?" else c for c in pattern)
