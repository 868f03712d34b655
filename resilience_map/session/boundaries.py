"""Boundary imports as one undoable step: the polygons and the credit they owe, together.

The window's File → Import boundaries… and the command line's ``import-boundaries``
both end here, so an import is the same everywhere: one :class:`ImportBoundaries`
command — one store transaction writing the polygons and the import's record (its
source and licence, which the map's attribution control and every export show), one
:class:`~resilience_map.session.events.BoundariesChanged` and one
:class:`~resilience_map.session.events.MetaChanged` per recorded import. Undo takes
both back: a polygon without its credit, or a credit for polygons no longer drawn,
never remains.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from resilience_map.io.attribution import complete_credit
from resilience_map.io.boundary_import import (
    BoundaryChange,
    ImportResult,
    MissingCreditError,
    apply_change,
    boundary_change,
    plan_for_project,
    require_credit,
)
from resilience_map.io.boundary_plan import BoundaryImportPlan, write_csv_rows
from resilience_map.session.commands import ChangeLog, Command
from resilience_map.session.session import ProjectSession
from resilience_map.store.credits import BoundaryCredit
from resilience_map.store.errors import ProjectError
from resilience_map.store.project import ProjectStore

Planned = tuple[BoundaryImportPlan, BoundaryCredit]


class ImportBoundaries(Command):
    """One or more boundary files' polygons and credits as one step.

    Give a :class:`BoundaryChange` worked out just before (the window), or plans with
    their credits (:meth:`of_plans`, the command line's several files): a change is
    computed against the project as it is, so the second file's change is worked out
    inside the step, after the first file's polygons are in.
    """

    def __init__(self, change: BoundaryChange | None = None, text: str = "") -> None:
        self.changes: list[BoundaryChange] = [change] if change is not None else []
        self._planned: list[Planned] = []
        self.text = text or _text(self.changes)

    @classmethod
    def of_plans(cls, planned: Sequence[Planned]) -> ImportBoundaries:
        command = cls()
        command._planned = list(planned)
        names = ", ".join(plan.source_name for plan, _credit in planned)
        command.text = f"Import boundaries from {names}"
        return command

    @property
    def applied(self) -> int:
        """Polygons this step wrote (unit polygons and cities' derived outlines)."""
        return sum(sum(g is not None for g in c.after.values()) for c in self.changes)

    def do(self, store: ProjectStore, author: str, log: ChangeLog) -> None:
        if self._planned:  # the first time: each file against the project as the last left it
            for plan, credit in self._planned:
                change = boundary_change(store, plan, credit, author)
                apply_change(store, change, author)
                self.changes.append(change)
            self._planned = []
            self.text = _text(self.changes) or self.text
        else:
            for change in self.changes:
                apply_change(store, change, author)
        _log(log, self.changes)

    def undo(self, store: ProjectStore, author: str, log: ChangeLog) -> None:
        inverses = [change.inverse() for change in reversed(self.changes)]
        for change in inverses:
            apply_change(store, change, author)
        _log(log, inverses)


def _text(changes: Sequence[BoundaryChange]) -> str:
    """"Import 81 boundaries from MK_adm2.geojson" (what Edit → Undo says)."""
    if not changes:
        return ""
    count = sum(sum(g is not None for g in c.after.values()) for c in changes)
    names = ", ".join(c.description.removeprefix("Import boundaries from ") for c in changes)
    return f"Import {count} boundaries from {names}"


def _log(log: ChangeLog, changes: Sequence[BoundaryChange]) -> None:
    """One polygon event (each unit's first state → its last) and the settings changed."""
    before: dict[str, BaseGeometry | None] = {}
    after: dict[str, BaseGeometry | None] = {}
    for change in changes:
        for uuid, geom in change.before.items():
            before.setdefault(uuid, geom)
        after.update(change.after)
        for key, new in change.meta_after.items():
            log.meta(key, change.meta_before.get(key), new)
    if after:
        log.boundaries(before, after)


def import_boundary_files(session: ProjectSession, paths: Sequence[Path], *, country: str | None,
                          report: Path | None, source: str | None = None, licence: str | None = None,
                          credits: Mapping[str, BoundaryCredit] | None = None) -> ImportResult:
    """Read, match and credit every file first; only then write, all files as one step.

    ``credits`` maps file names to credits known beforehand; otherwise ``source`` /
    ``licence`` and then the file's own statement are used. A file whose source or
    licence is known from none of them stops the import before anything is written
    (:class:`MissingCreditError`).
    """
    store = session.require_store()
    result = ImportResult(summaries=[f"Note: {note}." for note in store.notes])
    if store.read_only:
        why = store.read_only_reason or f"{store.path.name} is read-only"
        raise ProjectError(f"{why}; nothing was imported.")
    planned: list[Planned] = []
    rows: list[dict[str, object]] = []
    for path in map(Path, paths):
        plan = plan_for_project(store, path, country)
        credit = (credits or {}).get(path.name) or complete_credit(plan.credit, source, licence)
        require_credit(path, credit)
        assert credit is not None
        planned.append((plan, credit))
        result.pending += len(plan.pending())
        result.summaries.append(f"{path.name}: {plan.summary()}")
        rows += [{"file": path.name, **row} for row in plan.report_rows()]
    if any(plan.geometries() for plan, _credit in planned):
        command = ImportBoundaries.of_plans(planned)
        session.do(command)
        result.applied = command.applied
    if report is not None:
        write_csv_rows(report, rows)
    return result


__all__ = ["ImportBoundaries", "MissingCreditError", "import_boundary_files"]
