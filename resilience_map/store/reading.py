"""Reading a project: records, history, settings and the summary ``info`` shows.

:class:`StoreReading` is the reading half of :class:`~resilience_map.store.project.ProjectStore`
(the writing half builds on it); every read is a plain query on the open connection.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from shapely.geometry.base import BaseGeometry

from resilience_map.domain.enums import ParticipationRole
from resilience_map.domain.kinds import kind_of
from resilience_map.domain.records import (
    ActivityParticipant,
    HubActivity,
    Municipality,
    Record,
)
from resilience_map.store import geopackage as gpkg
from resilience_map.store.errors import (
    CorruptProjectError,
    RecordNotFoundError,
    project_error,
)
from resilience_map.store.guard import Interrupt
from resilience_map.store.opening import (
    cancel_sentence,
)
from resilience_map.store.query import RecordQuery, query_sql
from resilience_map.store.schema import (
    HISTORY_LAYER,
    META_TABLE,
    PARTICIPANTS_LAYER,
    RECORD_TABLES,
    _base_type,
    field_types,
    record_from_json,
    record_from_row,
    to_column,
)

R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class HistoryEntry:
    """One row of the change history."""

    fid: int
    changed_at: str
    author: str
    change_set: str
    table_name: str
    record_uuid: str
    operation: str  # insert | update | delete | restore | boundary
    field: str | None
    old_value: str | None
    new_value: str | None
    #: Replica that made the change and its sequence number there (None: local bookkeeping).
    origin: str | None = None
    seq: int | None = None



def history_entries(first_fid: int, rows: Iterable[Sequence[object]]) -> list[HistoryEntry]:
    """Entries of history rows just written in this order (``rows``: the columns from
    ``changed_at`` to ``seq``, as inserted), their ids counted from ``first_fid``.

    Made without running the frozen dataclass's ``__init__`` (which sets each field through
    ``object.__setattr__``): an import hands 100,000 of them to the History view."""
    out = []
    for fid, row in enumerate(rows, first_fid):
        entry = object.__new__(HistoryEntry)
        fields = entry.__dict__
        fields["fid"] = fid
        fields.update(zip(_ROW_FIELDS, row, strict=False))  # the row's first 11 columns
        out.append(entry)
    return out


_ENTRY_FIELDS = tuple(HistoryEntry.__dataclass_fields__)
#: The fields after ``fid``: what a history row holds from ``changed_at`` to ``seq``.
_ROW_FIELDS = _ENTRY_FIELDS[1:]
assert _ENTRY_FIELDS[0] == "fid" and len(_ROW_FIELDS) == 11


@dataclass(frozen=True)
class ProjectInfo:
    """What ``resilience-map info`` prints and the status bar shows."""

    path: Path
    title: str
    schema_version: int
    synthetic_data: bool
    created_at: str
    counts: dict[str, int]
    boundaries: int
    read_only: bool
    #: Why the project cannot be edited (None when it can, or read-only was asked for).
    read_only_reason: str | None = None
    #: Things the user should know about this opening (e.g. a save rolled back).
    notes: tuple[str, ...] = ()


class StoreReading:
    """Reads of an open project (see :class:`~resilience_map.store.project.ProjectStore`)."""

    path: Path
    read_only: bool
    read_only_reason: str | None
    notes: tuple[str, ...]
    interrupt: Interrupt
    _conn: sqlite3.Connection

    def _error(self, exc: BaseException, action: str = "saved") -> BaseException:
        return project_error(exc, self.path, action, cancel_sentence(self.interrupt, self.path, action))

    def get(self, record_type: type[R], uuid: str) -> R:
        found = self.list(record_type, uuid=uuid)
        if not found:
            raise RecordNotFoundError(f"No {RECORD_TABLES[record_type].name} record with id {uuid}.")
        return found[0]

    def list(self, record_type: type[R], order_by: str = "fid", **equals: object) -> list[R]:
        """Records of one type, optionally filtered by equality on columns."""
        table = RECORD_TABLES[record_type]
        allowed = set(table.columns())
        if order_by not in allowed | {"fid"} or not set(equals) <= allowed:
            raise ValueError(f"unknown column in filter for {table.name}")
        where = " AND ".join(f'"{k}" = ?' for k in equals) or "1"
        rows = self._conn.execute(
            f'SELECT * FROM "{table.name}" WHERE {where} ORDER BY "{order_by}"',
            [to_column(v) for v in equals.values()],
        ).fetchall()
        if record_type is HubActivity:
            participants = self._participants([r["uuid"] for r in rows])
            return [self._record(record_type, r, participants=participants.get(r["uuid"], ()))
                    for r in rows]
        return [self._record(record_type, r) for r in rows]

    def _record(self, record_type: type[R], row: sqlite3.Row, **extra: object) -> R:
        """A row as a record; a value another program (or bit rot) made unreadable is one sentence."""
        try:
            return record_from_row(record_type, row, **extra)
        except (ValueError, TypeError, KeyError) as exc:
            raise CorruptProjectError(
                f"{self.path.name} holds a {kind_of(record_type).label} (id {row['uuid']}) with a value "
                f"this version cannot read ({' '.join(str(exc).split())[:120]}); another program may have "
                "changed it. Correct it in QGIS or restore a backup copy.") from exc

    def _participants(self, activity_uuids: builtins.list[str]) -> dict[str, tuple[ActivityParticipant, ...]]:
        out: dict[str, list[ActivityParticipant]] = {}
        rows = self._conn.execute(
            f'SELECT activity_uuid, municipality_uuid, role FROM "{PARTICIPANTS_LAYER.name}" ORDER BY fid')
        wanted = set(activity_uuids)
        for act, mun, role in rows:
            if act in wanted:
                try:
                    kind = ParticipationRole(role)
                except ValueError as exc:
                    raise CorruptProjectError(
                        f"{self.path.name} lists a participant of hub activity {act} with an unknown role "
                        f"({role!r}); another program may have changed it. Correct it in QGIS or restore "
                        "a backup copy.") from exc
                out.setdefault(act, []).append(ActivityParticipant(municipality_uuid=mun, role=kind))
        return {k: tuple(v) for k, v in out.items()}

    def find_many(self, record_type: type[R], uuids: Iterable[str]) -> dict[str, R]:
        """The stored records among ``uuids``, by uuid (absent ones are left out); one query
        per 500 ids instead of one per record."""
        table = RECORD_TABLES[record_type]
        wanted = list(dict.fromkeys(uuids))
        rows: list[sqlite3.Row] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows += self._conn.execute(f'SELECT * FROM "{table.name}" WHERE uuid IN '
                                       f'({",".join("?" * len(chunk))})', chunk).fetchall()
        if record_type is HubActivity:
            participants = self._participants([r["uuid"] for r in rows])
            return {r["uuid"]: record_from_row(record_type, r, participants=participants.get(r["uuid"], ()))
                    for r in rows}
        return {r["uuid"]: record_from_row(record_type, r) for r in rows}

    def find(self, record_type: type[R], uuid: str) -> R | None:
        """The stored record with this uuid, or None if there is none (deleted or never made)."""
        found = self.list(record_type, uuid=uuid)
        return found[0] if found else None

    def value_rows(self) -> Iterator[tuple[str, str, str, str, float]]:
        """(uuid, municipality, indicator, wave, value) of every whole-municipality indicator
        value (not neighbourhood values), read as they are consumed.

        The session's value index is built from these plain tuples: for 100,000 values
        that is far cheaper than building 100,000 record objects at start-up, and reading
        them one by one never holds all 100,000 rows' strings at once.
        """
        yield from self._conn.execute(
            "SELECT uuid, municipality_uuid, indicator_uuid, wave_uuid, value "
            "FROM indicator_values WHERE neighbourhood IS NULL OR neighbourhood = ''")

    def count(self, record_type: type[Record]) -> int:
        table = RECORD_TABLES[record_type]
        count: int = self._conn.execute(f'SELECT COUNT(*) FROM "{table.name}"').fetchone()[0]
        return count

    def municipalities(self) -> builtins.list[Municipality]:
        return self.list(Municipality)

    def municipality_by_registry_id(self, registry_id: str) -> Municipality:
        found = self.list(Municipality, registry_id=registry_id)
        if not found:
            raise RecordNotFoundError(f"No municipality {registry_id} in this project.")
        return found[0]

    def boundaries(self) -> dict[str, BaseGeometry]:
        """Municipality uuid -> boundary, for units that have one."""
        rows = self._conn.execute("SELECT uuid, geom FROM municipalities WHERE geom IS NOT NULL")
        return {uuid: gpkg.decode_geometry(blob) for uuid, blob in rows}

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self._conn.execute(f'SELECT value FROM "{META_TABLE}" WHERE key = ?', (key,)).fetchone()
        return default if row is None else row[0]

    def meta_items(self, prefix: str) -> dict[str, str]:
        """Every setting whose key starts with ``prefix``, in key order."""
        rows = self._conn.execute(
            f'SELECT key, value FROM "{META_TABLE}" WHERE substr(key, 1, ?) = ? ORDER BY key',
            (len(prefix), prefix))
        return dict(rows.fetchall())

    def history(self, record_uuid: str | None = None, limit: int | None = None,
                operation: str | None = None) -> builtins.list[HistoryEntry]:
        """Newest first; all of the project's history, one record's, or one operation's."""
        sql = f'SELECT * FROM "{HISTORY_LAYER.name}"'
        params: list[object] = []
        conditions = []
        if record_uuid:
            conditions.append("record_uuid = ?")
            params.append(record_uuid)
        if operation:
            conditions.append("operation = ?")
            params.append(operation)
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        sql += " ORDER BY fid DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [HistoryEntry(**{k: r[k] for k in HistoryEntry.__dataclass_fields__})
                for r in self._conn.execute(sql, params)]

    def state_at(self, record_type: type[R], record_uuid: str, history_fid: int) -> R | None:
        """The record as it was right after history row ``history_fid`` (None if deleted then).

        Replays the record's history: the last full snapshot (insert or restore) at or
        before that row, then every field change after it.
        """
        rows = [h for h in reversed(self.history(record_uuid)) if h.fid <= history_fid]
        state: dict[str, Any] | None = None  # a JSON snapshot
        for h in rows:
            if h.operation in ("insert", "restore") and h.field is None:
                state = json.loads(h.new_value or "{}")
            elif h.operation == "delete":
                state = None
            elif state is not None and h.field and h.operation in ("update", "restore"):
                state[h.field] = _from_history_text(record_type, h.field, h.new_value)
        return None if state is None else record_from_json(record_type, state)

    def query(self, q: RecordQuery) -> builtins.list[Record]:
        """A page of records, filtered and sorted in SQL (for large tables)."""
        sql, params = query_sql(q, RECORD_TABLES[q.record_type], self._conn, count=False)
        rows = self._conn.execute(sql, params).fetchall()
        if q.record_type is HubActivity:
            participants = self._participants([r["uuid"] for r in rows])
            return [self._record(HubActivity, r, participants=participants.get(r["uuid"], ()))
                    for r in rows]
        return [self._record(q.record_type, r) for r in rows]

    def count_query(self, q: RecordQuery) -> int:
        sql, params = query_sql(q, RECORD_TABLES[q.record_type], self._conn, count=True)
        count: int = self._conn.execute(sql, params).fetchone()[0]
        return count

    def info(self) -> ProjectInfo:
        counts = {t.name: self.count(rt) for rt, t in RECORD_TABLES.items()}
        boundaries = self._conn.execute(
            "SELECT COUNT(*) FROM municipalities WHERE geom IS NOT NULL").fetchone()[0]
        return ProjectInfo(
            path=self.path, title=self.meta("title", "") or "",
            schema_version=int(self.meta("schema_version", "0") or 0),
            synthetic_data=self.meta("synthetic_data") == "1",
            created_at=self.meta("created_at", "") or "", counts=counts,
            boundaries=boundaries, read_only=self.read_only,
            read_only_reason=self.read_only_reason, notes=self.notes,
        )


def _from_history_text(record_type: type[Record], name: str, text: str | None) -> object:
    """History keeps text-like values (strings, dates, enumerations) as they are and
    numbers, flags, lists and dicts as JSON; the field's type says which."""
    if text is None:
        return None
    base = _base_type(field_types(record_type)[name])
    if base in (int, float, bool) or typing.get_origin(base) in (tuple, dict) or base is dict:
        return json.loads(text)
    return text

