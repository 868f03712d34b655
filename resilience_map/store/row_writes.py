"""Table rows of records: inserted and updated in batches, with the rows derived from them.

:class:`RowWriting` is the layer under the record writes of :mod:`.writing` (and the merge's
materialiser): it writes what it is given — the checks, the history and the change events are
the callers'. Records stored as one plain row (indicator values, waves, notes…) are written with
one statement per batch; municipalities and activities row by row with their seat points and
participants.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TypeVar

from shapely.geometry import Point

from resilience_map.domain.records import HubActivity, Municipality, Record
from resilience_map.domain.validation import ValidationError
from resilience_map.store import geopackage as gpkg
from resilience_map.store.claims import claim_keys
from resilience_map.store.columns import stored_columns
from resilience_map.store.rows import integrity_to_validation, plain_rows, record_point
from resilience_map.store.schema import PARTICIPANTS_LAYER, RECORD_TABLES, SEATS_LAYER, record_to_row
from resilience_map.store.transactions import StoreTransactions

R = TypeVar("R", bound=Record)

#: What the bookkeeping of an update writes beside the changed fields.
STAMP_COLUMNS = ("modified_at", "modified_by", "version")


class RowWriting(StoreTransactions):
    """Row writes (see :class:`~resilience_map.store.project.ProjectStore`)."""

    def _claim_keys(self, records: Sequence[R], seqs: Iterable[int]) -> list[R]:
        """:func:`~resilience_map.store.claims.claim_keys` in this transaction."""
        return claim_keys(self._conn, self.replica_id, self.transaction_clock, records, list(seqs),
                          self._key_indexed)

    @functools.cache  # noqa: B019 (one store, a handful of tables)
    def _key_indexed(self, table: str) -> bool:
        """Whether a unique index other than the uuid's guards the table."""
        for index in self._conn.execute(f'PRAGMA index_list("{table}")').fetchall():
            if index["unique"] and index["origin"] == "c":
                return True
        return False

    def _insert_rows(self, records: Sequence[Record]) -> list[list[object]] | None:
        """Insert records of one type; returns their stored values column by column, in the
        order of the table's columns (None: written row by row)."""
        if not records:
            return []
        record_type = type(records[0])
        if not plain_rows(record_type):
            for record in records:
                self._insert_row(record)
            return None
        table = RECORD_TABLES[record_type]
        columns = table.columns()
        values = stored_columns(records, columns)
        names, marks = ", ".join(f'"{c}"' for c in columns), ", ".join("?" * len(columns))
        try:
            self._conn.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
                                   zip(*values, strict=True))
        except sqlite3.IntegrityError as exc:
            raise integrity_to_validation(exc) from exc
        self._touched.add(table.name)
        return values

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

    def _update_rows(self, edits: Sequence[tuple[Record, list[str]]]) -> None:
        """Write the changed fields (and the bookkeeping) of records of one type; plain rows that
        changed the same fields share one statement."""
        if not edits:
            return
        record_type = type(edits[0][0])
        if not plain_rows(record_type):
            for record, changed in edits:
                self._update_row(record, changed)
            return
        table = RECORD_TABLES[record_type]
        by_fields: dict[tuple[str, ...], list[list[object]]] = {}
        for record, changed in edits:
            row = record_to_row(record)
            names = (*(n for n in changed if n in row), *STAMP_COLUMNS)
            by_fields.setdefault(names, []).append([*(row[n] for n in names), record.uuid])
        for names, params in by_fields.items():
            sets = ", ".join(f'"{n}" = ?' for n in names)
            try:
                self._conn.executemany(f'UPDATE "{table.name}" SET {sets} WHERE uuid = ?', params)
            except sqlite3.IntegrityError as exc:
                raise integrity_to_validation(exc) from exc
        self._touched.add(table.name)

    def _update_row(self, record: Record, changed: list[str]) -> None:
        table = RECORD_TABLES[type(record)]
        row = record_to_row(record)
        names = [n for n in changed if n in row] + list(STAMP_COLUMNS)
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

    def _delete_rows(self, table: str, uuids: Sequence[str]) -> None:
        """Delete records by uuid; refused while other records still refer to one of them."""
        try:
            for start in range(0, len(uuids), 500):
                part = uuids[start:start + 500]
                self._conn.execute(f'DELETE FROM "{table}" WHERE uuid IN ({",".join("?" * len(part))})', part)
        except sqlite3.IntegrityError as exc:
            raise ValidationError("uuid", "other records still refer to this one; "
                                  "delete or move them first") from exc
        self._touched.add(table)
