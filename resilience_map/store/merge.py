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

from resilience_map.store.aliases import Aliases
from resilience_map.store.lineage import DELETED, GEOMETRY_FIELD, WRITE_COLUMNS, Write, canonical_uuid
from resilience_map.store.materialize import HELD_DELETE, TABLE_ORDER, Materializer, MergeResult
from resilience_map.store.resolve import Conflict, GroupState, resolve

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


def merge_writes(store, writes: Sequence[Write]) -> MergeResult:
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
    conn.executemany(
        f'INSERT INTO "change_history" ({", ".join(WRITE_COLUMNS)}) VALUES ({", ".join("?" * len(WRITE_COLUMNS))})',
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


def _row(w: Write) -> tuple:
    return (w.origin, w.seq, w.hlc, " ".join(w.base), w.table, w.uuid, w.operation, w.field,
            w.old_value, w.new_value, w.payload, w.author, w.changed_at, w.change_set)


def rematerialize(store, touched: dict[str, set[str]]) -> MergeResult:
    """Recompute records from their writes after a local decision or revert (in a transaction)."""
    store.connection.execute("PRAGMA defer_foreign_keys = ON")
    result = MergeResult()
    Materializer(store, Aliases(store.connection), result).run(touched)
    return result


def write_decision(store, table: str, uuid: str, field: str, value: object, author: str) -> MergeResult:
    """A local change that replaces every value of ``field`` this copy holds — the decision of a
    conflict. It is an ordinary change: it syncs, and settles the conflict everywhere."""
    with store.transaction():
        uuid = canonical_uuid(store.connection, uuid)
        if value is DELETED:
            old = dict(state_of(store, table, uuid).values or {})
            old.pop(GEOMETRY_FIELD, None)
            store._history(author, table, uuid, "delete", old=old)
        elif field == GEOMETRY_FIELD:
            blob = bytes.fromhex(value) if isinstance(value, str) else None
            store._history(author, table, uuid, "boundary", GEOMETRY_FIELD, None, "decided", payload=blob)
        elif field == HELD_DELETE:
            values = dict(state_of(store, table, uuid).values or {})
            values.pop(GEOMETRY_FIELD, None)
            store._history(author, table, uuid, "restore", new=values)
        else:
            store._history(author, table, uuid, "update", field, None, value)
        return rematerialize(store, {table: {uuid}})


def state_of(store, table: str, uuid: str) -> GroupState:
    """What the writes this copy holds say about one record."""
    return Materializer(store, Aliases(store.connection), MergeResult()).states(table, [uuid])[0]
