"""Writing records: add, update, delete, restore, boundaries and settings, each with its history.

:class:`StoreWriting` is the writing half of :class:`~resilience_map.store.project.ProjectStore`;
every method runs in one transaction (joining the caller's), so a change is saved with its history
rows or not at all.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import TypeVar

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from resilience_map.domain.kinds import kind_of
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    Record,
    utc_now,
)
from resilience_map.domain.validation import ValidationError
from resilience_map.store import geopackage as gpkg
from resilience_map.store import lineage
from resilience_map.store.errors import (
    RecordNotFoundError,
    StaleRecordError,
)
from resilience_map.store.reading import HistoryEntry
from resilience_map.store.rows import (
    as_multipolygon,
    changed_fields,
    check_finite_geometry,
    describe_geometry,
    field_json,
    history_text,
    integrity_to_validation,
    plain_rows,
    record_json,
    record_point,
    same_type_runs,
    scalar_fields,
    stamp_new,
)
from resilience_map.store.schema import (
    HISTORY_LAYER,
    META_TABLE,
    PARTICIPANTS_LAYER,
    RECORD_TABLES,
    SEATS_LAYER,
    record_to_row,
)
from resilience_map.store.stale import stale_error
from resilience_map.store.transactions import StoreTransactions

R = TypeVar("R", bound=Record)

#: Version a caller last saw, per uuid; None: the record must not exist.
Expected = Mapping[str, "int | None"]


class StoreWriting(StoreTransactions):
    """Record writes (see :class:`~resilience_map.store.project.ProjectStore`)."""

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
                stamped.append(stamp_new(record, tx.started_at, author))
            for group in same_type_runs(stamped):
                if plain_rows(type(group[0])):
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
            raise integrity_to_validation(exc) from exc
        self._touched.update((table.name, HISTORY_LAYER.name))
        if scalar_fields(type(records[0])):  # the row holds exactly the JSON snapshot's values
            snapshots = [json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows]
        else:
            snapshots = [history_text(record_json(r)) for r in claimed]
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
                              field_json(current, name), field_json(record, name))
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
                                      field_json(current[0], name), field_json(record, name))
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
                geom = as_multipolygon(geom)
                check_finite_geometry(geom)
                self._conn.execute("UPDATE municipalities SET geom = ? WHERE uuid = ?",
                                   (gpkg.encode_geometry(geom), uuid))
                self._history(author, "municipalities", uuid, "boundary", "geom",
                              describe_geometry(gpkg.decode_geometry(old[0])),
                              describe_geometry(geom, source), payload=gpkg.encode_geometry(geom))
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
            row[table.layer.geometry_column] = gpkg.encode_geometry(record_point(record))
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        try:
            self._conn.execute(f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})',
                               list(row.values()))
        except sqlite3.IntegrityError as exc:
            raise integrity_to_validation(exc) from exc
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
            params.append(gpkg.encode_geometry(record_point(record)))
        try:
            self._conn.execute(f'UPDATE "{table.name}" SET {", ".join(sets)} WHERE uuid = ?',
                               [*params, record.uuid])
        except sqlite3.IntegrityError as exc:
            raise integrity_to_validation(exc) from exc
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

