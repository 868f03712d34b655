"""Which change replaced which: the history rows as *writes* that copies of a project exchange.

Every synchronised history row is a write with a world-wide id ``origin:seq`` (the replica
that made it and that replica's sequence number), a hybrid-logical-clock time ``hlc`` and a
``base``: the ids of the writes it replaced on the fields it touches. A local edit replaces
every value its author could see (all current *heads* of the field), so an edit made on top of
another copy's edit simply takes over, while two edits made without seeing each other both stay
heads: that is a conflict. Heads are a pure function of the *set* of writes a copy holds, which
is what makes merging idempotent and independent of the order changes arrive in.

A ``void`` write is a change its author took back before anyone saw it: it keeps its place in
the sequence (so copies can tell they have seen everything) but touches nothing, and writes
made on top of it replace what it replaced.
"""

from __future__ import annotations

import json
import sqlite3
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field

from resilience_map.domain.kinds import RecordKind, kind_by_table
from resilience_map.store.schema import RECORD_TABLES, _base_type, field_types

#: Operations that write every field of a record at once (``field`` is NULL on these rows).
WHOLE_RECORD = ("insert", "restore", "delete")
#: Boundaries are written on their own (``set_boundaries``); point geometries are derived.
EDITED_GEOMETRY = {t.name for t in RECORD_TABLES.values() if t.layer.geometry_type == "MULTIPOLYGON"}
GEOMETRY_FIELD = "geom"
#: Fields holding the uuid of another record (mapped through natural-key aliases).
REFERENCE_FIELDS = ("municipality_uuid", "indicator_uuid", "wave_uuid", "source_activity_uuid")

WRITE_COLUMNS = ("origin", "seq", "hlc", "base", "table_name", "record_uuid", "operation", "field",
                 "old_value", "new_value", "payload", "author", "changed_at", "change_set")


class _Deleted:
    """The value a delete writes into every field."""

    def __repr__(self) -> str:
        return "DELETED"


DELETED = _Deleted()


@dataclass(frozen=True)
class Write:
    """One synchronised history row."""

    origin: str
    seq: int
    hlc: str
    base: tuple[str, ...]
    table: str
    uuid: str
    operation: str
    field: str | None
    old_value: str | None
    new_value: str | None
    payload: bytes | None
    author: str
    changed_at: str
    change_set: str
    _snapshot: dict = dc_field(default_factory=dict, compare=False, repr=False)

    @property
    def id(self) -> str:
        return f"{self.origin}:{self.seq}"

    @property
    def order(self) -> tuple[str, str, int]:
        """The deterministic rule: the later clock wins, ties by replica id, then sequence."""
        return (self.hlc, self.origin, self.seq)

    @property
    def whole_record(self) -> bool:
        return self.field is None and self.operation in WHOLE_RECORD

    @property
    def is_void(self) -> bool:
        return self.operation == "void"

    def touches(self, fields: Sequence[str]) -> Sequence[str]:
        if self.is_void:
            return ()
        if self.whole_record:
            return fields
        return (self.field,) if self.field in fields else ()

    def snapshot(self, which: str = "new") -> dict:
        """The full record a whole-record write carries (new state; old state for deletes)."""
        if which not in self._snapshot:
            text = self.new_value if which == "new" else self.old_value
            self._snapshot[which] = json.loads(text) if text else {}
        return self._snapshot[which]

    def value(self, name: str) -> object:
        """What this write says field ``name`` is (plain JSON value; DELETED for deletes)."""
        if self.operation == "delete":
            return DELETED
        if name == GEOMETRY_FIELD:
            return self.payload.hex() if (self.operation == "boundary" and self.payload) else None
        if self.whole_record:
            return self.snapshot().get(name)
        return history_value(self.table, name, self.new_value)

    def value_before_delete(self, name: str) -> object:
        """A field's value as the deleted record had it (a record can be brought back)."""
        return None if name == GEOMETRY_FIELD else self.snapshot("old").get(name)


def history_value(table: str, name: str, text: str | None) -> object:
    """A field row's text as a plain JSON value (strings stay text; numbers, flags, lists parse)."""
    if text is None:
        return None
    record_type = RECORD_TABLES_BY_NAME[table].record_type
    base = _base_type(field_types(record_type).get(name, str))
    if base in (int, float, bool) or typing.get_origin(base) in (tuple, dict) or base is dict:
        return json.loads(text)
    return text


RECORD_TABLES_BY_NAME = {t.name: t for t in RECORD_TABLES.values()}


def record_fields(table: str) -> tuple[str, ...]:
    """Fields a merge decides one by one: the record's content fields (+ its boundary)."""
    fields = tuple(RECORD_TABLES_BY_NAME[table].record_type.content_fields())
    return fields + ((GEOMETRY_FIELD,) if table in EDITED_GEOMETRY else ())


def encode_base(ids: Iterable[str]) -> str:
    return " ".join(sorted(set(ids)))


def decode_base(text: str | None) -> tuple[str, ...]:
    return tuple(text.split()) if text else ()


def heads(writes: Iterable[Write], fields: Sequence[str]) -> dict[str, list[Write]]:
    """For each field, the writes no other write replaced (one normally; several: a conflict)."""
    writes = list(writes)
    void_base = {w.id: w.base for w in writes if w.is_void}

    def expand(ids: Iterable[str]) -> set[str]:
        """A base with voids in it: what each void replaced is replaced too."""
        out: set[str] = set()
        stack = list(ids)
        while stack:
            i = stack.pop()
            if i not in out:
                out.add(i)
                stack.extend(void_base.get(i, ()))
        return out

    superseded: dict[str, set[str]] = {f: set() for f in fields}
    touching: dict[str, list[Write]] = {f: [] for f in fields}
    expanded: dict[str, set[str]] = {}
    for w in writes:
        names = w.touches(fields)
        if not names:
            continue
        replaced = expanded.setdefault(w.id, expand(w.base))
        for name in names:
            superseded[name] |= replaced
            touching[name].append(w)
    return {f: [w for w in touching[f] if w.id not in superseded[f]] for f in fields}


def write_from_row(row: Sequence[object] | Mapping[str, object]) -> Write:
    if isinstance(row, Mapping) or hasattr(row, "keys"):
        values = [row[c] for c in WRITE_COLUMNS]  # type: ignore[index]
    else:
        values = list(row)
    (origin, seq, hlc, base, table, uuid, operation, field, old, new, payload, author, changed_at,
     change_set) = values
    return Write(str(origin), int(seq), str(hlc), decode_base(base), str(table), str(uuid),
                 str(operation), field, old, new, bytes(payload) if payload is not None else None,
                 str(author or ""), str(changed_at or ""), str(change_set or ""))


# --- what the store needs for local writes ---------------------------------------------------

def canonical_uuid(conn: sqlite3.Connection, uuid: str) -> str:
    row = conn.execute('SELECT canonical FROM "sync_aliases" WHERE uuid = ?', (uuid,)).fetchone()
    return row[0] if row else uuid


def group_members(conn: sqlite3.Connection, canonical: str) -> list[str]:
    """The canonical uuid and every uuid merged into it."""
    rows = conn.execute('SELECT uuid FROM "sync_aliases" WHERE canonical = ?', (canonical,))
    return [canonical, *(r[0] for r in rows)]


def load_writes(conn: sqlite3.Connection, uuids: Sequence[str]) -> list[Write]:
    marks = ",".join("?" for _ in uuids)
    rows = conn.execute(
        f'SELECT {", ".join(WRITE_COLUMNS)} FROM "change_history" '
        f"WHERE record_uuid IN ({marks}) AND origin IS NOT NULL", list(uuids))
    return [write_from_row(tuple(r)) for r in rows]


def base_for(conn: sqlite3.Connection, table: str, uuid: str, field: str | None) -> str:
    """The writes a new local write on ``uuid`` replaces: every head its author can see."""
    members = group_members(conn, canonical_uuid(conn, uuid))
    writes = load_writes(conn, members)
    if not writes:
        return ""
    fields = record_fields(table) if field is None else (field,)
    found = heads(writes, fields)
    return encode_base(w.id for ws in found.values() for w in ws)


def natural_key(conn: sqlite3.Connection, kind: RecordKind, values: Mapping[str, object]) -> str | None:
    """The natural key as stored in ``sync_keys``: references mapped to canonical uuids."""
    if not kind.natural_key:
        return None
    parts = []
    for name in kind.natural_key:
        value = values.get(name)
        if name in REFERENCE_FIELDS and isinstance(value, str):
            value = canonical_uuid(conn, value)
        parts.append(value)
    return json.dumps(parts, ensure_ascii=False)


def key_group(conn: sqlite3.Connection, table: str, key: str) -> str | None:
    """The canonical uuid of the records created with this natural key, if any."""
    row = conn.execute('SELECT uuid FROM "sync_keys" WHERE table_name = ? AND natural_key = ? LIMIT 1',
                       (table, key)).fetchone()
    return canonical_uuid(conn, row[0]) if row else None


def register_key(conn: sqlite3.Connection, table: str, uuid: str, key: str, first_write: str) -> None:
    conn.execute('INSERT OR IGNORE INTO "sync_keys" VALUES (?, ?, ?, ?)', (uuid, table, key, first_write))


def first_write_key(hlc: str, origin: str, seq: int) -> str:
    """Sortable text of a write's order: the earliest creation keeps its uuid when two collide."""
    return f"{hlc} {origin} {seq:012d}"


def kind_of_table(table: str) -> RecordKind:
    kind = kind_by_table(table)
    assert kind is not None, table
    return kind


# --- what a copy knows -----------------------------------------------------------------------

def knowledge(conn: sqlite3.Connection) -> dict[str, int]:
    """For each replica, the highest sequence number up to which this copy holds every change.

    (A change refused for lack of rights leaves a hole: the vector stops below it, so a later
    package still offers what comes after — importing twice changes nothing.)
    """
    out: dict[str, int] = {}
    rows = conn.execute('SELECT origin, MAX(seq), COUNT(*) FROM "change_history" '
                        "WHERE origin IS NOT NULL GROUP BY origin").fetchall()
    for origin, top, count in rows:
        if top == count:
            out[origin] = top
            continue
        expected = 1
        for (seq,) in conn.execute('SELECT seq FROM "change_history" WHERE origin = ? ORDER BY seq', (origin,)):
            if seq != expected:
                break
            expected += 1
        out[origin] = expected - 1
    return out


def writes_after(conn: sqlite3.Connection, floor: Mapping[str, int]) -> list[Write]:
    """Every write this copy holds that is not covered by ``floor`` (origin -> sequence number),
    in an order that respects causality (clock, replica, sequence)."""
    origins = [r[0] for r in conn.execute('SELECT DISTINCT origin FROM "change_history" WHERE origin IS NOT NULL')]
    out: list[Write] = []
    for origin in origins:
        rows = conn.execute(f'SELECT {", ".join(WRITE_COLUMNS)} FROM "change_history" '
                            "WHERE origin = ? AND seq > ?", (origin, int(floor.get(origin, 0))))
        out += [write_from_row(tuple(r)) for r in rows]
    out.sort(key=lambda w: w.order)
    return out
