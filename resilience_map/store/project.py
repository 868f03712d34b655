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
import os
import sqlite3
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import shapely
from shapely.geometry import MultiPolygon, Point
from shapely.geometry.base import BaseGeometry

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
from resilience_map.domain.enums import ParticipationRole
from resilience_map.domain.kinds import kind_of
from resilience_map.domain.names import fold
from resilience_map.domain.validation import ValidationError
from resilience_map.store import geopackage as gpkg
from resilience_map.store.errors import (
    CorruptProjectError,
    NewerProjectError,
    NotAProjectError,
    ProjectError,
    ProjectReadOnlyError,
    RecordNotFoundError,
    StaleRecordError,
)
from resilience_map.store import lineage
from resilience_map.store.lock import ProjectLock
from resilience_map.store.migrations import migrate
from resilience_map.store.replica import HybridClock, decide_replica, mint_unplaced, save_replica
from resilience_map.store.query import RecordQuery, query_sql
from resilience_map.store.schema import (
    ALL_LAYERS,
    APPLICATION_NAME,
    EXTRA_DDL,
    HISTORY_LAYER,
    META_TABLE,
    PARTICIPANTS_LAYER,
    RECORD_TABLES,
    SCHEMA_2_DDL,
    SCHEMA_VERSION,
    SEATS_LAYER,
    _base_type,
    create_table_sql,
    field_types,
    record_from_json,
    record_from_row,
    record_to_row,
    to_column,
    to_json_value,
)
from resilience_map.store.sqlite_file import (
    check_sqlite_file,
    connect_readonly,
    connect_readwrite,
    integrity_problems,
    is_writable,
)

R = TypeVar("R", bound=Record)


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


class ProjectStore:
    """An open project file. Use :meth:`create` or :meth:`open`, then :meth:`close`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, read_only: bool) -> None:
        self.path = path
        self.read_only = read_only
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
               overwrite: bool = False) -> ProjectStore:
        """Create a new, empty project file and open it.

        The file is built under a temporary name and renamed into place, so a
        crash while creating never leaves a half-made project at ``path``.
        """
        path = Path(path)
        if path.exists() and not overwrite:
            raise ProjectError(f"{path} already exists; choose another name.")
        if not path.parent.is_dir():
            raise ProjectError(f"The folder {path.parent} does not exist.")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.creating")
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("BEGIN")
            gpkg.initialise_container(conn)
            for table in RECORD_TABLES.values():
                conn.execute(create_table_sql(table))
            for ddl in [*EXTRA_DDL, *SCHEMA_2_DDL]:
                conn.execute(ddl)
            for layer in ALL_LAYERS:
                gpkg.register_layer(conn, layer)
            meta = {"application": APPLICATION_NAME, "schema_version": str(SCHEMA_VERSION),
                    "title": title or path.stem, "created_at": utc_now(), "created_by": author,
                    "synthetic_data": "0"}
            conn.executemany(f'INSERT INTO "{META_TABLE}" VALUES (?, ?)', meta.items())
            mint_unplaced(conn)
            conn.execute("COMMIT")
        finally:
            conn.close()
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return cls.open(path)

    @classmethod
    def open(cls, path: str | os.PathLike[str], read_only: bool = False) -> ProjectStore:
        """Open an existing project, upgrading an older schema after a backup copy.

        Opening for editing takes the project's lock: a second running app (or
        command) that wants to write gets :class:`ProjectLockedError`, never a
        silent second writer. ``read_only=True`` needs no lock.

        Raises a :class:`ProjectError` subclass with a readable message for a
        file that is missing, not a GeoPackage, foreign, newer, damaged or
        locked; in every such case the file is left exactly as it was.
        """
        path = Path(path)
        check_sqlite_file(path)
        version = cls._inspect(path)
        writable = is_writable(path) and not read_only
        if version < SCHEMA_VERSION and not writable:
            raise ProjectReadOnlyError(
                f"{path.name} needs upgrading but is read-only; copy it somewhere writable first."
            )
        if not writable:
            return cls(path, connect_readonly(path), read_only=True)
        lock = ProjectLock(path)
        lock.acquire()
        try:
            conn = connect_readwrite(path)
            store = cls(path, conn, read_only=False)
            store._lock = lock
            if version < SCHEMA_VERSION:
                store.migration_backup = migrate(path, conn, version, SCHEMA_VERSION)
            store._start_replica()
        except BaseException:
            lock.release()
            raise
        return store

    @staticmethod
    def _inspect(path: Path) -> int:
        """Read-only checks: GeoPackage, ours, not newer, not damaged. Returns schema version."""
        try:
            conn = connect_readonly(path)
        except sqlite3.Error as exc:
            raise CorruptProjectError(f"{path.name} cannot be opened: {exc}.") from exc
        try:
            try:
                if not gpkg.is_geopackage(conn):
                    raise NotAProjectError(f"{path.name} is an SQLite database but not a GeoPackage.")
                meta = dict(conn.execute(f'SELECT key, value FROM "{META_TABLE}"').fetchall())
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    raise NotAProjectError(
                        f"{path.name} is a GeoPackage made by another program, not a Resilience "
                        "Map project. Use File → Import boundaries to bring its polygons in."
                    ) from exc
                raise CorruptProjectError(f"{path.name} cannot be read: {exc}.") from exc
            except sqlite3.DatabaseError as exc:
                raise CorruptProjectError(f"{path.name} is damaged: {exc}.") from exc
            if meta.get("application") != APPLICATION_NAME:
                raise NotAProjectError(f"{path.name} is not a Resilience Map project.")
            version = int(meta.get("schema_version", "0"))
            if version > SCHEMA_VERSION:
                raise NewerProjectError(
                    f"{path.name} was saved by a newer Resilience Map (schema {version}; this "
                    f"version reads up to {SCHEMA_VERSION}). Update the app to open it."
                )
            problems = integrity_problems(conn)
            if problems:
                raise CorruptProjectError(f"{path.name} is damaged: {problems[0]}.")
            return version
        finally:
            conn.close()

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

    # --- transactions ---------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Group writes into one atomic transaction and one history change set.

        Nested uses join the outer transaction. Yields the :class:`Transaction`, whose
        history rows all share one change-set id (undo works per change set).
        """
        if self.read_only:
            raise ProjectReadOnlyError(
                f"{self.path.name} is read-only (no write permission); nothing was changed."
            )
        if self._depth == 0:
            self._conn.execute("BEGIN IMMEDIATE")
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
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self._tx = None
                self._conn.execute("ROLLBACK")
                self._next_seq = self._seq_mark
            raise
        self._depth -= 1
        if self._depth == 0:
            for layer in ALL_LAYERS:
                if layer.name in self._touched:
                    gpkg.touch_layer(self._conn, layer)
            self._tx = None
            self._conn.execute("COMMIT")
            self._replica_unsaved = False

    def _history(self, author: str, table: str, record_uuid: str, operation: str,
                 field: str | None = None, old: object = None, new: object = None,
                 payload: bytes | None = None) -> None:
        """Append a history row; a record change also gets its replica id, sequence number,
        clock and base (schema 2). The row is kept on the transaction for the change event."""
        assert self._tx is not None, "history rows are written inside a transaction"
        origin = seq = hlc = base = None
        if self.replica_id is not None and table in lineage.RECORD_TABLES_BY_NAME:
            origin, seq, hlc = self.replica_id, self._next_seq, self.transaction_clock()
            base = lineage.base_for(self._conn, table, record_uuid, field)
            self._next_seq += 1
        row = (utc_now(), author, self._tx.change_set, table, record_uuid, operation, field,
               _history_text(old), _history_text(new))
        cursor = self._conn.execute(
            f'INSERT INTO "{HISTORY_LAYER.name}" (changed_at, author, change_set, table_name, '
            "record_uuid, operation, field, old_value, new_value, origin, seq, hlc, base, payload) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (*row, origin, seq, hlc, base, payload))
        self._tx.history.append(HistoryEntry(cursor.lastrowid or 0, *row, origin=origin, seq=seq))
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
        with self.transaction():
            for record in records:
                self._validate(record)
                now = utc_now()
                record = dataclasses.replace(record, created_at=now, modified_at=now,
                                             modified_by=author, version=1)
                record = self._claim_natural_key(record)
                self._insert_row(record)
                self._history(author, RECORD_TABLES[type(record)].name, record.uuid, "insert",
                              new=record_json(record))
                stored.append(record)
        return stored

    def update(self, record: R, author: str) -> R:
        """Save changed fields of ``record``; refuses if the stored copy moved on."""
        table = RECORD_TABLES[type(record)]
        with self.transaction():
            current = self.get(type(record), record.uuid)
            if current.version != record.version:
                raise StaleRecordError(
                    "This record was changed elsewhere since you opened it; reload and edit again."
                )
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

    def delete(self, record_type: type[Record], uuid: str, author: str) -> Record:
        """Delete a record; its full content goes into history so it can be restored."""
        table = RECORD_TABLES[record_type]
        with self.transaction():
            current = self.get(record_type, uuid)
            try:
                self._conn.execute(f'DELETE FROM "{table.name}" WHERE uuid = ?', (uuid,))
            except sqlite3.IntegrityError as exc:
                raise ValidationError("uuid", "other records still refer to this one; "
                                      "delete or move them first") from exc
            self._touched.add(table.name)
            self._history(author, table.name, uuid, "delete", old=record_json(current))
        return current

    def delete_many(self, record_type: type[Record], uuids: Iterable[str], author: str) -> list[Record]:
        """Delete several records in one transaction (all or nothing)."""
        with self.transaction():
            return [self.delete(record_type, uuid, author) for uuid in uuids]

    def restore(self, record: R, author: str) -> R:
        """Bring a record back to the given state (undo, history restore, re-insert after delete).

        An existing record gets the state's content fields; a deleted one is inserted
        again with its original uuid and creation time. Either way the version moves
        on and the change is written to the history as a ``restore``.
        """
        return self.restore_many([record], author)[0]

    def restore_many(self, records: Iterable[R], author: str) -> list[R]:
        out: list[R] = []
        with self.transaction():
            for record in records:
                table = RECORD_TABLES[type(record)].name
                if self.replica_id is not None:  # a uuid merged into another since it was read
                    record = dataclasses.replace(record, uuid=lineage.canonical_uuid(self._conn, record.uuid))
                current = self.list(type(record), uuid=record.uuid)
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
                self._conn.execute("UPDATE municipalities SET geom = ? WHERE uuid = ?",
                                   (gpkg.encode_geometry(geom), uuid))
                self._history(author, "municipalities", uuid, "boundary", "geom",
                              _describe_geometry(gpkg.decode_geometry(old[0])),
                              _describe_geometry(geom, source), payload=gpkg.encode_geometry(geom))
            self._touched.add("municipalities")
        return len(geometries)

    def set_meta(self, key: str, value: str, author: str = "") -> None:
        with self.transaction():
            old = self.meta(key)
            self._conn.execute(f'INSERT OR REPLACE INTO "{META_TABLE}" VALUES (?, ?)', (key, value))
            if old != value:
                self._history(author, META_TABLE, key, "update", key, old, value)

    def _claim_natural_key(self, record: R) -> R:
        """Register the key a new record is created with; a record entered again after being
        deleted takes the uuid it had, so every copy sees one record, not two."""
        kind = kind_of(record)
        if self.replica_id is None or not kind.natural_key:
            return record
        key = lineage.natural_key(self._conn, kind, record_json(record))
        assert key is not None
        existing = lineage.key_group(self._conn, kind.table, key)
        if existing is not None and existing != record.uuid:
            live = self._conn.execute(f'SELECT 1 FROM "{kind.table}" WHERE uuid = ?', (existing,)).fetchone()
            if live and self._key_indexed(kind.table):
                return record  # the unique index refuses it, with its own words
            if live:
                words = ", ".join(n.removesuffix("_uuid") for n in kind.natural_key)
                raise ValidationError(kind.natural_key[0], f"there is already a {kind.label} with this {words}")
            return dataclasses.replace(record, uuid=existing)
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

    def _validate(self, record: Record) -> None:
        if isinstance(record, IndicatorValue):
            indicator = self.get(IndicatorDefinition, record.indicator_uuid)
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
            return [record_from_row(record_type, r, participants=participants.get(r["uuid"], ()))
                    for r in rows]  # type: ignore[misc]
        return [record_from_row(record_type, r) for r in rows]  # type: ignore[misc]

    def _participants(self, activity_uuids: list[str]) -> dict[str, tuple[ActivityParticipant, ...]]:
        out: dict[str, list[ActivityParticipant]] = {}
        rows = self._conn.execute(
            f'SELECT activity_uuid, municipality_uuid, role FROM "{PARTICIPANTS_LAYER.name}" ORDER BY fid')
        wanted = set(activity_uuids)
        for act, mun, role in rows:
            if act in wanted:
                out.setdefault(act, []).append(
                    ActivityParticipant(municipality_uuid=mun, role=ParticipationRole(role)))
        return {k: tuple(v) for k, v in out.items()}

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

    def history(self, record_uuid: str | None = None, limit: int | None = None) -> list[HistoryEntry]:
        """Newest first; all of the project's history or one record's."""
        sql = f'SELECT * FROM "{HISTORY_LAYER.name}"'
        params: list[object] = []
        if record_uuid:
            sql += " WHERE record_uuid = ?"
            params.append(record_uuid)
        sql += " ORDER BY fid DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [HistoryEntry(**{k: r[k] for k in HistoryEntry.__dataclass_fields__})
                for r in self._conn.execute(sql, params)]

    def boundary_history_notes(self) -> list[str]:
        """The distinct descriptions written when boundaries were stored ("MultiPolygon, 412
        vertices, from MK_adm2.geojson"): where a project's polygons came from."""
        rows = self._conn.execute(
            f'SELECT DISTINCT new_value FROM "{HISTORY_LAYER.name}" '
            "WHERE operation = 'boundary' AND new_value IS NOT NULL")
        return [r[0] for r in rows]

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
            return [record_from_row(HubActivity, r, participants=participants.get(r["uuid"], ()))
                    for r in rows]  # type: ignore[misc]
        return [record_from_row(q.record_type, r) for r in rows]  # type: ignore[misc]

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
        )


# --- helpers ------------------------------------------------------------------------

def record_json(record: Record) -> dict[str, object]:
    """A record as JSON-ready dict (history snapshots, restore, sync)."""
    return {f.name: to_json_value(getattr(record, f.name)) for f in dataclasses.fields(record)}


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
