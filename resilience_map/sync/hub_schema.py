"""The hub's PostgreSQL schema, derived from the record kinds (no hand-kept column lists).

Schema ``rm_hub``:

- one table per record kind, same columns as in the project file, with PostGIS geometries
  (municipality boundaries as ``MultiPolygon``, activity places as ``Point``, SRID 4326), so
  QGIS can connect to the hub and show the consolidated picture directly;
- ``changes``: every accepted change, numbered by the server (``server_seq``) in commit order;
- ``conflicts``: the values the merge did not keep, per record;
- ``accounts``: which login role belongs to which municipality (none: hub staff).

Two group roles carry the rights: ``rm_hub_staff`` may change everything; members of
``rm_hub_municipality`` may read everything and change only rows whose owner column names
their own municipality. Row-level security enforces this inside PostgreSQL, so it also holds
for someone typing SQL by hand with a municipality's credentials.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from enum import Enum

from resilience_map.domain.kinds import RecordKind, all_kinds
from resilience_map.domain.records import Municipality
from resilience_map.store.schema import _base_type, field_types

SCHEMA = "rm_hub"
STAFF_ROLE = "rm_hub_staff"
MUNICIPALITY_ROLE = "rm_hub_municipality"
HUB_SCHEMA_VERSION = 1
#: Any fixed number: every sync holds this advisory lock for its transaction.
SYNC_LOCK = 7_246_551

_PG_TYPES = {str: "text", int: "bigint", float: "double precision", bool: "boolean", date: "date"}

CHANGE_COLUMNS = ("origin", "seq", "hlc", "base", "table_name", "record_uuid", "operation", "field",
                  "old_value", "new_value", "payload", "author", "changed_at", "change_set", "owner")


def pg_type(annotation: object) -> str:
    base = _base_type(annotation)
    if isinstance(base, type) and issubclass(base, Enum):
        return "text"
    if typing.get_origin(base) in (tuple, dict) or base is dict:
        return "jsonb"
    return _PG_TYPES.get(base, "text")  # type: ignore[call-overload]


def record_columns(kind: RecordKind) -> list[str]:
    return [f.name for f in dataclasses.fields(kind.record_type)]


def owner_column(kind: RecordKind) -> str | None:
    """The column naming the municipality a row belongs to (None: hub-wide records)."""
    if kind.record_type is Municipality:
        return "uuid"
    return kind.place_field


def _table_ddl(kind: RecordKind) -> list[str]:
    hints = field_types(kind.record_type)
    cols = [f'"{name}" {pg_type(hints[name])}' + (" PRIMARY KEY" if name == "uuid" else "")
            for name in record_columns(kind)]
    if kind.geometry_type:
        cols.append(f'"geom" geometry({kind.geometry_type.title().replace("polygon", "Polygon")}, 4326)')
    table = f"{SCHEMA}.{kind.table}"
    ddl = [f"CREATE TABLE {table} ({', '.join(cols)})"]
    if kind.geometry_type:
        ddl.append(f"CREATE INDEX ON {table} USING gist (geom)")
    owner = owner_column(kind)
    if owner and owner != "uuid":
        ddl.append(f'CREATE INDEX ON {table} ("{owner}")')
    return ddl


def _policies(table: str, owner: str | None, extra_insert: str = "") -> list[str]:
    t = f"{SCHEMA}.{table}"
    out = [f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
           f"CREATE POLICY staff_all ON {t} TO {STAFF_ROLE} USING (true) WITH CHECK (true)",
           f"CREATE POLICY read_all ON {t} FOR SELECT TO {MUNICIPALITY_ROLE} USING (true)"]
    if owner:
        # (SELECT …): evaluated once per statement, not once per row (a sync writes thousands)
        mine = f'"{owner}" = (SELECT {SCHEMA}.my_municipality())'
        out += [f"CREATE POLICY own_insert ON {t} FOR INSERT TO {MUNICIPALITY_ROLE} WITH CHECK ({mine}{extra_insert})",
                f"CREATE POLICY own_update ON {t} FOR UPDATE TO {MUNICIPALITY_ROLE} USING ({mine}) WITH CHECK ({mine})",
                f"CREATE POLICY own_delete ON {t} FOR DELETE TO {MUNICIPALITY_ROLE} USING ({mine})"]
    return out


def hub_ddl() -> list[str]:
    """Every statement ``hub init`` runs, in order (one transaction)."""
    out = [
        "CREATE EXTENSION IF NOT EXISTS postgis",
        *(f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
          for role in (STAFF_ROLE, MUNICIPALITY_ROLE)),
        f"CREATE SCHEMA {SCHEMA}",
        f"CREATE TABLE {SCHEMA}.meta (key text PRIMARY KEY, value text)",
        f"INSERT INTO {SCHEMA}.meta VALUES ('schema_version', '{HUB_SCHEMA_VERSION}'), "
        "('created_at', now()::text)",
        f"CREATE TABLE {SCHEMA}.accounts (role_name text PRIMARY KEY, municipality text)",
    ]
    for kind in all_kinds():
        out += _table_ddl(kind)
    out += [
        f"""CREATE FUNCTION {SCHEMA}.my_municipality() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
            SET search_path = {SCHEMA}, pg_temp AS $$
            SELECT m.uuid FROM {SCHEMA}.accounts a JOIN {SCHEMA}.municipalities m
            ON m.registry_id = a.municipality WHERE a.role_name = session_user $$""",
        f"""CREATE FUNCTION {SCHEMA}.my_account() RETURNS TABLE (role_name text, municipality text, staff boolean)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {SCHEMA}, pg_temp AS $$
            SELECT session_user::text, a.municipality, pg_has_role(session_user, '{STAFF_ROLE}', 'member')
            FROM (SELECT 1) one LEFT JOIN {SCHEMA}.accounts a ON a.role_name = session_user $$""",
    ]
    for kind in all_kinds():
        out += _policies(kind.table, owner_column(kind))
    out += [
        f"""CREATE TABLE {SCHEMA}.changes (
            server_seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            origin text NOT NULL, seq bigint NOT NULL, hlc text NOT NULL, base text NOT NULL DEFAULT '',
            table_name text NOT NULL, record_uuid text NOT NULL, operation text NOT NULL, field text,
            old_value text, new_value text, payload bytea, author text, changed_at text, change_set text,
            owner text, account text NOT NULL DEFAULT session_user, received_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (origin, seq))""",
        f"CREATE INDEX ON {SCHEMA}.changes (record_uuid)",
        *_policies("changes", "owner", extra_insert=" OR operation = 'void'"),
        f"DROP POLICY own_update ON {SCHEMA}.changes",
        f"DROP POLICY own_delete ON {SCHEMA}.changes",
        f"""CREATE TABLE {SCHEMA}.conflicts (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, table_name text NOT NULL,
            record_uuid text NOT NULL, field text NOT NULL, kept_write text, kept_value jsonb,
            other_write text NOT NULL, other_value jsonb, other_author text, other_changed_at text, owner text)""",
        f"CREATE INDEX ON {SCHEMA}.conflicts (record_uuid)",
        *_policies("conflicts", "owner"),
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {STAFF_ROLE}, {MUNICIPALITY_ROLE}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {SCHEMA} TO {STAFF_ROLE}, {MUNICIPALITY_ROLE}",
        f"REVOKE ALL ON {SCHEMA}.accounts FROM {STAFF_ROLE}, {MUNICIPALITY_ROLE}",
        f"REVOKE UPDATE, DELETE ON {SCHEMA}.changes, {SCHEMA}.meta FROM {STAFF_ROLE}, {MUNICIPALITY_ROLE}",
        f"REVOKE INSERT ON {SCHEMA}.meta FROM {STAFF_ROLE}, {MUNICIPALITY_ROLE}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {STAFF_ROLE}, {MUNICIPALITY_ROLE}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {SCHEMA} TO {STAFF_ROLE}, {MUNICIPALITY_ROLE}",
    ]
    return out
