"""Cell values → numbers, dates, yes/no, as a column writes them.

A column is read one way throughout: its decimal separator is decided from the
values that can only be read one way ("3,5" or "1.234,5" say comma; "3.5" or
"1,234.5" say point), and a column that says both is refused — guessing would
turn 1.234 into 1234 or 1.234 silently. Dates likewise: one written format per
column (ISO 2020-02-01, 01.02.2020, 01/02/2020 with the day/month order read from
the column); spreadsheet date cells need no format. Values that are NaN or
infinite are refused wherever they come from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from resilience_map.domain.names import fold


class CellError(ValueError):
    """One cell cannot be read; the message says why (the caller adds row and column)."""


class ColumnError(ValueError):
    """A whole column is written inconsistently (mixed separators or date formats)."""


MISSING = frozenset({"", "n/a", "na", "-", "–", "—", ".."})
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_COMMA_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)?,\d+$")
_POINT_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?\.\d+$")
_AMBIGUOUS = re.compile(r"^[+-]?\d{1,3}[.,]\d{3}$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_THOUSANDS_POINT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")


def is_missing(cell: object) -> bool:
    """Empty cells and the usual "no answer" marks (n/a, -, ..) hold no value."""
    if cell is None:
        return True
    return isinstance(cell, str) and cell.strip().lower() in MISSING


def _compact(text: str) -> str:
    return _SPACES.sub("", text.strip())


def decimal_style(cells: Iterable[tuple[int, object]], default: str = ".") -> str:
    """"," or "." for a column of (row, cell) pairs; raises :class:`ColumnError` when mixed."""
    comma_row = point_row = None
    seen: set[str] = set()  # a text met again says nothing new (its first row is kept)
    for row, cell in cells:
        if not isinstance(cell, str) or cell in seen:
            continue
        seen.add(cell)
        text = _compact(cell)
        if comma_row is None and _COMMA_DECIMAL.match(text):
            comma_row = (row, cell.strip())
        elif point_row is None and _POINT_DECIMAL.match(text) and not _AMBIGUOUS.match(text):
            point_row = (row, cell.strip())
        if comma_row and point_row:
            raise ColumnError(
                f"mixes decimal comma (row {comma_row[0]}: {comma_row[1]!r}) and decimal point "
                f"(row {point_row[0]}: {point_row[1]!r}); write every number in the column the "
                "same way", )
    if comma_row:
        return ","
    if point_row:
        return "."
    return default


def parse_number(cell: object, decimal: str = ".") -> float:
    """A finite number from a cell; :class:`CellError` says what is wrong."""
    if isinstance(cell, bool):
        raise CellError(f"{cell!r} is a yes/no value, not a number")
    if isinstance(cell, (int, float)):
        value = float(cell)
    elif isinstance(cell, str):
        value = _parse_number_text(cell, decimal)
    else:
        raise CellError(f"{cell!s} is a date or time, not a number")
    if not math.isfinite(value):
        raise CellError(f"{cell!s} is not a finite number")
    return value


def _parse_number_text(cell: str, decimal: str) -> float:
    text = _compact(cell)
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity", "∞"):
        raise CellError(f"{cell.strip()!r} is not a finite number")
    if decimal == ",":
        if _THOUSANDS_COMMA.match(text) and not _AMBIGUOUS.match(text):
            raise CellError(f"{cell.strip()!r} uses a comma as thousands separator but the "
                            "column uses decimal commas")
        if _COMMA_DECIMAL.match(text) or _INTEGER.match(text) or _THOUSANDS_POINT.match(text):
            return float(text.replace(".", "").replace(",", "."))
    else:
        if _POINT_DECIMAL.match(text) or _INTEGER.match(text) or _THOUSANDS_COMMA.match(text):
            return float(text.replace(",", ""))
    raise CellError(f"{cell.strip()!r} is not a number")


# -- dates -------------------------------------------------------------------------------------
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?$")
_DOTTED = re.compile(r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\.?$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_FORMAT_NAMES = {"iso": "2020-02-01", "dotted": "01.02.2020", "slashed": "01/02/2020"}


@dataclass(frozen=True)
class DateStyle:
    """How a column writes dates: its one text format and, for x/y/yyyy, the order."""

    text_format: str | None = None  # iso | dotted | slashed
    day_first: bool = True


def date_style(cells: Iterable[tuple[int, object]]) -> DateStyle:
    """Work out a column's date format; :class:`ColumnError` if it uses several or is unclear."""
    seen: dict[str, tuple[int, str]] = {}
    day_first_evidence: tuple[int, str] | None = None
    month_first_evidence: tuple[int, str] | None = None
    met: set[str] = set()  # a text met again says nothing new (its first row is kept)
    for row, cell in cells:
        if not isinstance(cell, str) or cell in met or is_missing(cell):
            continue
        met.add(cell)
        text = cell.strip()
        for name, pattern in (("iso", _ISO), ("dotted", _DOTTED), ("slashed", _SLASHED)):
            found = pattern.match(text)
            if found:
                seen.setdefault(name, (row, text))
                if name == "slashed":
                    first, second = int(found.group(1)), int(found.group(2))
                    if first > 12:
                        day_first_evidence = day_first_evidence or (row, text)
                    if second > 12:
                        month_first_evidence = month_first_evidence or (row, text)
                break
    if len(seen) > 1:
        examples = ", ".join(f"{text} (row {row})" for row, text in seen.values())
        raise ColumnError(f"writes dates in {len(seen)} formats: {examples}; write every date "
                          "one way, preferably as 2020-02-01")
    if day_first_evidence and month_first_evidence:
        raise ColumnError(f"has dates day-first ({day_first_evidence[1]}, row "
                          f"{day_first_evidence[0]}) and month-first ({month_first_evidence[1]}, "
                          f"row {month_first_evidence[0]}); write them as 2020-02-01")
    text_format = next(iter(seen), None)
    return DateStyle(text_format, day_first=month_first_evidence is None)


def parse_date(cell: object, style: DateStyle = DateStyle()) -> date:
    """A calendar date from a cell, read with the column's style."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if not isinstance(cell, str):
        raise CellError(f"{cell!r} is not a date")
    text = cell.strip()
    try:
        if (found := _ISO.match(text)):
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        if (found := _DOTTED.match(text)):
            return date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        if (found := _SLASHED.match(text)):
            a, b, year = int(found.group(1)), int(found.group(2)), int(found.group(3))
            return date(year, b, a) if style.day_first else date(year, a, b)
    except ValueError:
        raise CellError(f"{text!r} is not a real calendar date") from None
    if re.fullmatch(r"\d{4}", text):
        raise CellError(f"{text!r} is only a year; give the full date (e.g. {text}-09-01)")
    raise CellError(f"{text!r} is not a date; write dates as {_FORMAT_NAMES['iso']}")


# -- yes / no ------------------------------------------------------------------------------------
_YES = {"yes", "y", "true", "1", "x", "da", "po", "ja", "oui"}
_NO = {"no", "n", "false", "0", "ne", "jo", "nein", "non"}
_UNKNOWN = {"", "unknown", "?", "nepoznato", "e panjohur", "panjohur", "n/a", "na", "-"}


def parse_flag(cell: object) -> bool | None:
    """Yes/no/unknown in English, Albanian, BCMS and Macedonian (Cyrillic folded)."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, (int, float)) and cell in (0, 1):
        return bool(cell)
    key = fold(str(cell))
    if key in _YES:
        return True
    if key in _NO:
        return False
    if key in _UNKNOWN or str(cell).strip() in _UNKNOWN:
        return None
    raise CellError(f"{str(cell).strip()!r} is not yes, no or unknown")


def cell_text(cell: object) -> str:
    """A cell as the text a user sees (numbers without a trailing .0)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    text = str(cell).strip()
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:
        return " ".join(text.split())
    return text
