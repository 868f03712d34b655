"""How each record type is laid out in the project GeoPackage.

Columns are derived from the record dataclasses so that adding a field to a
record means adding it here only through a migration, never by hand-written
column lists that drift apart. Values are converted to SQLite types by
:func:`to_column` / :func:`from_column`.
"""

from __future__ import annotations

import json
import sqlite3
import types
import typing
from dataclasses import dataclass, fields
from datetime import date
from enum import Enum

from resilience_map.domain.enums import ParticipationRole
from resilience_map.domain.kinds import all_kinds
from resilience_map.domain.memo import memoise
from resilience_map.domain.records import (
    ActivityParticipant,
    Record,
)
from resilience_map.store import geopackage as gpkg
from resilience_map.store.geopackage import LayerSpec

#: Version of *our* schema inside the GeoPackage (not the GeoPackage version).
#: 2: history rows carry their replica, sequence number, clock and the writes they replace;
#: tables for natural-key aliases, conflicts and what peers have seen (synchronisation).
SCHEMA_VERSION = 2
#: Written into rm_meta so that a foreign GeoPackage is recognised as such.
APPLICATION_NAME = "resilience-map"


@dataclass(frozen=True)
class RecordTable:
    """A record class, the layer that stores it and the fields kept elsewhere."""

    record_type: type[Record]
    layer: LayerSpec
    #: Dataclass fields that are not plain columns of this table.
    excluded: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.layer.name

    def columns(self) -> list[str]:
        return list(_columns(self.record_type, self.excluded))


@memoise
def _columns(record_type: type[Record], excluded: tuple[str, ...]) -> tuple[str, ...]:
    """Stored columns of a record type, worked out once (``fields()`` is slow per row)."""
    return tuple(f.name for f in fields(record_type) if f.name not in excluded)


RECORD_TABLES: dict[type[Record], RecordTable] = {
    kind.record_type: RecordTable(kind.record_type,
                                  LayerSpec(kind.table, kind.description, kind.geometry_type),
                                  excluded=kind.stored_elsewhere)
    for kind in all_kinds()
}

#: Columns added to the history by schema 2 (see :mod:`resilience_map.store.lineage`).
HISTORY_SYNC_COLUMNS = (
    '"origin" TEXT',   # replica that made the change (NULL: local bookkeeping, never synchronised)
    '"seq" INTEGER',   # that replica's sequence number of the change: 1, 2, 3 …
    '"hlc" TEXT',      # hybrid logical clock: orders changes, decides conflicts deterministically
    '"base" TEXT',     # writes this one replaces ("origin:seq" separated by spaces)
    '"payload" BLOB',  # the boundary geometry of a "boundary" change (GeoPackage binary)
)

SEATS_LAYER = LayerSpec("municipality_seats", "Seat of each municipality (maps units without a boundary)", "POINT")
PARTICIPANTS_LAYER = LayerSpec("activity_participants", "Municipalities taking part in hub activities")
HISTORY_LAYER = LayerSpec("change_history", "Every edit: who, when, record, field, old and new value")
META_TABLE = "rm_meta"

R = typing.TypeVar("R", bound=Record)

_SQL_TYPES = {str: "TEXT", int: "INTEGER", float: "REAL", bool: "BOOLEAN", date: "DATE"}
_REFERENCES = {
    "municipality_uuid": "municipalities(uuid)",
    "indicator_uuid": "indicator_definitions(uuid)",
    "wave_uuid": "study_waves(uuid)",
    "source_activity_uuid": "hub_activities(uuid)",
}


@memoise
def field_types(record_type: type) -> dict[str, object]:
    """Resolved annotations of a record dataclass (strings → real types), resolved once."""
    return typing.get_type_hints(record_type)


def _base_type(annotation: object) -> object:
    """``int | None`` → ``int``; leaves other annotations alone."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0]
    return annotation


def _sql_type(annotation: object) -> str:
    base = _base_type(annotation)
    if isinstance(base, type) and issubclass(base, Enum):
        return "TEXT"
    if base in _SQL_TYPES:
        return _SQL_TYPES[base]
    return "TEXT"  # tuples and dicts are stored as JSON text


def column_ddl(name: str, annotation: object) -> str:
    """One column definition, with constraints for record bookkeeping fields."""
    if name == "uuid":
        return '"uuid" TEXT NOT NULL UNIQUE'
    if name in ("created_at", "modified_at"):
        return f'"{name}" DATETIME NOT NULL'
    ddl = f'"{name}" {_sql_type(annotation)}'
    if name in _REFERENCES:
        ddl += f" REFERENCES {_REFERENCES[name]}"
    return ddl


def create_table_sql(table: RecordTable) -> str:
    hints = field_types(table.record_type)
    cols = ['"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL']
    if table.layer.geometry_type:
        cols.append(f'"{table.layer.geometry_column}" {table.layer.geometry_type}')
    cols += [column_ddl(name, hints[name]) for name in table.columns()]
    return f'CREATE TABLE "{table.name}" ({", ".join(cols)})'


#: Tables and indexes added by schema 2 (created by ``create`` and by the v1 → v2 migration).
SYNC_DDL = [
    'CREATE UNIQUE INDEX "idx_history_origin_seq" ON "change_history" ("origin", "seq")',
    # A record entered on two copies under different uuids (same natural key): one canonical uuid.
    """CREATE TABLE "sync_aliases" ("uuid" TEXT PRIMARY KEY NOT NULL, "table_name" TEXT NOT NULL,
        "canonical" TEXT NOT NULL)""",
    'CREATE INDEX "idx_sync_aliases_canonical" ON "sync_aliases" ("canonical")',
    # The natural key each record was created with, deleted records included.
    """CREATE TABLE "sync_keys" ("uuid" TEXT PRIMARY KEY NOT NULL, "table_name" TEXT NOT NULL,
        "natural_key" TEXT NOT NULL, "first_write" TEXT NOT NULL)""",
    'CREATE INDEX "idx_sync_keys_key" ON "sync_keys" ("table_name", "natural_key")',
    # The values a merge did not keep, until someone decides.
    """CREATE TABLE "sync_conflicts" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        "table_name" TEXT NOT NULL, "record_uuid" TEXT NOT NULL, "field" TEXT NOT NULL,
        "kept_write" TEXT NOT NULL, "kept_value" TEXT, "other_write" TEXT NOT NULL,
        "other_value" TEXT, "other_author" TEXT, "other_changed_at" TEXT)""",
    'CREATE INDEX "idx_sync_conflicts_record" ON "sync_conflicts" ("record_uuid")',
    # What we know each peer (another replica, a hub) has seen: origin -> highest sequence number.
    """CREATE TABLE "sync_peers" ("peer" TEXT NOT NULL, "origin" TEXT NOT NULL,
        "seq" INTEGER NOT NULL, PRIMARY KEY ("peer", "origin"))""",
    # Hubs this copy synchronises with: address without password, account, server cursor.
    """CREATE TABLE "sync_hubs" ("address" TEXT PRIMARY KEY NOT NULL, "account" TEXT,
        "municipality" TEXT, "cursor" INTEGER NOT NULL DEFAULT 0, "last_sync" TEXT)""",
    # Own changes a hub refused at the last sync (outside the account's rights).
    """CREATE TABLE "sync_refusals" ("origin" TEXT NOT NULL, "seq" INTEGER NOT NULL,
        "peer" TEXT NOT NULL, "reason" TEXT NOT NULL, PRIMARY KEY ("origin", "seq", "peer"))""",
]
SYNC_TABLES = ("sync_aliases", "sync_keys", "sync_conflicts", "sync_peers", "sync_hubs", "sync_refusals")

EXTRA_DDL = [
    f"""CREATE TABLE "{SEATS_LAYER.name}" (
        "fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "geom" POINT,
        "municipality_uuid" TEXT NOT NULL UNIQUE REFERENCES municipalities(uuid) ON DELETE CASCADE,
        "registry_id" TEXT NOT NULL, "name" TEXT NOT NULL)""",
    f"""CREATE TABLE "{PARTICIPANTS_LAYER.name}" (
        "fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        "activity_uuid" TEXT NOT NULL REFERENCES hub_activities(uuid) ON DELETE CASCADE,
        "municipality_uuid" TEXT NOT NULL REFERENCES municipalities(uuid),
        "role" TEXT NOT NULL, UNIQUE (activity_uuid, municipality_uuid))""",
    f"""CREATE TABLE "{HISTORY_LAYER.name}" (
        "fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        "changed_at" DATETIME NOT NULL, "author" TEXT NOT NULL, "change_set" TEXT NOT NULL,
        "table_name" TEXT NOT NULL, "record_uuid" TEXT NOT NULL, "operation" TEXT NOT NULL,
        "field" TEXT, "old_value" TEXT, "new_value" TEXT)""",
    f'CREATE TABLE "{META_TABLE}" ("key" TEXT PRIMARY KEY NOT NULL, "value" TEXT)',
    'CREATE UNIQUE INDEX "idx_municipalities_registry_id" ON "municipalities" ("registry_id")',
    'CREATE UNIQUE INDEX "idx_indicator_values_key" ON "indicator_values" '
    '("municipality_uuid", "indicator_uuid", "wave_uuid", "neighbourhood")',
    'CREATE UNIQUE INDEX "idx_indicator_definitions_code" ON "indicator_definitions" ("code")',
    'CREATE INDEX "idx_structures_municipality" ON "prevention_structures" ("municipality_uuid")',
    'CREATE INDEX "idx_notes_municipality" ON "municipality_notes" ("municipality_uuid")',
    'CREATE INDEX "idx_participants_municipality" ON "activity_participants" ("municipality_uuid")',
    'CREATE INDEX "idx_history_record" ON "change_history" ("record_uuid")',
]

#: What schema 2 adds to a schema-1 file: run after EXTRA_DDL by ``create``, alone by the migration.
SCHEMA_2_DDL = [
    *(f'ALTER TABLE "{HISTORY_LAYER.name}" ADD COLUMN {ddl}' for ddl in HISTORY_SYNC_COLUMNS),
    *SYNC_DDL,
]

ALL_LAYERS = [t.layer for t in RECORD_TABLES.values()] + [SEATS_LAYER, PARTICIPANTS_LAYER, HISTORY_LAYER]


_PLAIN = frozenset({str, int, float, bool})
def create_schema(conn: sqlite3.Connection) -> None:
    """Every table, index and layer registration of a new project (inside the caller's
    transaction). Also what an opened file's schema is checked against, so a migration
    must leave a file with exactly the objects this creates."""
    gpkg.initialise_container(conn)
    for table in RECORD_TABLES.values():
        conn.execute(create_table_sql(table))
    for ddl in [*EXTRA_DDL, *SCHEMA_2_DDL]:
        conn.execute(ddl)
    for layer in ALL_LAYERS:
        gpkg.register_layer(conn, layer)


def to_json_value(value: object) -> object:
    """A record field value → plain JSON types (history snapshots, sync files)."""
    if value is None or type(value) in _PLAIN:  # the common case first: imports convert millions
        return value
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, ActivityParticipant):
        return participant_to_json(value)
    if isinstance(value, tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    raise TypeError(f"cannot store {type(value).__name__}")


def to_column(value: object) -> object:
    """A record field value → what SQLite stores (lists and dicts as JSON text)."""
    plain = to_json_value(value)
    if isinstance(plain, (list, dict)):
        return json.dumps(plain, ensure_ascii=False, sort_keys=True)
    return plain


#: Turns a stored (non-NULL) value into a field's type. Its input is whatever SQLite or the JSON
#: of a history snapshot holds for that field (text, a number), hence ``Any``.
Converter = typing.Callable[[typing.Any], object]


def from_column(value: object, annotation: object) -> object:
    """What SQLite returned → the record field's Python type."""
    return None if value is None else converter(annotation)(value)


@memoise
def converter(annotation: object) -> Converter:
    """The function that turns a stored (non-NULL) value into the field's type, built once per type."""
    base = _base_type(annotation)
    origin = typing.get_origin(base)
    if origin is tuple:
        item = converter(typing.get_args(base)[0])
        return lambda value: tuple(item(v) for v in json.loads(value))
    if origin is dict or base is dict:
        return json.loads
    if base is bool:
        return bool
    if base is date:
        return date.fromisoformat
    if isinstance(base, type) and issubclass(base, Enum):
        return base
    if base is float:
        return float
    return _same


def _same(value: object) -> object:
    """The converter of text and integer fields: SQLite and JSON already give the right type."""
    return value


@memoise
def _column_plan(record_type: type[Record]) -> tuple[tuple[str, Converter], ...]:
    hints = field_types(record_type)
    return tuple((name, converter(hints[name])) for name in RECORD_TABLES[record_type].columns())


def record_from_row(record_type: type[R], row: typing.Mapping[str, object] | sqlite3.Row, **extra: object) -> R:
    """Build a record from a sqlite3.Row (column names = field names)."""
    values: dict[str, typing.Any] = {}  # each converted to its field's type (the record checks)
    for name, convert in _column_plan(record_type):
        value = row[name]
        values[name] = value if value is None or convert is _same else convert(value)
    values.update(extra)
    return record_type(**values)


def record_from_json(record_type: type[R], data: typing.Mapping[str, object]) -> R:
    """Inverse of the history snapshots: a JSON dict (as written by to_json_value) → record."""
    values: dict[str, typing.Any] = {}  # each converted to its field's type (the record checks)
    for name, annotation, convert, container in _json_plan(record_type):
        raw = data.get(name, _MISSING)
        if raw is _MISSING:
            continue
        if raw is None or convert is _same:
            values[name] = raw
        elif name == "participants":
            values[name] = tuple(ActivityParticipant(municipality_uuid=p["municipality_uuid"],
                                                     role=ParticipationRole(p["role"]))
                                 for p in typing.cast("list[dict[str, str]]", raw))
        elif container and isinstance(raw, (list, dict)):
            values[name] = from_column(json.dumps(raw), annotation)
        else:
            values[name] = convert(raw)
    return record_type(**values)


_MISSING = object()
_Plan = tuple[tuple[str, object, Converter, bool], ...]


@memoise
def _json_plan(record_type: type[Record]) -> _Plan:
    """(field, annotation, converter, is a list or dict) of every field, worked out once per record
    type: a merge turns tens of thousands of snapshots into records."""
    hints = field_types(record_type)
    plan = []
    for f in fields(record_type):
        base = _base_type(hints[f.name])
        container = typing.get_origin(base) in (tuple, dict) or base is dict
        plan.append((f.name, hints[f.name], converter(hints[f.name]), container))
    return tuple(plan)


def record_to_row(record: Record) -> dict[str, object]:
    row = {}
    for name in _columns(type(record), RECORD_TABLES[type(record)].excluded):
        value = getattr(record, name)
        row[name] = value if value is None or type(value) in _PLAIN else to_column(value)
    return row


def participant_to_json(p: ActivityParticipant) -> dict[str, str]:
    return {"municipality_uuid": p.municipality_uuid, "role": p.role.value}
