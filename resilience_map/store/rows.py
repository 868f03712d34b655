"""How records become table rows and history text, and the checks rows need on the way.

Shared by the store's writing code and the merge; no state, no SQL beyond what a helper names.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sqlite3
import typing
from collections.abc import Iterator, Sequence
from typing import TypeVar

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from resilience_map.domain.memo import memoise
from resilience_map.domain.records import (
    HubActivity,
    Municipality,
    Record,
)
from resilience_map.domain.validation import ValidationError
from resilience_map.store.columns import object_texts
from resilience_map.store.schema import (
    RECORD_TABLES,
    _base_type,
    field_types,
    to_json_value,
)

R = TypeVar("R", bound=Record)


#: How history keeps values that are not text: JSON, keys sorted, any script as it is. One encoder
#: for every row (``json.dumps`` with options builds a new one per call).
to_history_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def record_json(record: Record) -> dict[str, object]:
    """A record as JSON-ready dict (history snapshots, restore, sync)."""
    return {name: to_json_value(getattr(record, name)) for name in field_names(type(record))}


@memoise
def field_names(record_type: type[Record]) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(record_type))


def snapshots(records: Sequence[Record], columns: Sequence[list[object]] | None) -> list[str]:
    """The history text of whole records (an insert or a restore). For records stored as exactly
    their JSON values (``columns``: the stored values as inserted, column by column), those
    values are encoded as they are."""
    if columns is not None and records and scalar_fields(type(records[0])):
        return object_texts(RECORD_TABLES[type(records[0])].columns(), columns, to_history_json)
    return [to_history_json(record_json(r)) for r in records]


def stamper(now: str, author: str) -> typing.Callable[[R], R]:
    """What makes a copy of a new record with the store's bookkeeping (times, author, version 1).

    Equivalent to ``dataclasses.replace`` but without re-running ``__init__``, which is most of
    the cost of adding 100,000 imported values (the bookkeeping is made once, set with one
    dictionary update per record); the copy is fresh, so setting its fields does not break the
    immutability anyone relies on.
    """
    stamp = {"created_at": now, "modified_at": now, "modified_by": author, "version": 1}

    def stamped(record: R) -> R:
        copy = object.__new__(type(record))
        fields = copy.__dict__
        fields.update(record.__dict__)
        fields.update(stamp)
        return copy
    return stamped


def same_type_runs(records: list[R]) -> Iterator[list[R]]:
    run: list[R] = []
    for record in records:
        if run and type(run[-1]) is not type(record):
            yield run
            run = []
        run.append(record)
    if run:
        yield run


@memoise
def scalar_fields(record_type: type[Record]) -> bool:
    """No tuple or dict fields: the stored row and the history snapshot hold the same values."""
    hints = field_types(record_type)
    columns = RECORD_TABLES[record_type].columns()
    for f in dataclasses.fields(record_type):
        base = _base_type(hints[f.name])
        if f.name not in columns or base is dict or typing.get_origin(base) in (tuple, dict):
            return False
    return True


def plain_rows(record_type: type[Record]) -> bool:
    """Records stored as one plain row: no geometry, no seat or participant rows."""
    return not RECORD_TABLES[record_type].layer.geometry_type and \
        record_type not in (Municipality, HubActivity)


def changed_fields(old: Record, new: Record) -> list[str]:
    return [name for name in type(old).content_fields() if getattr(old, name) != getattr(new, name)]


def field_json(record: Record, name: str) -> object:
    return to_json_value(getattr(record, name))


def history_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return to_history_json(value)


def record_point(record: Record) -> Point | None:
    if isinstance(record, HubActivity) and record.host_lon is not None and record.host_lat is not None:
        return Point(record.host_lon, record.host_lat)
    return None


def as_multipolygon(geom: BaseGeometry | None) -> MultiPolygon | None:
    if geom is None:
        return None
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    polygons = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon"]
    if not polygons:
        raise ValidationError("geom", f"a boundary must be a polygon, not a {geom.geom_type}")
    return MultiPolygon(polygons)


def check_finite_geometry(geom: BaseGeometry | None) -> None:
    """NaN or infinite coordinates would make every map of the project fail to draw."""
    if geom is not None and not all(math.isfinite(v) for v in shapely.get_coordinates(geom).ravel()):
        raise ValidationError("geom", "a boundary has a coordinate that is not a finite number")


def describe_geometry(geom: BaseGeometry | None, source: str = "") -> str | None:
    if geom is None:
        return None
    text = f"{geom.geom_type}, {shapely.get_num_coordinates(geom)} vertices"
    return f"{text}, from {source}" if source else text


def integrity_to_validation(exc: sqlite3.IntegrityError) -> ValidationError:
    message = str(exc)
    if "indicator_values" in message:
        return ValidationError("value", "there is already a value for this municipality, "
                               "indicator and wave")
    if "FOREIGN KEY" in message:
        return ValidationError("uuid", "it refers to a record that does not exist")
    if "registry_id" in message:
        return ValidationError("registry_id", "this municipality is already in the project")
    if "UNIQUE" in message:
        return ValidationError("uuid", "a record with the same identity already exists")
    return ValidationError("uuid", message)
