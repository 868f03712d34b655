"""Cell texts and tooltips of the record tables, with names looked up in the session's indexes.

Rows show municipalities, indicators and waves by name, never by id; the indexes keep
those small tables in memory (patched from events), so a page of 200 values needs no
query per cell and a renamed indicator shows its new name in every row at once.
"""

from __future__ import annotations

from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    MunicipalityNote,
    PreventionStructure,
    Record,
    StudyWave,
)
from resilience_map.session import ProjectIndexes, ProjectSession
from resilience_map.ui.records.columns import DERIVED, Column, edit_spec
from resilience_map.ui.widgets.values import display_value, timestamp_label

#: Record types whose names each table shows: a change to them repaints those rows.
REFERENCES: dict[type[Record], tuple[type[Record], ...]] = {
    IndicatorValue: (Municipality, IndicatorDefinition, StudyWave),
    PreventionStructure: (Municipality,),
    MunicipalityNote: (Municipality,),
    HubActivity: (Municipality,),
}
#: Longer texts are cut in the cell (the editor and the tooltip get all of it).
CELL_TEXT = 90


class CellText:
    """What a cell says, for any record, from the record and the session's indexes."""

    def __init__(self, session: ProjectSession) -> None:
        self.session = session

    @property
    def indexes(self) -> ProjectIndexes:
        """The open project's indexes (a new object each time a project opens)."""
        return self.session.indexes

    def display(self, record: Record, column: Column) -> str:
        name = column.field
        if name in DERIVED:
            return self.derived(record, name)
        value = getattr(record, name)
        if name == "modified_at":
            return timestamp_label(value)
        text = display_value(value)
        if isinstance(value, str) and (len(text) > CELL_TEXT or "\n" in text):
            text = text.splitlines()[0][:CELL_TEXT - 2].rstrip() + "…"
        return text

    def derived(self, record: Record, name: str) -> str:
        ix = self.indexes
        if name == "municipality":
            return ix.municipality_name(getattr(record, "municipality_uuid", None))
        if name == "country":
            unit = ix.municipalities.get(getattr(record, "municipality_uuid", None))
            return unit.country.label if unit else ""
        if name == "indicator":
            return ix.indicator_name(record.indicator_uuid)  # type: ignore[attr-defined]
        if name == "wave":
            return ix.wave_name(record.wave_uuid)  # type: ignore[attr-defined]
        participants = getattr(record, "participants", ())
        return ", ".join(ix.municipality_name(p.municipality_uuid)
                         + (" (host)" if p.role.value == "host" else "") for p in participants)

    def tooltip(self, record: Record, column: Column) -> str | None:
        """Every name form of the municipality, an indicator's scale, or the whole long text."""
        if column.field in ("municipality", "country"):
            unit = self.indexes.municipalities.get(getattr(record, "municipality_uuid", None))
            return " · ".join(unit.all_names()) if unit else None
        if column.field == "value" and isinstance(record, IndicatorValue):
            ind = self.indexes.indicators.get(record.indicator_uuid)
            return f"{ind.name}: {ind.scale_min:g} to {ind.scale_max:g} {ind.unit}".rstrip() if ind else None
        if column.field == "participants":
            return self.display(record, column)
        if column.field in DERIVED:
            return None
        value = getattr(record, column.field)
        return value if isinstance(value, str) and len(value) > 40 else None

    @staticmethod
    def is_number(record_type: type[Record], column: Column) -> bool:
        return column.field not in DERIVED and column.field not in ("modified_at", "modified_by") \
            and edit_spec(record_type, column.field).kind in ("int", "float")
