"""Who may change which records.

Hub staff may change everything. A municipality's account may change only the records of its
own municipality: the municipality itself, and the records whose place field names it
(indicator values, prevention structures, notes). Records that belong to no municipality
(study waves, indicators, hub activities) are the hub's. The hub enforces this with PostgreSQL
row-level security; the same rule is applied here, record by record, to a package's changes
and before a sync sends anything, so that refusals are reported instead of failing the sync.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from resilience_map.domain.kinds import kind_by_table
from resilience_map.domain.records import Municipality
from resilience_map.store.aliases import Aliases, chunks
from resilience_map.store.lineage import Write, history_value


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


#: A record this copy does not hold (deleted, or not yet arrived).
_NO_ROW = object()


class Rights:
    """The rule for many changes at once: the account's municipality, the alias map and the
    current owner of every record concerned are read once (a sync checks thousands of changes).
    ``writes``: the changes about to be checked (their records' owners are read in one go)."""

    def __init__(self, store, account: Account | None, writes: Iterable[Write] = ()) -> None:
        self.account = account
        self.conn = store.connection
        self.aliases = Aliases(self.conn)
        self.mine: str | None = None
        if account is not None and not account.is_staff:
            row = self.conn.execute('SELECT uuid FROM "municipalities" WHERE registry_id = ?',
                                    (account.municipality,)).fetchone()
            self.mine = row[0] if row else None  # None: the account's municipality is not in this project
        self._place: dict[tuple[str, str], object] = {}
        if self.mine is not None or (account is not None and not account.is_staff):
            self.prefetch(writes)

    def prefetch(self, writes: Iterable[Write]) -> None:
        """The place (owning municipality) of each record the writes touch, as stored now."""
        wanted: dict[str, set[str]] = {}
        for w in writes:
            kind = kind_by_table(w.table)
            if kind is not None and kind.place_field:
                wanted.setdefault(w.table, set()).add(self.aliases.canonical(w.uuid))
        for table, uuids in wanted.items():
            column = kind_by_table(table).place_field  # type: ignore[union-attr]
            for part in chunks(sorted(uuids)):
                rows = self.conn.execute(f'SELECT uuid, "{column}" FROM "{table}" '
                                         f'WHERE uuid IN ({",".join("?" * len(part))})', part)
                self._place.update({(table, u): p for u, p in rows})
            for uuid in uuids:
                self._place.setdefault((table, uuid), _NO_ROW)

    def owners(self, w: Write) -> set[str | None]:
        """The municipality uuids a change touches: the record's owner before and after it.
        ``None`` in the set means a record that belongs to no municipality."""
        kind = kind_by_table(w.table)
        assert kind is not None
        uuid = self.aliases.canonical(w.uuid)
        if kind.record_type is Municipality:
            return {uuid}
        if not kind.place_field:
            return {None}
        found: set[str | None] = set()
        if (w.table, uuid) not in self._place:
            self.prefetch([w])
        place = self._place[(w.table, uuid)]
        if place is not _NO_ROW:
            found.add(place)
        if w.field is None and w.operation in ("insert", "restore"):
            found.add(w.snapshot().get(kind.place_field))  # type: ignore[arg-type]
        elif w.operation == "delete":
            found.add(w.snapshot("old").get(kind.place_field))  # type: ignore[arg-type]
        elif w.field == kind.place_field:
            found.add(history_value(w.table, w.field, w.new_value))  # type: ignore[arg-type]
        found = {self.aliases.canonical(o) if isinstance(o, str) else o for o in found}
        return found or {None}

    def owner(self, w: Write) -> str | None:
        """The one municipality a hub files a change under (row-level security checks it)."""
        if w.operation == "void":
            return None
        named = sorted(o for o in self.owners(w) if o)
        return named[0] if named else None

    def refusal(self, w: Write) -> str | None:
        """Why the account may not make (or pass on) this change; None when it may."""
        account = self.account
        if account is None or account.is_staff or w.operation == "void":
            return None
        touched = self.owners(w)
        if touched == {self.mine}:
            return None
        if None in touched:
            return f"only hub staff may change {kind_by_table(w.table).plural}"  # type: ignore[union-attr]
        return f"the record belongs to another municipality than {account.municipality}"


def owners(store, w: Write) -> set[str | None]:
    """:meth:`Rights.owners` for a single change."""
    return Rights(store, None, [w]).owners(w)


def refusal(store, account: Account | None, w: Write) -> str | None:
    """:meth:`Rights.refusal` for a single change."""
    if account is None or account.is_staff or w.operation == "void":
        return None
    return Rights(store, account, [w]).refusal(w)
