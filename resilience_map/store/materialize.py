"""Writing what a merge decided into the project's tables — in batches.

A merge may touch tens of thousands of records. Everything here works on all touched records of
a table at once: one read of their writes, one read of their current rows, grouped UPDATEs and
INSERTs (``executemany``), one replacement of their conflicts. Records with rows derived from
them (a municipality's seat, an activity's participants and place) go through the store's own
row writers. If a batch hits a constraint, it is rolled back to a savepoint and written record
by record, so one bad record is reported without losing the others.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from resilience_map.domain.kinds import all_kinds, kind_of
from resilience_map.domain.memo import memoise
from resilience_map.domain.records import HubActivity, Municipality, Record
from resilience_map.domain.validation import ValidationError
from resilience_map.store.aliases import REFERENCES, Aliases, chunks
from resilience_map.store.held import HELD_DELETE, add_referenced_parents, held_state, still_referenced
from resilience_map.store.keys import SWAP_COLUMN, KeySettler, keyed
from resilience_map.store.lineage import (
    GEOMETRY_FIELD,
    RECORD_TABLES_BY_NAME,
    WRITE_COLUMNS,
    Write,
    kind_of_table,
    record_fields,
    tuples,
    write_from_row,
)
from resilience_map.store.merge_result import MergeResult
from resilience_map.store.resolve import Conflict, GroupState, resolve
from resilience_map.store.schema import record_from_json, record_from_row, to_column, to_json_value

if TYPE_CHECKING:
    from resilience_map.store.project import ProjectStore

__all__ = ["HELD_DELETE", "TABLE_ORDER", "Materializer", "MergeResult"]

#: Tables in the order parents come before the records that refer to them.
TABLE_ORDER = [k.table for k in all_kinds()]
#: Prefix of a key column's value while the record's key is set aside (never a real value).
SET_ASIDE = "\x1f(moving) "
#: Record types whose rows have derived rows (seats, participants, points): written one by one.
_DERIVED_ROWS = (Municipality, HubActivity)


@dataclass
class _Step:
    """One record to write: its state before (None: new) and after."""

    before: Record | None
    after: Record
    changed: list[str]
    insert: bool


class Materializer:
    """Writes the merged state of touched records into their tables."""

    def __init__(self, store: ProjectStore, aliases: Aliases, result: MergeResult, fresh: Sequence[Write] = (),
                 history_mark: int | None = None) -> None:
        """``fresh``: writes just added to the history (above fid ``history_mark``), already in
        memory, so that reading a record's writes reads only the older ones."""
        self.store, self.conn, self.aliases, self.result = store, store.connection, aliases, result
        self.history_mark = history_mark
        #: Rows read but not yet written, by table (None: no such row); dropped once a table is written.
        self._rows: dict[str, dict[str, sqlite3.Row | None]] = {}
        #: Records as they were before their key was set aside for an exchange of keys.
        self._vacated: dict[str, Record] = {}
        self.fresh: dict[str, list[Write]] = {}
        for w in fresh:
            self.fresh.setdefault(w.uuid, []).append(w)

    def run(self, touched: dict[str, set[str]]) -> None:
        touched = {t: {self.aliases.canonical(u) for u in uuids} for t, uuids in touched.items()}
        add_referenced_parents(self.conn, touched)
        states: dict[str, list[GroupState]] = {}
        for table in TABLE_ORDER:
            if touched.get(table):
                states[table] = self.states(table, sorted(touched[table]))
                if keyed(table):
                    settler = KeySettler(self.conn, table, self.aliases.canonical,
                                         functools.partial(self.states, table),
                                         functools.partial(self.rows, table))
                    states[table] = settler.settle(states[table])
        for table in TABLE_ORDER:  # parents first: what children refer to exists
            if keyed(table):
                self._vacate(table, [s for s in states.get(table, []) if s.values is None])
            live = [s for s in states.get(table, []) if s.values is not None]
            if live:
                self.write(table, live)
        for table in reversed(TABLE_ORDER):  # children first: a parent goes only when nothing refers to it
            dead = [s for s in states.get(table, []) if s.values is None]
            if dead:
                kept = {s.uuid: s for s in self._remove(table, dead)}
                states[table] = [kept.get(s.uuid, s) for s in states[table]]
        self.replace_conflicts(states)

    # --- reading -------------------------------------------------------------------------------

    def states(self, table: str, uuids: Sequence[str],
               keep: Callable[[Write], bool] | None = None) -> list[GroupState]:
        """The merged state of each record (``keep``: only the writes it accepts, e.g. the hub's)."""
        members = {u: self.aliases.members(u) for u in uuids}
        by_uuid: dict[str, list[Write]] = {}
        everyone = [m for ms in members.values() for m in ms]
        below = "" if self.history_mark is None else f"fid <= {int(self.history_mark)} AND "
        for part in chunks(everyone):
            marks = ",".join("?" * len(part))
            sql = f"{_SELECT_WRITES} WHERE {below}origin IS NOT NULL AND record_uuid IN ({marks})"
            for row in tuples(self.conn, sql, part):
                w = write_from_row(row)
                if keep is None or keep(w):
                    by_uuid.setdefault(w.uuid, []).append(w)
        if self.history_mark is not None:
            for uuid in everyone:
                for w in self.fresh.get(uuid, ()):
                    if keep is None or keep(w):
                        by_uuid.setdefault(uuid, []).append(w)
        canonical = self.aliases.canonical
        return [resolve(table, u, [w for m in members[u] for w in by_uuid.get(m, ())], canonical)
                for u in uuids]

    def rows(self, table: str, uuids: Iterable[str]) -> dict[str, sqlite3.Row]:
        """Current rows by uuid (those that exist); read once until the table is written."""
        known = self._rows.setdefault(table, {})
        uuids = list(dict.fromkeys(uuids))
        wanted = [u for u in uuids if u not in known]
        for part in chunks(wanted):
            known.update(dict.fromkeys(part))
            for row in self.conn.execute(
                    f'SELECT * FROM "{table}" WHERE uuid IN ({",".join("?" * len(part))})', part):
                known[row["uuid"]] = row
        return {u: row for u in uuids if (row := known[u]) is not None}

    def records(self, table: str, rows: dict[str, sqlite3.Row]) -> dict[str, Record]:
        """The rows as records (as they were before their key was set aside, if it was)."""
        record_type = RECORD_TABLES_BY_NAME[table].record_type
        extra: dict[str, dict[str, object]] = {}
        if record_type is HubActivity:
            participants = self.store._participants(list(rows))
            extra = {u: {"participants": participants.get(u, ())} for u in rows}
        return {u: self._vacated.get(u) or record_from_row(record_type, r, **extra.get(u, {}))
                for u, r in rows.items()}

    # --- writing live records ------------------------------------------------------------------

    def write(self, table: str, states: list[GroupState]) -> None:
        """Put each state's values into the table (aliases' rows give way to the canonical one)."""
        record_type = RECORD_TABLES_BY_NAME[table].record_type
        content = _content_fields(record_type)
        members = {s.uuid: self.aliases.members(s.uuid) for s in states}
        rows = self.rows(table, (m for ms in members.values() for m in ms))
        current = self.records(table, rows)
        stale: list[str] = []
        steps: list[_Step] = []
        for s in states:
            gone = [m for m in members[s.uuid] if m != s.uuid and m in current]
            stale += gone
            own = current.get(s.uuid)
            values = dict(s.values or {})
            values.pop(GEOMETRY_FIELD, None)
            values["uuid"] = s.uuid
            # the row of an alias gives way to the canonical record: one record, changed
            before = own if own is not None else (current[gone[0]] if gone else None)
            values["version"] = before.version + 1 if before is not None else 1
            self.result.merged_away += [current[g] for g in gone if current[g] is not before]
            after = record_from_json(record_type, values)
            if own is None:
                steps.append(_Step(before, after, list(content), True))
                continue
            changed = [n for n in content if getattr(own, n) != getattr(after, n)]
            if changed or s.uuid in self._vacated:  # (a row whose key was set aside gets it back)
                steps.append(_Step(own, after, changed, False))
        moving = self._keys_moving(table, steps)
        self._apply(table, stale, steps, moving)
        if table in _GEOMETRY_TABLES:
            self._write_geometry(table, states, rows)
        self._rows.pop(table, None)

    def _keys_moving(self, table: str, steps: list[_Step]) -> list[str]:
        """Records whose natural key changes: their key is set aside first, so that records can
        exchange keys in one batch without ever two holding one (the unique index checks each row)."""
        if not keyed(table):
            return []
        names, swap = kind_of_table(table).natural_key, SWAP_COLUMN[table]
        moving = []
        for step in steps:
            if step.insert:
                continue
            if any(n in step.changed for n in names):
                moving.append(step.after.uuid)
            elif step.after.uuid not in self._vacated:
                continue
            if swap not in step.changed:
                step.changed.append(swap)
        return moving

    def _vacate(self, table: str, dead: list[GroupState]) -> None:
        """Rows about to be removed give their key up before the live records are written."""
        members = [m for s in dead for m in self.aliases.members(s.uuid)]
        rows = self.rows(table, members)
        if rows:
            self._vacated.update(self.records(table, rows))
            self._set_aside(table, list(rows))
            self._rows.pop(table, None)

    def _set_aside(self, table: str, uuids: list[str]) -> None:
        self.conn.executemany(f'UPDATE "{table}" SET "{SWAP_COLUMN[table]}" = ? WHERE uuid = ?',
                              [(SET_ASIDE + u, u) for u in uuids])

    def _apply(self, table: str, stale: list[str], steps: list[_Step], moving: list[str]) -> None:
        if not stale and not steps:
            return
        self.conn.execute("SAVEPOINT rm_materialize")
        try:
            self._delete_rows(table, stale)
            if moving:
                self._set_aside(table, moving)
            self._write_batch(table, steps)
        except sqlite3.IntegrityError:
            self.conn.execute("ROLLBACK TO rm_materialize")
            self.conn.execute("RELEASE rm_materialize")
            self._delete_rows(table, stale)
            if moving:
                self._set_aside(table, moving)
            steps = self._write_one_by_one(table, steps)
        else:
            self.conn.execute("RELEASE rm_materialize")
        self.store.touch(table)
        for step in steps:
            self._check(step.after)
            if step.before is None:
                self.result.added.append(step.after)
            else:
                self.result.updated.append((step.before, step.after))

    def _write_batch(self, table: str, steps: list[_Step]) -> None:
        record_type = RECORD_TABLES_BY_NAME[table].record_type
        if record_type in _DERIVED_ROWS:
            for step in steps:
                self._write_row(step)
            return
        inserts = [step.after for step in steps if step.insert]
        if inserts:
            columns = RECORD_TABLES_BY_NAME[table].columns()
            names = ", ".join(f'"{c}"' for c in columns)
            self.conn.executemany(
                f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})',
                [[_column(getattr(r, c)) for c in columns] for r in inserts])
        groups: dict[tuple[str, ...], list[Record]] = {}
        for step in steps:
            if not step.insert:
                groups.setdefault(tuple(step.changed), []).append(step.after)
        for changed, records in groups.items():
            written = [*changed, "modified_at", "modified_by", "version"]
            sets = ", ".join(f'"{n}" = ?' for n in written)
            self.conn.executemany(f'UPDATE "{table}" SET {sets} WHERE uuid = ?',
                                  [[*(_column(getattr(r, n)) for n in written), r.uuid] for r in records])

    def _write_one_by_one(self, table: str, steps: list[_Step]) -> list[_Step]:
        """After a batch failed on a constraint: write what can be written, report the rest."""
        done = []
        for step in steps:
            try:
                self._write_row(step)
            except ValidationError as exc:
                self.result.warnings.append(
                    f"{kind_of_table(table).heading} {step.after.uuid} was not merged: {exc}.")
                continue
            done.append(step)
        return done

    def _write_row(self, step: _Step) -> None:
        """One record through the store's row writers (which also write its derived rows)."""
        if step.insert:
            self.store._insert_row(step.after)
        else:
            self.store._update_row(step.after, step.changed)

    def _write_geometry(self, table: str, states: list[GroupState], rows: dict[str, sqlite3.Row]) -> None:
        for s in states:
            if GEOMETRY_FIELD not in (s.values or {}):
                continue
            geom = (s.values or {})[GEOMETRY_FIELD]
            blob = bytes.fromhex(geom) if isinstance(geom, str) else None
            row = rows.get(s.uuid)
            old = bytes(row["geom"]) if row is not None and row["geom"] is not None else None
            if old != blob:
                self.conn.execute(f'UPDATE "{table}" SET geom = ? WHERE uuid = ?', (blob, s.uuid))
                self.store.touch(table)
                first = self.result.boundaries.get(s.uuid, (old, None))[0]
                self.result.boundaries[s.uuid] = (first, blob)

    def _delete_rows(self, table: str, uuids: list[str]) -> None:
        if uuids:
            self.conn.executemany(f'DELETE FROM "{table}" WHERE uuid = ?', [(u,) for u in uuids])

    def _check(self, record: Record) -> None:
        try:
            record.validate()
        except ValidationError as exc:
            self.result.warnings.append(
                f"{kind_of_table(_table_of(record)).heading} {record.uuid}: the merged record fails a "
                f"check ({exc}); it was kept as merged.")

    # --- removing records ----------------------------------------------------------------------

    def _remove(self, table: str, states: list[GroupState]) -> list[GroupState]:
        """Delete the rows of records whose writes say they are gone; returns the states, with a
        held-back delete's state replaced by the record kept (see :mod:`.held`)."""
        members = {s.uuid: self.aliases.members(s.uuid) for s in states}
        current = self.records(table, self.rows(table, (m for ms in members.values() for m in ms)))
        out, doomed = [], []
        for s in states:
            present = [m for m in members[s.uuid] if m in current]
            if not present:
                out.append(s)
                continue
            row = current.get(s.uuid) or current[present[0]]
            if table in REFERENCES and still_referenced(self.conn, table, present):
                kept = held_state(s, row)
                self.write(table, [kept])
                out.append(kept)
                continue
            doomed += present
            self.result.removed.append(row)
            out.append(s)
        if doomed:
            self._delete_rows(table, doomed)
            self.store.touch(table)
        self._rows.pop(table, None)
        return out

    # --- conflicts -----------------------------------------------------------------------------

    def replace_conflicts(self, states: dict[str, list[GroupState]]) -> None:
        """The conflicts of every touched record become exactly those its state has."""
        members = [m for group in states.values() for s in group for m in self.aliases.members(s.uuid)]
        before: dict[tuple[str, str, str], str] = {}
        for part in chunks(members):
            marks = ",".join("?" * len(part))
            for uuid, name, other, table in self.conn.execute(
                    'SELECT record_uuid, field, other_write, table_name FROM "sync_conflicts" '
                    f"WHERE record_uuid IN ({marks})", part):
                before[(uuid, name, other)] = table
            self.conn.execute(f'DELETE FROM "sync_conflicts" WHERE record_uuid IN ({marks})', part)
        after: set[tuple[str, str, str]] = set()
        rows = []
        for group in states.values():
            for s in group:
                for c in s.conflicts:
                    after.add(c.identity)
                    rows.append((c.table, c.record_uuid, c.field, c.kept_write, _json(c.kept_value),
                                 c.other_write, _json(c.other_value), c.other_author, c.other_changed_at))
                    if c.identity not in before:
                        self.result.new_conflicts.append(c)
        self.conn.executemany(
            'INSERT INTO "sync_conflicts" (table_name, record_uuid, field, kept_write, kept_value, '
            "other_write, other_value, other_author, other_changed_at) VALUES (?,?,?,?,?,?,?,?,?)", rows)
        for identity in sorted(set(before) - after):
            uuid, name, other = identity
            self.result.resolved_conflicts.append(
                Conflict(before[identity], uuid, name, "", None, other, None))


#: What deciding a record needs of its history rows (the old state only of deletes, no change set).
_SELECT_WRITES = ("SELECT " + ", ".join(
    {"old_value": "CASE WHEN operation = 'delete' THEN old_value END", "change_set": "''"}.get(c, c)
    for c in WRITE_COLUMNS) + ' FROM "change_history"')
_GEOMETRY_TABLES = {t for t in TABLE_ORDER if GEOMETRY_FIELD in record_fields(t)}


def _column(value: object) -> object:
    """A field value as SQLite stores it (plain numbers and text as they are)."""
    return value if value is None or type(value) in _PLAIN else to_column(value)


_PLAIN = (str, int, float)


@memoise
def _content_fields(record_type: type[Record]) -> tuple[str, ...]:
    return tuple(record_type.content_fields())


def _json(value: object) -> str:
    return json.dumps(to_json_value(value) if not isinstance(value, (list, dict)) else value,
                      ensure_ascii=False, sort_keys=True)


def _table_of(record: Record) -> str:
    return kind_of(record).table
