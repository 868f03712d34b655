"""The project's records as small immutable dataclasses.

Every record carries :class:`RecordMeta`-style fields (``uuid``, timestamps,
author, ``version``) so that edits made on different laptops can later be
merged record by record: the UUID identifies the record everywhere, the version
counter tells which copy saw more edits. Records are frozen; an edit is
``dataclasses.replace(record, field=value)`` followed by ``validate()``.
"""

from __future__ import annotations

import functools
import uuid as uuid_module
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timezone

from resilience_map.domain.enums import (
    ActivityType,
    Country,
    MemberSector,
    NoteCategory,
    ParticipationRole,
    Polarity,
    StructureStatus,
    StructureType,
    UnitKind,
)
from resilience_map.domain.validation import ValidationError, check_record_numbers


def new_uuid() -> str:
    """A fresh random record id (text form, as stored)."""
    return str(uuid_module.uuid4())


def utc_now() -> str:
    """Current time as stored: ISO 8601 UTC with milliseconds (GeoPackage DATETIME form)."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


@dataclass(frozen=True, kw_only=True)
class Record:
    """Fields every stored record has."""

    uuid: str = field(default_factory=new_uuid)
    created_at: str = field(default_factory=utc_now)
    modified_at: str = field(default_factory=utc_now)
    modified_by: str = ""
    version: int = 1

    #: Fields a user edits (everything but the bookkeeping above).
    META_FIELDS = ("uuid", "created_at", "modified_at", "modified_by", "version")

    def validate(self) -> None:
        """Raise :class:`ValidationError` naming the first bad field."""
        check_record_numbers(self)

    def __init_subclass__(cls, **kwargs: object) -> None:
        """Every record type's ``validate()`` first refuses NaN, infinity and integers
        outside SQLite's range in any field, so no record type can forget to."""
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("validate")
        if own is not None:
            @functools.wraps(own)
            def validate(self: Record) -> None:
                check_record_numbers(self)
                own(self)
            cls.validate = validate  # type: ignore[method-assign]

    @classmethod
    def content_fields(cls) -> list[str]:
        """Names of the fields a user edits, in declaration order."""
        return [f.name for f in fields(cls) if f.name not in cls.META_FIELDS]


def _check_period(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError("end_date", "cannot be before the start date")


def _check_not_negative(record: Record, *names: str) -> None:
    for name in names:
        value = getattr(record, name)
        if value is not None and value < 0:
            raise ValidationError(name, "cannot be negative")


def _check_position(record: Record, lat_field: str, lon_field: str) -> None:
    lat, lon = getattr(record, lat_field), getattr(record, lon_field)
    if (lat is None) != (lon is None):
        raise ValidationError(lat_field, "give both latitude and longitude, or neither")
    if lat is not None and not (-90 <= lat <= 90):
        raise ValidationError(lat_field, f"{lat} is not a latitude (-90 to 90)")
    if lon is not None and not (-180 <= lon <= 180):
        raise ValidationError(lon_field, f"{lon} is not a longitude (-180 to 180)")


def _require(record: Record, *names: str) -> None:
    for name in names:
        value = getattr(record, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValidationError(name, "is required")


@dataclass(frozen=True, kw_only=True)
class Municipality(Record):
    """A local self-government unit (municipality, city, city municipality, district).

    ``registry_id`` is the stable human-readable id from ``data/municipalities.csv``
    (``mk-kumanovo``); it is the key that imports and other laptops agree on.
    """

    registry_id: str
    country: Country
    kind: UnitKind = UnitKind.MUNICIPALITY
    name_local: str
    name_latin: str
    name_en: str
    alt_names: tuple[str, ...] = ()
    parent_id: str | None = None
    region: str = ""
    entity: str = ""
    seat_name: str = ""
    seat_lon: float | None = None
    seat_lat: float | None = None
    population: int | None = None
    population_year: int | None = None
    codes: dict[str, str] = field(default_factory=dict)
    scn_member_since: date | None = None

    def validate(self) -> None:
        _require(self, "registry_id", "name_local", "name_latin", "name_en")
        if self.kind is UnitKind.CITY_MUNICIPALITY and not self.parent_id:
            raise ValidationError("parent_id", "a city municipality must name its city")
        _check_position(self, "seat_lat", "seat_lon")
        _check_not_negative(self, "population")
        if self.population is not None and self.population_year is None:
            raise ValidationError("population_year", "say which census the population comes from")

    def all_names(self) -> tuple[str, ...]:
        """Every name form, official first; what search and matching look at."""
        names = [self.name_local, self.name_latin, self.name_en, *self.alt_names]
        return tuple(dict.fromkeys(n for n in names if n))


@dataclass(frozen=True, kw_only=True)
class StudyWave(Record):
    """One round of a resilience study (e.g. Kumanovo baseline, February 2020)."""

    name: str
    start_date: date
    end_date: date | None = None
    sample_size: int | None = None
    conducted_by: str = ""
    synthetic: bool = False
    notes: str = ""

    def validate(self) -> None:
        _require(self, "name", "start_date")
        _check_period(self.start_date, self.end_date)
        if self.sample_size is not None and self.sample_size <= 0:
            raise ValidationError("sample_size", "must be a positive number of respondents")


@dataclass(frozen=True, kw_only=True)
class IndicatorDefinition(Record):
    """What an indicator measures and on which scale."""

    code: str
    name: str
    dimension: str = ""
    framework: str = ""
    unit: str = ""
    scale_min: float
    scale_max: float
    polarity: Polarity = Polarity.HIGHER_IS_BETTER
    description: str = ""

    def validate(self) -> None:
        _require(self, "code", "name", "scale_min", "scale_max")
        if self.scale_max <= self.scale_min:
            raise ValidationError("scale_max", "must be greater than the scale minimum")


@dataclass(frozen=True, kw_only=True)
class IndicatorValue(Record):
    """One indicator's value for one municipality in one study wave."""

    municipality_uuid: str
    indicator_uuid: str
    wave_uuid: str
    value: float
    neighbourhood: str = ""
    synthetic: bool = False

    def validate(self) -> None:
        _require(self, "municipality_uuid", "indicator_uuid", "wave_uuid", "value")

    def validate_against(self, indicator: IndicatorDefinition, *, scale_checked: bool = False) -> None:
        """The value must lie on its indicator's scale. ``scale_checked``: the caller already
        validated the indicator (an import checks 100,000 values against 20 indicators)."""
        self.validate()
        try:
            if not scale_checked:
                indicator.validate()
        except ValidationError as exc:
            raise ValidationError("value", f"the indicator {indicator.name} has no valid scale "
                                           f"({exc}); correct the indicator first") from None
        if not (indicator.scale_min <= self.value <= indicator.scale_max):
            raise ValidationError(
                "value",
                f"{self.value:g} is outside the scale of {indicator.name} "
                f"({indicator.scale_min:g} to {indicator.scale_max:g} {indicator.unit})".rstrip(),
            )


@dataclass(frozen=True, kw_only=True)
class PreventionStructure(Record):
    """A CAT, prevention council or safety council in one municipality."""

    municipality_uuid: str
    structure_type: StructureType
    name: str = ""
    status: StructureStatus = StructureStatus.ACTIVE
    established: date | None = None
    legal_basis: str = ""
    member_sectors: tuple[MemberSector, ...] = ()
    member_count: int | None = None
    referral_role: bool | None = None
    action_plan: bool | None = None
    dedicated_budget: bool | None = None
    notes: str = ""

    def validate(self) -> None:
        _require(self, "municipality_uuid", "structure_type")
        _check_not_negative(self, "member_count")


@dataclass(frozen=True, kw_only=True)
class ActivityParticipant:
    """A municipality taking part in a hub activity (host or participant)."""

    municipality_uuid: str
    role: ParticipationRole = ParticipationRole.PARTICIPANT


@dataclass(frozen=True, kw_only=True)
class HubActivity(Record):
    """A workshop, roundtable, exchange, consultation, grant… run by the hub."""

    title: str
    activity_type: ActivityType
    start_date: date
    end_date: date | None = None
    date_precision: str = "day"
    host_place: str = ""
    host_lon: float | None = None
    host_lat: float | None = None
    participant_count: int | None = None
    topics: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    outcomes: str = ""
    source: str = ""
    participants: tuple[ActivityParticipant, ...] = ()

    def validate(self) -> None:
        _require(self, "title", "activity_type", "start_date")
        _check_period(self.start_date, self.end_date)
        _check_position(self, "host_lat", "host_lon")
        if self.date_precision not in ("day", "month", "year"):
            raise ValidationError("date_precision", "must be day, month or year")
        _check_not_negative(self, "participant_count")
        seen = [p.municipality_uuid for p in self.participants]
        if len(seen) != len(set(seen)):
            raise ValidationError("participants", "a municipality is listed twice")


@dataclass(frozen=True, kw_only=True)
class MunicipalityNote(Record):
    """A need, priority or observation recorded for a municipality."""

    municipality_uuid: str
    category: NoteCategory
    text: str
    noted_on: date | None = None
    source_activity_uuid: str | None = None
    restricted: bool = False

    def validate(self) -> None:
        _require(self, "municipality_uuid", "category", "text")
