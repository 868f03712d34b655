"""The one error type of table imports: a sentence naming the file, row and column."""

from __future__ import annotations


class TableError(ValueError):
    """The table cannot be imported as it is; nothing was written.

    ``row`` is the row number a spreadsheet or text editor shows (1-based), ``column``
    the column's header (or letter); both are part of the message already.
    """

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.row = row
        self.column = column
        super().__init__(message)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how spreadsheets name columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
