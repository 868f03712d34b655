"""Planning an import: every row read, matched and validated, nothing written.

The planner turns a :class:`~layout.TableLayout` and a
:class:`~mapping.ColumnMapping` into a :class:`~plan.TableImportPlan`. Each row
becomes zero or more *proposals* (a record identified by its natural key, with
the fields the row gives); then, for each key, the proposals are compared with
each other (two rows for one municipality × indicator × wave with different
values: both refused, since which is right is unknown) and with what the project
holds (new / changed / unchanged). Only complete, valid records reach the
:class:`~resilience_map.domain.changes.ChangePlan`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from resilience_map.domain.changes import ChangePlan
from resilience_map.domain.records import Municipality, Record, utc_now
from resilience_map.domain.validation import ValidationError
from resilience_map.io.tables.columns import ColumnReader
from resilience_map.io.tables.errors import TableError
from resilience_map.io.tables.layout import DataRow, TableLayout
from resilience_map.io.tables.mapping import ColumnMapping
from resilience_map.io.tables.plan import RowOutcome, TableImportPlan, UnresolvedName
from resilience_map.io.unit_names import UnitMatch, UnitNameIndex, country_code

#: Rows between two progress reports (about 20 ms of planning).
PROGRESS_EVERY = 500


class RecordSource(Protocol):
    """What planning reads from a project (a ProjectStore, or the session's store)."""

    def list(self, record_type: type, order_by: str = "fid", **equals: object) -> list: ...


@dataclass
class Proposal:
    """A record a row wants, by natural key; ``fields`` are the values the row gives."""

    key: tuple
    row: int
    column: str
    municipality: str
    record: str
    fields: dict[str, object]


@dataclass
class PlanningState:
    """What the row handlers share: outcomes so far and the records to create first."""

    outcomes: list[RowOutcome] = field(default_factory=list)
    created: list[Record] = field(default_factory=list)  # waves, indicator definitions
    now: str = field(default_factory=utc_now)

    def refuse(self, row: int, reason: str, column: str = "", municipality: str = "",
               record: str = "") -> None:
        self.outcomes.append(RowOutcome(row, "refused", reason, column, municipality, record))

    def skip(self, row: int, reason: str, column: str = "", municipality: str = "") -> None:
        self.outcomes.append(RowOutcome(row, "skipped", reason, column, municipality))


class UnitColumns:
    """Finds each row's municipality; remembers the names nobody could place."""

    def __init__(self, units: Iterable[Municipality], mapping: ColumnMapping,
                 cells: ColumnReader) -> None:
        units = list(units)
        self.index = UnitNameIndex(units)
        self.by_registry_id = {u.registry_id: u for u in units}
        self.mapping, self.cells = mapping, cells
        self.pending: dict[tuple[str, str, str], tuple[list[int], UnitMatch]] = {}
        if not (cells.has("municipality") or cells.has("code")):
            raise TableError(f"{cells.layout.source.name}: no column names the municipality; map "
                             "one column to 'municipality' (or 'code')")
        columns = [i for i in map(cells.index, ("municipality", "code", "country")) if i is not None]
        self._cells_of = lambda row: tuple(row.cells[i] for i in columns)
        #: The unit found for the text cells (name, code, country) of an earlier row.
        self._known: dict[tuple, Municipality] = {}

    def unit_of(self, row: DataRow, state: PlanningState) -> Municipality | None:
        """The row's municipality, or None with the row refused or skipped (and why)."""
        key = self._cells_of(row)
        unit = self._known.get(key)
        if unit is None:
            unit = self._unit_of(row, state)
            if unit is not None and all(type(c) is str for c in key):
                self._known[key] = unit  # only text: 1, 1.0 and True are equal keys
        return unit

    def _unit_of(self, row: DataRow, state: PlanningState) -> Municipality | None:
        name, code = self.cells.text(row, "municipality"), self.cells.text(row, "code")
        label = name or code
        if not label:
            state.refuse(row.file_row, "no municipality name or code", self.cells.label(
                "municipality" if self.cells.has("municipality") else "code"))
            return None
        if label in self.mapping.units:
            decision = self.mapping.units[label]
            if decision is None:
                state.skip(row.file_row, "skipped by the user's choice", municipality=label)
                return None
            unit = self.by_registry_id.get(str(decision))
            if unit is None:
                raise TableError(f"the mapping assigns {label!r} to {decision!r}, which is not "
                                 "a municipality of this project")
            return unit
        country = self._country(row, state)
        if country == "?":
            return None
        found = self.index.find(name, code, country)
        if found.status == "matched":
            return self.by_registry_id[found.registry_id or ""]
        key = (name, code, country or "")
        rows, _ = self.pending.setdefault(key, ([], found))
        rows.append(row.file_row)
        state.refuse(row.file_row, f"{found.detail}: assign a municipality or skip this name",
                     self.cells.label("municipality" if name else "code"), label)
        return None

    def _country(self, row: DataRow, state: PlanningState) -> str | None:
        if not self.cells.has("country"):
            return self.mapping.country
        text = self.cells.text(row, "country")
        if not text:
            return self.mapping.country
        code = country_code(text)
        if code is None:
            state.refuse(row.file_row, f"{text!r} is not one of the hub's countries "
                         "(AL, BA, XK, ME, MK, RS)", self.cells.label("country"))
            return "?"
        return code

    def unresolved(self) -> list[UnresolvedName]:
        out = []
        for (name, code, country), (rows, found) in self.pending.items():
            out.append(UnresolvedName(name, code, country, found.status, found.candidates,
                                      tuple(rows), found.detail))
        return out


@dataclass
class TargetRules:
    """What differs between targets, given to :func:`settle` by each target module."""

    record_type: type[Record]
    #: Existing records of the project by natural key, for the keys the file touches.
    existing: Callable[[set[tuple]], dict[tuple, Record]]
    #: Raise ValidationError if a record is not acceptable.
    validate: Callable[[Record], None]
    #: Fields compared to decide "unchanged".
    compared: tuple[str, ...]


def settle(proposals: list[Proposal], rules: TargetRules, state: PlanningState
           ) -> tuple[list[Record], list[tuple[Record, Record]]]:
    """Duplicates, comparison with the project, validation → records to add and update."""
    by_key: dict[tuple, Proposal] = {}
    repeated: dict[tuple, list[Proposal]] = {}  # keys given by several rows
    for p in proposals:
        first = by_key.setdefault(p.key, p)
        if first is not p:
            repeated.setdefault(p.key, [first]).append(p)
    existing = rules.existing(set(by_key))
    added: list[Record] = []
    updated: list[tuple[Record, Record]] = []
    for key, first in by_key.items():
        chosen = _one_of(repeated[key], state) if key in repeated else first
        if chosen is None:
            continue
        before = existing.get(key)
        try:
            if before is None:
                record = rules.record_type(**chosen.fields, created_at=state.now,  # type: ignore[call-arg]
                                           modified_at=state.now)
                rules.validate(record)
                added.append(record)
                result = "new"
            else:
                record = dataclasses.replace(before, **chosen.fields)
                if all(getattr(record, f) == getattr(before, f) for f in rules.compared):
                    result = "unchanged"
                else:
                    rules.validate(record)
                    updated.append((before, record))
                    result = "changed"
        except (ValidationError, TypeError, ValueError) as error:
            state.refuse(chosen.row, str(error), chosen.column, chosen.municipality, chosen.record)
            continue
        state.outcomes.append(RowOutcome(chosen.row, result, _reason(result, before), chosen.column,
                                         chosen.municipality, chosen.record))
    return added, updated


def _one_of(group: list[Proposal], state: PlanningState) -> Proposal | None:
    first = group[0]
    if len(group) == 1:
        return first
    if all(p.fields == first.fields for p in group):
        for p in group[1:]:
            state.skip(p.row, f"the same as row {first.row}", p.column, p.municipality)
        return first
    rows = ", ".join(str(p.row) for p in group)
    for p in group:
        state.refuse(p.row, f"rows {rows} all give {p.record} for {p.municipality} with "
                     "different values; keep one", p.column, p.municipality, p.record)
    return None


def _reason(result: str, before: Record | None) -> str:
    if result == "changed":
        return "differs from the project's record"
    if result == "unchanged":
        return "the project already holds this"
    return ""


def plan_import(layout: TableLayout, mapping: ColumnMapping, project: RecordSource,
                progress: Callable[[int, int], None] | None = None) -> TableImportPlan:
    """Read, match and validate every row; the project is only read.

    ``progress(done, total)`` is called every :data:`PROGRESS_EVERY` rows (the wizard's
    progress bar); an exception it raises (the user's Cancel) stops the planning.
    """
    # The cycle collector keeps running here (unlike in the store's write): planning runs beside
    # the window, and a collection held back for the whole plan came due at its end as one pause
    # of more than a second on the window's thread.
    from resilience_map.io.tables import targets

    mapping = mapping.checked_against(layout.headers)
    cells = ColumnReader(layout, mapping)
    state = PlanningState()
    units = UnitColumns(project.list(Municipality), mapping, cells)
    handler = targets.handler_for(mapping, cells, units, project, state, layout.source.name)
    proposals = list(_proposals(handler, layout.rows, progress))
    added, updated = settle(proposals, handler.rules(), state)
    name = layout.source.name
    description = f"Import {mapping.target.replace('_', ' ')} from {name}"
    changes = ChangePlan(added=tuple(state.created + added), updated=tuple(updated),
                         description=description, extras={"source": name})
    ignored = [h for h in layout.headers if h not in mapping.columns]
    return TableImportPlan(name, mapping.target, changes, state.outcomes, units.unresolved(),
                           ignored, list(layout.skipped))


def _proposals(handler, rows: list[DataRow], progress: Callable[[int, int], None] | None
               ) -> Iterator[Proposal]:
    for i, row in enumerate(rows):
        if progress is not None and i % PROGRESS_EVERY == 0:
            progress(i, len(rows))
        yield from handler.proposals(row)
