"""Where the table is inside the file: header row(s), data rows, and what is not data.

Survey exports and office spreadsheets put a title above the table, group headers
merged across columns ("BRAVE-14" over "2020 | 2021"), empty rows between blocks
and notes below ("Source: …"). The header row is the first row, within the first
lines, that is as wide as the table and holds only distinct text; the user may
choose another (``header_row``). Every row that is not data is kept with the
reason, so the wizard can show it and the report can say why it was left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from resilience_map.io.tables.cells import cell_text
from resilience_map.io.tables.errors import TableError, column_letter
from resilience_map.io.tables.reading import SourceTable

HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class DataRow:
    file_row: int
    cells: tuple[object, ...]


@dataclass
class TableLayout:
    """The table as the importer sees it: one header per column and the data rows."""

    source: SourceTable
    header_row: int  # file row of the (last) header row
    headers: tuple[str, ...]
    rows: list[DataRow]
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def column_label(self, index: int) -> str:
        """"value (column D)" — what messages call a column."""
        return f"{self.headers[index]} (column {column_letter(index)})"

    def column_index(self, header: str) -> int:
        return self.headers.index(header)

    def preview(self, limit: int = 20) -> list[tuple[int, list[str]]]:
        """The first data rows as text, for the wizard's preview."""
        return [(r.file_row, [cell_text(c) for c in r.cells]) for r in self.rows[:limit]]


def _is_filled(cell: object) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


def _filled_count(row: list[object]) -> int:
    return sum(_is_filled(c) for c in row)


def _filled_up_to(row: list[object], limit: int) -> int:
    """:func:`_filled_count`, counting no further than ``limit``: telling data rows from
    empty rows and one-cell notes needs two filled cells, not all of a wide row's."""
    count = 0
    for cell in row:
        if cell is not None and (not isinstance(cell, str) or cell.strip()):
            count += 1
            if count >= limit:
                break
    return count


def _looks_like_header(row: list[object], width: int) -> bool:
    filled = [c for c in row if _is_filled(c)]
    if len(filled) < max(2, (width + 1) // 2):
        return False
    texts = [cell_text(c) for c in filled]
    return all(isinstance(c, str) for c in filled) and len(set(texts)) == len(texts)


def find_header_row(source: SourceTable) -> int:
    """Index (into ``source.rows``) of the header row."""
    rows = source.rows[:HEADER_SEARCH_ROWS]
    width = max((_filled_count(r) for r in rows), default=0)
    for i, row in enumerate(rows):
        if _looks_like_header(row, width) or (i in source.merged_rows and _filled_count(row) >= 2):
            if i in source.merged_rows or _is_group_row(source, i):
                return i + 1 if i + 1 < len(source.rows) else i
            return i
    raise TableError(f"{source.name}: no header row found in the first {HEADER_SEARCH_ROWS} "
                     "rows (a row naming every column); choose the header row")


def _is_group_row(source: SourceTable, i: int) -> bool:
    """A row of group names with gaps, above a full row of text headers."""
    if i + 1 >= len(source.rows):
        return False
    row, below = source.rows[i], source.rows[i + 1]
    gaps = any(not _is_filled(c) and j < len(below) and _is_filled(below[j])
               for j, c in enumerate(row) if j > 0)
    below_text = [c for c in below if _is_filled(c)]
    return gaps and bool(below_text) and all(isinstance(c, str) for c in below_text) \
        and len(below_text) > _filled_count(row)


def detect_layout(source: SourceTable, header_row: int | None = None) -> TableLayout:
    """Headers and data rows; ``header_row`` is a file row number chosen by the user."""
    if header_row is not None:
        if header_row not in source.row_numbers:
            raise TableError(f"{source.name} has no row {header_row}")
        index = source.row_numbers.index(header_row)
    else:
        index = find_header_row(source)
    group = index - 1 if index > 0 and (index - 1 in source.merged_rows
                                        or _is_group_row(source, index - 1)) else None
    headers = _headers(source, index, group)
    skipped = [(source.row_numbers[i], "above the header row") for i in range(index)]
    rows, notes = _data_rows(source, index + 1, len(headers))
    return TableLayout(source, source.row_numbers[index], headers, rows, skipped + notes)


def _headers(source: SourceTable, index: int, group: int | None) -> tuple[str, ...]:
    width = source.width
    row = source.rows[index] + [""] * (width - len(source.rows[index]))
    top: list[str] = []
    if group is not None:
        last = ""
        for c in source.rows[group] + [""] * (width - len(source.rows[group])):
            last = cell_text(c) or last  # merged cells hold their text in the first cell only
            top.append(last)
    names: list[str] = []
    for j, cell in enumerate(row):
        name = cell_text(cell)
        if top and top[j] and top[j] != name:
            name = f"{top[j]} {name}".strip()
        names.append(name or f"Column {column_letter(j)}")
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    while unique and unique[-1].startswith("Column ") and not _column_used(source, index, len(unique) - 1):
        unique.pop()
    return tuple(unique)


def _column_used(source: SourceTable, index: int, column: int) -> bool:
    return any(column < len(r) and _is_filled(r[column]) for r in source.rows[index + 1:])


def _data_rows(source: SourceTable, start: int, width: int) -> tuple[list[DataRow], list[tuple[int, str]]]:
    rows: list[DataRow] = []
    skipped: list[tuple[int, str]] = []
    body = source.rows[start:]
    numbers = source.row_numbers[start:]
    end = len(body)
    while end and _filled_up_to(body[end - 1], 2) <= (1 if width >= 3 else 0):
        end -= 1
    for i in range(end, len(body)):
        if _filled_up_to(body[i], 1):
            skipped.append((numbers[i], "note below the table"))
    for i in range(end):
        cells = body[i]
        filled = _filled_up_to(cells, 2)
        if not filled:
            skipped.append((numbers[i], "empty row"))
            continue
        if filled == 1 and width >= 3 and isinstance(cells[0], str) and _is_filled(cells[0]):
            skipped.append((numbers[i], "only the first cell is filled (a heading or note)"))
            continue
        padded = tuple(cells) if len(cells) == width else tuple(cells[:width]) + ("",) * (width - len(cells))
        rows.append(DataRow(numbers[i], padded))
    return rows, sorted(skipped)
