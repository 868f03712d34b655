"""Writing records: add, update, delete, restore, boundaries and settings, each with its history.

:class:`StoreWriting` is the writing half of :class:`~resilience_map.store.project.ProjectStore`;
every method runs in one transaction (joining the caller's), so a change is saved with its history
rows or not at all. The ``*_many`` methods take a batch (an import, a multi-row edit, an undo) and
write it with a few statements per 500 records: reading what is stored, checking versions, the
natural-key claims, the rows and the history rows with their lineage are all done in bulk, with
the outcome of writing the records one after the other.

``expected`` ({uuid: version the caller last saw; None: must not exist}) makes a write refuse with
:class:`StaleRecordError` — naming who changed the record and when — if a stored record moved on
since (another tool, a second window, a sync); nothing of the batch is then written. It is the one
version check that undo and redo rely on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from shapely.geometry.base import BaseGeometry

from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, Record, utc_now
from resilience_map.store import geopackage as gpkg
from resilience_map.store import lineage
from resilience_map.store.errors import RecordNotFoundError, StaleRecordError
from resilience_map.store.row_writes import RowWriting
from resilience_map.store.rows import (
    as_multipolygon,
    changed_fields,
    check_finite_geometry,
    describe_geometry,
    field_json,
    history_text,
    record_json,
    same_type_runs,
    snapshots,
    stamper,
    to_history_json,
)
from resilience_map.store.schema import META_TABLE, RECORD_TABLES
from resilience_map.store.stale import stale_error
from resilience_map.store.transactions import HistoryRow

R = TypeVar("R", bound=Record)

#: Version a caller last saw, per uuid; None: the record must not exist.
Expected = Mapping[str, "int | None"]
#: Where a write also reports each record's (before, after) states, if the caller wants them.
Changes = list[tuple["Record | None", "Record | None"]]


class StoreWriting(RowWriting):
    """Record writes (see :class:`~resilience_map.store.project.ProjectStore`)."""

    # --- adding ---------------------------------------------------------------------------------

    def add(self, record: R, author: str) -> R:
        """Validate and insert a new record (keeps its uuid); returns what was stored."""
        return self.add_many([record], author)[0]

    def add_many(self, records: Iterable[R], author: str, *, expected: Expected | None = None,
                 changes: Changes | None = None) -> list[R]:
        """Insert many records in one transaction (all or nothing); returns what was stored.

        A record entered again after it was deleted (same natural key) takes the uuid it had.
        """
        stored: list[R] = []
        indicators: dict[str, IndicatorDefinition] = {}  # looked up once per call, not per value
        with self.transaction() as tx:
            fresh = []
            stamped = stamper(tx.started_at, author)
            for record in records:
                self._validate(record, indicators)
                fresh.append(stamped(record))
            for group in same_type_runs(fresh):
                if expected:
                    present = self.find_many(type(group[0]), [r.uuid for r in group if r.uuid in expected])
                    for record in group:  # most are absent, as expected: only the others are looked at
                        uuid = record.uuid
                        if uuid in present or expected.get(uuid) is not None:
                            self._check_expected(type(record), uuid, present.get(uuid), expected)
                stored += self._insert_new(group, author, "insert")
        if changes is not None:
            changes += [(None, r) for r in stored]
        return stored

    def _insert_new(self, records: list[R], author: str, operation: str) -> list[R]:
        """Insert records of one type that are not stored, their natural keys claimed, with one
        history row each (``insert``; ``restore`` for records brought back)."""
        claimed = self._claim_keys(records, range(self._next_seq, self._next_seq + len(records)))
        texts = snapshots(claimed, self._insert_rows(claimed))
        rows = [(r.uuid, operation, None, None, text, None) for r, text in zip(claimed, texts, strict=True)]
        self._history_many(author, RECORD_TABLES[type(records[0])].name, rows)
        return claimed

    # --- updating -------------------------------------------------------------------------------

    def update(self, record: R, author: str) -> R:
        """Save changed fields of ``record``; refuses if the stored copy moved on."""
        return self.update_many([record], author)[0]

    def update_many(self, records: Iterable[R], author: str, *, expected: Expected | None = None,
                    changes: Changes | None = None) -> list[R]:
        """Save the changed fields of many records in one transaction; each must carry the version
        it was read with (else :class:`StaleRecordError`). Returns what was stored."""
        out: list[R] = []
        with self.transaction():
            for group in _batches(list(records)):
                out += self._update_batch(group, author, expected, changes)
        return out

    def _update_batch(self, records: list[R], author: str, expected: Expected | None,
                      changes: Changes | None) -> list[R]:
        record_type = type(records[0])
        table = RECORD_TABLES[record_type].name
        current = self.find_many(record_type, [r.uuid for r in records])
        indicators: dict[str, IndicatorDefinition] = {}
        now = utc_now()
        out: list[R] = []
        edits: list[tuple[Record, list[str]]] = []
        history: list[HistoryRow] = []
        for record in records:
            before = current.get(record.uuid)
            self._check_expected(record_type, record.uuid, before, expected)
            if before is None:
                raise RecordNotFoundError(f"No {table} record with id {record.uuid}.")
            if before.version != record.version:
                raise self._stale(record_type, record.uuid, before, record.version)
            changed = changed_fields(before, record)
            after = before
            if changed:
                self._validate(record, indicators)
                after = dataclasses.replace(record, modified_at=now, modified_by=author,
                                            version=before.version + 1)
                edits.append((after, changed))
                history += _field_rows(before, after, "update", changed)
            out.append(after)
            if changes is not None:
                changes.append((before, after))
        self._update_rows(edits)
        self._history_many(author, table, history)
        return out

    # --- deleting -------------------------------------------------------------------------------

    def delete(self, record_type: type[Record], uuid: str, author: str, *,
               expected: Expected | None = None) -> Record:
        """Delete a record; its full content goes into history so it can be restored."""
        return self.delete_many(record_type, [uuid], author, expected=expected)[0]

    def delete_many(self, record_type: type[Record], uuids: Iterable[str], author: str, *,
                    expected: Expected | None = None, changes: Changes | None = None) -> list[Record]:
        """Delete several records in one transaction (all or nothing); returns them as they were."""
        uuids = list(uuids)
        table = RECORD_TABLES[record_type].name
        with self.transaction():
            if len(set(uuids)) < len(uuids):  # one record twice: the second finds it gone
                return [self.delete_many(record_type, [u], author, expected=expected, changes=changes)[0]
                        for u in uuids]
            current = self.find_many(record_type, uuids)
            for uuid in uuids:
                self._check_expected(record_type, uuid, current.get(uuid), expected)
                if uuid not in current:
                    raise RecordNotFoundError(f"No {table} record with id {uuid}.")
            self._delete_rows(table, uuids)
            self._history_many(author, table, [(u, "delete", None, to_history_json(record_json(current[u])),
                                                None, None) for u in uuids])
        gone = [current[u] for u in uuids]
        if changes is not None:
            changes += [(r, None) for r in gone]
        return gone

    # --- restoring ------------------------------------------------------------------------------

    def restore(self, record: R, author: str, *, expected: Expected | None = None) -> R:
        """Bring a record back to the given state (undo, history restore, re-insert after delete).

        An existing record gets the state's content fields; a deleted one is inserted
        again with its original uuid and creation time. Either way the version moves
        on and the change is written to the history as a ``restore``.
        """
        return self.restore_many([record], author, expected=expected)[0]

    def restore_many(self, records: Iterable[R], author: str, *, expected: Expected | None = None,
                     changes: Changes | None = None) -> list[R]:
        """Restore several records in one transaction (all or nothing); returns them as stored,
        in the order given. ``expected``: see the module docstring."""
        records = list(records)
        if self.replica_id is not None:  # a uuid merged into another since it was read
            canonical = lineage.canonical_map(self._conn, (r.uuid for r in records))
            records = [dataclasses.replace(r, uuid=canonical[r.uuid]) if r.uuid in canonical else r
                       for r in records]
        out: list[R] = []
        with self.transaction():
            for group in _batches(records):
                out += self._restore_batch(group, author, expected, changes)
        return out

    def _restore_batch(self, records: list[R], author: str, expected: Expected | None,
                       changes: Changes | None) -> list[R]:
        record_type = type(records[0])
        table = RECORD_TABLES[record_type].name
        current = self.find_many(record_type, [r.uuid for r in records])
        indicators: dict[str, IndicatorDefinition] = {}
        for record in records:
            self._check_expected(record_type, record.uuid, current.get(record.uuid), expected)
            self._validate(record, indicators)
        now = utc_now()
        out: list[R | None] = [None] * len(records)
        pairs: list[tuple[Record | None, Record | None]] = [(None, None)] * len(records)
        edits: list[tuple[Record, list[str]]] = []
        history: list[HistoryRow] = []
        absent: list[int] = []
        for i, record in enumerate(records):
            before = current.get(record.uuid)
            if before is None:
                absent.append(i)
                continue
            changed = changed_fields(before, record)
            after = dataclasses.replace(record, created_at=before.created_at, modified_at=now,
                                        modified_by=author, version=before.version + 1)
            if changed:
                edits.append((after, changed))
            history += _field_rows(before, after, "restore", changed)
            out[i], pairs[i] = after, (before, after)
        self._update_rows(edits)
        self._history_many(author, table, history)
        if absent:
            back = [dataclasses.replace(records[i], modified_at=now, modified_by=author,
                                        version=records[i].version + 1) for i in absent]
            for i, stored in zip(absent, self._insert_new(back, author, "restore"), strict=True):
                out[i], pairs[i] = stored, (None, stored)
        if changes is not None:
            changes += pairs
        return out  # type: ignore[return-value]

    # --- the checks -----------------------------------------------------------------------------

    def _check_expected(self, record_type: type[Record], uuid: str, current: Record | None,
                        expected: Expected | None) -> None:
        if expected is None or uuid not in expected:
            return
        if (None if current is None else current.version) != expected[uuid]:
            raise self._stale(record_type, uuid, current, expected[uuid])

    def _stale(self, record_type: type[Record], uuid: str, current: Record | None,
               seen: int | None) -> StaleRecordError:
        return stale_error(self, record_type, uuid, current, seen)

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
                indicator = self.get(IndicatorDefinition, record.indicator_uuid)
                record.validate_against(indicator)  # the indicator's own scale checked once per call
                cache[record.indicator_uuid] = indicator
            else:
                record.validate_against(indicator, scale_checked=True)
        else:
            record.validate()

    # --- boundaries and settings ----------------------------------------------------------------

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


def _batches(records: list[R]) -> Iterable[list[R]]:
    """Runs of one record type, written as one batch each; a record that comes twice is written
    one record after the other (the second write must see the first)."""
    for run in same_type_runs(records):
        if len({r.uuid for r in run}) == len(run):
            yield run
        else:
            yield from ([r] for r in run)


def _field_rows(before: Record, after: Record, operation: str, changed: Sequence[str]) -> list[HistoryRow]:
    return [(after.uuid, operation, name, history_text(field_json(before, name)),
             history_text(field_json(after, name)), None) for name in changed]
