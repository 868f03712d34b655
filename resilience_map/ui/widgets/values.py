"""Field values as practitioners read and type them (tables, history, forms).

Reading is forgiving about how a number is written (a decimal comma, spaces or commas
between thousands) but never changes what was typed: "15" on a 0–10 scale stays 15 and
is refused by validation, it is not clamped to 10; "1.234" is not rounded to 1.23.
"""

from __future__ import annotations

import math
import typing
from datetime import date, datetime

from resilience_map.domain.enums import StrEnum
from resilience_map.domain.records import Record

#: Texts that mean "not known" in an optional field.
EMPTY_WORDS = frozenset({"", "—", "-", "unknown", "not known", "none"})


def display_value(value: object) -> str:
    """A field value as a practitioner reads it in a cell."""
    if value is None:
        return ""  # not known / not set: an empty cell reads quieter than a dash in every row
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, StrEnum):
        return value.label
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(display_value(v) for v in value)
    return str(value)


def number_text(value: float | int | None) -> str:
    """A stored number for an editor: every digit it has (not the 6 of "%g")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def timestamp_label(stored: str) -> str:
    """Stored UTC timestamp → local "2026-11-21 21:11" (minutes are precise enough to read)."""
    try:
        moment = datetime.fromisoformat(stored.replace("Z", "+00:00"))
    except ValueError:
        return stored
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def parse_number(text: str, integer: bool = False) -> float | int:
    """A typed number → float (or int); ValueError for anything that is not exactly a number.

    A comma is a decimal comma for decimals ("4,5") and a thousands separator for whole
    numbers ("1,200"); spaces between digit groups are ignored. NaN and infinities are
    refused: they are not values anybody measures.
    """
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace("\u202f", "")
    if integer:
        cleaned = cleaned.replace(",", "")
        if not cleaned.lstrip("+-").isdigit():
            raise ValueError(text)
        return int(cleaned)
    number = float(cleaned.replace(",", "."))
    if not math.isfinite(number):
        raise ValueError(text)
    return number


_FIELD_TYPES: dict[type[Record], dict[str, object]] = {}


def field_types(record_type: type[Record]) -> dict[str, object]:
    """Resolved annotations of a record dataclass (strings → real types), resolved once."""
    if record_type not in _FIELD_TYPES:
        _FIELD_TYPES[record_type] = typing.get_type_hints(record_type)
    return _FIELD_TYPES[record_type]
