"""Which column is which field: suggested from the headers, saved as a named profile.

A mapping says what a table holds (``target``: indicator values, prevention
structures or municipality notes) and, per column header, the field it fills.
Wide tables (one column per indicator, as KoboToolbox/ODK and most spreadsheets
export) map a column to ``indicator:CODE``. The same file layout arrives again
every wave, so a mapping is saved as JSON (a *profile*) and reused with
``--mapping``. Suggestions never invent: a header that fits no field and no
indicator is left unmapped and shown as such.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from resilience_map.domain.names import fold
from resilience_map.domain.records import IndicatorDefinition
from resilience_map.io.tables.errors import TableError
from resilience_map.io.tables.vocabulary import (
    TARGET_FIELDS,
    field_for_header,
    header_key,
)

PROFILE_FORMAT = "resilience-map table mapping"
PROFILE_VERSION = 1
INDICATOR_PREFIX = "indicator:"
TARGETS = tuple(TARGET_FIELDS)


@dataclass(frozen=True)
class ColumnMapping:
    """A table's meaning; everything the planner needs besides the file and the project."""

    target: str = "indicator_values"
    #: Header → field name, or ``indicator:CODE`` for a wide table's value columns.
    columns: dict[str, str] = field(default_factory=dict)
    #: The wave of every row when the table has no wave column.
    wave: str | None = None
    wave_start: date | None = None
    #: Only units of this country are considered (ISO code), when the table has no country column.
    country: str | None = None
    #: Indicator definitions to create when missing: code → {name, scale_min, scale_max, ...}.
    new_indicators: dict[str, dict] = field(default_factory=dict)
    #: The user's decisions for names that were not recognised: name → registry id (None: skip).
    units: dict[str, str | None] = field(default_factory=dict)
    name: str = ""

    def __post_init__(self) -> None:
        if self.target not in TARGET_FIELDS:
            raise TableError(f"unknown import target {self.target!r}; choose one of {', '.join(TARGETS)}")
        allowed = set(TARGET_FIELDS[self.target])
        for header, name in self.columns.items():
            if name not in allowed and not name.startswith(INDICATOR_PREFIX):
                raise TableError(f"column {header!r} is mapped to {name!r}, which "
                                 f"{self.target.replace('_', ' ')} do not have; fields: "
                                 + ", ".join(sorted(allowed)))

    @property
    def shape(self) -> str:
        """``wide`` when columns carry indicators, else ``long``."""
        return "wide" if self.indicator_columns() else "long"

    def indicator_columns(self) -> dict[str, str]:
        """Header → indicator code, for wide tables."""
        return {h: f[len(INDICATOR_PREFIX):] for h, f in self.columns.items()
                if f.startswith(INDICATOR_PREFIX)}

    def column_of(self, name: str) -> str | None:
        """The header mapped to a field (None if no column is)."""
        return next((h for h, f in self.columns.items() if f == name), None)

    def with_column(self, header: str, name: str | None) -> ColumnMapping:
        """A copy with one column (re)mapped; ``None`` leaves it out (the wizard's combo box)."""
        columns = {h: f for h, f in self.columns.items() if h != header}
        if name:
            columns[header] = name
        return replace(self, columns=columns)

    def with_unit(self, name: str, registry_id: str | None) -> ColumnMapping:
        """A copy recording the user's choice for an unrecognised name (None = skip it)."""
        return replace(self, units={**self.units, name: registry_id})

    # -- profiles --------------------------------------------------------------------
    def to_json(self) -> dict:
        return {
            "format": PROFILE_FORMAT, "version": PROFILE_VERSION, "name": self.name,
            "target": self.target, "columns": dict(self.columns), "wave": self.wave,
            "wave_start": self.wave_start.isoformat() if self.wave_start else None,
            "country": self.country, "new_indicators": self.new_indicators,
            "units": self.units,
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n",
                              encoding="utf-8")

    @classmethod
    def from_json(cls, data: Mapping, source: str = "the mapping") -> ColumnMapping:
        if not isinstance(data, Mapping) or data.get("format") != PROFILE_FORMAT:
            raise TableError(f"{source} is not a Resilience Map table mapping (no "
                             f"\"format\": \"{PROFILE_FORMAT}\")")
        if int(data.get("version", 0)) > PROFILE_VERSION:
            raise TableError(f"{source} was written by a newer Resilience Map")
        try:
            start = data.get("wave_start")
            return cls(target=data.get("target", "indicator_values"),
                       columns=dict(data.get("columns") or {}), wave=data.get("wave"),
                       wave_start=date.fromisoformat(start) if start else None,
                       country=data.get("country"), new_indicators=dict(data.get("new_indicators") or {}),
                       units=dict(data.get("units") or {}), name=data.get("name", ""))
        except (TypeError, ValueError) as error:
            if isinstance(error, TableError):
                raise
            raise TableError(f"{source}: {error}") from None

    @classmethod
    def load(cls, path: str | Path) -> ColumnMapping:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise TableError(f"mapping file {path} does not exist") from None
        except json.JSONDecodeError as error:
            raise TableError(f"{path.name} is not valid JSON (line {error.lineno}: {error.msg})") from None
        return cls.from_json(data, path.name)

    def checked_against(self, headers: Iterable[str]) -> ColumnMapping:
        """Match the profile's headers to the file's (exactly, else folded); missing → error."""
        headers = list(headers)
        by_key = {header_key(h): h for h in headers}
        columns: dict[str, str] = {}
        for header, name in self.columns.items():
            found = header if header in headers else by_key.get(header_key(header))
            if found is None:
                raise TableError(f"the mapping names a column {header!r} that the table does "
                                 f"not have; its columns are: {', '.join(headers)}")
            columns[found] = name
        return replace(self, columns=columns)


def suggest_mapping(headers: Iterable[str], indicators: Iterable[IndicatorDefinition],
                    target: str | None = None) -> ColumnMapping:
    """The mapping the headers suggest (fields by name in any of the region's languages,
    indicator columns by code or name)."""
    headers = list(headers)
    fields = {h: field_for_header(h) for h in headers}
    target = target or _guess_target(set(filter(None, fields.values())))
    allowed = TARGET_FIELDS[target]
    columns: dict[str, str] = {}
    for header in headers:
        name = fields[header]
        if name in allowed and name not in columns.values():
            columns[header] = name
    if "municipality" not in columns.values():
        plain = next((h for h in headers if header_key(h) in ("name", "naziv", "emri", "ime")), None)
        if plain and plain not in columns:
            columns[plain] = "municipality"
    if target == "indicator_values" and "indicator" not in columns.values():
        by_code = {fold(i.code): i.code for i in indicators}
        by_name = {fold(i.name): i.code for i in indicators}
        for header in headers:
            if header in columns:
                continue
            code = by_code.get(header_key(header)) or by_name.get(header_key(header))
            if code:
                columns[header] = INDICATOR_PREFIX + code
    return ColumnMapping(target=target, columns=columns)


def _guess_target(fields: set[str]) -> str:
    if "structure_type" in fields:
        return "prevention_structures"
    if "text" in fields and ("category" in fields or "value" not in fields) and "indicator" not in fields:
        return "municipality_notes"
    return "indicator_values"
