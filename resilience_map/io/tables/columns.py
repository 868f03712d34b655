"""Reading mapped cells of data rows with each column's own number and date style."""

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
        self._decimal: dict[str, str] = {}
        self._dates: dict[str, DateStyle] = {}
        self._default_decimal = "," if layout.source.delimiter == ";" else "."

    def has(self, name: str) -> bool:
        return name in self.by_field

    def label(self, name_or_header: str) -> str:
        header = self.by_field.get(name_or_header, name_or_header)
        return self.layout.column_label(self._index[header])

    def raw(self, row: DataRow, name_or_header: str) -> object:
        header = self.by_field.get(name_or_header, name_or_header)
        index = self._index.get(header)
        return None if index is None else row.cells[index]

    def text(self, row: DataRow, name: str) -> str:
        cell = self.raw(row, name)
        return "" if is_missing(cell) else cell_text(cell)

    def missing(self, row: DataRow, name: str) -> bool:
        return is_missing(self.raw(row, name))

    def number(self, row: DataRow, name: str) -> float | None:
        cell = self.raw(row, name)
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
        header = self.by_field.get(name_or_header, name_or_header)
        if header not in self._decimal:
            index = self._index[header]
            cells = ((r.file_row, r.cells[index]) for r in self.layout.rows)
            try:
                self._decimal[header] = decimal_style(cells, self._default_decimal)
            except ColumnError as error:
                raise self._column_error(header, error) from None
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
