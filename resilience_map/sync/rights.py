"""Who may change which records.

Hub staff may change everything. A municipality's account may change only the records of its
own municipality: the municipality itself, and the records whose place field names it
(indicator values, prevention structures, notes). Records that belong to no municipality
(study waves, indicators, hub activities) are the hub's. The hub enforces this with PostgreSQL
row-level security; the same rule is applied here, record by record, to a package's changes
and before a sync sends anything, so that refusals are reported instead of failing the sync.
"""

from __future__ import annotations

from dataclasses import dataclass

from resilience_map.domain.kinds import kind_by_table
from resilience_map.domain.records import Municipality
from resilience_map.store.errors import RecordNotFoundError
from resilience_map.store.lineage import Write, canonical_uuid, history_value


@dataclass(frozen=True)
class Account:
    """A hub account: ``municipality`` is a registry id, or None for hub staff."""

    name: str
    municipality: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.municipality is None

    def describe(self) -> str:
        return f"{self.name} (hub staff)" if self.is_staff else f"{self.name} ({self.municipality})"


def owners(store, w: Write) -> set[str | None]:
    """The municipality uuids a change touches: the record's owner before and after it.
    ``None`` in the set means a record that belongs to no municipality."""
    kind = kind_by_table(w.table)
    assert kind is not None
    conn = store.connection
    uuid = canonical_uuid(conn, w.uuid)
    if kind.record_type is Municipality:
        return {uuid}
    if not kind.place_field:
        return {None}
    found: set[str | None] = set()
    row = conn.execute(f'SELECT "{kind.place_field}" FROM "{w.table}" WHERE uuid = ?', (uuid,)).fetchone()
    if row is not None:
        found.add(row[0])
    if w.field is None and w.operation in ("insert", "restore"):
        found.add(w.snapshot().get(kind.place_field))
    elif w.operation == "delete":
        found.add(w.snapshot("old").get(kind.place_field))
    elif w.field == kind.place_field:
        found.add(history_value(w.table, w.field, w.new_value))  # type: ignore[arg-type]
    found = {canonical_uuid(conn, o) if isinstance(o, str) else o for o in found}
    return found or {None}


def refusal(store, account: Account | None, w: Write) -> str | None:
    """Why ``account`` may not make (or pass on) this change; None when it may."""
    if account is None or account.is_staff or w.operation == "void":
        return None
    try:
        mine = store.municipality_by_registry_id(account.municipality).uuid
    except RecordNotFoundError:  # the account's municipality is not in this project
        mine = None
    touched = owners(store, w)
    if touched == {mine}:
        return None
    if None in touched:
        return f"only hub staff may change {kind_by_table(w.table).plural}"  # type: ignore[union-attr]
    return f"the record belongs to another municipality than {account.municipality}"
