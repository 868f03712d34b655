"""One record per natural key, whatever order the copies' edits arrive in.

A value's municipality × indicator × wave × neighbourhood, a municipality's registry id and an
indicator's code are unique. Locally an edit that moves a record onto a key another record holds
is refused. Two copies can still do it without seeing each other: one moves a value onto a key
that is free there, the other enters a value, or moves another one, onto the same key. Records
*created* with one key are merged into one (:mod:`~resilience_map.store.aliases`); a record
*moved* onto a key is settled here, by one rule every copy applies to the same set of changes:

- the record created with the key keeps it (a key belongs to the record first entered with it);
- otherwise, of the records moved onto it, the one whose move has the latest clock keeps it;
- every other claimant goes back to the key it was created with (which nobody else can hold:
  that key belongs to it), and its move is kept as a conflict on each key field — nothing is
  lost, and deciding the conflict (keep it back, or move it elsewhere) is an ordinary change.

Which records lose is computed again whenever the claimants of a key change, so a record sent back
moves onto the key it wanted as soon as the key is free — on every copy alike.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Mapping

from resilience_map.domain.kinds import RecordKind
from resilience_map.store.aliases import chunks
from resilience_map.store.lineage import REFERENCE_FIELDS, kind_of_table, natural_key
from resilience_map.store.resolve import Conflict, GroupState

#: ``kept_write`` of a conflict that is a move onto a key another record keeps.
KEY_CONFLICT = "natural-key"
#: The key column set aside while keys are exchanged in one table (a free text column).
SWAP_COLUMN = {"indicator_values": "neighbourhood", "municipalities": "registry_id",
               "indicator_definitions": "code"}


def keyed(table: str) -> bool:
    """Whether the table's natural key is unique (guarded by a unique index in the project)."""
    return table in SWAP_COLUMN


class KeySettler:
    """Settles the natural keys of one table's touched records (see the module docstring).

    ``states(uuids)`` merges more records of the table (those that turn out to compete for a
    key); ``rows(uuids)`` reads their current rows.
    """

    def __init__(self, conn: sqlite3.Connection, table: str, canonical: Callable[[str], str],
                 states: Callable[[list[str]], list[GroupState]],
                 rows: Callable[[list[str]], dict[str, sqlite3.Row]]) -> None:
        self.conn, self.table, self.canonical = conn, table, canonical
        self.kind: RecordKind = kind_of_table(table)
        self._states, self._rows = states, rows
        self._created: dict[str, str | None] = {}
        self._wanted: dict[str, str | None] = {}

    def settle(self, states: list[GroupState]) -> list[GroupState]:
        """The states, with records that lose a key sent back to their own, plus the states of
        every other record whose key the outcome concerns."""
        by_uuid = {s.uuid: s for s in states}
        sent_back = self._sent_back()
        for uuid in sorted(sent_back):
            if uuid not in by_uuid:
                by_uuid.update((s.uuid, s) for s in self._states([uuid]))
        rows = self._rows(list(by_uuid))
        # only a record that wants another key than it has, or lost one, can change who holds what
        queue = [s for s in by_uuid.values() if s.values is not None and (
            s.uuid in sent_back or s.uuid not in rows or self._parts(rows[s.uuid]) != self._parts(s.values))]
        explored: set[str] = set()
        expanded: set[str] = set()
        while queue:
            s = queue.pop()
            if s.uuid in expanded:
                continue
            expanded.add(s.uuid)
            for key in {self._desired(s), self._created_key(s.uuid)} - explored - {None}:
                explored.add(key)  # type: ignore[arg-type]
                for uuid in self._occupants(key):  # type: ignore[arg-type]
                    if uuid not in by_uuid:
                        by_uuid.update((t.uuid, t) for t in self._states([uuid]))
                    if by_uuid[uuid].values is not None:
                        queue.append(by_uuid[uuid])
        self._send_back(by_uuid, expanded)
        return list(by_uuid.values())

    # --- the rule ------------------------------------------------------------------------------

    def _send_back(self, by_uuid: dict[str, GroupState], involved: set[str]) -> None:
        """Which of the ``involved`` records (all that claim a key any of them claims) go back."""
        live = [by_uuid[u] for u in sorted(involved) if by_uuid[u].values is not None]
        desired = {s.uuid: self._desired(s) for s in live}
        created = {s.uuid: self._created_key(s.uuid) for s in live}
        back: set[str] = set()
        while True:
            claims: dict[str, list[GroupState]] = {}
            for s in live:
                key = created[s.uuid] if s.uuid in back else desired[s.uuid]
                claims.setdefault(key, []).append(s)  # type: ignore[arg-type]
            losers = set()
            for key, claimants in claims.items():
                if len(claimants) < 2:
                    continue
                owners = [s for s in claimants if created[s.uuid] == key]
                winner = min(owners, key=lambda s: s.uuid) if owners else max(claimants, key=self._priority)
                losers |= {s.uuid for s in claimants if s is not winner and s.uuid not in back
                           and created[s.uuid] is not None}
            if not losers:
                break
            back |= losers
        for uuid in back:
            by_uuid[uuid] = self._sent_back_state(by_uuid[uuid], created[uuid])  # type: ignore[arg-type]

    def _priority(self, s: GroupState) -> tuple[str, str, int]:
        """A move's rank among moves onto one key: the latest clock wins (as everywhere)."""
        winners = s.winners or {}
        return max((winners[f].order for f in self.kind.natural_key if f in winners), default=("", "", 0))

    def _sent_back_state(self, s: GroupState, created: str) -> GroupState:
        """``s`` with its key fields as it was created, its move kept as conflicts."""
        values = dict(s.values or {})
        winners = s.winners or {}
        conflicts = list(s.conflicts)
        for name, original in zip(self.kind.natural_key, json.loads(created), strict=True):
            wanted = values.get(name)
            if wanted != original:
                move = winners[name]
                conflicts.append(Conflict(self.table, s.uuid, name, KEY_CONFLICT, original, move.id, wanted,
                                          move.author, move.changed_at))
            values[name] = original
        return dataclasses.replace(s, values=values, conflicts=tuple(conflicts))

    # --- keys ------------------------------------------------------------------------------------

    def _desired(self, s: GroupState) -> str | None:
        if s.uuid not in self._wanted:
            self._wanted[s.uuid] = natural_key(None, self.kind, s.values or {}, self.canonical)
        return self._wanted[s.uuid]

    def _parts(self, values: Mapping[str, object] | sqlite3.Row) -> tuple[object, ...]:
        """A key's values (references by canonical uuid), from a row or a state's values."""
        return tuple(self.canonical(v) if isinstance(v := values[n], str) and n in REFERENCE_FIELDS else v
                     for n in self.kind.natural_key)

    def _created_key(self, uuid: str) -> str | None:
        """The key the record was created with (every uuid merged into it was created with it)."""
        if uuid not in self._created:
            members = [uuid, *(r[0] for r in self.conn.execute(
                'SELECT uuid FROM "sync_aliases" WHERE canonical = ?', (uuid,)))]
            found = None
            for part in chunks(members):
                marks = ",".join("?" * len(part))
                row = self.conn.execute(f'SELECT natural_key FROM "sync_keys" WHERE uuid IN ({marks}) '
                                        "ORDER BY first_write LIMIT 1", part).fetchone()
                found = found or (row[0] if row else None)
            self._created[uuid] = found
        return self._created[uuid]

    def _occupants(self, key: str) -> list[str]:
        """Records whose row holds ``key`` now, and the record created with it (canonical uuids)."""
        names = self.kind.natural_key
        where = " AND ".join(f'"{n}" IS ?' for n in names)
        out = [self.canonical(r[0]) for r in self.conn.execute(
            f'SELECT uuid FROM "{self.table}" WHERE {where}', json.loads(key))]
        out += [self.canonical(r[0]) for r in self.conn.execute(
            'SELECT uuid FROM "sync_keys" WHERE table_name = ? AND natural_key = ?', (self.table, key))]
        return list(dict.fromkeys(out))

    def _sent_back(self) -> set[str]:
        """Records that lost a key before (the key they want may be free now)."""
        return {self.canonical(r[0]) for r in self.conn.execute(
            'SELECT record_uuid FROM "sync_conflicts" WHERE table_name = ? AND kept_write = ?',
            (self.table, KEY_CONFLICT))}
