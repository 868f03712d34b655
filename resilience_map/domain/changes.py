"""A set of record changes worked out before anything is written.

Imports (study tables), sync packages and hub pulls all end in the same shape: some
records to add, some to change (with the stored state they were computed from), some
to remove. The session applies a :class:`ChangePlan` as one command — one transaction,
one undoable step, one change event — so the window needs no special case for
changes that come from outside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from resilience_map.domain.records import Record


@dataclass(frozen=True)
class ChangePlan:
    """Record changes of any kinds, to be applied together or not at all.

    ``updated`` pairs hold (the stored record the change was computed from, the record
    as it should be after): applying refuses a pair whose stored version moved on.
    """

    added: tuple[Record, ...] = ()
    updated: tuple[tuple[Record, Record], ...] = ()
    removed: tuple[Record, ...] = ()
    #: Words for the Edit menu and the history ("Import study results from survey.xlsx").
    description: str = ""
    extras: dict[str, object] = field(default_factory=dict, compare=False)

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def __len__(self) -> int:
        return len(self.added) + len(self.updated) + len(self.removed)

    def types(self) -> list[type[Record]]:
        """Record types touched, in first-seen order."""
        seen: dict[type[Record], None] = {}
        for record in self.records():
            seen.setdefault(type(record), None)
        return list(seen)

    def records(self) -> Iterator[Record]:
        """Every record the plan touches (the new state for updates)."""
        yield from self.added
        yield from (after for _before, after in self.updated)
        yield from self.removed

    def inverse(self) -> ChangePlan:
        """The plan that undoes this one (used by undo)."""
        return ChangePlan(added=self.removed, removed=self.added,
                          updated=tuple((after, before) for before, after in self.updated),
                          description=self.description)


def merge_plans(plans: Iterable[ChangePlan], description: str = "") -> ChangePlan:
    """Several plans as one (e.g. the structures and notes of one import)."""
    added: list[Record] = []
    updated: list[tuple[Record, Record]] = []
    removed: list[Record] = []
    for plan in plans:
        added += plan.added
        updated += plan.updated
        removed += plan.removed
    return ChangePlan(tuple(added), tuple(updated), tuple(removed), description)
