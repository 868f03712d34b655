"""The whole import in one call, for the command line and scripts.

The wizard takes the same steps one at a time (see the package docstring); this
module strings them together with the choices a command line can give.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from resilience_map.domain.records import IndicatorDefinition
from resilience_map.io.tables.errors import TableError
from resilience_map.io.tables.layout import TableLayout, detect_layout
from resilience_map.io.tables.mapping import ColumnMapping, suggest_mapping
from resilience_map.io.tables.plan import TableImportPlan
from resilience_map.io.tables.planning import RecordSource, plan_import
from resilience_map.io.tables.reading import SourceTable, read_table
from resilience_map.io.unit_names import country_code


@dataclass(frozen=True)
class ImportOptions:
    sheet: str | None = None
    encoding: str | None = None
    header_row: int | None = None
    mapping: Path | None = None
    wave: str | None = None
    target: str | None = None
    country: str | None = None
    assignments: dict[str, str | None] = field(default_factory=dict)
    skip_unresolved: bool = False


@dataclass(frozen=True)
class PreparedImport:
    source: SourceTable
    layout: TableLayout
    mapping: ColumnMapping
    plan: TableImportPlan


def prepare_import(project: RecordSource, path: Path, options: ImportOptions = ImportOptions()
                   ) -> PreparedImport:
    """Read, lay out, map (profile or suggestion) and plan; nothing is written."""
    profile = ColumnMapping.load(options.mapping) if options.mapping else None
    source = read_table(path, encoding=options.encoding, sheet=options.sheet)
    layout = detect_layout(source, options.header_row)
    if profile is not None:
        mapping = profile if options.target in (None, profile.target) else \
            dataclasses.replace(profile, target=options.target)
    else:
        mapping = suggest_mapping(layout.headers, project.list(IndicatorDefinition), options.target)
    mapping = _with_options(mapping, options)
    plan = plan_import(layout, mapping, project)
    if options.skip_unresolved and plan.unresolved:
        skips = {(u.name or u.code): None for u in plan.unresolved}
        mapping = dataclasses.replace(mapping, units={**mapping.units, **skips})
        plan = plan_import(layout, mapping, project)
    return PreparedImport(source, layout, mapping, plan)


def _with_options(mapping: ColumnMapping, options: ImportOptions) -> ColumnMapping:
    changes: dict[str, object] = {}
    if options.wave:
        changes["wave"] = options.wave
        wave_column = mapping.column_of("wave")
        if wave_column:  # --wave names the wave of every row: the column is not used
            changes["columns"] = {h: f for h, f in mapping.columns.items() if h != wave_column}
    if options.country:
        code = country_code(options.country)
        if code is None:
            raise TableError(f"--country {options.country!r} is not one of AL, BA, XK, ME, MK, RS")
        changes["country"] = code
    if options.assignments:
        changes["units"] = {**mapping.units, **options.assignments}
    return dataclasses.replace(mapping, **changes) if changes else mapping
