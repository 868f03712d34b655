"""Indicators a table names that the project does not define yet.

The wizard offers to create them (with a scale the user gives: values are checked
against it, so it is never guessed). A wide table names them by its column mapping
(``indicator:CODE``), a long one in its indicator column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from resilience_map.domain.names import fold
from resilience_map.domain.records import IndicatorDefinition
from resilience_map.io.tables.cells import cell_text
from resilience_map.io.tables.layout import TableLayout
from resilience_map.io.tables.mapping import ColumnMapping
from resilience_map.io.tables.vocabulary import header_key


def missing_indicators(layout: TableLayout, mapping: ColumnMapping,
                       indicators: Iterable[IndicatorDefinition]) -> list[str]:
    """Codes (as the table writes them) that match no indicator by code or name, in table order."""
    known = set()
    for indicator in indicators:
        known |= {fold(indicator.code), fold(indicator.name)}
    texts = list(mapping.indicator_columns().values())
    column = mapping.column_of("indicator")
    if column is not None and column in layout.headers:
        index = layout.column_index(column)
        texts += dict.fromkeys(cell_text(row.cells[index]).strip() for row in layout.rows)
    return [t for t in dict.fromkeys(texts) if t and fold(t) not in known]


def code_from_header(header: str) -> str:
    """"grp_scores/Youth hope" → "YOUTH_HOPE": a new indicator's code from its column."""
    return re.sub(r"[^0-9a-z]+", "_", header_key(header)).strip("_").upper() or "NEW_INDICATOR"
