"""One entry per record type: what everyone (store, session, views, imports, sync) needs to
know about it, said once.

Adding a record type means adding a dataclass in :mod:`records` and one
:class:`RecordKind` here; the store derives its table, the Records view its tab,
the history its words, search its text columns, and sync its natural key from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

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


class NameLookup(Protocol):
    """Names of referenced records, so a title reads "Trust, Kumanovo, 2020" and not uuids."""

    def municipality_name(self, uuid: str | None) -> str: ...
    def indicator_name(self, uuid: str) -> str: ...
    def wave_name(self, uuid: str) -> str: ...


@dataclass(frozen=True)
class RecordKind:
    """Everything the application knows about one record type."""

    record_type: type[Record]
    #: Table (GeoPackage layer) name; also the key used in history rows and sync packages.
    table: str
    #: Singular and plural nouns, lower case ("indicator value", "indicator values").
    label: str
    plural: str
    #: One line for GeoPackage's gpkg_contents (what QGIS shows for the layer).
    description: str
    #: A short human name of a record of this kind.
    title: Callable[[Record, NameLookup], str]
    #: The record's own text fields that a text search looks at.
    text_fields: tuple[str, ...] = ()
    #: The field naming the municipality a record belongs to (None: not owned by one).
    place_field: str | None = None
    #: Fields that identify "the same fact" across copies of a project (two laptops
    #: entering the value for one municipality × indicator × wave). Empty: uuid only.
    natural_key: tuple[str, ...] = ()
    #: Geometry type of the layer (None: attribute table).
    geometry_type: str | None = None
    #: Dataclass fields stored outside the record's own table.
    stored_elsewhere: tuple[str, ...] = field(default=())

    def count_label(self, count: int) -> str:
        """ "1 hub activity", "3 hub activities"."""
        return f"{count:,} {self.label if count == 1 else self.plural}"

    @property
    def heading(self) -> str:
        """Capitalised singular, for column headers and dialog titles."""
        return self.label[:1].upper() + self.label[1:]

    def owner(self, record: Record) -> str | None:
        """The municipality a record belongs to, if its kind has one."""
        if self.record_type is Municipality:
            return record.uuid
        return getattr(record, self.place_field) if self.place_field else None


def _place(record: Record, names: NameLookup) -> str:
    return names.municipality_name(getattr(record, "municipality_uuid", None))


def _value_title(v: Record, names: NameLookup) -> str:
    assert isinstance(v, IndicatorValue)
    return f"{names.indicator_name(v.indicator_uuid)}, {_place(v, names)}, {names.wave_name(v.wave_uuid)}"


def _structure_title(s: Record, names: NameLookup) -> str:
    assert isinstance(s, PreventionStructure)
    return ", ".join(p for p in (s.name or s.structure_type.label, _place(s, names)) if p)


def _note_title(n: Record, names: NameLookup) -> str:
    assert isinstance(n, MunicipalityNote)
    return f"{n.category.label}, {_place(n, names)}"


KINDS: dict[type[Record], RecordKind] = {
    kind.record_type: kind
    for kind in (
        RecordKind(
            Municipality, "municipalities", "municipality", "municipalities",
            "Local self-government units with their boundaries",
            title=lambda m, _n: m.name_latin,  # type: ignore[attr-defined]
            text_fields=("name_local", "name_latin", "name_en", "alt_names", "region"),
            natural_key=("registry_id",), geometry_type="MULTIPOLYGON"),
        RecordKind(
            StudyWave, "study_waves", "study wave", "study waves", "Rounds of resilience studies",
            title=lambda w, _n: w.name,  # type: ignore[attr-defined]
            text_fields=("name", "conducted_by", "notes"), natural_key=("name",)),
        RecordKind(
            IndicatorDefinition, "indicator_definitions", "indicator", "indicators",
            "What each indicator measures and its scale",
            title=lambda i, _n: i.name,  # type: ignore[attr-defined]
            text_fields=("code", "name", "dimension", "framework", "description"),
            natural_key=("code",)),
        RecordKind(
            IndicatorValue, "indicator_values", "indicator value", "indicator values",
            "Indicator values per municipality and study wave", title=_value_title,
            text_fields=("neighbourhood",), place_field="municipality_uuid",
            natural_key=("municipality_uuid", "indicator_uuid", "wave_uuid", "neighbourhood")),
        RecordKind(
            PreventionStructure, "prevention_structures", "prevention structure",
            "prevention structures", "CATs, prevention councils and safety councils",
            title=_structure_title,
            text_fields=("name", "structure_type", "status", "legal_basis", "notes"),
            place_field="municipality_uuid"),
        RecordKind(
            HubActivity, "hub_activities", "hub activity", "hub activities",
            "Workshops, roundtables, exchanges, consultations and grants",
            title=lambda a, _n: a.title,  # type: ignore[attr-defined]
            text_fields=("title", "activity_type", "host_place", "topics", "partners", "outcomes"),
            geometry_type="POINT", stored_elsewhere=("participants",)),
        RecordKind(
            MunicipalityNote, "municipality_notes", "note", "notes",
            "Needs, priorities and observations", title=_note_title,
            text_fields=("category", "text"), place_field="municipality_uuid"),
    )
}

_BY_TABLE: dict[str, RecordKind] = {k.table: k for k in KINDS.values()}


def kind_of(record_or_type: Record | type[Record]) -> RecordKind:
    """The kind of a record or record class."""
    record_type = record_or_type if isinstance(record_or_type, type) else type(record_or_type)
    return KINDS[record_type]


def kind_by_table(table: str) -> RecordKind | None:
    """The kind stored in ``table`` (None for tables that hold no records, e.g. rm_meta)."""
    return _BY_TABLE.get(table)


def all_kinds() -> Iterator[RecordKind]:
    """Every kind, in a stable order (parents before the records that refer to them)."""
    return iter(KINDS.values())
