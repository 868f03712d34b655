"""Errors raised when a record breaks a rule, phrased for practitioners, and the number
rules every way of entering data shares (forms, table paste, imports, the store API)."""

from __future__ import annotations

import dataclasses
import math
import re

from resilience_map.domain.memo import memoise

#: SQLite stores integers as signed 64-bit numbers.
SQLITE_INT_MIN = -(2**63)
SQLITE_INT_MAX = 2**63 - 1


class ValidationError(ValueError):
    """A record field holds a value the project cannot accept.

    ``field`` names the offending field so forms can show the message next to it.
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field.replace('_', ' ')}: {reason}")


def check_number(field: str, value: object) -> None:
    """Refuse NaN, ±infinity and integers SQLite cannot store (NaN would be stored as
    empty, infinity breaks every map, 2**63 overflows on saving). Booleans pass."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, float):
        if math.isnan(value):
            raise ValidationError(field, "is not a number (NaN); enter a number")
        if math.isinf(value):
            raise ValidationError(field, "must be a finite number, not infinity")
    elif isinstance(value, int) and not SQLITE_INT_MIN <= value <= SQLITE_INT_MAX:
        raise ValidationError(field, f"{value} is too large; whole numbers must lie between "
                                     f"{SQLITE_INT_MIN:,} and {SQLITE_INT_MAX:,}")


def check_record_numbers(record: object) -> None:
    """:func:`check_number` on every numeric field of a dataclass record.

    Every record is checked on every write (an import checks 100,000), so the common values —
    text, empty, finite floats and integers in range — are passed over without a call.
    """
    values = record.__dict__.items() if hasattr(record, "__dict__") else \
        ((name, getattr(record, name)) for name in _field_names(type(record)))
    for name, value in values:
        kind = type(value)
        if kind is str or value is None or kind is bool:
            continue
        if kind is float and value - value == 0.0:  # finite (inf - inf and NaN - NaN are NaN)
            continue
        if kind is int and SQLITE_INT_MIN <= value <= SQLITE_INT_MAX:
            continue
        check_number(name, value)


@memoise
def _field_names(record_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(record_type))


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def parse_number(field: str, text: str, *, integer: bool = False) -> float | int | None:
    """A number typed or pasted by a user (forms, table paste, imported cells).

    Empty text is None; a decimal comma is accepted (as written in the region);
    "nan", "inf", "1e400", thousands of digits and anything else that is not a
    finite number SQLite can store is refused with a :class:`ValidationError`.
    """
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        return None
    if not _NUMBER.match(cleaned) or len(cleaned) > 40:
        raise ValidationError(field, f"{text.strip()!r} is not a number")
    cleaned = cleaned.replace(",", ".")
    if integer:
        if not re.fullmatch(r"[+-]?\d+", cleaned):
            raise ValidationError(field, f"{text.strip()!r} is not a whole number")
        value: float | int = int(cleaned)
    else:
        value = float(cleaned)
    check_number(field, value)
    return value
