"""The Records filter bar's conditions, as a store query and as a test on one record.

The table reads its rows page by page from the store (:meth:`RowFilter.query`); when an
edit, an undo or an import changes records, it must decide for each changed record
whether it belongs on screen without asking the store again (:meth:`RowFilter.matches`).
Both follow the same rules: a country, a municipality, and a text found in the record's
own text fields or in any name form of its municipality (any script, via ``fold``).
"""

from __future__ import annotations

from dataclasses import dataclass

from resilience_map.domain.kinds import kind_of
from resilience_map.domain.names import fold
from resilience_map.domain.records import HubActivity, Record
from resilience_map.session import ProjectIndexes, RecordQuery


@dataclass(frozen=True)
class RowFilter:
    """Country, municipality and text; the first two only for records that have a place."""

    record_type: type[Record]
    country: str | None = None
    municipality_uuid: str | None = None
    text: str = ""

    @property
    def has_place(self) -> bool:
        return kind_of(self.record_type).place_field is not None

    def normalised(self) -> RowFilter:
        """Conditions that do not apply to this record type dropped, text trimmed."""
        place = self.has_place
        return RowFilter(self.record_type, self.country if place else None,
                         self.municipality_uuid if place else None, self.text.strip())

    def query(self, order_by: str = "fid", descending: bool = False) -> RecordQuery:
        f = self.normalised()
        equals: dict[str, object] = {"municipality_uuid": f.municipality_uuid} if f.municipality_uuid else {}
        return RecordQuery(f.record_type, equals=equals, country=f.country, text=f.text,
                           order_by=order_by, descending=descending)

    def matches(self, record: Record, indexes: ProjectIndexes) -> bool:
        """Whether the store's query for this filter would return ``record``."""
        f = self.normalised()
        if f.has_place:
            owner = getattr(record, "municipality_uuid", None)
            if f.municipality_uuid and owner != f.municipality_uuid:
                return False
            if f.country:
                unit = indexes.municipalities.get(owner)
                if unit is None or unit.country.value != f.country:
                    return False
        return not f.text or _text_matches(record, fold(f.text), indexes)


def _text_matches(record: Record, needle: str, indexes: ProjectIndexes) -> bool:
    for name in kind_of(record).text_fields:
        value = getattr(record, name)
        if value not in (None, "", ()) and needle in fold(_text_of(value)):
            return True
    places: list[str | None] = [getattr(record, "municipality_uuid", None)]
    if isinstance(record, HubActivity):
        places = [p.municipality_uuid for p in record.participants]
    for uuid in places:
        unit = indexes.municipalities.get(uuid)
        if unit is not None and needle in fold(" ".join(unit.all_names())):
            return True
    return False


def _text_of(value: object) -> str:
    if isinstance(value, tuple):
        return " ".join(_text_of(v) for v in value)
    return str(getattr(value, "value", value))
