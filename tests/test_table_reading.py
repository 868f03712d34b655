"""Reading study tables: encodings, delimiters, numbers, dates, layouts, and bad files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from resilience_map.io.tables import TableError, detect_layout, read_table
from resilience_map.io.tables.cells import (
    CellError,
    ColumnError,
    date_style,
    decimal_style,
    parse_date,
    parse_flag,
    parse_number,
)

SERBIAN = "општина;вредност\nЋуприја;4,5\nЉубовија;3\nЧачак;2,25\nЏеп Ђурђевац;1\n"
MACEDONIAN = "општина;вредност\nКуманово;4,5\nЧаир;3\nЃорче Петров;2\nКисела Вода;1\n"
ALBANIAN = "komuna;vlera\nPrishtinë;4,5\nÇair;3\nGjakovë;2\nMalësi e Madhe;1\n"
BOSNIAN = "općina;vrijednost\nTešanj;4,5\nŽepče;3\nŠipovo;2\nĐakovo;1\nČelić;0\n"


@pytest.mark.parametrize("text, encoding", [
    (SERBIAN, "cp1251"), (SERBIAN, "iso8859-5"), (MACEDONIAN, "cp1251"), (MACEDONIAN, "iso8859-5"),
    (ALBANIAN, "cp1250"), (BOSNIAN, "cp1250"), (BOSNIAN, "iso8859-2"), (SERBIAN, "utf-8"),
    (ALBANIAN, "utf-8-sig"), (BOSNIAN, "utf-16"),
])
def test_encoding_is_detected_and_letters_decode_right(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "table.csv"
    path.write_bytes(text.encode(encoding))
    source = read_table(path)
    assert source.delimiter == ";"
    decoded = "\n".join(";".join(map(str, r)) for r in source.rows) + "\n"
    assert decoded == text
    assert source.encoding == encoding or (encoding == "utf-16" and source.encoding == "utf-16")


def test_encoding_override_and_wrong_encoding_message(tmp_path: Path) -> None:
    path = tmp_path / "cyrillic.csv"
    path.write_bytes(SERBIAN.encode("cp1251"))
    forced = read_table(path, encoding="ISO-8859-5")  # the user's choice wins…
    assert forced.encoding == "iso8859-5" and forced.rows[1][0] != "Ћуприја"
    assert read_table(path, encoding="windows-1251").rows[1][0] == "Ћуприја"
    with pytest.raises(TableError) as error:  # …and bytes the choice cannot hold are named
        read_table(path, encoding="utf-8")
    assert "not valid UTF-8" in str(error.value) and "row 1" in str(error.value)
    with pytest.raises(TableError, match="Windows-1250: byte 0x90 in row 5"):
        read_table(path, encoding="cp1250")
    with pytest.raises(TableError, match="unknown encoding"):
        read_table(path, encoding="klingon")


def test_delimiters_are_sniffed(tmp_path: Path) -> None:
    for sep, name in ((",", "a.csv"), ("\t", "b.tsv"), ("|", "c.txt"), (";", "d.txt")):
        path = tmp_path / name
        path.write_text(sep.join(["municipality", "indicator", "value"]) + "\n"
                        + sep.join(["Kumanovo", "BRAVE14", "45"]) + "\n", encoding="utf-8")
        assert read_table(path).delimiter == sep


def test_numbers_per_column() -> None:
    assert decimal_style([(2, "3,5"), (3, "1.234,5")]) == ","
    assert decimal_style([(2, "3.5"), (3, "1,234.5")]) == "."
    assert decimal_style([(2, "1.234")], default=",") == ","  # only ambiguous values: the default
    assert parse_number("1.234,5", ",") == 1234.5
    assert parse_number("1 234,5", ",") == 1234.5
    assert parse_number("1,234.5", ".") == 1234.5
    assert parse_number("\u00a012\u202f345", ".") == 12345
    assert parse_number(7.0) == 7.0
    with pytest.raises(ColumnError, match=r"row 2: '3,5'.*row 3: '3.5'"):
        decimal_style([(2, "3,5"), (3, "3.5")])
    for bad in ("abc", "NaN", "inf", "-Infinity", "4 5x"):
        with pytest.raises(CellError):
            parse_number(bad, ".")
    with pytest.raises(CellError, match="finite"):
        parse_number(float("nan"))


def test_dates_and_flags() -> None:
    assert parse_date("2019-09-01") == parse_date("01.09.2019.") == parse_date("1. 9. 2019")
    style = date_style([(2, "13/09/2019"), (3, "01/02/2020")])
    assert style.day_first and parse_date("01/02/2020", style).month == 2
    us = date_style([(2, "09/13/2019")])
    assert not us.day_first and parse_date("02/01/2020", us).month == 2
    with pytest.raises(ColumnError) as error:
        date_style([(2, "2019-09-01"), (3, "01.09.2019"), (4, "9/1/2019")])
    assert "3 formats" in str(error.value) and "row 4" in str(error.value)
    with pytest.raises(CellError, match="only a year"):
        parse_date("2019")
    with pytest.raises(CellError, match="calendar"):
        parse_date("31.02.2020")
    assert [parse_flag(v) for v in ("da", "Да", "po", "jo", "не", "", "unknown", True)] == \
        [True, True, True, False, False, None, None, True]


def test_layout_skips_titles_empty_rows_and_notes(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text("Resilience survey 2024,,,\n\nmunicipality,indicator,wave,value\n"
                    "Kumanovo,BRAVE14,W1,45\n,,,\nČair,BRAVE14,W1,40\n\n"
                    "Source: municipal survey,,,\nN = 1200,,,\n", encoding="utf-8")
    layout = detect_layout(read_table(path))
    assert layout.header_row == 3
    assert layout.headers == ("municipality", "indicator", "wave", "value")
    assert [r.file_row for r in layout.rows] == [4, 6]
    reasons = dict(layout.skipped)
    assert reasons[1] == "above the header row" and reasons[5] == "empty row"
    assert reasons[8] == reasons[9] == "note below the table"
    assert detect_layout(read_table(path), header_row=3).rows == layout.rows


def test_xlsx_merged_group_headers_and_formula_values(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "kobo.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Results")
    sheet.write(0, 0, "Community resilience survey")
    sheet.merge_range(1, 1, 1, 2, "SCORE")
    sheet.write_row(2, 0, ["Opština", "Trust", "Anxiety"])
    sheet.write_row(3, 0, ["Kumanovo", 6.5])
    sheet.write_formula(3, 2, "=B4/2", None, 3.25)  # cached value, as Excel saves it
    book.add_worksheet("Empty")
    book.close()
    source = read_table(path)
    assert source.sheet == "Results" and source.sheet_names == ("Results", "Empty")
    layout = detect_layout(source)
    assert layout.headers == ("Opština", "SCORE Trust", "SCORE Anxiety")
    assert layout.rows[0].cells == ("Kumanovo", 6.5, 3.25)
    assert layout.rows[0].file_row == 4
    with pytest.raises(TableError, match="no sheet 'Data'.*'Results', 'Empty'"):
        read_table(path, sheet="Data")


# -- bad files ----------------------------------------------------------------------------
def test_empty_files_are_refused(tmp_path: Path) -> None:
    for name, content in (("empty.csv", b""), ("blank.csv", b"\n\n  \n")):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(TableError, match="is empty"):
            read_table(path)


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    with pytest.raises(TableError, match="200 MB.*split it"):
        read_table(path)


def test_million_row_csv_is_refused_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["municipality", "indicator", "wave", "value"])
        writer.writerows((f"M{i % 500}", "BRAVE14", "W1", i % 50) for i in range(1_000_000))
    with pytest.raises(TableError) as error:
        read_table(path)
    assert "more than 500,000 rows" in str(error.value) and error.value.row is not None


def test_password_protected_xlsx_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("msoffcrypto", reason="msoffcrypto-tool makes the encrypted file")
    import openpyxl
    from msoffcrypto.format.ooxml import OOXMLFile

    plain, locked = tmp_path / "plain.xlsx", tmp_path / "locked.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["municipality", "value"])
    book.save(plain)
    with plain.open("rb") as source, locked.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    with pytest.raises(TableError, match="password-protected"):
        read_table(locked)


def test_other_bad_files(tmp_path: Path) -> None:
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(TableError, match="binary|encoding"):
        read_table(binary)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(TableError, match="cannot be imported"):
        read_table(pdf)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(TableError, match="not a readable XLSX"):
        read_table(fake)
    with pytest.raises(TableError, match="does not exist"):
        read_table(tmp_path / "missing.csv")
