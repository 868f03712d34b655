"""What each record table shows and how each editable cell reads what was typed.

:data:`COLUMNS` picks the columns per record type (names instead of ids, bookkeeping
last); :func:`edit_spec` derives a cell's editor from the field's type annotation, and
:func:`coerce` turns the editor's text or the clipboard into the field's Python type —
refusing, with a sentence, anything that is not exactly a value of that type.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from PySide6.QtCore import QDate

from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    MunicipalityNote,
    PreventionStructure,
    Record,
    StudyWave,
)
from resilience_map.domain.validation import ValidationError
from resilience_map.session import MUNICIPALITY_SORT
from resilience_map.ui.widgets.values import EMPTY_WORDS, field_types, parse_number

#: Fields derived from other records (shown, never edited in the table).
DERIVED = ("municipality", "country", "indicator", "wave", "participants")


@dataclass(frozen=True)
class Column:
    """One table column: a record field or a value derived from referenced records."""

    header: str
    field: str
    #: ``RecordQuery.order_by`` for this column; None where SQL cannot sort it sensibly.
    sort_key: str | None = None
    editable: bool = False


def _field(header: str, name: str, editable: bool = True) -> Column:
    return Column(header, name, sort_key=name, editable=editable)


_MODIFIED = [_field("Modified", "modified_at", False), _field("By", "modified_by", False)]
_PLACE = [Column("Municipality", "municipality", MUNICIPALITY_SORT), Column("Country", "country")]

#: Columns per record type, in the order of the Records view's tabs.
COLUMNS: dict[type[Record], list[Column]] = {
    IndicatorValue: [*_PLACE, Column("Indicator", "indicator"), Column("Study wave", "wave"),
                     _field("Value", "value"), _field("Neighbourhood", "neighbourhood"),
                     _field("Synthetic", "synthetic"), *_MODIFIED],
    StudyWave: [_field("Name", "name"), _field("Start", "start_date"), _field("End", "end_date"),
                _field("Sample size", "sample_size"), _field("Conducted by", "conducted_by"),
                _field("Synthetic", "synthetic"), _field("Notes", "notes"), *_MODIFIED],
    IndicatorDefinition: [_field("Code", "code"), _field("Name", "name"), _field("Dimension", "dimension"),
                          _field("Framework", "framework"), _field("Unit", "unit"),
                          _field("Scale min", "scale_min"), _field("Scale max", "scale_max"),
                          _field("Polarity", "polarity"), _field("Description", "description"), *_MODIFIED],
    PreventionStructure: [*_PLACE, _field("Type", "structure_type"), _field("Name", "name"),
                          _field("Status", "status"), _field("Established", "established"),
                          _field("Members", "member_count"), _field("Referral role", "referral_role"),
                          _field("Action plan", "action_plan"), _field("Own budget", "dedicated_budget"),
                          _field("Member sectors", "member_sectors", False),
                          _field("Legal basis", "legal_basis"), _field("Notes", "notes"), *_MODIFIED],
    HubActivity: [_field("Title", "title"), _field("Type", "activity_type"), _field("Start", "start_date"),
                  _field("End", "end_date"), _field("Place", "host_place"),
                  _field("Participants", "participant_count"), Column("Municipalities", "participants"),
                  _field("Topics", "topics", False), _field("Partners", "partners", False),
                  _field("Outcomes", "outcomes"), *_MODIFIED],
    MunicipalityNote: [*_PLACE, _field("Category", "category"), _field("Text", "text"),
                       _field("Noted on", "noted_on"), _field("Restricted", "restricted"), *_MODIFIED],
}


@dataclass(frozen=True)
class EditSpec:
    """What kind of editor a cell needs; the delegate builds it, :func:`coerce` reads its result."""

    kind: str  # text | float | int | date | enum | bool
    optional: bool = False
    enum: type[Enum] | None = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""
    scale_name: str = ""

    def kind_label(self) -> str:
        """The kind in words, for "“abc” is not a valid number"."""
        return {"float": "number", "int": "whole number", "date": "date (YYYY-MM-DD)",
                "enum": "choice", "bool": "yes or no"}.get(self.kind, self.kind)


def edit_spec(record_type: type[Record], name: str) -> EditSpec:
    """Editor kind for a plain field, from its type annotation."""
    annotation = field_types(record_type)[name]
    optional = isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union
    base = next((a for a in typing.get_args(annotation) if a is not type(None)), annotation) \
        if optional else annotation
    if isinstance(base, type) and issubclass(base, Enum):
        return EditSpec("enum", optional, enum=base)
    kinds = {bool: "bool", int: "int", float: "float", date: "date"}
    return EditSpec(kinds.get(base, "text"), optional)  # type: ignore[call-overload]


_TRUE = {"yes", "y", "true", "1", "da", "po"}
_FALSE = {"no", "n", "false", "0", "ne", "jo"}


def coerce(value: object, spec: EditSpec, field: str) -> object:
    """What an editor or the clipboard produced → the field's Python type.

    Raises ValidationError with a sentence a user understands, so a pasted "abc" in a
    number column is refused like any other invalid edit. Numbers are read exactly as
    typed (see :func:`parse_number`); the scale is checked by the record's validation.
    """
    if isinstance(value, str) and spec.kind != "text":
        value = value.strip()
        if value.casefold() in EMPTY_WORDS:
            if spec.optional:
                return None
            raise ValidationError(field, "is required")
    if value is None:
        if spec.optional or spec.kind == "text":
            return None if spec.optional else ""
        raise ValidationError(field, "is required")
    try:
        return _CONVERT[spec.kind](value, spec)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationError(field, f"“{value}” is not a valid {spec.kind_label()}") from exc


def _to_bool(value: object, _spec: EditSpec) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).casefold()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(text)


def _to_date(value: object, _spec: EditSpec) -> date:
    if isinstance(value, QDate):
        return date(value.year(), value.month(), value.day())
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _to_enum(value: object, spec: EditSpec) -> Enum:
    assert spec.enum is not None
    if isinstance(value, spec.enum):
        return value
    text = str(value).strip().casefold()
    for member in spec.enum:
        if text in (str(member.value).casefold(), getattr(member, "label", "").casefold()):
            return member
    raise ValueError(text)


def _to_number(integer: bool) -> Callable[[object, EditSpec], object]:
    def convert(value: object, _spec: EditSpec) -> object:
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(value, (int, float)):
            if integer and not float(value).is_integer():
                raise ValueError(value)
            return int(value) if integer else float(value)
        return parse_number(str(value), integer)
    return convert


_CONVERT: dict[str, Callable[[object, EditSpec], object]] = {
    "text": lambda v, _s: str(v), "float": _to_number(False), "int": _to_number(True),
    "date": _to_date, "enum": _to_enum, "bool": _to_bool,
}
