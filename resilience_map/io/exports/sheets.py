"""Records as readable tables: one per record kind, references shown by name.

Headers are words ("Start date"), municipalities appear in the chosen name form
with their registry code and country (so the table can be imported again),
indicators by code and name, waves by name, enumerations by their label, yes/no as
words. Uuids never appear. The kinds registry (:mod:`resilience_map.domain.kinds`)
gives each table's title and the records' fields, so a new record type gets its
sheet without code here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from enum import Enum
from operator import attrgetter

from resilience_map.domain.kinds import RecordKind, all_kinds
from resilience_map.domain.records import ActivityParticipant, Record
from resilience_map.io.exports.snapshot import ExportData

Cell = object  # str | float | int | date | None


@dataclass(frozen=True)
class ExportTable:
    title: str
    headers: list[str]
    rows: list[list[Cell]]


_HEADINGS = {"name_local": "Name (local form)", "name_latin": "Name (Latin script)",
             "name_en": "Name (English)", "alt_names": "Other names", "seat_lon": "Seat longitude",
             "seat_lat": "Seat latitude", "scn_member_since": "Strong Cities Network member since",
             "parent_id": "Part of", "registry_id": "Code"}


def heading(name: str) -> str:
    return _HEADINGS.get(name, name.replace("_", " ").capitalize())


def plain(value: object) -> Cell:
    """A field value as a spreadsheet cell."""
    kind = type(value)
    if kind is str or kind is float or kind is int:  # most cells: as they are, checked first
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return value.label  # type: ignore[attr-defined]
    if isinstance(value, (int, float, date, str)):
        return value
    if isinstance(value, tuple):
        return "; ".join(str(plain(v)) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def table_for(kind: RecordKind, data: ExportData) -> ExportTable:
    """The readable table of one record kind."""
    columns = _columns(kind, data)
    rows = [[get(record) for _h, get in columns] for record in data.records_of(kind.record_type)]
    return ExportTable(kind.plural[:1].upper() + kind.plural[1:], [h for h, _g in columns], rows)


def all_tables(data: ExportData) -> list[ExportTable]:
    return [table_for(kind, data) for kind in all_kinds()]


def _columns(kind: RecordKind, data: ExportData) -> list[tuple[str, Callable[[Record], Cell]]]:
    units = {u.uuid: u for u in data.units}
    by_registry = {u.registry_id: u for u in data.units}
    activities = {a.uuid: a for a in data.activities}
    # What a reference shows, looked up once per referenced record rather than per row.
    unit_names = {u.uuid: data.unit_name(u) for u in data.units}
    unit_codes = {u.uuid: u.registry_id for u in data.units}
    unit_countries = {u.uuid: u.country.value for u in data.units}
    indicator_codes = {i.uuid: i.code for i in data.indicators}
    indicator_names = {i.uuid: i.name for i in data.indicators}
    wave_names = {w.uuid: w.name for w in data.waves}
    columns: list[tuple[str, Callable[[Record], Cell]]] = []
    for f in fields(kind.record_type):
        name = f.name
        if name in Record.META_FIELDS:
            continue
        if name == "municipality_uuid":
            columns += [
                ("Municipality", lambda r: unit_names[r.municipality_uuid]),  # type: ignore[attr-defined]
                ("Code", lambda r: unit_codes[r.municipality_uuid]),  # type: ignore[attr-defined]
                ("Country", lambda r: unit_countries[r.municipality_uuid])]  # type: ignore[attr-defined]
        elif name == "indicator_uuid":
            columns += [("Indicator", lambda r: indicator_codes[r.indicator_uuid]),  # type: ignore[attr-defined]
                        ("Indicator name", lambda r: indicator_names[r.indicator_uuid])]  # type: ignore[attr-defined]
        elif name == "wave_uuid":
            columns.append(("Wave", lambda r: wave_names[r.wave_uuid]))  # type: ignore[attr-defined]
        elif name == "source_activity_uuid":
            columns.append(("Source activity", lambda r: activities[r.source_activity_uuid].title  # type: ignore[attr-defined]
                            if r.source_activity_uuid in activities else ""))  # type: ignore[attr-defined]
        elif name == "parent_id":
            columns.append((heading(name), lambda r: data.unit_name(by_registry[r.parent_id])  # type: ignore[attr-defined]
                            if r.parent_id in by_registry else ""))  # type: ignore[attr-defined]
        elif name == "participants":
            columns.append(("Municipalities", lambda r: _participants(r.participants, units, data)))  # type: ignore[attr-defined]
        else:
            columns.append((heading(name), _getter(name)))
    if kind.table == "municipalities":
        columns.insert(0, ("Municipality", lambda r: data.unit_name(r)))  # type: ignore[arg-type]
    return columns


def _getter(name: str) -> Callable[[Record], Cell]:
    get = attrgetter(name)
    return lambda record: plain(get(record))


def _participants(participants: tuple[ActivityParticipant, ...], units: dict, data: ExportData) -> str:
    names = []
    for p in participants:
        unit = units.get(p.municipality_uuid)
        if unit is not None:
            names.append(data.unit_name(unit) + (" (host)" if p.role.value == "host" else ""))
    return "; ".join(names)
