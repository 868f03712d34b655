"""Filtered, sorted, paged reads of one record table, for tables too large to load whole.

The UI describes what it wants with a :class:`RecordQuery`; only this module
turns that into SQL. Text search folds diacritics and Cyrillic (``rm_fold``, a
function the store registers), and looks at the record's own text and at the
names of its municipality, so "Приштина" finds values recorded for Prishtinë.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from resilience_map.domain.names import fold

if TYPE_CHECKING:
    from resilience_map.domain.records import Record
    from resilience_map.store.schema import RecordTable

#: Per table, the columns a text search looks at (besides the municipality's names).
TEXT_COLUMNS = {
    "municipalities": ("name_local", "name_latin", "name_en", "alt_names", "region"),
    "study_waves": ("name", "conducted_by", "notes"),
    "indicator_definitions": ("code", "name", "dimension", "framework", "description"),
    "indicator_values": ("neighbourhood",),
    "prevention_structures": ("name", "structure_type", "status", "legal_basis", "notes"),
    "hub_activities": ("title", "activity_type", "host_place", "topics", "partners", "outcomes"),
    "municipality_notes": ("category", "text"),
}
MUNICIPALITY_SORT = "municipality"  # sort key: the municipality's Latin name


@dataclass(frozen=True)
class RecordQuery:
    record_type: type[Record]
    equals: dict[str, object] = field(default_factory=dict)
    country: str | None = None
    text: str = ""
    order_by: str = "fid"
    descending: bool = False
    offset: int = 0
    limit: int | None = None


def query_sql(q: RecordQuery, table: RecordTable, count: bool) -> tuple[str, list[object]]:
    columns = set(table.columns())
    has_municipality = "municipality_uuid" in columns
    joined = has_municipality and (q.country or q.text or q.order_by == MUNICIPALITY_SORT)
    sql = f'SELECT {"COUNT(*)" if count else "t.*"} FROM "{table.name}" t'
    if joined:
        sql += " LEFT JOIN municipalities m ON m.uuid = t.municipality_uuid"
    where, params = [], []
    for name, value in q.equals.items():
        if name not in columns:
            raise ValueError(f"unknown column {name!r} for {table.name}")
        where.append(f't."{name}" = ?')
        params.append(getattr(value, "value", value))
    if q.country:
        where.append("m.country = ?" if has_municipality else "t.country = ?")
        params.append(q.country)
    if q.text.strip():
        texts = [f't."{c}"' for c in TEXT_COLUMNS.get(table.name, ())]
        if has_municipality:
            texts += ["m.name_local", "m.name_latin", "m.name_en", "m.alt_names"]
        where.append("(" + " OR ".join(f"instr(rm_fold({c}), ?) > 0" for c in texts) + ")")
        params += [fold(q.text)] * len(texts)
    if where:
        sql += " WHERE " + " AND ".join(where)
    if count:
        return sql, params
    if q.order_by == MUNICIPALITY_SORT and has_municipality:
        order = "m.name_latin"
    elif q.order_by in columns or q.order_by == "fid":
        order = f't."{q.order_by}"'
    else:
        raise ValueError(f"cannot sort {table.name} by {q.order_by!r}")
    sql += f" ORDER BY {order} {'DESC' if q.descending else 'ASC'}, t.fid"
    if q.limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [q.limit, q.offset]
    return sql, params
