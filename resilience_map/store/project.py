"""The project file: one GeoPackage holding every record and its history.

:class:`ProjectStore` is the only code that talks SQL. Every write runs in a
single SQLite transaction that also appends the matching ``change_history``
rows, so an edit is either saved with its history or not saved at all, even if
the process is killed mid-write.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from resilience_map.domain.names import fold
from resilience_map.domain.records import (
    Record,
)
from resilience_map.store import geopackage as gpkg
from resilience_map.store.errors import (
    CorruptProjectError,
    ProjectError,
    ProjectReadOnlyError,
)
from resilience_map.store.guard import Interrupt
from resilience_map.store.lock import ProjectLock
from resilience_map.store.migrations import migrate_file
from resilience_map.store.opening import (
    create_new_file,
    inspect_file,
    reraise,
)
from resilience_map.store.reading import HistoryEntry, ProjectInfo
from resilience_map.store.recovery import (
    ROLLED_BACK_NOTE,
    remove_leftovers,
    replace_file,
    roll_back_interrupted_save,
)
from resilience_map.store.replica import HybridClock, decide_replica, save_replica
from resilience_map.store.rows import changed_fields, record_json
from resilience_map.store.schema import SCHEMA_VERSION
from resilience_map.store.schema_check import check_schema
from resilience_map.store.sqlite_file import (
    check_sqlite_file,
    connect_readonly,
    connect_readwrite,
    is_writable,
)
from resilience_map.store.transactions import WRITE_CACHE_KIB, Transaction
from resilience_map.store.writing import Expected, StoreWriting

T = TypeVar("T")

__all__ = ["OPEN_TIME_LIMIT", "Expected", "HistoryEntry", "ProjectInfo", "ProjectStore", "Transaction",
           "changed_fields", "record_json"]


#: Seconds the checks on opening may take before they are stopped (a hostile or
#: huge file must not hang the app); the caller's Interrupt can stop them sooner.
OPEN_TIME_LIMIT = 120.0


class ProjectStore(StoreWriting):
    """An open project file. Use :meth:`create` or :meth:`open`, then :meth:`close`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, read_only: bool,
                 interrupt: Interrupt | None = None) -> None:
        self.path = path
        self.read_only = read_only
        #: Why an edit is refused (None when the file is editable or read-only was asked for).
        self.read_only_reason: str | None = None
        #: Sentences for the user about this opening (shown by the window and the CLI).
        self.notes: tuple[str, ...] = ()
        #: ``store.interrupt.cancel()`` (from any thread) stops the running operation.
        self.interrupt = interrupt or Interrupt()
        self._conn = conn
        self._depth = 0
        self._tx: Transaction | None = None
        self._touched: set[str] = set()
        self.migration_backup: Path | None = None
        self._lock: ProjectLock | None = None
        #: This copy's replica id (None when read-only: a read-only copy writes no changes).
        self.replica_id: str | None = None
        self.clock = HybridClock()
        self._next_seq = 1
        self._seq_mark = 1
        self._tx_hlc: str | None = None
        self._replica_unsaved = False
        self.before_write = None
        self.write_cache_kib = WRITE_CACHE_KIB
        self._conn.create_function("rm_fold", 1, fold, deterministic=True)

    # --- opening and creating -----------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike[str], *, title: str = "", author: str = "",
               overwrite: bool = False, records: Iterable[Record] = ()) -> ProjectStore:
        """Create a new project file (holding ``records``) and open it for editing.

        The file is built under a temporary name and renamed into place, so a crash
        never leaves a half-made project at ``path``, and an existing file (with
        ``overwrite``) is replaced whole or not at all. A project open for editing
        elsewhere is never overwritten.
        """
        path = Path(path)
        lock = ProjectLock(path)
        cls.build_new(path, lambda store: store.add_many(records, author or "Resilience Map"),
                      title=title, author=author, overwrite=overwrite, lock=lock)
        try:
            store = cls._open(path, False, Interrupt(), OPEN_TIME_LIMIT, lock)
        except BaseException:
            lock.release()
            raise
        if store.read_only:  # changed by another program at once: it opened read-only, unlocked
            lock.release()
        return store

    @classmethod
    def build_new(cls, path: str | os.PathLike[str], fill: Callable[[ProjectStore], T], *,
                  title: str = "", author: str = "", overwrite: bool = False,
                  lock: ProjectLock | None = None) -> T:
        """Build a complete new project with ``fill(store)`` aside, then swap it in atomically.

        Holds the project's lock throughout (``lock``, if given, stays held for the
        caller). Returns what ``fill`` returned; the new file is closed.
        """
        path = Path(path)
        if path.exists() and not overwrite:
            raise ProjectError(f"{path} already exists; choose another name.")
        if not path.parent.is_dir():
            raise ProjectError(f"The folder {path.parent} does not exist.")
        if not os.access(path.parent, os.W_OK):
            raise ProjectReadOnlyError(f"{path.name} cannot be created: the folder {path.parent} is "
                                       "not writable. Choose another folder.")
        own_lock = lock is None
        lock = lock or ProjectLock(path)
        lock.acquire()
        tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
        try:
            remove_leftovers(path, "new")
            result = cls._fill_new_file(tmp, path, fill, title or path.stem, author)
            replace_file(tmp, path)
        except BaseException as exc:
            remove_leftovers(path, "new", tmp.name)
            lock.release()
            reraise(exc, path, "created")
        if own_lock:
            lock.release()
        return result

    @classmethod
    def _fill_new_file(cls, tmp: Path, final: Path, fill: Callable[[ProjectStore], T], title: str,
                       author: str) -> T:
        create_new_file(tmp, title, author)
        store = cls(tmp, connect_readwrite(tmp), read_only=False)  # private file: no lock needed
        try:
            store._start_replica()
            result = fill(store)
            if store.replica_id:  # its place is the final name (the rename keeps device and inode)
                save_replica(store._conn, store.replica_id, final, st=tmp.stat())
            return result
        finally:
            store.close()

    @classmethod
    def open(cls, path: str | os.PathLike[str], read_only: bool = False, *,
             interrupt: Interrupt | None = None, time_limit: float | None = OPEN_TIME_LIMIT) -> ProjectStore:
        """Open an existing project, upgrading an older schema after a backup copy.

        A save interrupted by a crash is rolled back first (``store.notes`` says so).
        Opening for editing takes the project's lock: a second running app (or
        command) that wants to write gets :class:`ProjectLockedError`, never a
        silent second writer. ``read_only=True`` needs no lock. A file holding
        triggers, views or tables that we did not create opens read-only, and
        ``store.read_only_reason`` says why.

        The checks stop after ``time_limit`` seconds, or when ``interrupt.cancel()``
        is called from another thread (:class:`OperationCancelledError`).

        Raises a :class:`ProjectError` subclass with a one-sentence message for a
        file that is missing, not a GeoPackage, foreign, newer, altered, damaged or
        locked; in every such case the file is left exactly as it was.
        """
        return cls._open(Path(path), read_only, interrupt or Interrupt(), time_limit, None)

    @classmethod
    def _open(cls, path: Path, read_only: bool, interrupt: Interrupt, time_limit: float | None,
              lock: ProjectLock | None) -> ProjectStore:
        try:
            notes = (ROLLED_BACK_NOTE,) if roll_back_interrupted_save(path, lock) else ()
            check_sqlite_file(path)
            with interrupt.time_limit(time_limit):
                version, reason = inspect_file(path, interrupt)
            if not is_writable(path) and not read_only:
                reason = reason or (f"{path.name} is read-only (the file or its folder cannot be written); "
                                    "copy it to a writable folder to edit it")
            if version < SCHEMA_VERSION and (reason or read_only):
                raise ProjectReadOnlyError(
                    f"{path.name} needs upgrading to this version but cannot be changed here "
                    f"({reason or 'it was opened read-only'}); upgrade it where it is writable.")
            if read_only or reason:
                store = cls(path, connect_readonly(path, interrupt), read_only=True, interrupt=interrupt)
            else:
                store = cls._open_for_editing(path, version, interrupt, lock)
                reason = store.read_only_reason
            store.read_only_reason, store.notes = reason, notes
            return store
        except BaseException as exc:
            reraise(exc, path, "opened", interrupt)

    @classmethod
    def _open_for_editing(cls, path: Path, version: int, interrupt: Interrupt,
                          lock: ProjectLock | None) -> ProjectStore:
        lock = lock or ProjectLock(path)
        if not lock.held:
            lock.acquire()
        try:
            backup = migrate_file(path, version, SCHEMA_VERSION) if version < SCHEMA_VERSION else None
            conn = connect_readwrite(path, interrupt)
            reason = check_schema(conn, path)  # the file may have changed since it was inspected
            if reason:
                conn.close()
                lock.release()
                store = cls(path, connect_readonly(path, interrupt), read_only=True, interrupt=interrupt)
                store.read_only_reason = reason
                return store
            store = cls(path, conn, read_only=False, interrupt=interrupt)
            store._lock, store.migration_backup = lock, backup
            store._start_replica()
        except BaseException:
            lock.release()
            raise
        return store

    def _start_replica(self) -> None:
        """Take this copy's replica id (a new one if the file moved), sequence and clock."""
        self.replica_id, self._replica_unsaved = decide_replica(self._conn, self.path)
        row = self._conn.execute('SELECT MAX(seq) FROM "change_history" WHERE origin = ?',
                                 (self.replica_id,)).fetchone()
        self._next_seq = self._seq_mark = (row[0] or 0) + 1
        self.clock.observe(self._conn.execute('SELECT MAX(hlc) FROM "change_history"').fetchone()[0])

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection, for the store's own modules (merge, lineage) only."""
        return self._conn

    def close(self) -> None:
        self._conn.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> ProjectStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cancel(self) -> None:
        """Stop the operation running now (callable from any thread)."""
        self.interrupt.cancel()



_Method = Callable[..., object]


def _translating(action: str) -> Callable[[_Method], _Method]:
    """Public store methods raise :class:`ProjectError` sentences, never raw sqlite3 errors."""
    def wrap(method: _Method) -> _Method:
        @functools.wraps(method)
        def translated(self: ProjectStore, *args: object, **kwargs: object) -> object:
            try:
                return method(self, *args, **kwargs)
            except (sqlite3.Error, OverflowError, UnicodeDecodeError) as exc:
                raise self._error(exc, action) from exc
            except gpkg.GeometryDecodeError as exc:
                raise CorruptProjectError(
                    f"{self.path.name} holds a damaged boundary or point ({exc}); restore a backup copy or "
                    "import the boundaries again.") from exc
        return translated
    return wrap


for _name in ("add_many", "update", "delete", "delete_many", "restore_many", "set_boundaries", "set_meta"):
    setattr(ProjectStore, _name, _translating("saved")(getattr(ProjectStore, _name)))
for _name in ("get", "list", "count", "boundaries", "meta", "history", "state_at", "query",
              "count_query", "info"):
    setattr(ProjectStore, _name, _translating("read")(getattr(ProjectStore, _name)))


