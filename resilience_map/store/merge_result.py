"""What a merge (or a recomputation after a revert or a decision) did to the project."""

from __future__ import annotations

from dataclasses import dataclass, field

from resilience_map.domain.changes import ChangePlan
from resilience_map.domain.records import Record
from resilience_map.store.lineage import Write
from resilience_map.store.resolve import Conflict


@dataclass
class MergeResult:
    """What a merge did, for the report, the change event and undo."""

    applied: list[Write] = field(default_factory=list)
    already_known: int = 0
    added: list[Record] = field(default_factory=list)
    updated: list[tuple[Record, Record]] = field(default_factory=list)
    removed: list[Record] = field(default_factory=list)
    #: Rows of uuids that became aliases of a record created with the same natural key: gone for
    #: good (their content lives on in the canonical record), so not brought back by undo.
    merged_away: list[Record] = field(default_factory=list)
    #: Municipality boundaries that changed: uuid -> (GeoPackage geometry before, after).
    boundaries: dict[str, tuple[bytes | None, bytes | None]] = field(default_factory=dict)
    new_conflicts: list[Conflict] = field(default_factory=list)
    resolved_conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: The applied writes are the history rows after this one (for the History view's event).
    history_mark: int | None = None

    def plan(self, description: str = "") -> ChangePlan:
        """The record changes as a plan (its inverse undoes the merge as ordinary edits)."""
        return ChangePlan(tuple(self.added), tuple(self.updated), tuple(self.removed), description)
