"""Reading mapped cells of data rows with each column's own number and date style.

A study table repeats the same few texts massively (500 municipality names, 20
indicator codes, 10 waves, a thousand distinct values over 100,000 rows), so the
reader remembers what each distinct text cell reads as: a cell is cleaned or
parsed once per distinct text, not once per row. Only text cells are remembered
— ``1``, ``1.0`` and ``True`` are equal as dictionary keys but read differently —
and failures are not: every bad cell is reported with its own row.
"""

from __future__ import annotations

from datetime import date

from resilience_map.io.tables.cells import (
    CellError,
    ColumnError,
    DateStyle,
    cell_text,
    date_style,
    decimal_style,
    is_missing,
    parse_date,
    parse_flag,
    parse_number,
)
from resilience_map.io.tables.errors import TableError
from resilience_map.io.tables.layout import DataRow, TableLayout
from resilience_map.io.tables.mapping import ColumnMapping


class ColumnReader:
    """Cells by field name (or by header for a wide table's indicator columns)."""

    def __init__(self, layout: TableLayout, mapping: ColumnMapping) -> None:
        self.layout = layout
        self.by_field = {name: header for header, name in mapping.columns.items()}
        self._index = {h: layout.column_index(h) for h in mapping.columns}
        #: Column index by field name and by header (either names a mapped column).
        self._at = {**self._index, **{name: self._index[h] for name, h in self.by_field.items()}}
        self._decimal: dict[str, str] = {}  # by header
        self._decimal_of: dict[str, str] = {}  # by the name or header asked for
        self._dates: dict[str, DateStyle] = {}
        self._default_decimal = "," if layout.source.delimiter == ";" else "."
        self._labels: dict[str, str] = {}
        self._texts: dict[str, str] = {}  # text cell → what text() gives
        self._numbers: dict[tuple[str, str], float | None] = {}  # (name, text cell) → number()

    def has(self, name: str) -> bool:
        return name in self.by_field

    def label(self, name_or_header: str) -> str:
        label = self._labels.get(name_or_header)
        if label is None:
            header = self.by_field.get(name_or_header, name_or_header)
            label = self._labels[name_or_header] = self.layout.column_label(self._index[header])
        return label

    def index(self, name_or_header: str) -> int | None:
        """Position of a mapped column in :attr:`DataRow.cells` (None when not mapped)."""
        return self._at.get(name_or_header)

    def raw(self, row: DataRow, name_or_header: str) -> object:
        index = self._at.get(name_or_header)
        return None if index is None else row.cells[index]

    def text(self, row: DataRow, name: str) -> str:
        cell = self.raw(row, name)
        if type(cell) is str:
            found = self._texts.get(cell)
            if found is None:
                found = self._texts[cell] = "" if is_missing(cell) else cell_text(cell)
            return found
        return "" if is_missing(cell) else cell_text(cell)

    def missing(self, row: DataRow, name: str) -> bool:
        return is_missing(self.raw(row, name))

    def number(self, row: DataRow, name: str) -> float | None:
        """The cell's number; None when it is missing (empty, n/a, …); CellError if not a number."""
        cell = self.raw(row, name)
        if type(cell) is str:
            key = (name, cell)
            if key in self._numbers:
                return self._numbers[key]
            value = None if is_missing(cell) else parse_number(cell, self.decimal(name))
            self._numbers[key] = value  # reached only when the text reads as a number
            return value
        if is_missing(cell):
            return None
        return parse_number(cell, self.decimal(name))

    def date(self, row: DataRow, name: str) -> date | None:
        cell = self.raw(row, name)
        if is_missing(cell):
            return None
        return parse_date(cell, self.date_style(name))

    def flag(self, row: DataRow, name: str) -> bool | None:
        return parse_flag(self.raw(row, name))

    def decimal(self, name_or_header: str) -> str:
        found = self._decimal_of.get(name_or_header)
        if found is not None:
            return found
        header = self.by_field.get(name_or_header, name_or_header)
        if header not in self._decimal:
            index = self._index[header]
            cells = ((r.file_row, r.cells[index]) for r in self.layout.rows)
            try:
                self._decimal[header] = decimal_style(cells, self._default_decimal)
            except ColumnError as error:
                raise self._column_error(header, error) from None
        self._decimal_of[name_or_header] = self._decimal[header]
        return self._decimal[header]

    def date_style(self, name_or_header: str) -> DateStyle:
        header = self.by_field.get(name_or_header, name_or_header)
        if header not in self._dates:
            index = self._index[header]
            try:
                self._dates[header] = date_style((r.file_row, r.cells[index]) for r in self.layout.rows)
            except ColumnError as error:
                raise self._column_error(header, error) from None
        return self._dates[header]

    def _column_error(self, header: str, error: Exception) -> TableError:
        label = self.layout.column_label(self._index[header])
        return TableError(f"{self.layout.source.name}: column {label} {error}", column=header)


__all__ = ["CellError", "ColumnReader"]
