"""Is an opened file's schema the one Resilience Map made?

Checked on every open, before any of the project's tables is read:

* every table and index our schema creates must be there, as a table (not a view
  that runs arbitrary SQL when read) with its columns; otherwise the file is
  refused with :class:`AlteredSchemaError` naming the object;
* anything else that would run or be read on edit — a trigger, a view, a table —
  must be one of GeoPackage's own standard objects (``gpkg_*`` tables and their
  triggers, the R-tree spatial index GDAL and QGIS build, with its triggers and
  shadow tables, GDAL's feature-count triggers, QGIS's ``layer_styles`` and
  ``qgis_projects``); otherwise the file is opened **read-only** and the reason
  names the object. Read-only is safe: triggers fire only on writes, and we never
  read a table or view we did not create. Extra indexes are accepted (they run no
  code of their own).
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from resilience_map.store.errors import AlteredSchemaError
from resilience_map.store.schema import create_schema

#: Tables QGIS adds to a GeoPackage it styles or saves a project in; data only.
QGIS_TABLES = frozenset({"layer_styles", "qgis_projects"})
_RTREE_TRIGGER = re.compile(r"^(rtree_.+)_(insert|update\d+|delete)$", re.IGNORECASE)
_RTREE_SHADOW = re.compile(r"^(rtree_.+)_(node|parent|rowid)$", re.IGNORECASE)
_FEATURE_COUNT_TRIGGER = re.compile(r"^trigger_(insert|delete)_feature_count_(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class SchemaObject:
    type: str  # table | index | view | trigger
    name: str
    table: str  # the table it belongs to (itself for a table)


@functools.cache
def expected_schema() -> tuple[dict[str, SchemaObject], dict[str, dict[str, str]]]:
    """Objects of a freshly created project, and each table's column → declared type."""
    conn = sqlite3.connect(":memory:")
    try:
        create_schema(conn)
        objects = _objects(conn)
        columns = {name: _columns(conn, name) for name, obj in objects.items() if obj.type == "table"}
    finally:
        conn.close()
    return objects, columns


def check_schema(conn: sqlite3.Connection, path: Path, complete: bool = True) -> str | None:
    """Raise for an altered schema; return why the file must stay read-only (None: editable).

    ``complete=False`` for a file of an older schema version: what its upgrade will add
    may be missing (the full check runs again after the upgrade), but nothing of ours may
    have been replaced and nothing foreign may have been added.
    """
    expected, expected_columns = expected_schema()
    found = _objects(conn)
    for name, want in expected.items():
        got = found.get(name)
        if got is None:
            if not complete:
                continue
            raise _altered(path, f'its {want.type} "{name}" is missing')
        if got.type != want.type:
            raise _altered(path, f'its {want.type} "{name}" was replaced by a {got.type}')
        if want.type == "table":
            have = _columns(conn, name)
            for column, kind in expected_columns[name].items():
                if column not in have and not complete:
                    continue
                if column not in have:
                    raise _altered(path, f'column "{column}" of table "{name}" is missing')
                if have[column].upper() != kind.upper():
                    raise _altered(path, f'column "{column}" of table "{name}" was changed to '
                                         f'{have[column] or "no type"}')
    standard = _standard_prefixes(conn) & {name.lower() for name in found}
    unknown = [obj for name, obj in found.items()
               if name not in expected and not _is_standard(obj, standard)]
    if not unknown:
        return None
    first = unknown[0]
    more = f" (and {len(unknown) - 1} more object{'s' if len(unknown) > 2 else ''})" if len(unknown) > 1 else ""
    what = {"trigger": f'a trigger "{first.name}" on table "{first.table}"', "view": f'a view "{first.name}"',
            "table": f'a table "{first.name}"'}[first.type]
    risk = "it would run on every edit" if first.type == "trigger" else "it could hide or change data"
    return (f"{path.name} was opened read-only because it contains {what}{more} that Resilience Map did not "
            f"create ({risk}); remove it (e.g. in QGIS or DB Browser for SQLite) or open a backup copy "
            "to edit the project")


def _altered(path: Path, detail: str) -> AlteredSchemaError:
    return AlteredSchemaError(
        f"{path.name} was altered by another program and cannot be opened safely: {detail}. "
        "Open a backup copy instead (File → Restore a backup copy…).")


def _objects(conn: sqlite3.Connection) -> dict[str, SchemaObject]:
    rows = conn.execute("SELECT type, name, tbl_name FROM sqlite_master ORDER BY rowid").fetchall()
    return {name: SchemaObject(kind, name, table) for kind, name, table in rows}


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    quoted = table.replace('"', '""')
    return {row[1]: row[2] for row in conn.execute(f'PRAGMA table_xinfo("{quoted}")')}


def _standard_prefixes(conn: sqlite3.Connection) -> set[str]:
    """``rtree_<table>_<column>`` of every geometry column: the names of its spatial index."""
    rows = conn.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
    return {f"rtree_{t}_{c}".lower() for t, c in rows}


def _is_standard(obj: SchemaObject, rtree_prefixes: set[str]) -> bool:
    name = obj.name.lower()
    if obj.type == "index" or name.startswith("sqlite_"):
        return True
    if obj.type == "table":
        if name.startswith("gpkg_") or name in QGIS_TABLES or name in rtree_prefixes:
            return True
        shadow = _RTREE_SHADOW.match(name)
        return bool(shadow and shadow.group(1) in rtree_prefixes)
    if obj.type == "trigger":
        if name.startswith("gpkg_") and obj.table.lower().startswith("gpkg_"):
            return True
        rtree = _RTREE_TRIGGER.match(name)
        if rtree and rtree.group(1) in rtree_prefixes and rtree.group(1).startswith(f"rtree_{obj.table.lower()}_"):
            return True
        count = _FEATURE_COUNT_TRIGGER.match(name)
        return bool(count and count.group(2) == obj.table.lower())
    return False
