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

import functools
import json
import sqlite3
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence

from resilience_map.domain.kinds import RecordKind, kind_by_table
from resilience_map.domain.memo import memoise
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


class Write:
    """One synchronised history row (treat as immutable).

    A plain slotted class rather than a frozen dataclass: a merge builds tens of thousands of
    these per sync, and a frozen dataclass's ``__init__`` costs several times more. Writes are
    compared by identity; their world-wide identity is :attr:`id`.
    """

    __slots__ = ("origin", "seq", "hlc", "base", "table", "uuid", "operation", "field", "old_value",
                 "new_value", "payload", "author", "changed_at", "change_set", "id", "_new", "_old")

    def __init__(self, origin: str, seq: int, hlc: str, base: tuple[str, ...], table: str, uuid: str,
                 operation: str, field: str | None, old_value: str | None, new_value: str | None,
                 payload: bytes | None, author: str, changed_at: str, change_set: str) -> None:
        self.origin, self.seq, self.hlc, self.base = origin, seq, hlc, base
        self.table, self.uuid, self.operation, self.field = table, uuid, operation, field
        self.old_value, self.new_value, self.payload = old_value, new_value, payload
        self.author, self.changed_at, self.change_set = author, changed_at, change_set
        #: World-wide identity: the replica that made it and its sequence number there.
        self.id = f"{origin}:{seq}"
        self._new: dict[str, typing.Any] | None = None  # the JSON snapshots, parsed when first read
        self._old: dict[str, typing.Any] | None = None

    def __repr__(self) -> str:
        return f"Write({self.id} {self.operation} {self.table} {self.uuid} {self.field or ''})"

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
        return (self.field,) if self.field is not None and self.field in fields else ()

    def snapshot(self, which: str = "new") -> dict[str, typing.Any]:
        """The full record a whole-record write carries (new state; old state for deletes)."""
        if which == "new":
            if self._new is None:
                self._new = json.loads(self.new_value) if self.new_value else {}
            return self._new
        if self._old is None:
            self._old = json.loads(self.old_value) if self.old_value else {}
        return self._old

    def value(self, name: str) -> object:
        """What this write says field ``name`` is (plain JSON value; DELETED for deletes)."""
        if self.operation == "delete":
            return DELETED
        if name == GEOMETRY_FIELD:  # a boundary, or the boundary a restore puts back
            return self.payload.hex() if (self.operation in ("boundary", "restore") and self.payload) else None
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
    parse = _parser(table, name)
    return parse(text) if parse is not None else text


@memoise
def _parser(table: str, name: str) -> Callable[[str], object] | None:
    """How the history keeps a field: numbers, flags, lists and dicts as JSON text (None: as is).
    Plain numbers are parsed without the JSON machinery — a merge reads tens of thousands."""
    record_type = RECORD_TABLES_BY_NAME[table].record_type
    base = _base_type(field_types(record_type).get(name, str))
    if base is float:
        return _number
    if base in (int, bool) or typing.get_origin(base) in (tuple, dict) or base is dict:
        return json.loads
    return None


def _number(text: str) -> object:
    """JSON number text as JSON reads it (7 → int, 7.5 → float; NaN, Infinity by JSON)."""
    try:
        return float(text) if ("." in text or "e" in text or "E" in text) else int(text)
    except ValueError:
        return json.loads(text)


RECORD_TABLES_BY_NAME = {t.name: t for t in RECORD_TABLES.values()}


@memoise
def record_fields(table: str) -> tuple[str, ...]:
    """Fields a merge decides one by one: the record's content fields (+ its boundary)."""
    fields = tuple(RECORD_TABLES_BY_NAME[table].record_type.content_fields())
    return fields + ((GEOMETRY_FIELD,) if table in EDITED_GEOMETRY else ())


def encode_base(ids: Iterable[str]) -> str:
    return " ".join(sorted(set(ids)))


def decode_base(text: str | None) -> tuple[str, ...]:
    return tuple(text.split()) if text else ()


def heads(writes: Iterable[Write], fields: Sequence[str]) -> dict[str, list[Write]]:
    """For each field, the writes no other write replaced (one normally; several: a conflict).

    A write replaces its base on the fields it touches: a whole-record write (insert, restore,
    delete) on every field, a field write on its own. Computed per field from the union of the
    bases of the writes touching it — linear in the writes, which matters for a merge that
    decides tens of thousands of records.
    """
    writes = list(writes)
    void_base = {w.id: w.base for w in writes if w.operation == "void"}

    def replaced(w: Write) -> Iterable[str]:
        """A base with voids in it: what each void replaced is replaced too."""
        if not void_base:
            return w.base
        out: set[str] = set()
        stack = list(w.base)
        while stack:
            i = stack.pop()
            if i not in out:
                out.add(i)
                stack.extend(void_base.get(i, ()))
        return out

    whole: list[Write] = []
    by_field: dict[str, list[Write]] = {}
    for w in writes:
        if w.field is None:
            if w.operation in WHOLE_RECORD:
                whole.append(w)
        elif w.operation != "void":
            by_field.setdefault(w.field, []).append(w)
    whole_replaced: set[str] = set()
    for w in whole:
        whole_replaced.update(replaced(w))
    out: dict[str, list[Write]] = {}
    for name in fields:
        own = by_field.get(name)
        if own:
            gone = set(whole_replaced)
            for w in own:
                gone.update(replaced(w))
            out[name] = [w for w in (*whole, *own) if w.id not in gone]
        else:
            out[name] = [w for w in whole if w.id not in whole_replaced]
    return out


def write_from_row(row: Sequence[typing.Any] | Mapping[str, typing.Any]) -> Write:
    """A history row (``WRITE_COLUMNS`` in order, or a mapping with those names) as a write.

    Its values are what SQLite holds in the history table's columns, hence ``Any``."""
    if isinstance(row, Mapping) or hasattr(row, "keys"):  # a mapping or a sqlite3.Row
        row = [typing.cast("Mapping[str, typing.Any]", row)[c] for c in WRITE_COLUMNS]
    (origin, seq, hlc, base, table, uuid, operation, field, old, new, payload, author, changed_at,
     change_set) = row
    return Write(origin, seq, hlc, tuple(base.split()) if base else (), table, uuid, operation, field, old, new,
                 payload if payload is None or type(payload) is bytes else bytes(payload),
                 author or "", changed_at or "", change_set or "")


# --- what the store needs for local writes ---------------------------------------------------

def canonical_uuid(conn: sqlite3.Connection, uuid: str) -> str:
    row = conn.execute('SELECT canonical FROM "sync_aliases" WHERE uuid = ?', (uuid,)).fetchone()
    return row[0] if row else uuid


def group_members(conn: sqlite3.Connection, canonical: str) -> list[str]:
    """The canonical uuid and every uuid merged into it."""
    rows = conn.execute('SELECT uuid FROM "sync_aliases" WHERE canonical = ?', (canonical,))
    return [canonical, *(r[0] for r in rows)]


def tuples(conn: sqlite3.Connection, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
    """Rows as plain tuples (no ``sqlite3.Row``): for reads of many history rows."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params)


def load_writes(conn: sqlite3.Connection, uuids: Sequence[str]) -> list[Write]:
    marks = ",".join("?" for _ in uuids)
    rows = tuples(conn, f'SELECT {", ".join(WRITE_COLUMNS)} FROM "change_history" '
                        f"WHERE record_uuid IN ({marks}) AND origin IS NOT NULL", list(uuids))
    return [write_from_row(r) for r in rows]


def base_for(conn: sqlite3.Connection, table: str, uuid: str, field: str | None) -> str:
    """The writes a new local write on ``uuid`` replaces: every head its author can see."""
    members = group_members(conn, canonical_uuid(conn, uuid))
    writes = load_writes(conn, members)
    if not writes:
        return ""
    fields = record_fields(table) if field is None else (field,)
    found = heads(writes, fields)
    return encode_base(w.id for ws in found.values() for w in ws)


def canonical_map(conn: sqlite3.Connection, uuids: Iterable[str]) -> dict[str, str]:
    """:func:`canonical_uuid` of many uuids at once, for those merged into another (one query per 500)."""
    out: dict[str, str] = {}
    if not has_aliases(conn):
        return out
    wanted = list(dict.fromkeys(uuids))
    for start in range(0, len(wanted), 500):
        part = wanted[start:start + 500]
        out.update(conn.execute(f'SELECT uuid, canonical FROM "sync_aliases" WHERE uuid IN '
                                f'({",".join("?" * len(part))})', part).fetchall())
    return out


def has_aliases(conn: sqlite3.Connection) -> bool:
    """Whether any record was merged into another (most projects: none, and no alias to look up)."""
    return conn.execute('SELECT 1 FROM "sync_aliases" LIMIT 1').fetchone() is not None


def bases_for(conn: sqlite3.Connection, table: str, items: Sequence[tuple[str, str | None]]) -> list[str]:
    """:func:`base_for` of many (uuid, field) pairs at once — the writes each replaces — with a
    few queries per 500 records instead of four per write: undoing a 100-row delete or a sync
    writes hundreds or thousands of history rows. Items must not depend on each other (no two
    writes of one record touching one field)."""
    canon = canonical_map(conn, (u for u, _f in items))
    groups: dict[str, list[str]] = {}
    for uuid, _field in items:
        c = canon.get(uuid, uuid)
        groups.setdefault(c, [c])
    canonicals = list(groups) if has_aliases(conn) else []
    for start in range(0, len(canonicals), 500):
        part = canonicals[start:start + 500]
        for uuid, c in conn.execute(f'SELECT uuid, canonical FROM "sync_aliases" WHERE canonical IN '
                                    f'({",".join("?" * len(part))})', part):
            groups[c].append(uuid)
    members = [m for group in groups.values() for m in group]
    by_uuid: dict[str, list[Write]] = {}
    for start in range(0, len(members), 500):
        for w in load_writes(conn, members[start:start + 500]):
            by_uuid.setdefault(w.uuid, []).append(w)
    if not by_uuid:  # new records (an import): no write to replace
        return [""] * len(items)
    out = []
    for uuid, field in items:
        writes = [w for m in groups[canon.get(uuid, uuid)] for w in by_uuid.get(m, ())]
        if not writes:
            out.append("")
            continue
        found = heads(writes, record_fields(table) if field is None else (field,))
        out.append(encode_base(w.id for ws in found.values() for w in ws))
    return out


def natural_key(conn: sqlite3.Connection | None, kind: RecordKind, values: Mapping[str, object],
                canonical: Callable[[str], str] | None = None) -> str | None:
    """The natural key as stored in ``sync_keys``: references mapped to canonical uuids (by
    ``canonical`` when the caller holds the alias map, else from the database)."""
    if not kind.natural_key:
        return None
    if canonical is None:
        assert conn is not None
        canonical = functools.partial(canonical_uuid, conn)
    parts = []
    for name in kind.natural_key:
        value = values.get(name)
        if name in REFERENCE_FIELDS and isinstance(value, str):
            value = canonical(value)
        parts.append(value)
    return key_text(parts)


#: A natural key's parts as ``sync_keys`` holds them: a JSON list, any script as it is (one encoder
#: for all: ``json.dumps`` with options builds one per call, and an import makes 100,000 keys).
key_text = json.JSONEncoder(ensure_ascii=False).encode


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
        rows = tuples(conn, f'SELECT {", ".join(WRITE_COLUMNS)} FROM "change_history" '
                            "WHERE origin = ? AND seq > ?", (origin, int(floor.get(origin, 0))))
        out += [write_from_row(r) for r in rows]
    out.sort(key=lambda w: w.order)
    return out
