"""The CSV report of an import or a sync: every applied change, conflict and refusal.

Cells that a spreadsheet would read as a formula (starting with = + - @, tab or carriage
return) are prefixed with an apostrophe: a value typed on another laptop is never executed.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from resilience_map.domain.kinds import kind_by_table
from resilience_map.domain.records import IndicatorDefinition, Municipality, StudyWave
from resilience_map.store.lineage import Write, canonical_uuid
from resilience_map.store.merge import Conflict, MergeResult

COLUMNS = ["status", "kind", "record", "record_uuid", "field", "value", "other_value", "author",
           "changed_at", "change", "reason"]


class StoreNames:
    """Names of referenced records from the store, so a row reads "Trust, Kumanovo, Baseline"."""

    def __init__(self, store) -> None:
        self.store = store

    @functools.cache  # noqa: B019
    def _name(self, record_type, uuid: str | None, attr: str) -> str:
        if not uuid:
            return ""
        found = self.store.list(record_type, uuid=canonical_uuid(self.store.connection, uuid))
        return str(getattr(found[0], attr)) if found else uuid

    def municipality_name(self, uuid: str | None) -> str:
        return self._name(Municipality, uuid, "name_latin")

    def indicator_name(self, uuid: str) -> str:
        return self._name(IndicatorDefinition, uuid, "name")

    def wave_name(self, uuid: str) -> str:
        return self._name(StudyWave, uuid, "name")

    def title(self, table: str, uuid: str) -> str:
        kind = kind_by_table(table)
        assert kind is not None
        found = self.store.list(kind.record_type, uuid=canonical_uuid(self.store.connection, uuid))
        return kind.title(found[0], self) if found else "(not in this project)"


@dataclass(frozen=True)
class ReportRow:
    status: str  # applied | conflict | refused | warning | would apply (dry run)
    table: str
    record_uuid: str
    field: str
    value: object
    other_value: object = ""
    author: str = ""
    changed_at: str = ""
    change: str = ""
    reason: str = ""


def rows_for(merge: MergeResult, refused: Iterable[tuple[Write, str]] = (), dry_run: bool = False) -> list[ReportRow]:
    rows = []
    status = "would apply" if dry_run else "applied"
    for w in merge.applied:
        if w.operation == "void":
            continue
        value = w.new_value if w.field else ("(record)" if w.operation != "delete" else "(deleted)")
        rows.append(ReportRow(status, w.table, w.uuid, w.field or "", value, w.old_value if w.field else "",
                              w.author, w.changed_at, w.id, w.operation))
    for c in merge.new_conflicts:
        rows.append(conflict_row(c))
    for w, reason in refused:
        rows.append(ReportRow("refused", w.table, w.uuid, w.field or "", w.new_value or "", "", w.author,
                              w.changed_at, w.id, reason))
    rows += [ReportRow("warning", "", "", "", "", reason=text) for text in merge.warnings]
    return rows


def conflict_row(c: Conflict) -> ReportRow:
    return ReportRow("conflict", c.table, c.record_uuid, c.field, c.kept_value, c.other_value,
                     c.other_author, c.other_changed_at, c.other_write,
                     "kept the later change; the other value is kept for review")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_report(path: Path, rows: Iterable[ReportRow], store) -> int:
    names = StoreNames(store)
    count = 0
    with Path(path).open("w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        for r in rows:
            kind = kind_by_table(r.table) if r.table else None
            title = names.title(r.table, r.record_uuid) if kind and r.record_uuid else ""
            out.writerow([safe_cell(v) for v in (
                r.status, kind.label if kind else "", title, r.record_uuid, r.field, r.value, r.other_value,
                r.author, r.changed_at, r.change, r.reason)])
            count += 1
    return count
