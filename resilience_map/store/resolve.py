"""Deciding one record from every write known for it: the three-way merge, field by field.

Pure functions of the *set* of writes (no database): that is what makes a merge idempotent and
independent of the order in which copies exchange changes. :mod:`resilience_map.store.materialize`
writes what they decide into the project's tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from resilience_map.store.lineage import (
    DELETED,
    GEOMETRY_FIELD,
    REFERENCE_FIELDS,
    Write,
    heads,
    record_fields,
)

#: The field of a conflict about the whole record (a delete that did not win, or was held back).
WHOLE_RECORD_FIELD = "*"
#: Fields whose values name other records (compared and stored by canonical uuid).
_REFERRING = frozenset((*REFERENCE_FIELDS, "participants"))


@dataclass(frozen=True)
class Conflict:
    """A value a merge did not keep: ``other`` lost to ``kept`` under the one rule."""

    table: str
    record_uuid: str
    field: str
    kept_write: str
    kept_value: object
    other_write: str
    other_value: object
    other_author: str = ""
    other_changed_at: str = ""

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.record_uuid, self.field, self.other_write)


@dataclass(frozen=True)
class GroupState:
    """What the writes of one record say: its content (None: it does not exist) and conflicts.

    ``winners`` names, per field, the write whose value was kept (the natural-key rule needs
    to know which write moved a record onto a key)."""

    table: str
    uuid: str
    values: dict[str, object] | None
    conflicts: tuple[Conflict, ...]
    deleted_by: Write | None = None  # the delete that won, when the record is gone
    winners: dict[str, Write] | None = None


def same_value(a: object, b: object) -> bool:
    return a is b or (a is not DELETED and b is not DELETED and a == b)


def resolve(table: str, uuid: str, writes: Sequence[Write],
            canonical: Callable[[str], str] = lambda u: u) -> GroupState:
    """Three-way merge of one record, field by field, from every write known for it.

    Each field's heads are the writes nobody replaced. One head: its value. Several with one
    value: no conflict. Several values: the head with the latest clock (ties: replica id, then
    sequence) wins provisionally and the others are kept as conflicts. A delete is a write to
    every field; the record exists while any field's winner is not a delete, and fields whose
    winner is the delete keep the value they had when it was deleted.
    """
    fields = record_fields(table)
    found = heads(writes, fields)
    winners: dict[str, Write] = {}
    values: dict[str, object] = {}
    contested = []
    for name in fields:
        candidates = found[name]
        if not candidates:
            return GroupState(table, uuid, None, ())
        if len(candidates) == 1:
            w = candidates[0]
        else:
            w = max(candidates, key=_order)
            contested.append(name)
        winners[name] = w
        values[name] = _value(w, name, canonical)
    conflicts = []
    for name in contested:
        win, kept = winners[name], values[name]
        for other in sorted(found[name], key=_order):
            if other is not win:
                theirs = _value(other, name, canonical)
                if not same_value(theirs, kept):
                    conflicts.append(Conflict(table, uuid, name, win.id, plain(kept), other.id, plain(theirs),
                                              other.author, other.changed_at))
    live = {id(w): w for w in winners.values() if w.operation != "delete"}
    if not live:
        return GroupState(table, uuid, None, tuple(conflicts), deleted_by=winners[fields[0]], winners=winners)
    last = max(live.values(), key=_order)
    named = {c.other_write for c in conflicts}
    for name, w in winners.items():  # fields whose winner is a delete keep the value they had
        if w.operation == "delete":
            before = w.value_before_delete(name)
            values[name] = canonical_refs(name, before, canonical) if name in _REFERRING else before
            if w.id not in named:  # the record lives on by later changes: the delete is kept
                named.add(w.id)
                conflicts.append(Conflict(table, uuid, WHOLE_RECORD_FIELD, last.id,
                                          "kept: changed after the delete", w.id, plain(DELETED), w.author,
                                          w.changed_at))
    first = min((w for w in writes if w.field is None and w.operation in _CREATING), key=_order, default=last)
    values["created_at"] = first.snapshot().get("created_at") or first.changed_at
    values["modified_at"] = last.changed_at
    values["modified_by"] = last.author
    return GroupState(table, uuid, values, tuple(conflicts), winners=winners)


_CREATING = ("insert", "restore")


def _value(w: Write, name: str, canonical: Callable[[str], str]) -> object:
    """What ``w`` says field ``name`` is, with references by canonical uuid."""
    if w.field is None and w.operation in _CREATING and name != GEOMETRY_FIELD:
        value = w.snapshot().get(name)
    else:
        value = w.value(name)
    return canonical_refs(name, value, canonical) if name in _REFERRING else value


def _order(w: Write) -> tuple[str, str, int]:
    return (w.hlc, w.origin, w.seq)


def canonical_refs(name: str, value: object, canonical: Callable[[str], str]) -> object:
    """References compared and stored by canonical uuid (two uuids of one merged record are one).
    Participants naming one municipality twice after a merge of two municipalities keep the first."""
    if name in REFERENCE_FIELDS and isinstance(value, str):
        return canonical(value)
    if name == "participants" and isinstance(value, list):
        seen: set[str] = set()
        out = []
        for p in value:
            mapped = canonical(p["municipality_uuid"])
            if mapped not in seen:
                seen.add(mapped)
                out.append(dict(p, municipality_uuid=mapped))
        return out
    return value


def plain(value: object) -> object:
    """A value as the conflicts table and the report show it."""
    return "(deleted)" if value is DELETED else value


__all__ = ["Conflict", "GroupState", "canonical_refs", "plain", "resolve", "same_value"]
