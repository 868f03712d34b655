"""Records created twice under different uuids with one natural key become one record.

Two laptops that each entered the value for one municipality × indicator × wave made two
records for one fact. Every copy unites them the same way: the uuid created first (by clock,
then replica, then sequence) is *canonical*, the others are its aliases, and their writes merge
field by field as if they had been made to one record. Which key a record was created with is a
property of its first whole-record write, so the alias map is a function of the set of writes
(and only ever grows): the order of exchanges cannot change it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from resilience_map.store.lineage import REFERENCE_FIELDS, Write, first_write_key, kind_of_table, natural_key

#: (child table, column) pairs that hold the uuid of a record of another table.
REFERENCES = {
    "municipalities": [("indicator_values", "municipality_uuid"),
                       ("prevention_structures", "municipality_uuid"),
                       ("municipality_notes", "municipality_uuid"),
                       ("activity_participants", "municipality_uuid")],
    "indicator_definitions": [("indicator_values", "indicator_uuid")],
    "study_waves": [("indicator_values", "wave_uuid")],
    "hub_activities": [("municipality_notes", "source_activity_uuid")],
}
#: Enough values per ``IN (…)`` to need few queries, few enough for any SQLite build.
CHUNK = 900


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Aliases:
    """The alias map of one copy, in memory for the length of a merge (and kept in the table)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.map: dict[str, str] = dict(conn.execute('SELECT uuid, canonical FROM "sync_aliases"'))
        self._members: dict[str, list[str]] = {}
        for uuid, canonical in self.map.items():
            self._members.setdefault(canonical, []).append(uuid)

    def canonical(self, uuid: str) -> str:
        return self.map.get(uuid, uuid)

    def members(self, canonical: str) -> list[str]:
        """The canonical uuid and every uuid merged into it."""
        return [canonical, *self._members.get(canonical, ())]

    def register(self, writes: Sequence[Write]) -> list[tuple[str, str]]:
        """Register the natural key each newly created record was created with, and unite the
        records that share one. Returns (table, uuid) of records to recompute."""
        created = [w for w in writes if w.whole_record and w.operation != "delete"
                   and kind_of_table(w.table).natural_key]
        if not created:
            return []
        known = self._registered([w.uuid for w in created])
        rows: list[tuple[str, str, str, str]] = []
        for w in created:
            if w.uuid in known:
                continue
            known.add(w.uuid)
            key = natural_key(None, kind_of_table(w.table), w.snapshot(), self.canonical)
            assert key is not None
            rows.append((w.uuid, w.table, key, first_write_key(w.hlc, w.origin, w.seq)))
        self.conn.executemany('INSERT INTO "sync_keys" VALUES (?, ?, ?, ?)', rows)
        out: list[tuple[str, str]] = []
        for table, key in self._shared(sorted({(r[1], r[2]) for r in rows})):
            out += self._unite(table, key)
        return out

    def _registered(self, uuids: list[str]) -> set[str]:
        found: set[str] = set()
        for part in chunks(uuids):
            found.update(r[0] for r in self.conn.execute(
                f'SELECT uuid FROM "sync_keys" WHERE uuid IN ({",".join("?" * len(part))})', part))
        return found

    def _shared(self, keys: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Which of these keys more than one record was created with."""
        out: list[tuple[str, str]] = []
        by_table: dict[str, list[str]] = {}
        for table, key in keys:
            by_table.setdefault(table, []).append(key)
        for table, names in by_table.items():
            for part in chunks(names):
                out += self.conn.execute(
                    'SELECT table_name, natural_key FROM "sync_keys" WHERE table_name = ? AND natural_key IN '
                    f'({",".join("?" * len(part))}) GROUP BY natural_key HAVING COUNT(*) > 1', [table, *part])
        return sorted(out)

    def _unite(self, table: str, key: str) -> list[tuple[str, str]]:
        rows = self.conn.execute('SELECT uuid, first_write FROM "sync_keys" WHERE table_name = ? '
                                 'AND natural_key = ?', (table, key)).fetchall()
        if len(rows) < 2:
            return []
        canonical = min(rows, key=lambda r: (r[1], r[0]))[0]
        group = {u for r in rows for u in self.members(self.canonical(r[0]))}
        renamed = [u for u in group if u != canonical and self.map.get(u) != canonical]
        for uuid in group:
            self._members.pop(uuid, None)
        for uuid in group - {canonical}:
            self.map[uuid] = canonical
        self.map.pop(canonical, None)
        self._members[canonical] = sorted(group - {canonical})
        marks = ",".join("?" * len(group))
        self.conn.execute(f'DELETE FROM "sync_aliases" WHERE uuid IN ({marks})', list(group))
        self.conn.executemany('INSERT INTO "sync_aliases" VALUES (?, ?, ?)',
                              [(u, table, canonical) for u in group if u != canonical])
        out = [(table, canonical)]
        for old in renamed:
            out += self._follow_references(table, old)
        return out

    def _follow_references(self, table: str, old: str) -> list[tuple[str, str]]:
        """Records pointing at a uuid that became an alias: recompute them, re-key their keys."""
        out: list[tuple[str, str]] = []
        for child, column in REFERENCES.get(table, []):
            if child == "activity_participants":
                rows = self.conn.execute('SELECT activity_uuid FROM "activity_participants" '
                                         'WHERE municipality_uuid = ?', (old,))
                out += [("hub_activities", r[0]) for r in rows]
                continue
            rows = self.conn.execute(f'SELECT uuid FROM "{child}" WHERE "{column}" = ?', (old,))
            out += [(child, self.canonical(r[0])) for r in rows]
            kind = kind_of_table(child)
            if column in kind.natural_key:
                stale = self.conn.execute('SELECT uuid, natural_key FROM "sync_keys" WHERE table_name = ? '
                                          'AND natural_key LIKE ?', (child, f'%"{old}"%')).fetchall()
                for uuid, key in stale:
                    parts = [self.canonical(p) if isinstance(p, str) and n in REFERENCE_FIELDS else p
                             for n, p in zip(kind.natural_key, json.loads(key), strict=True)]
                    new_key = json.dumps(parts, ensure_ascii=False)
                    self.conn.execute('UPDATE "sync_keys" SET natural_key = ? WHERE uuid = ?',
                                      (new_key, uuid))
                    out.append((child, self.canonical(uuid)))
                    out += self._unite(child, new_key)
        return out
