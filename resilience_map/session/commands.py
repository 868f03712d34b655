"""Commands: every change to a project, as a step that can be done, undone and redone.

A record command is a list of :class:`Transition` s — a record going from one state to
another, where ``None`` means "does not exist". Doing a command moves each record from
``before`` to ``after``; undoing moves it back, in batches (a 100-row delete is undone with
a few statements, not 100 restores). Each move tells the store which version it expects
every record to have (or that it must not exist): if another writer (QGIS, a second app, a
sync) changed one meanwhile, the store refuses, the step says who changed it and when, and
nothing is written.

Commands run inside one store transaction opened by the session, and tell the session
what they changed through a :class:`ChangeLog`, from which it makes the events.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypedDict

from shapely.geometry.base import BaseGeometry

from resilience_map.domain.changes import ChangePlan
from resilience_map.domain.kinds import KINDS, kind_of
from resilience_map.domain.records import Record
from resilience_map.session.events import BoundariesChanged, Event, MetaChanged, Origin, RecordsChanged
from resilience_map.store.errors import StaleRecordError
from resilience_map.store.project import ProjectStore
from resilience_map.store.stale import stamp
from resilience_map.store.writing import Changes

_KIND_ORDER = {record_type: i for i, record_type in enumerate(KINDS)}


class _Parts(TypedDict):
    """One record type's share of a step, as :class:`RecordsChanged` carries it."""

    added: list[Record]
    updated: list[tuple[Record, Record]]
    removed: list[Record]


def _record_type(before: Record | None, after: Record | None) -> type[Record]:
    """The type of a record moving between two states (at least one of them is a record)."""
    record = after if after is not None else before
    assert record is not None
    return type(record)


class ChangeLog:
    """What one step changed, collected while it runs, turned into events afterwards."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self._records: dict[type[Record], _Parts] = {}
        self._boundaries: tuple[dict[str, BaseGeometry | None], dict[str, BaseGeometry | None]] = ({}, {})
        self._meta: dict[str, tuple[str | None, str | None]] = {}

    def record(self, before: Record | None, after: Record | None) -> None:
        record_type = _record_type(before, after)
        parts = self._records.get(record_type)
        if parts is None:
            parts = self._records[record_type] = {"added": [], "updated": [], "removed": []}
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
        # events go out after the commit: a follower of either reads the store as it now is
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
        return _record_type(self.before, self.after)

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
        """Write the transitions in batches (one per record kind and kind of write, parents
        first); the store checks every record is still as this step left it."""
        ordered = sorted(self.transitions, key=lambda t: _order(t, forward))
        for action, group in _batches(ordered, forward, first):
            changes: list[tuple[Record | None, Record | None]] = []
            targets = [t.after if forward else t.before for t in group]
            expected = {t.uuid: _version(t.before if forward else t.after) for t in group}
            try:
                stored = _write(store, action, group, targets, author, expected, changes)
            except StaleRecordError as exc:
                raise _refused(exc, self.text) from None
            for before, after in changes:
                log.record(before, after)
            for t, record in zip(group, stored, strict=True):
                if forward:
                    t.after = record
                else:
                    t.before = record


Action = Literal["add", "update", "restore", "delete"]


def _batches(transitions: Sequence[Transition], forward: bool, first: bool
             ) -> Iterable[tuple[Action, list[Transition]]]:
    """Consecutive transitions of one record kind and one kind of write, together."""
    run: list[Transition] = []
    action: Action | None = None
    run_type: type[Record] | None = None
    for t in transitions:
        source, target = (t.before, t.after) if forward else (t.after, t.before)
        if target is None and source is None:
            continue  # nothing to do: the record must not exist before or after
        this: Action = ("delete" if target is None else "add" if source is None and first
                        else "update" if first else "restore")
        record_type = _record_type(source, target)
        if run and (this != action or record_type is not run_type):
            yield action, run  # type: ignore[misc]
            run = []
        action, run_type = this, record_type
        run.append(t)
    if run:
        yield action, run  # type: ignore[misc]


def _write(store: ProjectStore, action: Action, group: list[Transition], targets: list[Record | None],
           author: str, expected: dict[str, int | None], changes: Changes) -> list[Record | None]:
    """Put one batch of records into their target states; returns them as stored."""
    records = [r for r in targets if r is not None]
    if action == "delete":
        store.delete_many(group[0].record_type, [t.uuid for t in group], author, expected=expected,
                          changes=changes)
        return [None] * len(group)
    if action == "add":
        return list(store.add_many(records, author, expected=expected, changes=changes))
    if action == "update":
        return list(store.update_many(records, author, expected=expected, changes=changes))
    return list(store.restore_many(records, author, expected=expected, changes=changes))


def _version(record: Record | None) -> int | None:
    return None if record is None else record.version


def _order(t: Transition, forward: bool) -> tuple[int, int]:
    """Parents are written before the records that refer to them and removed after them."""
    before, after = t.before, t.after
    rank = _KIND_ORDER[_record_type(before, after)]
    removing = (after is None) if forward else (before is None)
    return (1, -rank) if removing else (0, rank)


def _refused(exc: StaleRecordError, step: str) -> StaleRecordError:
    """The store's refusal in the words of the step: who changed the record, when, and that the
    step was not applied (so the other change is kept)."""
    if not exc.change:
        return exc
    who, when = exc.changed_by or "someone else", stamp(exc.changed_at)
    if exc.change == "created again":
        text = f"The {exc.record} already exists (made by {who}{when}); “{step}” was not applied."
    elif exc.change == "deleted":
        text = (f"The {exc.record} was deleted by {who}{when} since this step (“{step}”); the step was "
                "not applied.")
    else:
        text = (f"The {exc.record} was {exc.change} by {who}{when} since this step (“{step}”); the step was "
                "not applied, so that change is kept.")
    return StaleRecordError(text, exc.uuid, exc.changed_by, exc.changed_at, record=exc.record,
                            change=exc.change)


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
