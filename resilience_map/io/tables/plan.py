"""The outcome of planning an import: the changes, and what happened to every row.

:class:`TableImportPlan` is what the wizard's preview shows (counts, the row
report, the names waiting for the user) and what the command line prints and
writes with ``--report``; its :attr:`~TableImportPlan.changes` is the
:class:`~resilience_map.domain.changes.ChangePlan` the session applies as one step.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from resilience_map.domain.changes import ChangePlan
from resilience_map.domain.records import IndicatorDefinition, StudyWave
from resilience_map.io.formula_safety import inert_csv_text

RESULTS = ("new", "changed", "unchanged", "refused", "skipped")


@dataclass(frozen=True)
class RowOutcome:
    """One line of the row report: file row → result → reason."""

    row: int
    result: str  # one of RESULTS
    reason: str = ""
    column: str = ""
    municipality: str = ""
    record: str = ""

    def message(self, source: str) -> str:
        where = f"{source}, row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class UnresolvedName:
    """A municipality the table names that no unit (or more than one) fits."""

    name: str
    code: str
    country: str
    status: str  # unknown | ambiguous | conflict
    candidates: tuple[str, ...]
    rows: tuple[int, ...]
    detail: str

    def describe(self) -> str:
        label = self.name or self.code
        rows = ", ".join(map(str, self.rows[:5])) + (" …" if len(self.rows) > 5 else "")
        options = f"; candidates: {', '.join(self.candidates)}" if self.candidates else ""
        return f"{label!r} (rows {rows}): {self.detail}{options}"


@dataclass
class TableImportPlan:
    """Everything an import would do, worked out before anything is written."""

    source: str
    target: str
    changes: ChangePlan
    outcomes: list[RowOutcome]
    unresolved: list[UnresolvedName] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found = Counter(o.result for o in self.outcomes)
        return {name: found.get(name, 0) for name in RESULTS}

    def refused(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.result == "refused"]

    @property
    def is_clean(self) -> bool:
        """Nothing refused and every name recognised: applying loses no row."""
        return not self.refused() and not self.unresolved

    def summary(self) -> str:
        c = self.counts()
        text = (f"{self.source}: {c['new']:,} new, {c['changed']:,} changed, "
                f"{c['unchanged']:,} unchanged, {c['refused']:,} refused")
        if c["skipped"]:
            text += f", {c['skipped']:,} skipped"
        extra = [r for r in self.changes.added if isinstance(r, (StudyWave, IndicatorDefinition))]
        if extra:
            text += "; creates " + ", ".join(_describe_new(r) for r in extra)
        return text

    def report_rows(self) -> list[dict[str, object]]:
        rows = [{"row": o.row, "column": o.column, "result": o.result, "reason": o.reason,
                 "municipality": o.municipality, "record": o.record} for o in self.outcomes]
        rows += [{"row": r, "column": "", "result": "skipped", "reason": why, "municipality": "",
                  "record": ""} for r, why in self.skipped_rows]
        return sorted(rows, key=lambda r: (r["row"], str(r["column"])))

    def write_report(self, path: str | Path) -> None:
        """The row report as CSV (UTF-8 with BOM, so Excel shows Cyrillic correctly)."""
        names = ["row", "column", "result", "reason", "municipality", "record"]
        with Path(path).open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.DictWriter(handle, fieldnames=names)
            writer.writeheader()
            for row in self.report_rows():
                writer.writerow({k: inert_csv_text(v) for k, v in row.items()})


def _describe_new(record: StudyWave | IndicatorDefinition) -> str:
    if isinstance(record, StudyWave):
        return f"study wave {record.name!r}"
    return f"indicator {record.code!r}"
