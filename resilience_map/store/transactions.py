"""Write transactions: one SQLite transaction and one history change set per change.

:class:`StoreTransactions` opens and commits the transaction, appends history rows with the
lineage a synchronised copy needs (replica id, sequence number, clock, base), and settles what
a merge would conclude from the transaction's own changes before COMMIT.
"""

from __future__ import annotations

import contextlib
import operator
import sqlite3
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from resilience_map.domain.records import (
    Record,
    new_uuid,
    utc_now,
)
from resilience_map.store import geopackage as gpkg
from resilience_map.store import lineage
from resilience_map.store.collector import collector_paused
from resilience_map.store.errors import (
    ProjectReadOnlyError,
)
from resilience_map.store.reading import HistoryEntry, StoreReading, history_entries
from resilience_map.store.replica import HybridClock, save_replica
from resilience_map.store.rows import history_text
from resilience_map.store.schema import (
    ALL_LAYERS,
    HISTORY_LAYER,
)

if typing.TYPE_CHECKING:
    from resilience_map.store.project import ProjectStore


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



#: SQLite's own default page cache (KiB), kept while reading.
READ_CACHE_KIB = 2000
#: The page cache of a write transaction (KiB).
WRITE_CACHE_KIB = 64 * 1024


class StoreTransactions(StoreReading):
    """Transactions and history rows (see :class:`~resilience_map.store.project.ProjectStore`)."""

    replica_id: str | None
    clock: HybridClock
    _depth: int
    _tx: Transaction | None
    _touched: set[str]
    _next_seq: int
    _seq_mark: int
    _tx_hlc: str | None
    _replica_unsaved: bool
    #: Page cache while a write transaction runs, in KiB (tests make it tiny to force spills).
    write_cache_kib: int
    #: Called before a write transaction begins (not for nested ones); may refuse by raising a
    #: ProjectError. The session waits here for the backup copy taken when the project opened.
    before_write: Callable[[], None] | None

    # --- transactions ---------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Group writes into one atomic transaction and one history change set.

        Nested uses join the outer transaction. Yields the :class:`Transaction`, whose
        history rows all share one change-set id (undo works per change set).
        Any failure — including a full disk at COMMIT — rolls everything back and
        is raised as one :class:`ProjectError` sentence.

        Python's cycle collector waits while the outermost transaction runs: writing 100,000
        imported values makes several hundred thousand objects that live until the commit (the
        records, their texts, the history entries), and each full collection meanwhile would go
        through all of them again (a tenth of an import's time). What a transaction leaves
        behind is collected as usual afterwards.
        """
        with collector_paused(), self._write_cache(), self._transaction() as tx:
            yield tx

    @contextlib.contextmanager
    def _write_cache(self) -> Iterator[None]:
        """Up to :attr:`write_cache_kib` of pages in memory while a write transaction runs.

        An import of 100,000 values touches its indexes at random places; with SQLite's default
        cache (2 MB) every page that no longer fits is written out and read back before the
        commit (twice the CPU of the inserts). Outside writes the default comes back, so reading
        (opening a project reads it all for SQLite's check) keeps no 64 MB of pages in memory.
        """
        if self._depth:  # nested: the outer transaction set it
            yield
            return
        self._conn.execute(f"PRAGMA cache_size = -{self.write_cache_kib}")
        try:
            yield
        finally:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        if self.read_only:
            raise ProjectReadOnlyError(
                f"{self.read_only_reason}; nothing was changed." if self.read_only_reason else
                f"{self.path.name} is read-only (no write permission); nothing was changed."
            )
        if self._depth == 0:
            if self.before_write is not None:
                self.before_write()
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
                self._abandon()
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
                self._abandon()
                if isinstance(exc, sqlite3.Error):
                    raise self._error(exc) from exc
                raise
            self._replica_unsaved = False

    def _abandon(self) -> None:
        """Forget the open transaction: rolled back, its sequence numbers free again."""
        self._tx = None
        self._roll_back()
        self._next_seq = self._seq_mark

    def _roll_back(self) -> None:
        """Undo the open transaction; a rollback error must never hide the real one
        (SQLite may already have rolled back after a full disk or an I/O error)."""
        if self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

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
               history_text(old), history_text(new))
        cursor = self._conn.execute(
            f'INSERT INTO "{HISTORY_LAYER.name}" (changed_at, author, change_set, table_name, '
            "record_uuid, operation, field, old_value, new_value, origin, seq, hlc, base, payload) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (*row, origin, seq, hlc, base, payload))
        self._tx.history.append(HistoryEntry(cursor.lastrowid or 0, *row, origin=origin, seq=seq))
        self._touched.add(HISTORY_LAYER.name)

    def _history_many(self, author: str, table: str, rows: Sequence[HistoryRow]) -> None:
        """Append many history rows of one table — what :meth:`_history` does for each, with the
        lineage of 500 records read in a few queries and one INSERT statement per batch."""
        assert self._tx is not None, "history rows are written inside a transaction"
        tx = self._tx
        lineage_kept = self.replica_id is not None and table in lineage.RECORD_TABLES_BY_NAME
        at, change_set = tx.started_at, tx.change_set
        for part in _independent(rows):
            values: list[tuple[object, ...]]
            if lineage_kept:
                tx.written.setdefault(table, set()).update(r[0] for r in part)
                bases = lineage.bases_for(self._conn, table, [(r[0], r[2]) for r in part])
                origin, hlc = self.replica_id, self.transaction_clock()
                first_seq = self.take_sequence_numbers(len(part))
                values = [(at, author, change_set, table, uuid, operation, name, old, new, origin, seq, hlc, base,
                           payload)
                          for (uuid, operation, name, old, new, payload), seq, base
                          in zip(part, range(first_seq, first_seq + len(part)), bases, strict=True)]
            else:
                values = [(at, author, change_set, table, uuid, operation, name, old, new, None, None, None, None,
                           payload) for uuid, operation, name, old, new, payload in part]
            last = self._conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?",
                                      (HISTORY_LAYER.name,)).fetchone()
            first_fid = (last[0] if last else 0) + 1  # AUTOINCREMENT: the rows take the next ids in order
            self._conn.executemany(
                f'INSERT INTO "{HISTORY_LAYER.name}" (changed_at, author, change_set, table_name, '
                "record_uuid, operation, field, old_value, new_value, origin, seq, hlc, base, payload) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", values)
            tx.history += history_entries(first_fid, values)
        self._touched.add(HISTORY_LAYER.name)

    def _settle_written(self, tx: Transaction) -> None:
        """What a merge would conclude from this transaction's own changes, concluded now: a
        conflict whose values a local change replaced is gone, and a record sent back from a
        natural key takes it when a local change frees it (see :mod:`.keys`)."""
        if tx.written and self.replica_id is not None:
            from resilience_map.store.merge import settle_local  # merge builds on this module's store

            # a ProjectStore is the only store there is; this class is one of its parts
            result = settle_local(typing.cast("ProjectStore", self), tx.written)
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


#: One history row to write: record uuid, operation, field (None: the whole record), old and new
#: value as history text, payload (a boundary's geometry).
HistoryRow = tuple[str, str, "str | None", "str | None", "str | None", "bytes | None"]


def _independent(rows: Sequence[HistoryRow]) -> Iterator[Sequence[HistoryRow]]:
    """The rows in runs within which no two rows of one record touch one field (a row for the
    whole record touches every field): a run's bases can all be read before it is written."""
    if rows and len(set(map(operator.itemgetter(0), rows))) == len(rows):  # one row per record
        yield rows
        return
    start = 0
    whole: set[str] = set()  # records a row rewrites whole
    fields: set[tuple[str, str | None]] = set()
    records: set[str] = set()
    for i, (uuid, _op, name, *_rest) in enumerate(rows):
        if uuid in whole or (name is None and uuid in records) or (uuid, name) in fields:
            yield rows[start:i]
            start, whole, fields, records = i, set(), set(), set()
        records.add(uuid)
        if name is None:
            whole.add(uuid)
        else:
            fields.add((uuid, name))
    if start < len(rows):
        yield rows[start:]
