"""Boundary files into a project: read, plan, review, then one transaction (CLI, demo, app).

The path is the same everywhere:

1. :func:`plan_for_project` reads a file and matches it (nothing is written);
   the user reviews ``plan.pending()`` and calls ``plan.assign`` / ``plan.skip``;
2. :func:`boundary_change` turns the plan and its credit into a
   :class:`BoundaryChange` — every polygon before and after, and the import's
   ``rm_meta`` record — computed against the project as it is now;
3. :func:`apply_change` writes it in one store transaction. Undo is
   ``apply_change(store, change.inverse())``; the session's ``ImportBoundaries``
   command wraps steps 2–3 as one undoable step, and is the way the window and the
   command line import (``resilience_map.session.boundaries``).

A city's polygon built from its members (Skopje from its ten municipalities) never
replaces a polygon the city got from a file of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from resilience_map.domain.records import utc_now
from resilience_map.io.attribution import (
    IMPORT_KEY_PREFIX,
    BoundaryCredit,
    ImportRecord,
    credit_from_file,
    import_records,
    next_import_key,
    polygon_origins,
)
from resilience_map.io.boundaries import read_boundaries
from resilience_map.io.boundary_plan import BoundaryImportPlan
from resilience_map.io.matching import plan_boundary_import
from resilience_map.store import ProjectError, ProjectStore


class MissingCreditError(ProjectError):
    """The file does not say who made it or under which licence, and nobody told us."""


@dataclass(frozen=True)
class BoundaryChange:
    """Polygons (by municipality uuid; None = no polygon) and settings before and after."""

    before: Mapping[str, BaseGeometry | None]
    after: Mapping[str, BaseGeometry | None]
    meta_before: Mapping[str, str | None] = field(default_factory=dict)
    meta_after: Mapping[str, str | None] = field(default_factory=dict)
    description: str = ""

    def inverse(self) -> BoundaryChange:
        """The change that undoes this one."""
        return BoundaryChange(self.after, self.before, self.meta_after, self.meta_before,
                              f"Undo {self.description}" if self.description else "")

    def __len__(self) -> int:
        return len(self.after)


@dataclass
class ImportResult:
    applied: int = 0
    pending: int = 0
    summaries: list[str] = field(default_factory=list)


def plan_for_project(store: ProjectStore, path: Path, country: str | None = None
                     ) -> BoundaryImportPlan:
    """Read a boundary file and match it against the project's municipalities."""
    features = read_boundaries(path)
    credit = credit_from_file(path, features, features.attrs.get("layer"))
    plan = plan_boundary_import(features, store.municipalities(), country=country,
                                credit=credit, source_name=Path(path).name)
    plan.file_notes = list(features.attrs.get("notes", []))
    return plan


def boundary_change(store: ProjectStore, plan: BoundaryImportPlan, credit: BoundaryCredit,
                    author: str) -> BoundaryChange:
    """What applying ``plan`` would change in the project, nothing written yet."""
    units = {m.registry_id: m for m in store.municipalities()}
    current = store.boundaries()
    origins = polygon_origins(import_records(store.meta_items(IMPORT_KEY_PREFIX)))
    derived = plan.derived_ids()
    after: dict[str, BaseGeometry | None] = {}
    written_own, written_derived = [], []
    for rid, geom in sorted(plan.geometries().items()):
        unit = units.get(rid)
        if unit is None:
            continue
        if rid in derived and unit.uuid in current and \
                (rid not in origins or rid not in origins[rid].derived):
            continue  # the city has a polygon of its own: keep it
        after[unit.uuid] = geom
        (written_derived if rid in derived else written_own).append(rid)
    if not after:
        return BoundaryChange({}, {}, description=f"Import boundaries from {plan.source_name}")
    meta = store.meta_items(IMPORT_KEY_PREFIX)
    key = next_import_key(meta)
    record = ImportRecord(key, credit, plan.source_name, utc_now(), author,
                          tuple(written_own), tuple(written_derived))
    return BoundaryChange({uuid: current.get(uuid) for uuid in after}, after,
                          {key: None}, {key: record.to_json()},
                          f"Import boundaries from {plan.source_name}")


def apply_change(store: ProjectStore, change: BoundaryChange, author: str) -> int:
    """Write a :class:`BoundaryChange` in one transaction; returns the polygons written."""
    if not change.after and not change.meta_after:
        return 0
    with store.transaction():
        if change.after:
            store.set_boundaries(dict(change.after), author, source=change.description)
        for key, value in change.meta_after.items():
            store.set_meta(key, value, author)
    return sum(g is not None for g in change.after.values())


def apply_boundary_plan(store: ProjectStore, plan: BoundaryImportPlan,
                        credit: BoundaryCredit | None, author: str) -> BoundaryChange:
    """Plan → change → one transaction; the applied change is returned for undo.

    ``credit`` is what the user gave (the dialog's fields); None uses the file's own
    statement. Without either, :class:`MissingCreditError` — nothing is written.
    """
    credit = credit or plan.credit
    if credit is None or not credit.source:
        raise MissingCreditError(
            f"{plan.source_name or 'The file'} does not say where its boundaries come from; "
            f"give their source and licence (e.g. \"© OpenStreetMap contributors\", "
            f"\"ODbL 1.0\") so the map can credit them.")
    change = boundary_change(store, plan, credit, author)
    apply_change(store, change, author)
    return change


def apply_plan(store: ProjectStore, plan: BoundaryImportPlan, author: str, source: str) -> int:
    """Synthetic benchmark projects: the file's own statement, else the file name with the
    licence recorded as not stated (users' imports go through the session's
    ``ImportBoundaries``, which asks for the credit)."""
    credit = plan.credit
    if credit is None or not credit.source:
        credit = BoundaryCredit(f"file {source}", credit.licence if credit else "")
    return len(apply_boundary_plan(store, plan, credit, author))


def require_credit(path: Path, credit: BoundaryCredit | None) -> None:
    """Refuse (nothing written) a file whose source or licence nobody stated."""
    if credit is None or not credit.source:
        raise MissingCreditError(
            f"{path.name} does not say where its boundaries come from; pass --source and "
            f"--licence (e.g. --source \"© OpenStreetMap contributors\" --licence \"ODbL 1.0\").")
    if not credit.licence:
        raise MissingCreditError(
            f"{path.name} names its source but not its licence; pass --licence (for a "
            f"geoBoundaries file, the licence geoBoundaries lists for that country, e.g. "
            f"\"Public domain\" or \"ODbL 1.0\").")
