"""Importing study results and records from tables (CSV/TSV/TXT, XLSX/XLS/ODS).

The steps a wizard (or the command line) takes, each inspectable on its own::

    source = read_table(path, encoding=None, sheet=None)       # cells; encoding, delimiter found
    layout = detect_layout(source, header_row=None)            # header row, data rows, notes
    mapping = suggest_mapping(layout.headers, indicators)      # or ColumnMapping.load(profile)
    plan = plan_import(layout, mapping, store)                 # counts, row report, pending names
    session.apply(plan.changes)                                # one transaction, one undo step

Re-run a later step after the user changes an earlier choice (another encoding,
header row, column mapping, or a decision for an unrecognised name with
``mapping.with_unit``); nothing is written before ``apply``.
"""

from resilience_map.io.tables.encoding import ENCODINGS
from resilience_map.io.tables.errors import TableError
from resilience_map.io.tables.layout import TableLayout, detect_layout
from resilience_map.io.tables.mapping import ColumnMapping, suggest_mapping
from resilience_map.io.tables.plan import RowOutcome, TableImportPlan, UnresolvedName
from resilience_map.io.tables.planning import RecordSource, plan_import
from resilience_map.io.tables.reading import SourceTable, read_table

__all__ = [
    "ENCODINGS", "ColumnMapping", "RecordSource", "RowOutcome", "SourceTable", "TableError",
    "TableImportPlan", "TableLayout", "UnresolvedName", "detect_layout", "plan_import",
    "read_table", "suggest_mapping",
]
