"""Apply boundary-matching plans to a project (shared by the CLI, the demo and the app)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from resilience_map.io.boundaries import read_boundaries
from resilience_map.io.matching import BoundaryImportPlan, plan_boundary_import
from resilience_map.store import ProjectError, ProjectStore


@dataclass
class ImportResult:
    applied: int = 0
    pending: int = 0
    summaries: list[str] = field(default_factory=list)


def plan_for_project(store: ProjectStore, path: Path, country: str | None = None) -> BoundaryImportPlan:
    """Read a boundary file and match it against the project's municipalities."""
    return plan_boundary_import(read_boundaries(path), store.municipalities(), country=country)


def apply_plan(store: ProjectStore, plan: BoundaryImportPlan, author: str, source: str) -> int:
    """Save the plan's matched geometries (automatic and user-assigned) in one transaction."""
    uuids = {m.registry_id: m.uuid for m in store.municipalities()}
    geometries = {uuids[rid]: geom for rid, geom in plan.geometries().items() if rid in uuids}
    if not geometries:
        return 0
    return store.set_boundaries(geometries, author, source=source)


def import_boundary_files(project: Path, paths: Sequence[Path], *, country: str | None,
                          report: Path | None, author: str) -> ImportResult:
    """Read and match every file first; only then write, all files in one transaction."""
    result = ImportResult()
    rows: list[dict] = []
    with ProjectStore.open(project) as store:
        result.summaries += [f"Note: {note}." for note in store.notes]
        if store.read_only:
            why = store.read_only_reason or f"{project} is read-only"
            raise ProjectError(f"{why}; nothing was imported.")
        plans = [(Path(p), plan_for_project(store, Path(p), country)) for p in paths]
        with store.transaction():
            for path, plan in plans:
                result.applied += apply_plan(store, plan, author, path.name)
                result.pending += len(plan.pending())
                result.summaries.append(f"{path.name}: {plan.summary()}")
                rows += [{"file": path.name, **row} for row in plan.report_rows()]
    if report is not None:
        write_rows(report, rows)
    return result


def write_rows(path: Path, rows: list[dict]) -> None:
    """CSV with a header from the union of row keys (UTF-8 with BOM so Excel reads Cyrillic)."""
    keys: list[str] = []
    for row in rows:
        keys += [k for k in row if k not in keys]
    with Path(path).open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.DictWriter(fh, fieldnames=keys or ["file"])
        writer.writeheader()
        writer.writerows(rows)
