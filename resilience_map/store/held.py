"""Deletes held back: a record other records still refer to is not removed by a merge.

A municipality deleted on one laptop while another laptop entered values for it cannot simply go:
the values would point at nothing. The merge keeps the record as it was before the delete and
keeps the delete as a conflict (field ``*``) until someone decides; as soon as nothing refers to
the record any more, the next merge that touches what referred to it looks at it again.
"""

from __future__ import annotations

import dataclasses
import sqlite3

from resilience_map.domain.records import Record
from resilience_map.store.aliases import REFERENCES
from resilience_map.store.lineage import GEOMETRY_FIELD, record_fields
from resilience_map.store.resolve import WHOLE_RECORD_FIELD, Conflict, GroupState

#: The field of a conflict that is a held-back delete (the whole record).
HELD_DELETE = WHOLE_RECORD_FIELD


def add_referenced_parents(conn: sqlite3.Connection, touched: dict[str, set[str]]) -> None:
    """A removed child may free a parent whose delete was held back: look at it again."""
    held = {(t, u) for t, u in conn.execute(
        'SELECT table_name, record_uuid FROM "sync_conflicts" WHERE field = ? AND kept_write = ?',
        (HELD_DELETE, ""))}
    if not held:
        return
    for parent, refs in REFERENCES.items():
        for child, column in refs:
            if child == "activity_participants":
                continue
            for uuid in touched.get(child, ()):
                for (pid,) in conn.execute(f'SELECT "{column}" FROM "{child}" WHERE uuid = ?', (uuid,)):
                    if (parent, pid) in held:
                        touched.setdefault(parent, set()).add(pid)


def still_referenced(conn: sqlite3.Connection, table: str, uuids: list[str]) -> bool:
    """Whether any record refers to one of these uuids."""
    marks = ",".join("?" * len(uuids))
    return any(conn.execute(f'SELECT 1 FROM "{child}" WHERE "{column}" IN ({marks}) LIMIT 1',
                            uuids).fetchone() for child, column in REFERENCES.get(table, []))


def held_state(state: GroupState, kept: Record) -> GroupState:
    """The state of a record whose delete is held back: as it was before the delete (``kept``:
    its row, for the bookkeeping fields), with the delete as a conflict."""
    assert state.deleted_by is not None
    delete = state.deleted_by
    values = {f: delete.value_before_delete(f) for f in record_fields(state.table) if f != GEOMETRY_FIELD}
    values.update({k: getattr(kept, k) for k in ("created_at", "modified_at", "modified_by")})
    conflict = Conflict(state.table, state.uuid, HELD_DELETE, "", "kept: other records still refer to it",
                        delete.id, "(deleted)", delete.author, delete.changed_at)
    return dataclasses.replace(state, values=values, conflicts=state.conflicts + (conflict,))
