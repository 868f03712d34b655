"""Filtered, sorted, paged reads of one record table, for tables too large to load whole.

The UI describes what it wants with a :class:`RecordQuery`; only this module
turns that into SQL. Text search folds diacritics and Cyrillic, and looks at the
record's own text and at the names of its municipality, so "Приштина" finds
values recorded for Prishtinë. Municipality names are matched in Python once
(about 500 units) and the rows are then filtered by municipality id, so a search
over 100,000 values does not fold 100,000 strings.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from resilience_map.domain.kinds import kind_of
from resilience_map.domain.names import fold

if TYPE_CHECKING:
    from resilience_map.domain.records import Record
    from resilience_map.store.schema import RecordTable

MUNICIPALITY_SORT = "municipality"  # sort key: the municipality's Latin name, folded
SORT_TABLE = "temp.rm_municipality_sort"
PARTICIPATION = ("EXISTS (SELECT 1 FROM activity_participants p JOIN municipalities pm "
                 "ON pm.uuid = p.municipality_uuid WHERE p.activity_uuid = t.uuid AND {cond})")


@dataclass(frozen=True)
class RecordQuery:
    record_type: type[Record]
    equals: dict[str, object] = field(default_factory=dict)
    country: str | None = None
    municipality_uuid: str | None = None  # its own records, or activities it took part in
    text: str = ""
    order_by: str = "fid"
    descending: bool = False
    offset: int = 0
    limit: int | None = None


def query_sql(q: RecordQuery, table: RecordTable, conn: sqlite3.Connection,
              count: bool) -> tuple[str, list[object]]:
    """SQL and parameters for a page of ``q`` (or its row count)."""
    columns = set(table.columns())
    linked = "municipality_uuid" in columns
    sql = f'SELECT {"COUNT(*)" if count else "t.*"} FROM "{table.name}" t'
    where, params = _filters(q, table, columns, linked, conn)
    sorting_by_name = not count and q.order_by == MUNICIPALITY_SORT and linked
    if sorting_by_name:
        _fill_sort_keys(conn)
        sql += f" LEFT JOIN {SORT_TABLE} k ON k.uuid = t.municipality_uuid"
    if where:
        sql += " WHERE " + " AND ".join(where)
    if count:
        return sql, params
    if sorting_by_name:
        order = "k.key"
    elif q.order_by in columns or q.order_by == "fid":
        order = f't."{q.order_by}"'
    else:
        raise ValueError(f"cannot sort {table.name} by {q.order_by!r}")
    sql += f" ORDER BY {order} {'DESC' if q.descending else 'ASC'}, t.fid"
    if q.limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [q.limit, q.offset]
    return sql, params


def _filters(q: RecordQuery, table: RecordTable, columns: set[str], linked: bool,
             conn: sqlite3.Connection) -> tuple[list[str], list[object]]:
    where: list[str] = []
    params: list[object] = []
    for name, value in q.equals.items():
        if name not in columns:
            raise ValueError(f"unknown column {name!r} for {table.name}")
        where.append(f't."{name}" = ?')
        params.append(getattr(value, "value", value))
    participants = table.name == "hub_activities"
    if q.country:
        if linked:
            where.append("t.municipality_uuid IN (SELECT uuid FROM municipalities WHERE country = ?)")
        elif participants:
            where.append(PARTICIPATION.format(cond="pm.country = ?"))
        elif "country" in columns:
            where.append("t.country = ?")
        else:
            raise ValueError(f"{table.name} records do not belong to a country")
        params.append(q.country)
    if q.municipality_uuid:
        if linked:
            where.append("t.municipality_uuid = ?")
        elif participants:
            where.append(PARTICIPATION.format(cond="pm.uuid = ?"))
        else:
            raise ValueError(f"{table.name} records do not belong to a municipality")
        params.append(q.municipality_uuid)
    if q.text.strip():
        clause, text_params = _text_clause(q.text, table, linked or participants, conn)
        where.append(clause)
        params += text_params
    return where, params


def _text_clause(text: str, table: RecordTable, by_municipality: bool,
                 conn: sqlite3.Connection) -> tuple[str, list[object]]:
    """Own text columns (folded only where not empty) OR a municipality whose names match."""
    needle = fold(text)
    parts = [f"(t.\"{c}\" IS NOT NULL AND t.\"{c}\" != '' AND instr(rm_fold(t.\"{c}\"), ?) > 0)"
             for c in kind_of(table.record_type).text_fields]
    params: list[object] = [needle] * len(parts)
    if by_municipality:
        ids = matching_municipalities(conn, needle)
        if ids:
            marks = ",".join("?" for _ in ids)
            if table.name == "hub_activities":
                parts.append(PARTICIPATION.format(cond=f"pm.uuid IN ({marks})"))
            else:
                parts.append(f"t.municipality_uuid IN ({marks})")
            params += ids
    return "(" + (" OR ".join(parts) or "0") + ")", params


def matching_municipalities(conn: sqlite3.Connection, needle: str) -> list[str]:
    """Uuids of units any of whose name forms contains the (folded) text."""
    rows = conn.execute("SELECT uuid, name_local, name_latin, name_en, alt_names FROM municipalities")
    return [r[0] for r in rows if needle in fold(" ".join(str(v or "") for v in r[1:]))]


def _fill_sort_keys(conn: sqlite3.Connection) -> None:
    """Folded Latin names in a connection-local table, so Čair sorts with C, not after Z."""
    conn.execute(f"CREATE TABLE IF NOT EXISTS {SORT_TABLE} (uuid TEXT PRIMARY KEY, key TEXT)")
    conn.execute(f"DELETE FROM {SORT_TABLE}")
    rows = conn.execute("SELECT uuid, name_latin FROM municipalities").fetchall()
    conn.executemany(f"INSERT INTO {SORT_TABLE} VALUES (?, ?)", [(u, fold(n)) for u, n in rows])
