"""The project file: one GeoPackage holding every record and its history.

:class:`ProjectStore` is the only code that talks SQL. Every write runs in a
single SQLite transaction that also appends the matching ``change_history``
rows, so an edit is either saved with its history or not saved at all, even if
the process is killed mid-write.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import math
import os
import sqlite3
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import shapely
from shapely.geometry import MultiPolygon, Point
from shapely.geometry.base import BaseGeometry

from resilience_map.domain.enums import ParticipationRole
from resilience_map.domain.kinds import kind_of
from resilience_map.domain.names import fold
from resilience_map.domain.records import (
    ActivityParticipant,
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    Record,
    new_uuid,
    utc_now,
)
from resilience_map.domain.validation import ValidationError
from resilience_map.store import geopackage as gpkg
from resilience_map.store import lineage
from resilience_map.store.errors import (
    CorruptProjectError,
    ProjectError,
    ProjectReadOnlyError,
    RecordNotFoundError,
    StaleRecordError,
    project_error,
)
from resilience_map.store.guard import Interrupt
from resilience_map.store.lock import ProjectLock
from resilience_map.store.migrations import migrate_file
from resilience_map.store.opening import (
    cancel_sentence,
    create_new_file,
    inspect_file,
    reraise,
)
from resilience_map.store.query import RecordQuery, query_sql
from resilience_map.store.recovery import (
    ROLLED_BACK_NOTE,
    remove_leftovers,
    replace_file,
    roll_back_interrupted_save,
)
from resilience_map.store.replica import HybridClock, decide_replica, save_replica
from resilience_map.store.schema import (
    ALL_LAYERS,
    HISTORY_LAYER,
    META_TABLE,
    PARTICIPANTS_LAYER,
    RECORD_TABLES,
    SCHEMA_VERSION,
    SEATS_LAYER,
    _base_type,
    field_types,
    record_from_json,
    record_from_row,
    record_to_row,
    to_column,
    to_json_value,
)
from resilience_map.store.schema_check import check_schema
from resilience_map.store.sqlite_file import (
    check_sqlite_file,
    connect_readonly,
    connect_readwrite,
    is_writable,
)
from resilience_map.store.stale import stale_error

R = TypeVar("R", bound=Record)
T = TypeVar("T")

#: Seconds the checks on opening may take before they are stopped (a hostile or
#: huge file must not hang the app); the caller's Interrupt can stop them sooner.
OPEN_TIME_LIMIT = 120.0
#: Version a caller last saw, per uuid; None: the record must not exist.
Expected = Mapping[str, "int | None"]


@dataclass(frozen=True)
class HistoryEntry:
    """One row of the change history."""

    fid: int
    changed_at: str
    author: str
    change_set: str
    table_name: str
    record_uuid: str
    operation: str  # insert | update | delete | restore | boundary
    field: str | None
    old_value: str | None
    new_value: str | None
    #: Replica that made the change and its sequence number there (None: local bookkeeping).
    origin: str | None = None
    seq: int | None = None


@dataclass
class Transaction:
    """One open write transaction: its change-set id and the history rows written so far.

    The session hands the rows to the History view with the change event, so the
    view adds them without reading the history table again.
    """

    change_set: str
    history: list[HistoryEntry] = field(default_factory=list)
    #: When the transaction began: the time of all its history rows (one change, one moment).
    started_at: str = field(default_factory=utc_now)
    #: Records the store changed on its own to keep the merge rules (before, after): a record sent
    #: back from a natural key moves onto it when a local change frees the key.
    also_changed: list[tuple[Record | None, Record | None]] = field(default_factory=list)
    #: Records written by this transaction's history rows, by table (their conflicts are settled).
    written: dict[str, set[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ProjectInfo:
    """What ``resilience-map info`` prints and the status bar shows."""

    path: Path
    title: str
    schema_version: int
    synthetic_data: bool
    created_at: str
    counts: dict[str, int]
    boundaries: int
    read_only: bool
    #: Why the project cannot be edited (None when it can, or read-only was asked for).
    read_only_reason: str | None = None
    #: Things the user should know about this opening (e.g. a save rolled back).
    notes: tuple[str, ...] = ()


class ProjectStore:
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

    # --- transactions ---------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Group writes into one atomic transaction and one history change set.

        Nested uses join the outer transaction. Yields the :class:`Transaction`, whose
        history rows all share one change-set id (undo works per change set).
        Any failure — including a full disk at COMMIT — rolls everything back and
        is raised as one :class:`ProjectError` sentence.
        """
        if self.read_only:
            raise ProjectReadOnlyError(
                f"{self.read_only_reason}; nothing was changed." if self.read_only_reason else
                f"{self.path.name} is read-only (no write permission); nothing was changed."
            )
        if self._depth == 0:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            self._tx = Transaction(new_uuid())
            self._touched = set()
            self._seq_mark = self._next_seq
            self._tx_hlc = None
            if self._replica_unsaved and self.replica_id:
                save_replica(self._conn, self.replica_id, self.path)
        tx = self._tx
        assert tx is not None
        self._depth += 1
        try:
            yield tx
        except BaseException as exc:
            self._depth -= 1
            if self._depth == 0:
                self._tx = None
                self._roll_back()
                self._next_seq = self._seq_mark
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from exc
            raise
        self._depth -= 1
        if self._depth == 0:
            try:
                self._settle_written(tx)
                for layer in ALL_LAYERS:
                    if layer.name in self._touched:
                        gpkg.touch_layer(self._conn, layer)
                self._tx = None
                self._conn.execute("COMMIT")
            except BaseException as exc:
                self._tx = None
                self._roll_back()
                self._next_seq = self._seq_mark
                if isinstance(exc, sqlite3.Error):
                    raise self._error(exc) from exc
                raise
            self._replica_unsaved = False

    def _roll_back(self) -> None:
        """Undo the open transaction; a rollback error must never hide the real one
        (SQLite may already have rolled back after a full disk or an I/O error)."""
        if self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _error(self, exc: BaseException, action: str = "saved") -> BaseException:
        return project_error(exc, self.path, action, cancel_sentence(self.interrupt, self.path, action))

    def _history(self, author: str, table: str, record_uuid: str, operation: str,
                 field: str | None = None, old: object = None, new: object = None,
                 payload: bytes | None = None) -> None:
        """Append a history row; a record change also gets its replica id, sequence number,
        clock and base (schema 2). The row is kept on the transaction for the change event."""
        assert self._tx is not None, "history rows are written inside a transaction"
        origin = seq = hlc = base = None
        if self.replica_id is not None and table in lineage.RECORD_TABLES_BY_NAME:
            self._tx.written.setdefault(table, set()).add(record_uuid)
            origin, seq, hlc = self.replica_id, self._next_seq, self.transaction_clock()
            base = lineage.base_for(self._conn, table, record_uuid, field)
            self._next_seq += 1
        row = (self._tx.started_at, author, self._tx.change_set, table, record_uuid, operation, field,
               _history_text(old), _history_text(new))
        cursor = self._conn.execute(
            f'INSERT INTO "{HISTORY_LAYER.name}" (changed_at, author, change_set, table_name, '
            "record_uuid, operation, field, old_value, new_value, origin, seq, hlc, base, payload) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (*row, origin, seq, hlc, base, payload))
        self._tx.history.append(HistoryEntry(cursor.lastrowid or 0, *row, origin=origin, seq=seq))
        self._touched.add(HISTORY_LAYER.name)

    def _settle_written(self, tx: Transaction) -> None:
        """What a merge would conclude from this transaction's own changes, concluded now: a
        conflict whose values a local change replaced is gone, and a record sent back from a
        natural key takes it when a local change frees it (see :mod:`.keys`)."""
        if tx.written and self.replica_id is not None:
            from resilience_map.store.merge import settle_local  # merge builds on this module's store

            result = settle_local(self, tx.written)
            if result is not None:
                tx.also_changed += [(None, r) for r in result.added] + list(result.updated)
                tx.also_changed += [(r, None) for r in result.removed]

    def note_history(self, after_fid: int) -> None:
        """History rows written in bulk (by a merge) after row ``after_fid`` join the open
        transaction's rows, so the change event tells the History view about them too."""
        assert self._tx is not None, "history rows are written inside a transaction"
        names = HistoryEntry.__dataclass_fields__
        rows = self._conn.execute(f'SELECT * FROM "{HISTORY_LAYER.name}" WHERE fid > ? ORDER BY fid', (after_fid,))
        self._tx.history.extend(HistoryEntry(**{k: r[k] for k in names}) for r in rows)
        self._touched.add(HISTORY_LAYER.name)

    def transaction_clock(self) -> str:
        """One clock value for every change of the current transaction."""
        if self._tx_hlc is None:
            self._tx_hlc = self.clock.tick()
        return self._tx_hlc

    def take_sequence_numbers(self, count: int) -> int:
        """Reserve ``count`` sequence numbers of this replica (in a transaction); returns the first."""
        first = self._next_seq
        self._next_seq += count
        return first

    def touch(self, table: str) -> None:
        """Mark a layer as changed in this transaction (GeoPackage last_change and extent)."""
        self._touched.add(table)

    # --- writing records ------------------------------------------------------------

    def add(self, record: R, author: str) -> R:
        """Validate and insert a new record (keeps its uuid); returns what was stored."""
        return self.add_many([record], author)[0]

    def add_many(self, records: Iterable[R], author: str) -> list[R]:
        """Insert many records in one transaction (all or nothing)."""
        stored: list[R] = []
        indicators: dict[str, IndicatorDefinition] = {}  # looked up once per call, not per value
        with self.transaction() as tx:
            stamped = []
            for record in records:
                self._validate(record, indicators)
                stamped.append(_stamped(record, tx.started_at, author))
            for group in _same_type_runs(stamped):
                if _plain_rows(type(group[0])):
                    stored += self._insert_plain(group, author)
                    continue
                for record in group:
                    record = self._claim_natural_key(record)
                    self._insert_row(record)
                    self._history(author, RECORD_TABLES[type(record)].name, record.uuid, "insert",
                                  new=record_json(record))
                    stored.append(record)
        return stored

    def _insert_plain(self, records: list[R], author: str) -> list[R]:
        """Many records of a table without geometry or dependent rows, and their history
        rows (with the same lineage as :meth:`_history` gives), one statement each: an
        import of 100,000 values."""
        assert self._tx is not None
        table = RECORD_TABLES[type(records[0])]
        lineage_kept = self.replica_id is not None and table.name in lineage.RECORD_TABLES_BY_NAME
        claimed: list[R] = []
        sequence: list[int | None] = []
        for record in records:  # each key is claimed with the sequence number its insert gets
            claimed.append(self._claim_natural_key(record))
            sequence.append(self._next_seq if lineage_kept else None)
            if lineage_kept:
                self._next_seq += 1
        columns = table.columns()
        rows = [record_to_row(r) for r in claimed]
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        with_history = self._uuids_with_history([r.uuid for r in claimed]) if lineage_kept else set()
        try:
            self._conn.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
                                   [list(r.values()) for r in rows])
        except sqlite3.IntegrityError as exc:
            raise _integrity_to_validation(exc) from exc
        self._touched.update((table.name, HISTORY_LAYER.name))
        if _scalar_fields(type(records[0])):  # the row holds exactly the JSON snapshot's values
            snapshots = [json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows]
        else:
            snapshots = [_history_text(record_json(r)) for r in claimed]
        origin = self.replica_id if lineage_kept else None
        hlc = self.transaction_clock() if lineage_kept else None
        history = []
        for record, text, seq in zip(claimed, snapshots, sequence, strict=True):
            base = None
            if lineage_kept:  # a brand-new uuid replaces no earlier write
                base = (lineage.base_for(self._conn, table.name, record.uuid, None)
                        if record.uuid in with_history else "")
            history.append((self._tx.started_at, author, self._tx.change_set, table.name, record.uuid,
                            "insert", None, None, text, origin, seq, hlc, base, None))
        last = self._conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?",
                                  (HISTORY_LAYER.name,)).fetchone()
        first_fid = (last[0] if last else 0) + 1
        self._conn.executemany(
            f'INSERT INTO "{HISTORY_LAYER.name}" (changed_at, author, change_set, table_name, '
            "record_uuid, operation, field, old_value, new_value, origin, seq, hlc, base, payload) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", history)
        self._tx.history.extend(HistoryEntry(first_fid + i, *row[:9], origin=row[9], seq=row[10])
                                for i, row in enumerate(history))
        if lineage_kept:
            self._tx.written.setdefault(table.name, set()).update(r.uuid for r in claimed)
        return claimed

    def _uuids_with_history(self, uuids: list[str]) -> set[str]:
        """Which of these uuids (or the key groups they belong to) already have writes."""
        found: set[str] = set()
        for start in range(0, len(uuids), 500):
            chunk = uuids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self._conn.execute(
                f'SELECT DISTINCT record_uuid FROM "{HISTORY_LAYER.name}" WHERE record_uuid IN ({marks})',
                chunk))
            found.update(r[0] for r in self._conn.execute(  # merged into or from another record
                f'SELECT uuid FROM "sync_aliases" WHERE uuid IN ({marks}) '
                f'UNION SELECT canonical FROM "sync_aliases" WHERE canonical IN ({marks})', chunk + chunk))
        return found

    def update(self, record: R, author: str) -> R:
        """Save changed fields of ``record``; refuses if the stored copy moved on."""
        table = RECORD_TABLES[type(record)]
        with self.transaction():
            current = self.get(type(record), record.uuid)
            if current.version != record.version:
                raise self._stale(type(record), record.uuid, current, record.version)
            changed = changed_fields(current, record)
            if not changed:
                return current
            self._validate(record)
            record = dataclasses.replace(record, modified_at=utc_now(), modified_by=author,
                                         version=current.version + 1)
            self._update_row(record, changed)
            for name in changed:
                self._history(author, table.name, record.uuid, "update", name,
                              _field_json(current, name), _field_json(record, name))
        return record

    def delete(self, record_type: type[Record], uuid: str, author: str, *,
               expected: Expected | None = None) -> Record:
        """Delete a record; its full content goes into history so it can be restored.

        ``expected`` ({uuid: version the caller last saw}) makes the delete refuse with
        :class:`StaleRecordError` if someone changed the record since (undo/redo).
        """
        table = RECORD_TABLES[record_type]
        with self.transaction():
            found = self.list(record_type, uuid=uuid)
            self._check_expected(record_type, uuid, found[0] if found else None, expected)
            if not found:
                raise RecordNotFoundError(f"No {table.name} record with id {uuid}.")
            current = found[0]
            try:
                self._conn.execute(f'DELETE FROM "{table.name}" WHERE uuid = ?', (uuid,))
            except sqlite3.IntegrityError as exc:
                raise ValidationError("uuid", "other records still refer to this one; "
                                      "delete or move them first") from exc
            self._touched.add(table.name)
            self._history(author, table.name, uuid, "delete", old=record_json(current))
        return current

    def delete_many(self, record_type: type[Record], uuids: Iterable[str], author: str, *,
                    expected: Expected | None = None) -> list[Record]:
        """Delete several records in one transaction (all or nothing)."""
        with self.transaction():
            return [self.delete(record_type, uuid, author, expected=expected) for uuid in uuids]

    def restore(self, record: R, author: str, *, expected: Expected | None = None) -> R:
        """Bring a record back to the given state (undo, history restore, re-insert after delete).

        An existing record gets the state's content fields; a deleted one is inserted
        again with its original uuid and creation time. Either way the version moves
        on and the change is written to the history as a ``restore``.
        """
        return self.restore_many([record], author, expected=expected)[0]

    def restore_many(self, records: Iterable[R], author: str, *,
                     expected: Expected | None = None) -> list[R]:
        """Restore several records in one transaction (all or nothing).

        ``expected`` maps uuid → the version the caller last saw (None: the record
        must not exist, e.g. redo of an add). If a stored record moved on — edited,
        deleted or re-created by another tool or instance — :class:`StaleRecordError`
        names who did it and when, and nothing is written.
        """
        out: list[R] = []
        with self.transaction():
            for record in records:
                table = RECORD_TABLES[type(record)].name
                if self.replica_id is not None:  # a uuid merged into another since it was read
                    record = dataclasses.replace(record, uuid=lineage.canonical_uuid(self._conn, record.uuid))
                current = self.list(type(record), uuid=record.uuid)
                self._check_expected(type(record), record.uuid, current[0] if current else None, expected)
                self._validate(record)
                if current:
                    changed = changed_fields(current[0], record)
                    record = dataclasses.replace(record, created_at=current[0].created_at,
                                                 modified_at=utc_now(), modified_by=author,
                                                 version=current[0].version + 1)
                    if changed:
                        self._update_row(record, changed)
                    for name in changed:
                        self._history(author, table, record.uuid, "restore", name,
                                      _field_json(current[0], name), _field_json(record, name))
                else:
                    record = dataclasses.replace(record, modified_at=utc_now(), modified_by=author,
                                                 version=record.version + 1)
                    record = self._claim_natural_key(record)
                    self._insert_row(record)
                    self._history(author, table, record.uuid, "restore", new=record_json(record))
                out.append(record)
        return out

    def _check_expected(self, record_type: type[Record], uuid: str, current: Record | None,
                        expected: Expected | None) -> None:
        if expected is None or uuid not in expected:
            return
        if (None if current is None else current.version) != expected[uuid]:
            raise self._stale(record_type, uuid, current, expected[uuid])

    def _stale(self, record_type: type[Record], uuid: str, current: Record | None,
               seen: int | None) -> StaleRecordError:
        return stale_error(self, record_type, uuid, current, seen)

    def set_boundaries(self, geometries: Mapping[str, BaseGeometry | None], author: str,
                       source: str = "") -> int:
        """Store boundary polygons by municipality uuid (None removes one). Returns count."""
        with self.transaction():
            for uuid, geom in geometries.items():
                old = self._conn.execute(
                    'SELECT geom FROM municipalities WHERE uuid = ?', (uuid,)).fetchone()
                if old is None:
                    raise RecordNotFoundError(f"No municipality with id {uuid}.")
                geom = _as_multipolygon(geom)
                _check_finite_geometry(geom)
                self._conn.execute("UPDATE municipalities SET geom = ? WHERE uuid = ?",
                                   (gpkg.encode_geometry(geom), uuid))
                self._history(author, "municipalities", uuid, "boundary", "geom",
                              _describe_geometry(gpkg.decode_geometry(old[0])),
                              _describe_geometry(geom, source), payload=gpkg.encode_geometry(geom))
            self._touched.add("municipalities")
        return len(geometries)

    def set_meta(self, key: str, value: str | None, author: str = "") -> None:
        """Set a project setting; ``None`` removes it (both recorded in the history)."""
        with self.transaction():
            old = self.meta(key)
            if value is None:
                self._conn.execute(f'DELETE FROM "{META_TABLE}" WHERE key = ?', (key,))
            else:
                self._conn.execute(f'INSERT OR REPLACE INTO "{META_TABLE}" VALUES (?, ?)',
                                   (key, value))
            if old != value:
                self._history(author, META_TABLE, key, "update", key, old, value)

    def _claim_natural_key(self, record: R) -> R:
        """Register the key a new record is created with; a record entered again after being
        deleted takes the uuid it had, so every copy sees one record, not two.

        A key belongs to the record first created with it, also after that record was moved to
        another key: every copy would merge a new record made with the key into that one
        (:mod:`.aliases`), so a new record may not take it here either."""
        kind = kind_of(record)
        if self.replica_id is None or not kind.natural_key:
            return record
        key = lineage.natural_key(self._conn, kind, record_json(record))
        assert key is not None
        existing = lineage.key_group(self._conn, kind.table, key)
        if existing is not None and existing != record.uuid:
            row = self._conn.execute(f'SELECT * FROM "{kind.table}" WHERE uuid = ?', (existing,)).fetchone()
            if row is None:
                return dataclasses.replace(record, uuid=existing)
            words = ", ".join(n.removesuffix("_uuid") for n in kind.natural_key)
            if lineage.natural_key(self._conn, kind, dict(row)) != key:
                raise ValidationError(kind.natural_key[0], f"this {words} belongs to the {kind.label} first "
                                      f"entered with it, which has since been moved; change that one back instead")
            if self._key_indexed(kind.table):
                return record  # the unique index refuses it, with its own words
            raise ValidationError(kind.natural_key[0], f"there is already a {kind.label} with this {words}")
        lineage.register_key(self._conn, kind.table, record.uuid, key, lineage.first_write_key(
            self.transaction_clock(), self.replica_id, self._next_seq))
        return record

    @functools.cache  # noqa: B019 (one store, a handful of tables)
    def _key_indexed(self, table: str) -> bool:
        """Whether a unique index other than the uuid's guards the table."""
        for index in self._conn.execute(f'PRAGMA index_list("{table}")').fetchall():
            if index["unique"] and index["origin"] == "c":
                return True
        return False

    def check(self, record: Record) -> None:
        """Raise ValidationError if ``record`` could not be saved as it is (a value typed in to
        decide a sync conflict is checked like any edit before anything is written)."""
        self._validate(record)

    def _validate(self, record: Record, indicators: dict[str, IndicatorDefinition] | None = None) -> None:
        """The record's own rules, which begin with finite numbers in SQLite's range
        (see :meth:`Record.validate`), plus rules that need other records."""
        if isinstance(record, IndicatorValue):
            cache = {} if indicators is None else indicators
            indicator = cache.get(record.indicator_uuid)
            if indicator is None:
                indicator = cache[record.indicator_uuid] = self.get(IndicatorDefinition,
                                                                    record.indicator_uuid)
            record.validate_against(indicator)
        else:
            record.validate()

    def _insert_row(self, record: Record) -> None:
        table = RECORD_TABLES[type(record)]
        row = record_to_row(record)
        if table.layer.geometry_type:
            row[table.layer.geometry_column] = gpkg.encode_geometry(_record_point(record))
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        try:
            self._conn.execute(f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})',
                               list(row.values()))
        except sqlite3.IntegrityError as exc:
            raise _integrity_to_validation(exc) from exc
        self._touched.add(table.name)
        self._write_dependents(record)

    def _update_row(self, record: Record, changed: list[str]) -> None:
        table = RECORD_TABLES[type(record)]
        row = record_to_row(record)
        names = [n for n in changed if n in row] + ["modified_at", "modified_by", "version"]
        sets = [f'"{n}" = ?' for n in names]
        params = [row[n] for n in names]
        if isinstance(record, HubActivity):
            sets.append('"geom" = ?')
            params.append(gpkg.encode_geometry(_record_point(record)))
        try:
            self._conn.execute(f'UPDATE "{table.name}" SET {", ".join(sets)} WHERE uuid = ?',
                               [*params, record.uuid])
        except sqlite3.IntegrityError as exc:
            raise _integrity_to_validation(exc) from exc
        self._touched.add(table.name)
        self._write_dependents(record)

    def _write_dependents(self, record: Record) -> None:
        """Rows derived from a record: seat points, activity participants."""
        if isinstance(record, Municipality):
            self._conn.execute(f'DELETE FROM "{SEATS_LAYER.name}" WHERE municipality_uuid = ?',
                               (record.uuid,))
            if record.seat_lon is not None and record.seat_lat is not None:
                self._conn.execute(
                    f'INSERT INTO "{SEATS_LAYER.name}" (geom, municipality_uuid, registry_id, name) '
                    "VALUES (?, ?, ?, ?)",
                    (gpkg.encode_geometry(Point(record.seat_lon, record.seat_lat)), record.uuid,
                     record.registry_id, record.name_latin),
                )
            self._touched.add(SEATS_LAYER.name)
        elif isinstance(record, HubActivity):
            self._conn.execute(f'DELETE FROM "{PARTICIPANTS_LAYER.name}" WHERE activity_uuid = ?',
                               (record.uuid,))
            self._conn.executemany(
                f'INSERT INTO "{PARTICIPANTS_LAYER.name}" (activity_uuid, municipality_uuid, role) '
                "VALUES (?, ?, ?)",
                [(record.uuid, p.municipality_uuid, p.role.value) for p in record.participants],
            )

    # --- reading --------------------------------------------------------------------

    def get(self, record_type: type[R], uuid: str) -> R:
        found = self.list(record_type, uuid=uuid)
        if not found:
            raise RecordNotFoundError(f"No {RECORD_TABLES[record_type].name} record with id {uuid}.")
        return found[0]

    def list(self, record_type: type[R], order_by: str = "fid", **equals: object) -> list[R]:
        """Records of one type, optionally filtered by equality on columns."""
        table = RECORD_TABLES[record_type]
        allowed = set(table.columns())
        if order_by not in allowed | {"fid"} or not set(equals) <= allowed:
            raise ValueError(f"unknown column in filter for {table.name}")
        where = " AND ".join(f'"{k}" = ?' for k in equals) or "1"
        rows = self._conn.execute(
            f'SELECT * FROM "{table.name}" WHERE {where} ORDER BY "{order_by}"',
            [to_column(v) for v in equals.values()],
        ).fetchall()
        if record_type is HubActivity:
            participants = self._participants([r["uuid"] for r in rows])
            return [self._record(record_type, r, participants=participants.get(r["uuid"], ()))
                    for r in rows]  # type: ignore[misc]
        return [self._record(record_type, r) for r in rows]  # type: ignore[misc]

    def _record(self, record_type: type[R], row: sqlite3.Row, **extra: object) -> R:
        """A row as a record; a value another program (or bit rot) made unreadable is one sentence."""
        try:
            return record_from_row(record_type, row, **extra)  # type: ignore[return-value]
        except (ValueError, TypeError, KeyError) as exc:
            raise CorruptProjectError(
                f"{self.path.name} holds a {kind_of(record_type).label} (id {row['uuid']}) with a value "
                f"this version cannot read ({' '.join(str(exc).split())[:120]}); another program may have "
                "changed it. Correct it in QGIS or restore a backup copy.") from exc

    def _participants(self, activity_uuids: list[str]) -> dict[str, tuple[ActivityParticipant, ...]]:
        out: dict[str, list[ActivityParticipant]] = {}
        rows = self._conn.execute(
            f'SELECT activity_uuid, municipality_uuid, role FROM "{PARTICIPANTS_LAYER.name}" ORDER BY fid')
        wanted = set(activity_uuids)
        for act, mun, role in rows:
            if act in wanted:
                try:
                    kind = ParticipationRole(role)
                except ValueError as exc:
                    raise CorruptProjectError(
                        f"{self.path.name} lists a participant of hub activity {act} with an unknown role "
                        f"({role!r}); another program may have changed it. Correct it in QGIS or restore "
                        "a backup copy.") from exc
                out.setdefault(act, []).append(ActivityParticipant(municipality_uuid=mun, role=kind))
        return {k: tuple(v) for k, v in out.items()}

    def find_many(self, record_type: type[R], uuids: Iterable[str]) -> dict[str, R]:
        """The stored records among ``uuids``, by uuid (absent ones are left out); one query
        per 500 ids instead of one per record."""
        table = RECORD_TABLES[record_type]
        wanted = list(dict.fromkeys(uuids))
        rows: list[sqlite3.Row] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows += self._conn.execute(f'SELECT * FROM "{table.name}" WHERE uuid IN '
                                       f'({",".join("?" * len(chunk))})', chunk).fetchall()
        if record_type is HubActivity:
            participants = self._participants([r["uuid"] for r in rows])
            return {r["uuid"]: record_from_row(record_type, r, participants=participants.get(r["uuid"], ()))
                    for r in rows}  # type: ignore[misc]
        return {r["uuid"]: record_from_row(record_type, r) for r in rows}  # type: ignore[misc]

    def find(self, record_type: type[R], uuid: str) -> R | None:
        """The stored record with this uuid, or None if there is none (deleted or never made)."""
        found = self.list(record_type, uuid=uuid)
        return found[0] if found else None

    def value_rows(self) -> list[tuple[str, str, str, str, float]]:
        """(uuid, municipality, indicator, wave, value) of every whole-municipality indicator
        value (not neighbourhood values), in one read.

        The session's value index is built from these plain tuples: for 100,000 values
        that is far cheaper than building 100,000 record objects at start-up.
        """
        return self._conn.execute(
            "SELECT uuid, municipality_uuid, indicator_uuid, wave_uuid, value "
            "FROM indicator_values WHERE neighbourhood IS NULL OR neighbourhood = ''").fetchall()

    def count(self, record_type: type[Record]) -> int:
        table = RECORD_TABLES[record_type]
        return self._conn.execute(f'SELECT COUNT(*) FROM "{table.name}"').fetchone()[0]

    def municipalities(self) -> list[Municipality]:
        return self.list(Municipality)

    def municipality_by_registry_id(self, registry_id: str) -> Municipality:
        found = self.list(Municipality, registry_id=registry_id)
        if not found:
            raise RecordNotFoundError(f"No municipality {registry_id} in this project.")
        return found[0]

    def boundaries(self) -> dict[str, BaseGeometry]:
        """Municipality uuid -> boundary, for units that have one."""
        rows = self._conn.execute("SELECT uuid, geom FROM municipalities WHERE geom IS NOT NULL")
        return {uuid: gpkg.decode_geometry(blob) for uuid, blob in rows}

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self._conn.execute(f'SELECT value FROM "{META_TABLE}" WHERE key = ?', (key,)).fetchone()
        return default if row is None else row[0]

    def meta_items(self, prefix: str) -> dict[str, str]:
        """Every setting whose key starts with ``prefix``, in key order."""
        rows = self._conn.execute(
            f'SELECT key, value FROM "{META_TABLE}" WHERE substr(key, 1, ?) = ? ORDER BY key',
            (len(prefix), prefix))
        return dict(rows.fetchall())

    def history(self, record_uuid: str | None = None, limit: int | None = None,
                operation: str | None = None) -> list[HistoryEntry]:
        """Newest first; all of the project's history, one record's, or one operation's."""
        sql = f'SELECT * FROM "{HISTORY_LAYER.name}"'
        params: list[object] = []
        conditions = []
        if record_uuid:
            conditions.append("record_uuid = ?")
            params.append(record_uuid)
        if operation:
            conditions.append("operation = ?")
            params.append(operation)
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        sql += " ORDER BY fid DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [HistoryEntry(**{k: r[k] for k in HistoryEntry.__dataclass_fields__})
                for r in self._conn.execute(sql, params)]

    def state_at(self, record_type: type[R], record_uuid: str, history_fid: int) -> R | None:
        """The record as it was right after history row ``history_fid`` (None if deleted then).

        Replays the record's history: the last full snapshot (insert or restore) at or
        before that row, then every field change after it.
        """
        rows = [h for h in reversed(self.history(record_uuid)) if h.fid <= history_fid]
        state: dict | None = None
        for h in rows:
            if h.operation in ("insert", "restore") and h.field is None:
                state = json.loads(h.new_value or "{}")
            elif h.operation == "delete":
                state = None
            elif state is not None and h.field and h.operation in ("update", "restore"):
                state[h.field] = _from_history_text(record_type, h.field, h.new_value)
        return None if state is None else record_from_json(record_type, state)  # type: ignore[return-value]

    def query(self, q: RecordQuery) -> list[R]:
        """A page of records, filtered and sorted in SQL (for large tables)."""
        sql, params = query_sql(q, RECORD_TABLES[q.record_type], self._conn, count=False)
        rows = self._conn.execute(sql, params).fetchall()
        if q.record_type is HubActivity:
            participants = self._participants([r["uuid"] for r in rows])
            return [self._record(HubActivity, r, participants=participants.get(r["uuid"], ()))
                    for r in rows]  # type: ignore[misc]
        return [self._record(q.record_type, r) for r in rows]  # type: ignore[misc]

    def count_query(self, q: RecordQuery) -> int:
        sql, params = query_sql(q, RECORD_TABLES[q.record_type], self._conn, count=True)
        return self._conn.execute(sql, params).fetchone()[0]

    def info(self) -> ProjectInfo:
        counts = {t.name: self.count(rt) for rt, t in RECORD_TABLES.items()}
        boundaries = self._conn.execute(
            "SELECT COUNT(*) FROM municipalities WHERE geom IS NOT NULL").fetchone()[0]
        return ProjectInfo(
            path=self.path, title=self.meta("title", "") or "",
            schema_version=int(self.meta("schema_version", "0") or 0),
            synthetic_data=self.meta("synthetic_data") == "1",
            created_at=self.meta("created_at", "") or "", counts=counts,
            boundaries=boundaries, read_only=self.read_only,
            read_only_reason=self.read_only_reason, notes=self.notes,
        )


def _translating(action: str):
    """Public store methods raise :class:`ProjectError` sentences, never raw sqlite3 errors."""
    def wrap(method):
        @functools.wraps(method)
        def translated(self: ProjectStore, *args, **kwargs):
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


# --- helpers ------------------------------------------------------------------------

def record_json(record: Record) -> dict[str, object]:
    """A record as JSON-ready dict (history snapshots, restore, sync)."""
    return {f.name: to_json_value(getattr(record, f.name)) for f in dataclasses.fields(record)}


def _stamped(record: R, now: str, author: str) -> R:
    """A copy of a new record with the store's bookkeeping (times, author, version 1).

    Equivalent to ``dataclasses.replace`` but without re-running ``__init__``, which is
    most of the cost of adding 100,000 imported values; the copy is fresh, so setting
    its fields does not break the immutability anyone relies on.
    """
    copy = object.__new__(type(record))
    copy.__dict__.update(record.__dict__)
    object.__setattr__(copy, "created_at", now)
    object.__setattr__(copy, "modified_at", now)
    object.__setattr__(copy, "modified_by", author)
    object.__setattr__(copy, "version", 1)
    return copy


def _same_type_runs(records: list[R]) -> Iterator[list[R]]:
    run: list[R] = []
    for record in records:
        if run and type(run[-1]) is not type(record):
            yield run
            run = []
        run.append(record)
    if run:
        yield run


@functools.cache
def _scalar_fields(record_type: type[Record]) -> bool:
    """No tuple or dict fields: the stored row and the history snapshot hold the same values."""
    hints = field_types(record_type)
    columns = RECORD_TABLES[record_type].columns()
    for f in dataclasses.fields(record_type):
        base = _base_type(hints[f.name])
        if f.name not in columns or base is dict or typing.get_origin(base) in (tuple, dict):
            return False
    return True


def _plain_rows(record_type: type[Record]) -> bool:
    """Records stored as one plain row: no geometry, no seat or participant rows."""
    return not RECORD_TABLES[record_type].layer.geometry_type and \
        record_type not in (Municipality, HubActivity)


def changed_fields(old: Record, new: Record) -> list[str]:
    return [name for name in type(old).content_fields() if getattr(old, name) != getattr(new, name)]


def _field_json(record: Record, name: str) -> object:
    return to_json_value(getattr(record, name))


def _history_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _from_history_text(record_type: type[Record], name: str, text: str | None) -> object:
    """History keeps text-like values (strings, dates, enumerations) as they are and
    numbers, flags, lists and dicts as JSON; the field's type says which."""
    if text is None:
        return None
    base = _base_type(field_types(record_type)[name])
    if base in (int, float, bool) or typing.get_origin(base) in (tuple, dict) or base is dict:
        return json.loads(text)
    return text


def _record_point(record: Record) -> Point | None:
    if isinstance(record, HubActivity) and record.host_lon is not None and record.host_lat is not None:
        return Point(record.host_lon, record.host_lat)
    return None


def _as_multipolygon(geom: BaseGeometry | None) -> MultiPolygon | None:
    if geom is None:
        return None
    if geom.geom_type == "Polygon":
        return MultiPolygon([geom])
    if geom.geom_type == "MultiPolygon":
        return geom
    polygons = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon"]
    if not polygons:
        raise ValidationError("geom", f"a boundary must be a polygon, not a {geom.geom_type}")
    return MultiPolygon(polygons)


def _check_finite_geometry(geom: BaseGeometry | None) -> None:
    """NaN or infinite coordinates would make every map of the project fail to draw."""
    if geom is not None and not all(math.isfinite(v) for v in shapely.get_coordinates(geom).ravel()):
        raise ValidationError("geom", "a boundary has a coordinate that is not a finite number")


def _describe_geometry(geom: BaseGeometry | None, source: str = "") -> str | None:
    if geom is None:
        return None
    text = f"{geom.geom_type}, {shapely.get_num_coordinates(geom)} vertices"
    return f"{text}, from {source}" if source else text


def _integrity_to_validation(exc: sqlite3.IntegrityError) -> ValidationError:
    message = str(exc)
    if "indicator_values" in message:
        return ValidationError("value", "there is already a value for this municipality, "
                               "indicator and wave")
    if "FOREIGN KEY" in message:
        return ValidationError("uuid", "it refers to a record that does not exist")
    if "registry_id" in message:
        return ValidationError("registry_id", "this municipality is already in the project")
    if "UNIQUE" in message:
        return ValidationError("uuid", "a record with the same identity already exists")
    return ValidationError("uuid", message)
