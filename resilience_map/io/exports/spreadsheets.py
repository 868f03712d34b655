"""CSV and XLSX files of the project's records.

CSV is written as UTF-8 with a byte-order mark, the one signal that makes Excel
read Cyrillic and ë/ç/š/đ correctly when the file is double-clicked. XLSX is
written with xlsxwriter (streaming, several times faster than openpyxl for
100,000-row sheets): a first sheet saying what the file is (project, export date,
demo-data flag, sources), then one sheet per record kind. Text that a spreadsheet
would run as a formula is written inert (see :mod:`resilience_map.io.formula_safety`).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from resilience_map.domain.kinds import kind_by_table
from resilience_map.io.exports.sheets import ExportTable, all_tables, table_for
from resilience_map.io.exports.snapshot import ExportData, ExportError
from resilience_map.io.formula_safety import FORMULA_STARTS, inert_csv_text, looks_like_formula

MAX_SHEET_NAME = 31


def write_csv(data: ExportData, path: Path, records: str = "indicator_values") -> Path:
    kind = kind_by_table(records)
    if kind is None:
        raise ExportError(f"--records {records!r} is not a record table; choose one of "
                          "indicator_values, prevention_structures, municipality_notes, "
                          "hub_activities, municipalities, study_waves, indicator_definitions")
    table = table_for(kind, data)
    status = data.synthetic_label
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow((["Data status"] if status else []) + table.headers)
        for row in table.rows:
            cells = [c.isoformat() if isinstance(c, date) else c for c in row]
            writer.writerow(([status] if status else []) + [inert_csv_text(c) for c in cells])
    return path


def write_xlsx(data: ExportData, path: Path) -> Path:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_urls": False, "strings_to_numbers": False})
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#e8eef4", "border": 1}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "inert": workbook.add_format({"quote_prefix": True}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "warning": workbook.add_format({"bold": True, "font_color": "#8a1c00"}),
    }
    try:
        _about_sheet(workbook, data, formats)
        for table in all_tables(data):
            _table_sheet(workbook, table, formats)
    finally:
        workbook.close()
    return path


def _about_sheet(workbook, data: ExportData, formats: dict) -> None:
    sheet = workbook.add_worksheet("About")
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 90)
    sheet.write_string(0, 0, "Resilience Map export", formats["title"])
    for i, (label, value) in enumerate(data.about_rows(), start=2):
        sheet.write_string(i, 0, label, formats["header"])
        style = formats["warning"] if label == "Data status" and data.synthetic_label else None
        _write_text(sheet, i, 1, value, formats, style)


def _table_sheet(workbook, table: ExportTable, formats: dict) -> None:
    sheet = workbook.add_worksheet(table.title[:MAX_SHEET_NAME])
    for col, header in enumerate(table.headers):
        sheet.write_string(0, col, header, formats["header"])
        sheet.set_column(col, col, max(10, min(40, len(header) + 4)))
    write_string, write_number, inert = sheet.write_string, sheet.write_number, formats["inert"]
    for r, row in enumerate(table.rows, start=1):  # the hot loop of a 100,000-value export
        for c, cell in enumerate(row):
            if type(cell) is str:
                if cell:
                    write_string(r, c, cell, inert if cell.startswith(FORMULA_STARTS) else None)
            elif isinstance(cell, date):
                sheet.write_datetime(r, c, cell, formats["date"])
            elif isinstance(cell, (int, float)):
                write_number(r, c, cell)
    sheet.freeze_panes(1, 0)
    if table.headers:
        sheet.autofilter(0, 0, max(len(table.rows), 1), len(table.headers) - 1)


def _write_text(sheet, row: int, col: int, text: str, formats: dict, style=None) -> None:
    """Always a string cell; formula-like text also gets the quote prefix, so editing the
    cell in Excel keeps it text."""
    if not text:
        return
    sheet.write_string(row, col, text, formats["inert"] if looks_like_formula(text) else style)
