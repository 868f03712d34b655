"""What the window's synchronisation views need, without Qt.

- :func:`pending_changes` / :func:`revert_pending` / :func:`unrevert` — this copy's changes not
  yet sent anywhere; reverting one takes it back as if it had never been made (its number
  stays, as a ``void`` change, so other copies can tell nothing is missing).
- :func:`conflicts` / :func:`decide` — values a merge did not keep; deciding one (mine, theirs,
  another value, or delete) is itself a change that syncs and settles the conflict everywhere.

Each function runs in one store transaction and returns a :class:`MergeResult` with the
records before and after, for the change event and for undo.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from resilience_map.store.lineage import (
    DELETED,
    GEOMETRY_FIELD,
    WRITE_COLUMNS,
    Write,
    canonical_uuid,
    write_from_row,
)
from resilience_map.store.merge import MergeResult, rematerialize, write_decision
from resilience_map.store.resolve import WHOLE_RECORD_FIELD
from resilience_map.sync.state import sent_seq

#: Choose this as the value in :func:`decide` to keep the record deleted (or delete it).
DELETE_RECORD = DELETED
#: Conflict "fields" that are no field of the record: the whole record (a delete), its boundary.
NOT_A_FIELD = (WHOLE_RECORD_FIELD, GEOMETRY_FIELD)


@dataclass(frozen=True)
class PendingChange:
    """One of this copy's changes that has not left it yet."""

    seq: int
    table: str
    record_uuid: str
    operation: str
    field: str | None
    old_value: str | None
    new_value: str | None
    author: str
    changed_at: str
    refused: str | None = None  # why the hub refused it at the last sync


@dataclass(frozen=True)
class OpenConflict:
    """A value the merge did not keep. ``field`` '*' is about the whole record: a delete held
    back because other records still refer to the record (``kept_write`` empty), or a delete that
    lost to later changes. ``kept_write`` 'natural-key': a move onto a key another record keeps."""

    id: int
    table: str
    record_uuid: str
    field: str
    kept_value: object
    other_value: object
    other_author: str
    other_changed_at: str
    kept_write: str
    other_write: str
    #: Who wrote the kept value and when (empty when it is no single change of a copy).
    kept_author: str = ""
    kept_changed_at: str = ""

    def origins(self) -> tuple[str, str]:
        """The replicas whose changes the kept and the other value are ("" when not a change)."""
        return _origin(self.kept_write), _origin(self.other_write)


def _origin(write_id: str) -> str:
    origin, sep, seq = write_id.rpartition(":")
    return origin if sep and seq.isdigit() else ""


def pending_changes(store) -> list[PendingChange]:
    """Own changes not exported in a package and not accepted by a hub (oldest first)."""
    conn, me = store.connection, store.replica_id
    floor = max(sent_seq(conn, "exported"), 0)
    hub = sent_seq(conn, "hub")
    refused = dict(conn.execute('SELECT seq, reason FROM "sync_refusals" WHERE origin = ?', (me,)).fetchall())
    rows = conn.execute(
        'SELECT seq, table_name, record_uuid, operation, field, old_value, new_value, author, changed_at '
        'FROM "change_history" WHERE origin = ? AND seq > ? AND operation != ? ORDER BY seq', (me, floor, "void"))
    return [PendingChange(*r, refused=refused.get(r[0])) for r in rows if r[0] > hub or r[0] in refused]


def pending_count(store) -> int:
    """How many of :func:`pending_changes` there are (for the status bar: one count query)."""
    conn, me = store.connection, store.replica_id
    if me is None:
        return 0
    return conn.execute(
        'SELECT COUNT(*) FROM "change_history" WHERE origin = ? AND seq > ? AND operation != ? AND '
        '(seq > ? OR seq IN (SELECT seq FROM "sync_refusals" WHERE origin = ?))',
        (me, max(sent_seq(conn, "exported"), 0), "void", sent_seq(conn, "hub"), me)).fetchone()[0]


def conflict_count(store) -> int:
    return store.connection.execute('SELECT COUNT(*) FROM "sync_conflicts"').fetchone()[0]


def revert_pending(store, seqs: int | Iterable[int]) -> tuple[MergeResult, list[Write]]:
    """Take back pending changes (and, for a record created by one of them, the pending changes
    made to that record since), in one transaction. Returns what changed and the originals, for
    :func:`unrevert`."""
    wanted = [seqs] if isinstance(seqs, int) else list(seqs)
    pending = {p.seq: p for p in pending_changes(store)}
    gone = [s for s in wanted if s not in pending]
    if gone:
        raise ValueError(f"Change {gone[0]} of this copy has already been sent or does not exist; "
                         "it can only be changed back by a new edit.")
    by_record: dict[str, list[int]] = {}
    for s, p in pending.items():
        by_record.setdefault(p.record_uuid, []).append(s)
    chosen = set(wanted)
    for s in wanted:
        if pending[s].field is None and pending[s].operation in ("insert", "restore"):
            chosen.update(q for q in by_record[pending[s].record_uuid] if q > s)
    ordered = sorted(chosen)
    conn = store.connection
    with store.transaction():
        originals = [w for part in _chunks(ordered) for w in _writes(conn, store.replica_id, part)]
        conn.executemany('UPDATE "change_history" SET operation = ?, field = NULL, old_value = NULL, '
                         'new_value = NULL, payload = NULL WHERE origin = ? AND seq = ?',
                         [("void", store.replica_id, s) for s in ordered])
        conn.executemany('DELETE FROM "sync_keys" WHERE uuid = ?',
                         [(pending[s].record_uuid,) for s in ordered if pending[s].operation == "insert"])
        touched: dict[str, set[str]] = {}
        for s in ordered:
            touched.setdefault(pending[s].table, set()).add(canonical_uuid(conn, pending[s].record_uuid))
        result = rematerialize(store, touched)
    return result, originals


def _chunks(items: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def unrevert(store, originals: list[Write]) -> MergeResult:
    """Undo of :func:`revert_pending`: put the changes back as they were."""
    conn = store.connection
    with store.transaction():
        conn.executemany('UPDATE "change_history" SET operation = ?, field = ?, old_value = ?, new_value = ?, '
                         'payload = ? WHERE origin = ? AND seq = ?',
                         [(w.operation, w.field, w.old_value, w.new_value, w.payload, w.origin, w.seq)
                          for w in originals])
        touched: dict[str, set[str]] = {}
        for w in originals:
            touched.setdefault(w.table, set()).add(canonical_uuid(conn, w.uuid))
        return rematerialize(store, touched)


def _writes(conn, origin: str, seqs: list[int]) -> list[Write]:
    marks = ",".join("?" * len(seqs))
    rows = conn.execute(f'SELECT {", ".join(WRITE_COLUMNS)} FROM "change_history" '
                        f"WHERE origin = ? AND seq IN ({marks})", [origin, *seqs])
    return [write_from_row(tuple(r)) for r in rows]


def conflicts(store, record_uuid: str | None = None) -> list[OpenConflict]:
    """Open conflicts, oldest first; one record's if ``record_uuid`` is given. Each says who
    wrote the kept value and when, read from the change history."""
    sql = ('SELECT id, table_name, record_uuid, field, kept_value, other_value, other_author, '
           'other_changed_at, kept_write, other_write FROM "sync_conflicts"')
    params: list[object] = []
    if record_uuid:
        sql += " WHERE record_uuid = ?"
        params.append(canonical_uuid(store.connection, record_uuid))
    rows = store.connection.execute(sql + " ORDER BY id", params).fetchall()
    kept = _authors(store.connection, {r[8] for r in rows})
    return [OpenConflict(r[0], r[1], r[2], r[3], _load(r[4]), _load(r[5]), r[6] or "", r[7] or "", r[8], r[9],
                         *kept.get(r[8], ("", ""))) for r in rows]


def _authors(conn, write_ids: set[str]) -> dict[str, tuple[str, str]]:
    """Author and time of each change named "origin:seq" (others are not changes: skipped)."""
    out: dict[str, tuple[str, str]] = {}
    for write_id in write_ids:
        origin = _origin(write_id)
        if origin:
            row = conn.execute('SELECT author, changed_at FROM "change_history" WHERE origin = ? AND seq = ?',
                               (origin, int(write_id.rpartition(":")[2]))).fetchone()
            if row:
                out[write_id] = (row[0] or "", row[1] or "")
    return out


def decide(store, conflict: OpenConflict, value: object, author: str) -> MergeResult:
    """Settle a conflict with ``value`` — the kept one, the other one, another value typed in,
    or :data:`DELETE_RECORD`. For a held-back delete ('*'), any value but DELETE_RECORD keeps
    the record."""
    if conflict.field == "*" and not conflict.kept_write and value is DELETE_RECORD:
        raise ValueError("Other records still refer to this record; delete or move them first.")
    if value == "(deleted)":
        value = DELETE_RECORD
    return write_decision(store, conflict.table, conflict.record_uuid, conflict.field, value, author)


def _load(text: str | None) -> object:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text
