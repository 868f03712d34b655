"""Reading a table file into rows of cells, whatever program wrote it.

Text tables (CSV, TSV, TXT) are decoded (see :mod:`encoding`) and split with the
delimiter found in their first lines; spreadsheets (XLSX, XLSM, XLS, ODS) are
read with python-calamine, which gives formula cells their computed values and
reports merged ranges. Nothing is interpreted here beyond cells: finding the
header row is :mod:`layout`'s job, numbers and dates :mod:`cells`'.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from resilience_map.io.tables.encoding import (
    ENCODINGS,
    codec_for,
    decode,
    detect_encoding,
)
from resilience_map.io.tables.errors import TableError

TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
#: Larger files are refused before reading: a study table is a few MB at most.
MAX_FILE_BYTES = 100 * 1024 * 1024
#: 530 units × 50 indicators × 20 waves fits; a million-row dump is not a study table.
MAX_ROWS = 500_000
DELIMITERS = (",", ";", "\t", "|")
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Cell = object  # str | int | float | bool | date | datetime | None


@dataclass
class SourceTable:
    """The file's cells, row by row, and how they were read (shown in the wizard)."""

    path: Path
    rows: list[list[Cell]]
    #: File row (1-based, as editors and spreadsheets number them) of each row.
    row_numbers: list[int]
    encoding: str | None = None  # codec used for a text file
    detected_encoding: str | None = None
    encoding_alternatives: tuple[str, ...] = ()
    delimiter: str | None = None
    sheet: str | None = None
    sheet_names: tuple[str, ...] = ()
    #: Rows (indexes into ``rows``) holding a cell merged across columns (group headers).
    merged_rows: set[int] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def encoding_label(self) -> str:
        return ENCODINGS.get(self.encoding or "", self.encoding or "")

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def read_table(path: str | Path, *, encoding: str | None = None, sheet: str | None = None,
               delimiter: str | None = None) -> SourceTable:
    """Read any supported table; raises :class:`TableError` with a readable message."""
    path = Path(path)
    if not path.is_file():
        raise TableError(f"{path} does not exist")
    size = path.stat().st_size
    if size == 0:
        raise TableError(f"{path.name} is empty: there is nothing to import")
    if size > MAX_FILE_BYTES:
        raise TableError(f"{path.name} is {size / 1024 / 1024:,.0f} MB; tables larger than "
                         f"{MAX_FILE_BYTES // 1024 // 1024} MB are not imported — split it "
                         "(by wave or by country) and import the parts")
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_spreadsheet(path, sheet)
    if suffix in TEXT_SUFFIXES:
        return _read_text(path, encoding, delimiter)
    kinds = ", ".join(s.lstrip(".").upper() for s in TEXT_SUFFIXES + SPREADSHEET_SUFFIXES)
    raise TableError(f"{path.name}: files of type '{suffix or 'none'}' cannot be imported; use {kinds}")


# -- text tables ---------------------------------------------------------------------
def _read_text(path: Path, encoding: str | None, delimiter: str | None) -> SourceTable:
    data = path.read_bytes()
    if data.startswith(_OLE_SIGNATURE) or data.startswith(b"PK\x03\x04"):
        raise TableError(f"{path.name} is a spreadsheet saved with a text-file name; "
                         "rename it to .xlsx (or .xls) and import it again")
    detected = detect_encoding(data)
    codec = codec_for(encoding) if encoding else detected.codec
    text = decode(data, codec, path.name)
    if "\x00" in text:
        row = text[:text.index("\x00")].count("\n") + 1
        raise TableError(f"{path.name} holds binary data (a NUL byte in row {row}); it is not "
                         "a text table in any supported encoding", row=row)
    if not text.strip():
        raise TableError(f"{path.name} is empty: there is nothing to import")
    sep = delimiter or sniff_delimiter(text, path.suffix.lower())
    rows, numbers = _split_rows(text, sep, path.name)
    return SourceTable(path, rows, numbers, encoding=codec, detected_encoding=detected.codec,
                       encoding_alternatives=detected.alternatives, delimiter=sep)


def sniff_delimiter(text: str, suffix: str = "") -> str:
    """The delimiter that splits the first lines into the most, equally long, rows."""
    lines = [line for line in text.splitlines()[:60] if line.strip()]
    best, best_score = ("\t" if suffix in (".tsv", ".tab") else ","), (0, 0)
    for sep in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=sep)]
        except csv.Error:  # e.g. a cell over csv's field limit: the rows say why, with their number
            continue
        if not counts or max(counts) < 2:
            continue
        typical = max(set(counts), key=counts.count)
        score = (counts.count(typical), typical)  # consistency first, then width
        if score > best_score:
            best, best_score = sep, score
    return best


def _split_rows(text: str, sep: str, name: str) -> tuple[list[list[Cell]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    start = 1
    try:
        for row in reader:
            rows.append(row)  # type: ignore[arg-type]
            numbers.append(start)
            start = reader.line_num + 1
            if len(rows) > MAX_ROWS + 50:
                raise TableError(f"{name} has more than {MAX_ROWS:,} rows; import at most "
                                 f"{MAX_ROWS:,} rows at a time (split the file by wave or "
                                 "country)", row=start)
    except csv.Error as error:
        raise TableError(f"{name}, row {start}: {error}", row=start) from None
    return rows, numbers


# -- spreadsheets ------------------------------------------------------------------------
def _read_spreadsheet(path: Path, sheet: str | None) -> SourceTable:
    import python_calamine as calamine

    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise TableError(f"{path.name} is password-protected; open it in your spreadsheet "
                         "program, save a copy without a password and import that") from None
    except Exception as error:  # calamine's errors carry no more than their text
        if path.read_bytes()[:8] == _OLE_SIGNATURE and path.suffix.lower() != ".xls":
            raise TableError(f"{path.name} is encrypted or password-protected; save a copy "
                             "without a password and import that") from None
        raise TableError(f"{path.name} is not a readable {path.suffix.lstrip('.').upper()} "
                         f"file ({' '.join(str(error).split())})") from None
    names = tuple(workbook.sheet_names)
    chosen = _choose_sheet(workbook, names, sheet, path.name)
    data = workbook.get_sheet_by_name(chosen)
    if data.total_height > MAX_ROWS + 50:
        raise TableError(f"{path.name} (sheet {chosen}) has {data.total_height:,} rows; import "
                         f"at most {MAX_ROWS:,} rows at a time")
    rows = [list(r) for r in data.to_python(skip_empty_area=False)]
    merged = _fill_merged(rows, data.merged_cell_ranges or [])
    if not any(_filled(c) for r in rows for c in r):
        raise TableError(f"{path.name} (sheet {chosen}) is empty: there is nothing to import")
    return SourceTable(path, rows, list(range(1, len(rows) + 1)), sheet=chosen,
                       sheet_names=names, merged_rows=merged)


def _choose_sheet(workbook, names: tuple[str, ...], wanted: str | None, file_name: str) -> str:
    if wanted is not None:
        if wanted in names:
            return wanted
        raise TableError(f"{file_name} has no sheet {wanted!r}; its sheets are "
                         + ", ".join(repr(n) for n in names))
    from python_calamine import SheetVisibleEnum

    visible = [m.name for m in workbook.sheets_metadata
               if m.visible == SheetVisibleEnum.Visible] or list(names)
    for name in visible:
        if workbook.get_sheet_by_name(name).height > 0:
            return name
    raise TableError(f"{file_name} is empty: no sheet holds any cells")


def _fill_merged(rows: list[list[Cell]], ranges) -> set[int]:
    """Give every cell of a merged range the range's value; return rows merged across columns."""
    across: set[int] = set()
    for (r1, c1), (r2, c2) in ranges:
        if r1 >= len(rows):
            continue
        value = rows[r1][c1] if c1 < len(rows[r1]) else ""
        for r in range(r1, min(r2, len(rows) - 1) + 1):
            row = rows[r]
            row.extend([""] * (c2 + 1 - len(row)))
            for c in range(c1, c2 + 1):
                row[c] = value
        if c2 > c1:
            across.add(r1)
    return across


def _filled(cell: Cell) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))
