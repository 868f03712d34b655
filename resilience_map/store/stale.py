"""The sentence for an edit, undo or restore refused because the record moved on since it was read."""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING

from resilience_map.domain.kinds import kind_of
from resilience_map.domain.records import Record
from resilience_map.store.errors import StaleRecordError
from resilience_map.store.schema import record_from_json

if TYPE_CHECKING:
    from resilience_map.store.reading import StoreReading


def stale_error(store: StoreReading, record_type: type[Record], uuid: str, current: Record | None,
                seen: int | None) -> StaleRecordError:
    """"The indicator value "Trust, Kumanovo, 2020" was changed by Ben on 2026-05-02 09:14 UTC …"."""
    kind = kind_of(record_type)
    if current is not None:
        who, when, record = current.modified_by, current.modified_at, current
        verb = "created again" if seen is None else "changed"
    else:
        gone = next((h for h in store.history(uuid) if h.operation == "delete"), None)
        who, when = (gone.author, gone.changed_at) if gone else ("", "")
        record = None
        if gone and gone.old_value:
            with contextlib.suppress(Exception):
                record = record_from_json(record_type, json.loads(gone.old_value))
        verb = "deleted"
    title = ""
    if record is not None:
        with contextlib.suppress(Exception):
            title = f' "{kind.title(record, StoreNames(store))}"'
    message = (f"The {kind.label}{title} was {verb} elsewhere by {who or 'someone else'}{stamp(when)} since you "
               "last saw it; nothing was changed. Look at its history before editing it again.")
    return StaleRecordError(message, uuid, who, when, record=f"{kind.label}{title}", change=verb)


def stamp(when: str) -> str:
    """" on 2026-05-02 09:14 UTC" from a stored time (empty when there is none)."""
    return f" on {when[:10]} {when[11:16]} UTC" if len(when) >= 16 else ""


class StoreNames:
    """Names of referenced records for record titles in messages (NameLookup)."""

    def __init__(self, store: StoreReading) -> None:
        self._conn = store._conn

    def _name(self, sql: str, uuid: str | None) -> str:
        row = self._conn.execute(sql, (uuid,)).fetchone() if uuid else None
        return str(row[0]) if row else ""

    def municipality_name(self, uuid: str | None) -> str:
        return self._name("SELECT name_latin FROM municipalities WHERE uuid = ?", uuid)

    def indicator_name(self, uuid: str) -> str:
        return self._name("SELECT name FROM indicator_definitions WHERE uuid = ?", uuid)

    def wave_name(self, uuid: str) -> str:
        return self._name("SELECT name FROM study_waves WHERE uuid = ?", uuid)
