"""The natural keys new records are created with, claimed many at once.

A record created with a natural key (a value's municipality × indicator × wave × neighbourhood,
a municipality's registry id, an indicator's code, a wave's name) registers it in ``sync_keys``:
every copy merges records created with one key into one (:mod:`.aliases`), and a key belongs to
the record first entered with it, also after that record moved to another key. So a new record
whose key is registered already either *is* that record entered again after it was deleted (it
takes the uuid it had: every copy then sees one record, not two) or is refused.

:func:`claim_keys` does this for a batch with a few queries per 500 records — an import of
100,000 values or the undo of a 100-row delete — instead of five queries per record, with the
outcome of claiming one record after the other.
"""

from __future__ import annotations

import dataclasses
import operator
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from resilience_map.domain.kinds import RecordKind, kind_of
from resilience_map.domain.records import Record
from resilience_map.domain.validation import ValidationError
from resilience_map.store.columns import array_texts, json_texts
from resilience_map.store.lineage import (
    REFERENCE_FIELDS,
    canonical_map,
    first_write_key,
    has_aliases,
    key_text,
    natural_key,
)
from resilience_map.store.schema import to_json_value

R = TypeVar("R", bound=Record)


def claim_keys(conn: sqlite3.Connection, replica_id: str | None, hlc: Callable[[], str], records: Sequence[R],
               seqs: Sequence[int], key_indexed: Callable[[str], bool]) -> list[R]:
    """The records (all of one type) as they are to be inserted, their keys registered.

    ``seqs`` are the sequence numbers of the records' own history rows (the first write of a key
    is ordered by the transaction's clock ``hlc()``, replica and sequence number); ``key_indexed(table)`` says
    whether a unique index guards the table's key (then a clash is left for the index to refuse,
    in its own words). Raises :class:`ValidationError` for a key that belongs to another record.
    """
    if not records:
        return []
    kind = kind_of(records[0])
    if replica_id is None or not kind.natural_key:
        return list(records)
    keys = _keys(conn, kind, records)
    groups = _key_groups(conn, kind.table, keys)
    held = _rows(conn, kind.table, {g for r, k in zip(records, keys, strict=True)
                                    if (g := groups.get(k)) is not None and g != r.uuid} if groups else set())
    out: list[R] = []
    claimed: dict[str, str] = {}  # keys registered by this batch → uuid
    register: list[tuple[str, str, int]] = []  # uuid, key, sequence number
    for record, key, seq in zip(records, keys, seqs, strict=True):
        if key in claimed and claimed[key] != record.uuid:  # two records of the batch with one key
            out.append(_refused(kind, record, key_indexed(kind.table)))
            continue
        existing = groups.get(key)
        if existing is not None and existing != record.uuid:
            row = held.get(existing)
            if row is None:  # entered again after it was deleted: it is that record
                out.append(dataclasses.replace(record, uuid=existing))
                continue
            if natural_key(conn, kind, row) != key:
                words = _words(kind)
                raise ValidationError(kind.natural_key[0], f"this {words} belongs to the {kind.label} "
                                      "first entered with it, which has since been moved; change that one "
                                      "back instead")
            out.append(_refused(kind, record, key_indexed(kind.table)))
            continue
        claimed[key] = record.uuid
        register.append((record.uuid, key, seq))
        out.append(record)
    if register:  # one clock for the transaction, read when it first registers a key
        clock = hlc()
        conn.executemany('INSERT OR IGNORE INTO "sync_keys" VALUES (?, ?, ?, ?)',
                         [(uuid, kind.table, key, first_write_key(clock, replica_id, seq))
                          for uuid, key, seq in register])
    return out


def _keys(conn: sqlite3.Connection, kind: RecordKind, records: Sequence[Record]) -> list[str]:
    """Each record's key as ``sync_keys`` holds it (references by canonical uuid): what
    :func:`~.lineage.natural_key` makes, built a key part at a time for the whole batch."""
    parts = []
    for name in kind.natural_key:
        values = list(map(operator.attrgetter(name), records))
        if name in REFERENCE_FIELDS and has_aliases(conn):
            canon = canonical_map(conn, (v for v in values if isinstance(v, str)))
            values = [canon.get(v, v) if isinstance(v, str) else v for v in values]
        if not set(map(type, values)) <= _JSON_PLAIN:
            values = list(map(to_json_value, values))
        parts.append(json_texts(values, key_text))
    return array_texts(parts)


_JSON_PLAIN = frozenset({str, int, float, bool, type(None)})


def _key_groups(conn: sqlite3.Connection, table: str, keys: Iterable[str]) -> dict[str, str]:
    """Key → canonical uuid of the records created with it, for the keys that have one."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start:start + 500]
        for key, uuid in conn.execute('SELECT natural_key, uuid FROM "sync_keys" WHERE table_name = ? AND '
                                      f'natural_key IN ({",".join("?" * len(part))})', [table, *part]):
            found.setdefault(key, uuid)
    canon = canonical_map(conn, found.values())  # every uuid created with one key shares a canonical
    return {key: canon.get(uuid, uuid) for key, uuid in found.items()}


def _rows(conn: sqlite3.Connection, table: str, uuids: set[str]) -> dict[str, dict[str, object]]:
    """The stored rows of these records (as dicts), for those that exist."""
    wanted = sorted(uuids)
    out: dict[str, dict[str, object]] = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start:start + 500]
        for row in conn.execute(f'SELECT * FROM "{table}" WHERE uuid IN ({",".join("?" * len(part))})', part):
            out[row["uuid"]] = dict(row)
    return out


def _refused(kind: RecordKind, record: R, indexed: bool) -> R:
    """A record whose key another record holds: the unique index refuses it on insert, in its own
    words; without one, refused here."""
    if indexed:
        return record
    raise ValidationError(kind.natural_key[0], f"there is already a {kind.label} with this {_words(kind)}")


def _words(kind: RecordKind) -> str:
    return ", ".join(n.removesuffix("_uuid") for n in kind.natural_key)
