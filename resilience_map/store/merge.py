"""Bring writes made in other copies into this one: history rows, aliases, records, conflicts.

:func:`merge_writes` stores the writes this copy has not seen in its history (with their own
ids, clocks and bases), then recomputes every record they touch from *all* the writes it holds
for that record — its own and everyone's — with :func:`resolve`. Because a record's state is a
function of the set of writes, importing the same changes twice, or in another order, gives the
same records and the same conflicts.

It runs inside the caller's store transaction (one transaction: history rows, records, aliases,
conflicts), so a failure leaves the project as it was.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from resilience_map.domain.changes import ChangePlan
from resilience_map.domain.kinds import all_kinds
from resilience_map.domain.records import Record
from resilience_map.domain.validation import ValidationError
from resilience_map.store.lineage import (
    DELETED,
    GEOMETRY_FIELD,
    RECORD_TABLES_BY_NAME,
    REFERENCE_FIELDS,
    WRITE_COLUMNS,
    Write,
    first_write_key,
    heads,
    kind_of_table,
    natural_key,
    record_fields,
    write_from_row,
)
from resilience_map.store.schema import record_from_json, record_from_row, to_json_value

#: Tables in the order parents come before the records that refer to them.
TABLE_ORDER = [k.table for k in all_kinds()]
#: (child table, column) pairs that hold the uuid of a record of another table.
REFERENCES = {
    "municipalities": [("indicator_values", "municipality_uuid"), ("prevention_structures", "municipality_uuid"),
                       ("municipality_notes", "municipality_uuid"), ("activity_participants", "municipality_uuid")],
    "indicator_definitions": [("indicator_values", "indicator_uuid")],
    "study_waves": [("indicator_values", "wave_uuid")],
    "hub_activities": [("municipality_notes", "source_activity_uuid")],
}
META = ("uuid", "created_at", "modified_at", "modified_by", "version")


@dataclass(frozen=True)
class Conflict:
    """A value a merge did not keep: ``other`` lost to ``kept`` under the one rule."""

    table: str
    record_uuid: str
    field: str
    kept_write: str
    kept_value: object
    other_write: str
    other_value: object
    other_author: str = ""
    other_changed_at: str = ""

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.record_uuid, self.field, self.other_write)


@dataclass(frozen=True)
class GroupState:
    """What the writes of one record say: its content (None: it does not exist) and conflicts."""

    table: str
    uuid: str
    values: dict[str, object] | None
    conflicts: tuple[Conflict, ...]
    deleted_by: Write | None = None  # the delete that won, when the record is gone


@dataclass
class MergeResult:
    """What a merge did, for the report, the change event and undo."""

    applied: list[Write] = field(default_factory=list)
    already_known: int = 0
    added: list[Record] = field(default_factory=list)
    updated: list[tuple[Record, Record]] = field(default_factory=list)
    removed: list[Record] = field(default_factory=list)
    new_conflicts: list[Conflict] = field(default_factory=list)
    resolved_conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def plan(self, description: str = "") -> ChangePlan:
        """The record changes as a plan (its inverse undoes the merge as ordinary edits)."""
        return ChangePlan(tuple(self.added), tuple(self.updated), tuple(self.removed), description)


# --- deciding a record -------------------------------------------------------------------------

def same_value(a: object, b: object) -> bool:
    return a is b or (a is not DELETED and b is not DELETED and a == b)


def resolve(table: str, uuid: str, writes: Sequence[Write],
            canonical: Callable[[str], str] = lambda u: u) -> GroupState:
    """Three-way merge of one record, field by field, from every write known for it.

    Each field's heads are the writes nobody replaced. One head: its value. Several with one
    value: no conflict. Several values: the head with the latest clock (ties: replica id, then
    sequence) wins provisionally and the others are kept as conflicts. A delete is a write to
    every field; the record exists while any field's winner is not a delete, and fields whose
    winner is the delete keep the value they had when it was deleted.
    """
    fields = record_fields(table)
    found = heads(writes, fields)

    def value(w: Write, name: str) -> object:
        return _canonical_refs(name, w.value(name), canonical)

    if any(not found[f] for f in fields):
        return GroupState(table, uuid, None, ())
    winners = {f: max(found[f], key=lambda w: w.order) for f in fields}
    conflicts = []
    for name in fields:
        win = winners[name]
        for other in sorted(found[name], key=lambda w: w.order):
            if other is not win and not same_value(value(other, name), value(win, name)):
                conflicts.append(Conflict(table, uuid, name, win.id, _plain(value(win, name)), other.id,
                                          _plain(value(other, name)), other.author, other.changed_at))
    live = [w for w in winners.values() if w.operation != "delete"]
    if not live:
        return GroupState(table, uuid, None, tuple(conflicts), deleted_by=winners[fields[0]])
    values = {f: (_canonical_refs(f, w.value_before_delete(f), canonical) if w.operation == "delete"
                  else value(w, f)) for f, w in winners.items()}
    inserts = [w for w in writes if w.whole_record and w.operation != "delete"]
    last = max(live, key=lambda w: w.order)
    first = min(inserts, key=lambda w: w.order) if inserts else last
    values["created_at"] = first.snapshot().get("created_at") or first.changed_at
    values["modified_at"] = last.changed_at
    values["modified_by"] = last.author
    return GroupState(table, uuid, values, tuple(conflicts))


def _canonical_refs(name: str, value: object, canonical: Callable[[str], str]) -> object:
    """References compared and stored by canonical uuid (two uuids of one merged record are one)."""
    if name in REFERENCE_FIELDS and isinstance(value, str):
        return canonical(value)
    if name == "participants" and isinstance(value, list):
        return [dict(p, municipality_uuid=canonical(p["municipality_uuid"])) for p in value]
    return value


def _plain(value: object) -> object:
    return "(deleted)" if value is DELETED else value


# --- applying incoming writes ------------------------------------------------------------------

def known_ids(conn: sqlite3.Connection, writes: Iterable[Write]) -> set[str]:
    """Which of these writes this copy already holds."""
    by_origin: dict[str, list[int]] = {}
    for w in writes:
        by_origin.setdefault(w.origin, []).append(w.seq)
    known: set[str] = set()
    for origin, seqs in by_origin.items():
        rows = conn.execute('SELECT seq FROM "change_history" WHERE origin = ? AND seq BETWEEN ? AND ?',
                            (origin, min(seqs), max(seqs)))
        known.update(f"{origin}:{r[0]}" for r in rows)
    return known


def merge_writes(store, writes: Sequence[Write], *, dry_run: bool = False) -> MergeResult:
    """Store and apply the writes this copy has not seen (inside ``store.transaction()``)."""
    conn: sqlite3.Connection = store.connection
    result = MergeResult()
    known = known_ids(conn, writes)
    fresh: dict[str, Write] = {}
    for w in writes:
        if w.id in known or w.id in fresh:
            result.already_known += 1
        else:
            fresh[w.id] = w
    new = sorted(fresh.values(), key=lambda w: w.order)
    if not new:
        return result
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for w in new:
        store.clock.observe(w.hlc)
    conn.executemany(
        f'INSERT INTO "change_history" ({", ".join(WRITE_COLUMNS)}) VALUES ({", ".join("?" * len(WRITE_COLUMNS))})',
        [_row(w) for w in new])
    store.touch("change_history")
    result.applied = new
    aliases = Aliases(conn)
    touched: dict[str, set[str]] = {}
    for w in new:
        if w.whole_record and w.operation != "delete":
            for table, uuid in aliases.register(w):
                touched.setdefault(table, set()).add(uuid)
        touched.setdefault(w.table, set()).add(aliases.canonical(w.uuid))
    Materializer(store, aliases, result).run(touched)
    return result


def _row(w: Write) -> tuple:
    return (w.origin, w.seq, w.hlc, " ".join(w.base), w.table, w.uuid, w.operation, w.field,
            w.old_value, w.new_value, w.payload, w.author, w.changed_at, w.change_set)


class Aliases:
    """Records created twice under different uuids with one natural key become one record:
    the uuid created first (by clock) is kept, the others are its aliases."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.map = dict(conn.execute('SELECT uuid, canonical FROM "sync_aliases"'))

    def canonical(self, uuid: str) -> str:
        return self.map.get(uuid, uuid)

    def members(self, canonical: str) -> list[str]:
        return [canonical, *(u for u, c in self.map.items() if c == canonical)]

    def register(self, w: Write) -> list[tuple[str, str]]:
        """Register a created record's key; returns (table, uuid) of records to recompute."""
        kind = kind_of_table(w.table)
        if not kind.natural_key or self.conn.execute(
                'SELECT 1 FROM "sync_keys" WHERE uuid = ?', (w.uuid,)).fetchone():
            return []
        key = natural_key(self.conn, kind, w.snapshot())
        self.conn.execute('INSERT INTO "sync_keys" VALUES (?, ?, ?, ?)',
                          (w.uuid, w.table, key, first_write_key(w.hlc, w.origin, w.seq)))
        return self._unite(w.table, key)

    def _unite(self, table: str, key: str) -> list[tuple[str, str]]:
        rows = self.conn.execute('SELECT uuid, first_write FROM "sync_keys" WHERE table_name = ? '
                                 'AND natural_key = ?', (table, key)).fetchall()
        if len(rows) < 2:
            return []
        canonical = min(rows, key=lambda r: (r[1], r[0]))[0]
        group = {u for r in rows for u in self.members(self.canonical(r[0]))}
        renamed = [u for u in group if u != canonical and self.map.get(u) != canonical]
        for uuid in group - {canonical}:
            self.map[uuid] = canonical
        self.map.pop(canonical, None)
        self.conn.execute('DELETE FROM "sync_aliases" WHERE uuid IN (%s)' % ",".join("?" * len(group)), list(group))
        self.conn.executemany('INSERT INTO "sync_aliases" VALUES (?, ?, ?)',
                              [(u, table, canonical) for u in group if u != canonical])
        out = [(table, canonical)]
        for old in renamed:
            out += self._follow_references(table, old)
        return out

    def _follow_references(self, table: str, old: str) -> list[tuple[str, str]]:
        """Records pointing at a uuid that became an alias: recompute them, re-key their keys."""
        out: list[tuple[str, str]] = []
        for child, column in REFERENCES.get(table, []):
            if child == "activity_participants":
                rows = self.conn.execute('SELECT activity_uuid FROM "activity_participants" '
                                         'WHERE municipality_uuid = ?', (old,))
                out += [("hub_activities", r[0]) for r in rows]
                continue
            rows = self.conn.execute(f'SELECT uuid FROM "{child}" WHERE "{column}" = ?', (old,))
            out += [(child, self.canonical(r[0])) for r in rows]
            kind = kind_of_table(child)
            if column in kind.natural_key:
                stale = self.conn.execute('SELECT uuid, natural_key FROM "sync_keys" WHERE table_name = ? '
                                          'AND natural_key LIKE ?', (child, f'%"{old}"%')).fetchall()
                for uuid, key in stale:
                    parts = [self.canonical(p) if isinstance(p, str) and n in REFERENCE_FIELDS else p
                             for n, p in zip(kind.natural_key, json.loads(key))]
                    new_key = json.dumps(parts, ensure_ascii=False)
                    self.conn.execute('UPDATE "sync_keys" SET natural_key = ? WHERE uuid = ?', (new_key, uuid))
                    out.append((child, self.canonical(uuid)))
                    out += self._unite(child, new_key)
        return out


class Materializer:
    """Writes the merged state of touched records into their tables."""

    def __init__(self, store, aliases: Aliases, result: MergeResult) -> None:
        self.store, self.conn, self.aliases, self.result = store, store.connection, aliases, result

    def run(self, touched: dict[str, set[str]]) -> None:
        touched = {t: {self.aliases.canonical(u) for u in uuids} for t, uuids in touched.items()}
        self._add_referenced_parents(touched)
        states: dict[str, list[GroupState]] = {}
        for table in TABLE_ORDER:
            if touched.get(table):
                states[table] = self._states(table, sorted(touched[table]))
        for table in TABLE_ORDER:  # parents first: what children refer to exists
            for state in states.get(table, []):
                if state.values is not None:
                    self._write(state)
        for table in reversed(TABLE_ORDER):  # children first: a parent goes only when nothing refers to it
            states[table] = [self._remove(s) if s.values is None else s for s in states.get(table, [])]
        self._replace_conflicts(states)

    def _add_referenced_parents(self, touched: dict[str, set[str]]) -> None:
        """A removed child may free a parent whose delete was held back: look at it again."""
        held = self.conn.execute('SELECT table_name, record_uuid FROM "sync_conflicts" WHERE field = ?', ("*",))
        held = {(t, u) for t, u in held}
        if not held:
            return
        for parent, refs in REFERENCES.items():
            for child, column in refs:
                if child == "activity_participants":
                    continue
                for uuid in touched.get(child, ()):
                    for (pid,) in self.conn.execute(f'SELECT "{column}" FROM "{child}" WHERE uuid = ?', (uuid,)):
                        if (parent, pid) in held:
                            touched.setdefault(parent, set()).add(pid)

    def _states(self, table: str, uuids: list[str], keep: Callable[[Write], bool] | None = None) -> list[GroupState]:
        """The merged state of each record (``keep``: only the writes it accepts, e.g. the hub's)."""
        members = {u: self.aliases.members(u) for u in uuids}
        by_uuid: dict[str, list[Write]] = {}
        everyone = [m for ms in members.values() for m in ms]
        for chunk in range(0, len(everyone), 900):
            part = everyone[chunk:chunk + 900]
            rows = self.conn.execute(
                f'SELECT {", ".join(WRITE_COLUMNS)} FROM "change_history" WHERE origin IS NOT NULL '
                f'AND record_uuid IN ({",".join("?" * len(part))})', part)
            for row in rows:
                w = write_from_row(tuple(row))
                if keep is None or keep(w):
                    by_uuid.setdefault(w.uuid, []).append(w)
        return [resolve(table, u, [w for m in members[u] for w in by_uuid.get(m, [])], self.aliases.canonical)
                for u in uuids]

    def _current(self, table: str, uuid: str) -> Record | None:
        record_type = RECORD_TABLES_BY_NAME[table].record_type
        found = self.store.list(record_type, uuid=uuid)
        return found[0] if found else None

    def _member_rows(self, state: GroupState) -> list[Record]:
        out = []
        for uuid in self.aliases.members(state.uuid):
            current = self._current(state.table, uuid)
            if current is not None:
                out.append(current)
        return out

    def _write(self, state: GroupState) -> None:
        record_type = RECORD_TABLES_BY_NAME[state.table].record_type
        values = dict(state.values or {})
        geom = values.pop(GEOMETRY_FIELD, None)
        for name in (*REFERENCE_FIELDS, "participants"):
            if name in values:
                values[name] = _canonical_refs(name, values[name], self.aliases.canonical)
        rows = self._member_rows(state)
        current = next((r for r in rows if r.uuid == state.uuid), None)
        for stale in rows:
            if stale.uuid != state.uuid:  # merged into the canonical uuid
                self.conn.execute(f'DELETE FROM "{state.table}" WHERE uuid = ?', (stale.uuid,))
        values["uuid"] = state.uuid
        values["version"] = (current.version + 1) if current else 1
        record = record_from_json(record_type, values)
        self._check(record)
        try:
            if current is None:
                self.store._insert_row(record)
                before = rows[0] if rows else None
                if before is None:
                    self.result.added.append(record)
                else:
                    self.result.updated.append((before, record))
            else:
                changed = [n for n in record_type.content_fields() if getattr(current, n) != getattr(record, n)]
                if changed:
                    self.store._update_row(record, changed)
                    self.result.updated.append((current, record))
                else:
                    record = current
        except ValidationError as exc:
            self.result.warnings.append(f"{kind_of_table(state.table).heading} {state.uuid} was not "
                                        f"merged: {exc}.")
            return
        if GEOMETRY_FIELD in (state.values or {}):
            blob = bytes.fromhex(geom) if isinstance(geom, str) else None
            old = self.conn.execute(f'SELECT geom FROM "{state.table}" WHERE uuid = ?', (state.uuid,)).fetchone()
            if old is not None and (bytes(old[0]) if old[0] is not None else None) != blob:
                self.conn.execute(f'UPDATE "{state.table}" SET geom = ? WHERE uuid = ?', (blob, state.uuid))
                self.store.touch(state.table)

    def _check(self, record: Record) -> None:
        try:
            record.validate()
        except ValidationError as exc:
            self.result.warnings.append(
                f"{kind_of_table(_table_of(record)).heading} {record.uuid}: the merged record fails a "
                f"check ({exc}); it was kept as merged.")

    def _remove(self, state: GroupState) -> GroupState:
        rows = self._member_rows(state)
        if not rows:
            return state
        canonical_row = next((r for r in rows if r.uuid == state.uuid), rows[0])
        if self._still_referenced(state.table, [r.uuid for r in rows]):
            return self._hold(state, canonical_row)
        for row in rows:
            self.conn.execute(f'DELETE FROM "{state.table}" WHERE uuid = ?', (row.uuid,))
        self.store.touch(state.table)
        self.result.removed.append(canonical_row)
        return state

    def _still_referenced(self, table: str, uuids: list[str]) -> int:
        count = 0
        marks = ",".join("?" * len(uuids))
        for child, column in REFERENCES.get(table, []):
            count += self.conn.execute(f'SELECT COUNT(*) FROM "{child}" WHERE "{column}" IN ({marks})',
                                       uuids).fetchone()[0]
        return count

    def _hold(self, state: GroupState, canonical_row: Record) -> GroupState:
        """A delete that would orphan records referring to this one is held back: the record
        stays as it was before the delete, and the delete is kept as a conflict."""
        assert state.deleted_by is not None
        delete = state.deleted_by
        values = {f: delete.value_before_delete(f) for f in record_fields(state.table) if f != GEOMETRY_FIELD}
        values.update({k: getattr(canonical_row, k) for k in ("created_at", "modified_at", "modified_by")})
        held = Conflict(state.table, state.uuid, "*", "", "kept: other records still refer to it",
                        delete.id, "(deleted)", delete.author, delete.changed_at)
        state = dataclasses.replace(state, values=values, conflicts=state.conflicts + (held,))
        self._write(state)
        return state

    def _replace_conflicts(self, states: dict[str, list[GroupState]]) -> None:
        for table, group in states.items():
            for state in group:
                members = self.aliases.members(state.uuid)
                marks = ",".join("?" * len(members))
                before = {_conflict_identity(r): r for r in self.conn.execute(
                    f'SELECT record_uuid, field, other_write, table_name FROM "sync_conflicts" '
                    f'WHERE record_uuid IN ({marks})', members)}
                self.conn.execute(f'DELETE FROM "sync_conflicts" WHERE record_uuid IN ({marks})', members)
                after = set()
                for c in state.conflicts:
                    after.add(c.identity)
                    self.conn.execute(
                        'INSERT INTO "sync_conflicts" (table_name, record_uuid, field, kept_write, kept_value, '
                        'other_write, other_value, other_author, other_changed_at) VALUES (?,?,?,?,?,?,?,?,?)',
                        (c.table, c.record_uuid, c.field, c.kept_write, _json(c.kept_value), c.other_write,
                         _json(c.other_value), c.other_author, c.other_changed_at))
                    if c.identity not in before:
                        self.result.new_conflicts.append(c)
                for identity in set(before) - after:
                    uuid, name, other = identity
                    self.result.resolved_conflicts.append(Conflict(table, uuid, name, "", None, other, None))


def _conflict_identity(row) -> tuple[str, str, str]:
    return (row[0], row[1], row[2])


def _json(value: object) -> str:
    return json.dumps(to_json_value(value) if not isinstance(value, (list, dict)) else value,
                      ensure_ascii=False, sort_keys=True)


def _table_of(record: Record) -> str:
    from resilience_map.store.schema import RECORD_TABLES

    return RECORD_TABLES[type(record)].name


__all__ = ["Conflict", "GroupState", "MergeResult", "merge_writes", "record_from_row", "resolve"]


def rematerialize(store, touched: dict[str, set[str]]) -> MergeResult:
    """Recompute records from their writes after a local decision or revert (in a transaction)."""
    store.connection.execute("PRAGMA defer_foreign_keys = ON")
    result = MergeResult()
    Materializer(store, Aliases(store.connection), result).run(touched)
    return result


def write_decision(store, table: str, uuid: str, field: str, value: object, author: str) -> MergeResult:
    """A local change that replaces every value of ``field`` this copy holds — the decision of a
    conflict. It is an ordinary change: it syncs, and settles the conflict everywhere."""
    from resilience_map.store.lineage import canonical_uuid

    with store.transaction():
        uuid = canonical_uuid(store.connection, uuid)
        if value is DELETED:
            state = _state_of(store, table, uuid)
            old = dict(state.values or {})
            old.pop(GEOMETRY_FIELD, None)
            store._history(author, table, uuid, "delete", old=old)
        elif field == GEOMETRY_FIELD:
            blob = bytes.fromhex(value) if isinstance(value, str) else None
            store._history(author, table, uuid, "boundary", GEOMETRY_FIELD, None, "decided", payload=blob)
        elif field == "*":
            state = _state_of(store, table, uuid)
            values = dict(state.values or {})
            values.pop(GEOMETRY_FIELD, None)
            store._history(author, table, uuid, "restore", new=values)
        else:
            store._history(author, table, uuid, "update", field, None, value)
        return rematerialize(store, {table: {uuid}})


def _state_of(store, table: str, uuid: str) -> GroupState:
    aliases = Aliases(store.connection)
    return Materializer(store, aliases, MergeResult())._states(table, [uuid])[0]
