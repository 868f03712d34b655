"""Text that spreadsheets must never run as a formula.

Exports and import reports echo what users and files typed. Excel, LibreOffice
and Google Sheets treat a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, via
DDE tricks, a leading tab or carriage return) as a formula — "CSV injection". In
CSV the only defence is to make the text not start with those characters: a
leading apostrophe, which spreadsheets show as the text itself. In XLSX the cell
is written as a string with Excel's "quote prefix" style instead, so the text stays
exactly as it was.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def inert_csv_text(value: object) -> object:
    """The value to write into a CSV cell: risky text gets a leading apostrophe."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value
