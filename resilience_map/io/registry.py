"""The bundled registry of local self-government units (``data/municipalities.csv``).

The file is built by ``tools/build_registry.py`` from a hand-curated source
table; ``data/README.md`` documents every column and source. This module turns
its rows into :class:`~resilience_map.domain.records.Municipality` records.

Every registry record gets a UUID derived from its registry id, so two laptops
that start projects independently give the same municipality the same UUID.
"""

from __future__ import annotations

import csv
import uuid
from functools import lru_cache

from resilience_map.assets import data_file
from resilience_map.domain.enums import Country, UnitKind
from resilience_map.domain.records import Municipality
from resilience_map.domain.validation import ValidationError

REGISTRY_FILE = "municipalities.csv"

#: Columns the loader needs; the file may carry more (notes, seat_source, …).
REQUIRED_COLUMNS = (
    "id", "country", "kind", "parent_id", "name_local", "name_latin", "name_en",
    "alt_names", "region", "entity", "seat_name", "population", "population_year",
    "codes", "seat_lat", "seat_lon",
)

#: Record timestamps of registry rows: fixed, so records built on two laptops are equal.
REGISTRY_TIMESTAMP = "2025-01-01T00:00:00+00:00"


class RegistryError(ValueError):
    """The bundled registry file is broken; the message names the row."""


def registry_uuid(registry_id: str) -> str:
    """The UUID every installation gives the registry unit ``registry_id``."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "resilience-map:municipality:" + registry_id))


def _optional_int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value else None


def _optional_float(value: str) -> float | None:
    value = value.strip()
    return float(value) if value else None


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split("|") if part.strip())


def _codes(value: str) -> dict[str, str]:
    codes: dict[str, str] = {}
    for item in _split(value):
        system, sep, code = item.partition(":")
        if not sep or not system or not code:
            raise ValueError(f"code {item!r} is not of the form system:code")
        codes[system] = code
    return codes


def municipality_from_row(row: dict[str, str]) -> Municipality:
    """Convert one registry row; raises ``ValueError``/``ValidationError`` if it is bad."""
    registry_id = row["id"].strip()
    record = Municipality(
        uuid=registry_uuid(registry_id),
        created_at=REGISTRY_TIMESTAMP,
        modified_at=REGISTRY_TIMESTAMP,
        modified_by="registry",
        registry_id=registry_id,
        country=Country(row["country"].strip()),
        kind=UnitKind(row["kind"].strip()),
        name_local=row["name_local"].strip(),
        name_latin=row["name_latin"].strip(),
        name_en=row["name_en"].strip(),
        alt_names=_split(row["alt_names"]),
        parent_id=row["parent_id"].strip() or None,
        region=row["region"].strip(),
        entity=row["entity"].strip(),
        seat_name=row["seat_name"].strip(),
        seat_lat=_optional_float(row["seat_lat"]),
        seat_lon=_optional_float(row["seat_lon"]),
        population=_optional_int(row["population"]),
        population_year=_optional_int(row["population_year"]),
        codes=_codes(row["codes"]),
    )
    record.validate()
    return record


def parse_registry(lines) -> tuple[Municipality, ...]:
    """Parse registry CSV text (an iterable of lines) into records, checking the whole file."""
    reader = csv.DictReader(lines)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RegistryError(f"{REGISTRY_FILE}: missing column(s) {', '.join(missing)}")
    records: list[Municipality] = []
    seen: set[str] = set()
    for line_no, row in enumerate(reader, start=2):
        label = f"{REGISTRY_FILE} line {line_no} ({row.get('id') or 'no id'})"
        if None in row or any(value is None for value in row.values()):
            raise RegistryError(f"{label}: wrong number of fields")
        try:
            record = municipality_from_row(row)
        except (ValueError, ValidationError) as error:
            raise RegistryError(f"{label}: {error}") from error
        if record.registry_id in seen:
            raise RegistryError(f"{label}: duplicate id")
        seen.add(record.registry_id)
        records.append(record)
    by_id = {r.registry_id: r for r in records}
    for record in records:
        if record.parent_id is None:
            continue
        parent = by_id.get(record.parent_id)
        if parent is None:
            raise RegistryError(
                f"{REGISTRY_FILE} ({record.registry_id}): parent {record.parent_id} does not exist"
            )
        if parent.country is not record.country:
            raise RegistryError(
                f"{REGISTRY_FILE} ({record.registry_id}): parent {record.parent_id} "
                "is in another country"
            )
    return tuple(records)


@lru_cache(maxsize=1)
def load_registry() -> tuple[Municipality, ...]:
    """Every unit in the bundled registry, in file order (country, then id)."""
    with data_file(REGISTRY_FILE).open(encoding="utf-8", newline="") as handle:
        return parse_registry(handle)


@lru_cache(maxsize=1)
def _by_id() -> dict[str, Municipality]:
    return {record.registry_id: record for record in load_registry()}


def registry_by_id() -> dict[str, Municipality]:
    """The registry keyed by registry id (``mk-kumanovo``); a fresh dict each call."""
    return dict(_by_id())


def children_of(registry_id: str) -> tuple[Municipality, ...]:
    """Units whose ``parent_id`` is ``registry_id`` (Belgrade's 17, Skopje's 10…)."""
    return tuple(r for r in load_registry() if r.parent_id == registry_id)
