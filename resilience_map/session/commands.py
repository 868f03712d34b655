"""Commands: every change to a project, as a step that can be done, undone and redone.

A record command is a list of :class:`Transition` s — a record going from one state to
another, where ``None`` means "does not exist". Doing a command moves each record from
``before`` to ``after``; undoing moves it back. Before moving, the command checks that
the record is still in the state this step left it in (same version, or still absent):
if another writer (QGIS, a second app, a sync) changed it meanwhile, the step is refused
with a sentence naming who changed it and when, and nothing is written.

Commands run inside one store transaction opened by the session, and tell the session
what they changed through a :class:`ChangeLog`, from which it makes the events.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from shapely.geometry.base import BaseGeometry

from resilience_map.domain.changes import ChangePlan
from resilience_map.domain.kinds import KINDS, kind_of
from resilience_map.domain.records import Record
from resilience_map.session.events import BoundariesChanged, Event, MetaChanged, Origin, RecordsChanged
from resilience_map.store.errors import StaleRecordError
from resilience_map.store.project import ProjectStore

_KIND_ORDER = {record_type: i for i, record_type in enumerate(KINDS)}


class ChangeLog:
    """What one step changed, collected while it runs, turned into events afterwards."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self._records: dict[type[Record], dict[str, list]] = {}
        self._boundaries: tuple[dict, dict] = ({}, {})
        self._meta: dict[str, tuple[str | None, str | None]] = {}

    def record(self, before: Record | None, after: Record | None) -> None:
        record_type = type(after if after is not None else before)
        parts = self._records.setdefault(record_type, {"added": [], "updated": [], "removed": []})
        if before is None and after is not None:
            parts["added"].append(after)
        elif after is None and before is not None:
            parts["removed"].append(before)
        elif before is not None and after is not None and before.version != after.version:
            parts["updated"].append((before, after))

    def boundaries(self, before: Mapping[str, BaseGeometry | None],
                   after: Mapping[str, BaseGeometry | None]) -> None:
        self._boundaries[0].update(before)
        self._boundaries[1].update(after)

    def meta(self, key: str, old: str | None, new: str | None) -> None:
        """A project setting (e.g. a boundary import's credit) went from ``old`` to ``new``."""
        first = self._meta.get(key, (old, new))[0]
        self._meta[key] = (first, new)

    def events(self) -> list[Event]:
        out: list[Event] = [
            RecordsChanged(t, tuple(p["added"]), tuple(p["updated"]), tuple(p["removed"]), self.origin)
            for t, p in sorted(self._records.items(), key=lambda item: _KIND_ORDER[item[0]])
        ]
        if self._boundaries[1]:
            out.append(BoundariesChanged(*self._boundaries, origin=self.origin))
        out += [MetaChanged(key, old, new) for key, (old, new) in self._meta.items() if old != new]
        return out


class Command(ABC):
    """One undoable step. ``text`` is what Edit → Undo says ("Undo Edit indicator value")."""

    text: str = ""

    @abstractmethod
    def do(self, store: ProjectStore, author: str, log: ChangeLog) -> None:
        """Apply the step (the first time, and again on redo)."""

    @abstractmethod
    def undo(self, store: ProjectStore, author: str, log: ChangeLog) -> None:
        """Reverse the step."""


@dataclass
class Transition:
    """One record moving from ``before`` to ``after`` (None: the record does not exist)."""

    before: Record | None
    after: Record | None

    @property
    def record_type(self) -> type[Record]:
        return type(self.after if self.after is not None else self.before)

    @property
    def uuid(self) -> str:
        record = self.after if self.after is not None else self.before
        assert record is not None
        return record.uuid


class RecordCommand(Command):
    """Adds, changes and removes records of any kinds as one step.

    After each move the transition keeps the state as stored (with its new version),
    so the reverse move can check that nobody changed the record in between.
    """

    def __init__(self, text: str, transitions: Sequence[Transition]) -> None:
        self.text = text
        self.transitions = list(transitions)
        self._done_once = False

    def do(self, store: ProjectStore, author: str, log: ChangeLog) -> None:
        first = not self._done_once
        self._move(store, author, log, forward=True, first=first)
        self._done_once = True

    def undo(self, store: ProjectStore, author: str, log: ChangeLog) -> None:
        self._move(store, author, log, forward=False, first=False)

    def _move(self, store: ProjectStore, author: str, log: ChangeLog, *, forward: bool,
              first: bool) -> None:
        ordered = sorted(self.transitions, key=lambda t: _order(t, forward))
        current = _stored_states(store, ordered)
        for group in _runs(ordered, first and forward):
            if len(group) > 1:  # many new records (an import): checked and written in bulk
                for t in group:
                    _check_unchanged(current.get(t.uuid), None, self.text)
                stored_many = store.add_many([t.after for t in group], author)  # type: ignore[misc]
                for t, stored in zip(group, stored_many, strict=True):
                    log.record(None, stored)
                    t.after = stored
                continue
            t = group[0]
            source, target = (t.before, t.after) if forward else (t.after, t.before)
            now = current.get(t.uuid)
            _check_unchanged(now, source, self.text)
            stored = _write(store, author, now, target, first=first)
            log.record(now, stored)
            if forward:
                t.after = stored
            else:
                t.before = stored


def _stored_states(store: ProjectStore, transitions: Sequence[Transition]) -> dict[str, Record]:
    """Every record the step touches as stored now, read with one query per kind."""
    by_type: dict[type[Record], list[str]] = {}
    for t in transitions:
        by_type.setdefault(t.record_type, []).append(t.uuid)
    found: dict[str, Record] = {}
    for record_type, uuids in by_type.items():
        found.update(store.find_many(record_type, uuids))
    return found


def _runs(transitions: Sequence[Transition], adding_first_time: bool) -> Iterable[list[Transition]]:
    """Consecutive first-time additions of one kind together; everything else one by one."""
    run: list[Transition] = []
    for t in transitions:
        if adding_first_time and t.before is None and t.after is not None and \
                (not run or run[-1].record_type is t.record_type):
            run.append(t)
            continue
        if run:
            yield run
            run = []
        if adding_first_time and t.before is None and t.after is not None:
            run = [t]
        else:
            yield [t]
    if run:
        yield run


def _order(t: Transition, forward: bool) -> tuple[int, int]:
    """Parents are written before the records that refer to them and removed after them."""
    rank = _KIND_ORDER[t.record_type]
    removing = (t.after is None) if forward else (t.before is None)
    return (1, -rank) if removing else (0, rank)


def _check_unchanged(current: Record | None, expected: Record | None, step: str) -> None:
    """Refuse to undo/redo over somebody else's change."""
    if expected is None and current is None:
        return
    if expected is not None and current is not None and current.version == expected.version:
        return
    kind = kind_of(type(current if current is not None else expected))  # type: ignore[arg-type]
    if expected is None:
        raise StaleRecordError(f"A {kind.label} with this identity already exists; "
                               f"“{step}” was not applied.")
    if current is None:
        raise StaleRecordError(f"The {kind.label} was deleted by another change since this step "
                               f"(“{step}”); the step was not applied.")
    who = current.modified_by or "someone"
    raise StaleRecordError(f"The {kind.label} was changed by {who} at {current.modified_at[:16].replace('T', ' ')} "
                           f"UTC since this step (“{step}”); the step was not applied, so that change is kept.")


def _write(store: ProjectStore, author: str, current: Record | None, target: Record | None,
           *, first: bool) -> Record | None:
    """Put the record into ``target``'s state; returns it as stored."""
    if target is None:
        if current is not None:
            store.delete(type(current), current.uuid, author)
        return None
    if current is None:
        if first:
            return store.add(target, author)
        return store.restore(target, author)
    if first:
        return store.update(target, author)
    return store.restore(target, author)


# --- constructors for the usual steps ---------------------------------------------------

def _label(records: Sequence[Record]) -> str:
    return kind_of(records[0]).count_label(len(records)) if len(records) != 1 else kind_of(records[0]).label


def add_records(records: Sequence[Record]) -> RecordCommand:
    return RecordCommand(f"Add {_label(records)}", [Transition(None, r) for r in records])


def update_records(pairs: Iterable[tuple[Record, Record]]) -> RecordCommand:
    """``pairs`` of (stored record, edited record); the edit must carry the stored version."""
    pairs = list(pairs)
    return RecordCommand(f"Edit {_label([a for _b, a in pairs])}", [Transition(b, a) for b, a in pairs])


def delete_records(records: Sequence[Record]) -> RecordCommand:
    return RecordCommand(f"Delete {_label(records)}", [Transition(r, None) for r in records])


def restore_record(current: Record | None, state: Record) -> RecordCommand:
    """Put a record back into an earlier state (from its history), or re-create it."""
    command = RecordCommand(f"Restore {kind_of(state).label}", [Transition(current, state)])
    command._done_once = True
    return command


def apply_plan(plan: ChangePlan) -> RecordCommand:
    """A plan worked out elsewhere (an import, a sync) as one step."""
    transitions = ([Transition(None, r) for r in plan.added]
                   + [Transition(b, a) for b, a in plan.updated]
                   + [Transition(r, None) for r in plan.removed])
    return RecordCommand(plan.description or f"Apply {len(plan):,} changes", transitions)


class SetBoundaries(Command):
    """Boundary polygons for some municipalities (e.g. one boundary import) as one step."""

    def __init__(self, geometries: Mapping[str, BaseGeometry | None], source: str = "",
                 text: str = "Import boundaries") -> None:
        self.text = text
        self.after = dict(geometries)
        self.source = source
        self.before: dict[str, BaseGeometry | None] | None = None

    def do(self, store: ProjectStore, author: str, log: ChangeLog) -> None:
        if self.before is None:
            every = store.boundaries()
            self.before = {uuid: every.get(uuid) for uuid in self.after}
        store.set_boundaries(self.after, author, source=self.source)
        log.boundaries(self.before, self.after)

    def undo(self, store: ProjectStore, author: str, log: ChangeLog) -> None:
        assert self.before is not None
        store.set_boundaries(self.before, author, source="undo")
        log.boundaries(self.after, self.before)
