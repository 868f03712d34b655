"""Bring writes made in other copies into this one: history rows, aliases, records, conflicts.

:func:`merge_writes` stores the writes this copy has not seen in its history (with their own
ids, clocks and bases), then recomputes every record they touch from *all* the writes it holds
for that record — its own and everyone's — with :func:`~resilience_map.store.resolve.resolve`.
Because a record's state is a function of the set of writes, importing the same changes twice,
or in another order, gives the same records and the same conflicts.

It runs inside the caller's store transaction (one transaction: history rows, records, aliases,
conflicts), so a failure leaves the project as it was.

The parts: :mod:`~resilience_map.store.resolve` decides one record from its writes (no database),
:mod:`~resilience_map.store.aliases` unites records created twice with one natural key, and
:mod:`~resilience_map.store.materialize` writes the decisions into the tables in batches.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from resilience_map.store.aliases import Aliases, chunks
from resilience_map.store.keys import KEY_CONFLICT, keyed
from resilience_map.store.lineage import (
    DELETED,
    GEOMETRY_FIELD,
    WRITE_COLUMNS,
    Write,
    canonical_uuid,
    record_fields,
)
from resilience_map.store.materialize import HELD_DELETE, TABLE_ORDER, Materializer, MergeResult
from resilience_map.store.resolve import Conflict, GroupState, resolve

if TYPE_CHECKING:
    from resilience_map.store.project import ProjectStore

__all__ = ["HELD_DELETE", "TABLE_ORDER", "Aliases", "Conflict", "GroupState", "Materializer", "MergeResult",
           "known_ids", "merge_writes", "rematerialize", "resolve", "state_of", "write_decision"]


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


def merge_writes(store: ProjectStore, writes: Sequence[Write]) -> MergeResult:
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
    store.clock.observe(new[-1].hlc)
    mark = conn.execute('SELECT COALESCE(MAX(fid), 0) FROM "change_history"').fetchone()[0]
    marks = ", ".join("?" * len(WRITE_COLUMNS))
    conn.executemany(f'INSERT INTO "change_history" ({", ".join(WRITE_COLUMNS)}) VALUES ({marks})',
                     [_row(w) for w in new])
    store.touch("change_history")
    result.applied, result.history_mark = new, mark
    aliases = Aliases(conn)
    touched: dict[str, set[str]] = {}
    for table, uuid in aliases.register(new):
        touched.setdefault(table, set()).add(uuid)
    for w in new:
        touched.setdefault(w.table, set()).add(aliases.canonical(w.uuid))
    Materializer(store, aliases, result, new, mark).run(touched)
    return result


def _row(w: Write) -> tuple[object, ...]:
    return (w.origin, w.seq, w.hlc, " ".join(w.base), w.table, w.uuid, w.operation, w.field,
            w.old_value, w.new_value, w.payload, w.author, w.changed_at, w.change_set)


def rematerialize(store: ProjectStore, touched: dict[str, set[str]]) -> MergeResult:
    """Recompute records from their writes after a local decision or revert (in a transaction)."""
    store.connection.execute("PRAGMA defer_foreign_keys = ON")
    result = MergeResult()
    Materializer(store, Aliases(store.connection), result).run(touched)
    return result


def write_decision(store: ProjectStore, table: str, uuid: str, field: str, value: object, author: str) -> MergeResult:
    """A local change that replaces every value of ``field`` this copy holds — the decision of a
    conflict. It is an ordinary change: it syncs, and settles the conflict everywhere.

    Keeping a record that a delete still wins somewhere (a held-back delete, a delete that lost
    to later changes, or a value chosen against a delete) writes the whole record back, boundary
    included, so the delete is overruled on every field."""
    with store.transaction():
        uuid = canonical_uuid(store.connection, uuid)
        state = state_of(store, table, uuid)
        deleted = any(w.operation == "delete" for w in (state.winners or {}).values())
        if value is DELETED:
            store._history(author, table, uuid, "delete", old=_content(state))
        elif field == GEOMETRY_FIELD and not deleted:
            blob = bytes.fromhex(value) if isinstance(value, str) else None
            store._history(author, table, uuid, "boundary", GEOMETRY_FIELD, None, "decided", payload=blob)
        elif field == HELD_DELETE or deleted:
            values = _content(state)
            if field not in (HELD_DELETE, GEOMETRY_FIELD):
                values[field] = value
            if field == GEOMETRY_FIELD:
                geom = bytes.fromhex(value) if isinstance(value, str) else None
            else:
                geom = _boundary(store, table, uuid)
            store._history(author, table, uuid, "restore", new=values, payload=geom)
        else:
            store._history(author, table, uuid, "update", field, None, value)
        return rematerialize(store, {table: {uuid}})


def _content(state: GroupState) -> dict[str, object]:
    """A record's fields as its writes say (as it was before the delete, if a delete won)."""
    if state.values is not None:
        values = dict(state.values)
    else:
        assert state.deleted_by is not None
        values = {f: state.deleted_by.value_before_delete(f) for f in record_fields(state.table)}
    values.pop(GEOMETRY_FIELD, None)
    return values


def _boundary(store: ProjectStore, table: str, uuid: str) -> bytes | None:
    """The boundary the project shows for a record now (None: none, or not a boundary table)."""
    if GEOMETRY_FIELD not in record_fields(table):
        return None
    row = store.connection.execute(f'SELECT geom FROM "{table}" WHERE uuid = ?', (uuid,)).fetchone()
    return bytes(row[0]) if row and row[0] is not None else None


def state_of(store: ProjectStore, table: str, uuid: str) -> GroupState:
    """What the writes this copy holds say about one record."""
    return Materializer(store, Aliases(store.connection), MergeResult()).states(table, [uuid])[0]


def settle_local(store: ProjectStore, written: dict[str, set[str]]) -> MergeResult | None:
    """After local changes (in their transaction): recompute the records they wrote that have
    open conflicts, and — where they wrote a table with unique natural keys — the records sent
    back from a key, which may take it now. None when there is nothing to recompute."""
    conn = store.connection
    if conn.execute('SELECT 1 FROM "sync_conflicts" LIMIT 1').fetchone() is None:
        return None  # no open conflict, no record sent back from a key: nothing to recompute
    aliases = Aliases(conn)
    touched: dict[str, set[str]] = {}
    for table, uuids in written.items():
        canonical = sorted({aliases.canonical(u) for u in uuids})
        for part in chunks(canonical):
            rows = conn.execute(f'SELECT DISTINCT record_uuid FROM "sync_conflicts" WHERE record_uuid IN '
                                f'({",".join("?" * len(part))})', part)
            touched.setdefault(table, set()).update(r[0] for r in rows)
        if keyed(table):
            sent_back = conn.execute('SELECT DISTINCT record_uuid FROM "sync_conflicts" WHERE table_name = ? '
                                     "AND kept_write = ?", (table, KEY_CONFLICT)).fetchall()
            if sent_back:
                touched.setdefault(table, set()).update([*canonical, *(r[0] for r in sent_back)])
    touched = {t: u for t, u in touched.items() if u}
    if not touched:
        return None
    conn.execute("PRAGMA defer_foreign_keys = ON")
    result = MergeResult()
    Materializer(store, aliases, result).run(touched)
    return result
