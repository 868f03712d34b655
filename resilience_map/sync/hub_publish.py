"""The hub's record tables — what QGIS and the briefings read — written in bulk by each sync.

After a laptop has sent its changes, it writes the merged state of the records they touch into
the hub's tables. For a record whose every change the hub now holds (the usual case) that state
is simply the laptop's own row, already merged: no second merge is needed. Only a record with
changes the hub does not hold (refused, or not the sender's to pass on) is merged again from
exactly the changes the hub holds.

Rows go to the server with COPY into a temporary table and one ``INSERT … SELECT``: as fast as
COPY, and row-level security (which COPY FROM does not apply) still checks every row.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence

import shapely

from resilience_map.domain.kinds import RecordKind, all_kinds
from resilience_map.domain.records import HubActivity, Record
from resilience_map.store import geopackage as gpkg
from resilience_map.store.aliases import Aliases, chunks
from resilience_map.store.lineage import GEOMETRY_FIELD, Write, tuples
from resilience_map.store.materialize import Materializer, MergeResult
from resilience_map.store.resolve import Conflict, GroupState
from resilience_map.store.schema import field_types, record_from_json, to_column
from resilience_map.sync import hub_schema as hs

CONFLICT_COLUMNS = ("table_name", "record_uuid", "field", "kept_write", "kept_value", "other_write",
                    "other_value", "other_author", "other_changed_at", "owner")


def publish(store, pg, pushed: Iterable[Write], unheld: Iterable[Write], held: Callable[[str, int], bool],
            owner_of: Callable[[Write], str | None]) -> None:
    """Write the records the ``pushed`` changes touch into the hub's tables. ``unheld``: this
    copy's changes the hub does not hold (refused, or not ours to pass on); ``held(origin, seq)``
    says whether the hub holds a change; ``owner_of``: the municipality a change is filed under
    (for the conflicts of a record that is gone)."""
    aliases = Aliases(store.connection)
    touched: dict[str, set[str]] = {}
    owners: dict[str, str | None] = {}
    for w in pushed:
        if w.operation != "void":
            uuid = aliases.canonical(w.uuid)
            touched.setdefault(w.table, set()).add(uuid)
            owners.setdefault(uuid, owner_of(w))
    partial = {aliases.canonical(w.uuid) for w in unheld}
    hub_conflicts = {r[0] for r in pg.execute(f"SELECT DISTINCT record_uuid FROM {hs.SCHEMA}.conflicts")}
    materializer = Materializer(store, aliases, MergeResult())
    for kind in all_kinds():
        uuids = sorted(touched.get(kind.table, ()))
        if uuids:
            rows = _Rows(kind, owners)
            rows.add_local(store, materializer, [u for u in uuids if u not in partial])
            rows.add_merged(materializer, [u for u in uuids if u in partial], held)
            rows.write(pg, [m for u in uuids for m in aliases.members(u)], hub_conflicts)


class _Rows:
    """The hub rows and conflicts of one table's touched records."""

    def __init__(self, kind: RecordKind, owners: dict[str, str | None]) -> None:
        self.kind, self.owners = kind, owners
        self.records: list[tuple] = []
        self.conflicts: list[tuple] = []
        self.present: set[str] = set()

    def add_local(self, store, materializer: Materializer, uuids: list[str]) -> None:
        """Records whose every change the hub holds: this copy's merged rows, as they are."""
        kind = self.kind
        rows = materializer.rows(kind.table, uuids)
        if kind.stored_elsewhere:  # fields kept in other tables: through the record
            records = materializer.records(kind.table, rows)
            self.records += [_record_row(kind, records[u], rows[u]["geom"] if kind.geometry_type else None)
                             for u in uuids if u in records]
        else:
            columns = hs.record_columns(kind)
            for u in uuids:
                if u in rows:
                    row = rows[u]
                    values = tuple(row[c] for c in columns)
                    if kind.geometry_type:
                        values = (*values, _ewkb(_geometry(row["geom"])))
                    self.records.append(values)
        self.present.update(u for u in uuids if u in rows)
        for c in _local_conflicts(store, uuids):
            self.conflicts.append((*c, _owner(kind, c[1], rows.get(c[1]), self.owners.get(c[1]))))

    def add_merged(self, materializer: Materializer, uuids: list[str],
                   held: Callable[[str, int], bool]) -> None:
        """Records with changes the hub lacks: merged again from the changes it holds."""
        if not uuids:
            return
        for st in materializer.states(self.kind.table, uuids, keep=lambda w: held(w.origin, w.seq)):
            if st.values is not None:
                self.records.append(_state_row(self.kind, st))
                self.present.add(st.uuid)
            owner = _state_owner(self.kind, st) or self.owners.get(st.uuid)
            self.conflicts += [_conflict_row(c, owner) for c in st.conflicts]

    def write(self, pg, members: list[str], hub_conflicts: set[str]) -> None:
        """Upsert the rows; delete the records gone (and rows of uuids merged into another)."""
        table = f"{hs.SCHEMA}.{self.kind.table}"
        gone = [m for m in members if m not in self.present]
        if gone:
            pg.execute(f"DELETE FROM {table} WHERE uuid = ANY(%s)", (gone,))
        stale = [m for m in members if m in hub_conflicts]
        if stale:
            pg.execute(f"DELETE FROM {hs.SCHEMA}.conflicts WHERE record_uuid = ANY(%s)", (stale,))
        bulk_insert(pg, self.kind.table, _hub_columns(self.kind), self.records, upsert=True)
        bulk_insert(pg, "conflicts", CONFLICT_COLUMNS, self.conflicts)


def _local_conflicts(store, uuids: Sequence[str]) -> list[tuple]:
    """This copy's open conflicts of these records, as the hub stores them (values: JSON text)."""
    out: list[tuple] = []
    for part in chunks(list(uuids)):
        marks = ",".join("?" * len(part))
        out += tuples(store.connection, f'SELECT {", ".join(CONFLICT_COLUMNS[:-1])} FROM "sync_conflicts" '
                                        f"WHERE record_uuid IN ({marks})", part).fetchall()
    return out


# --- rows as the hub stores them ---------------------------------------------------------------

@functools.cache
def _hub_columns(kind: RecordKind) -> tuple[str, ...]:
    return (*hs.record_columns(kind), *(("geom",) if kind.geometry_type else ()))


@functools.cache
def _json_columns(kind: RecordKind) -> frozenset[str]:
    hints = field_types(kind.record_type)
    return frozenset(n for n in hs.record_columns(kind) if hs.pg_type(hints[n]) == "jsonb")


def _record_row(kind: RecordKind, record: Record, boundary: bytes | None) -> tuple:
    """A record as a row of the hub's table (boundary: the project's GeoPackage geometry)."""
    jsonb = _json_columns(kind)
    row: list[object] = []
    for name in hs.record_columns(kind):
        value = to_column(getattr(record, name))
        as_json = name in jsonb and value is not None and not isinstance(value, str)
        row.append(json.dumps(value) if as_json else value)
    if kind.geometry_type:
        geom = gpkg.decode_geometry(bytes(boundary)) if boundary is not None else _point(record)
        row.append(_ewkb(geom))
    return tuple(row)


def _state_row(kind: RecordKind, st: GroupState) -> tuple:
    values = dict(st.values or {})
    geom_hex = values.pop(GEOMETRY_FIELD, None)
    values.setdefault("version", 1)
    values["uuid"] = st.uuid
    record = record_from_json(kind.record_type, values)
    return _record_row(kind, record, bytes.fromhex(geom_hex) if isinstance(geom_hex, str) else None)


def _geometry(blob: bytes | None):
    return gpkg.decode_geometry(bytes(blob)) if blob is not None else None


def _point(record: Record) -> object:
    if isinstance(record, HubActivity) and record.host_lon is not None and record.host_lat is not None:
        return shapely.Point(record.host_lon, record.host_lat)
    return None


def _ewkb(geom) -> str | None:
    if geom is None:
        return None
    return shapely.to_wkb(shapely.set_srid(geom, 4326), hex=True, include_srid=True)


def _owner(kind: RecordKind, uuid: str, row, fallback: str | None) -> str | None:
    """The municipality a record's conflicts are filed under (the record may be gone here)."""
    column = hs.owner_column(kind)
    if column is None:
        return None
    if column == "uuid":
        return uuid
    return row[column] if row is not None else fallback


def _state_owner(kind: RecordKind, st: GroupState) -> str | None:
    column = hs.owner_column(kind)
    if column == "uuid":
        return st.uuid
    return (st.values or {}).get(column) if column else None  # type: ignore[return-value]


def _conflict_row(c: Conflict, owner: str | None) -> tuple:
    return (c.table, c.record_uuid, c.field, c.kept_write, json.dumps(c.kept_value), c.other_write,
            json.dumps(c.other_value), c.other_author, c.other_changed_at, owner)


def bulk_insert(pg, table: str, columns: Sequence[str], rows: list[tuple], *, upsert: bool = False) -> None:
    """COPY into a temporary table, then one INSERT … SELECT: as fast as COPY, and row-level
    security (which COPY FROM does not apply) checks every row. ``upsert``: rows whose uuid is
    there already are updated in place (cheaper than deleting and inserting them again)."""
    if not rows:
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    staging = f"rm_staging_{table}"
    pg.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
               f"SELECT {cols} FROM {hs.SCHEMA}.{table} WITH NO DATA")
    pg.execute(f"TRUNCATE {staging}")
    with pg.cursor().copy(f"COPY {staging} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    conflict = ""
    if upsert:
        sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns if c != "uuid")
        conflict = f" ON CONFLICT (uuid) DO UPDATE SET {sets}"
    pg.execute(f"INSERT INTO {hs.SCHEMA}.{table} ({cols}) SELECT {cols} FROM {staging}{conflict}")
