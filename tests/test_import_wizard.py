"""File → Import table… driven as a user: encoding override, mapping, names, preview, one step."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from tests_helpers import sha256, type_text

from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, StudyWave
from resilience_map.ui.main_window import MainWindow
from resilience_map.ui.tables.wizard import ImportTableWizard

WAVE = "Endline 2024"
#: A survey export's free-text answers fill the first 256 KB with plain ASCII: the encoding
#: guess, made from that sample, is UTF-8 — wrong for the Cyrillic rows further down.
LONG_ANSWER = "The council met twice; residents asked for more youth activities. " * 1400


def write_rows(path: Path, rows: list[list[str]], encoding: str) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


def idle(qtbot, wizard: ImportTableWizard) -> None:
    """Until the work in the background (reading, planning) is done."""
    qtbot.waitUntil(lambda: not wizard.runner.busy, timeout=30_000)


def click(qtbot, button) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def preview_texts(wizard: ImportTableWizard) -> set[str]:
    table = wizard.file_page.preview
    return {table.item(r, c).text() for r in range(table.rowCount()) for c in range(table.columnCount())
            if table.item(r, c) is not None}


@pytest.fixture
def opened(window: MainWindow, demo_project: Path) -> MainWindow:
    assert window.open_project(demo_project)
    return window


def test_windows_1251_table_imported_after_overriding_the_guess_as_one_undoable_step(
        opened: MainWindow, qtbot, tmp_path: Path) -> None:
    window, session = opened, opened.session
    path = write_rows(tmp_path / "anketa.csv", [
        ["municipality", "indicator", "wave", "value", "comment"],
        ["Kumanovo", "SCORE_TRUST", WAVE, "6.5", LONG_ANSWER],
        ["Tetovo", "SCORE_TRUST", WAVE, "6", LONG_ANSWER],
        ["Gostivar", "SCORE_TRUST", WAVE, "6", LONG_ANSWER],
        ["Општина Куманово", "BRAVE14", WAVE, "51", ""],
        ["Чаир", "SCORE_TRUST", WAVE, "5.5", ""],
        ["Приштина", "SCORE_TRUST", WAVE, "7", ""],
        ["Општина Нигдина", "SCORE_CIVIC", WAVE, "4", ""],  # no such municipality: asked
        ["Струга", "BRAVE14", WAVE, "99", ""],  # outside the 14–70 scale: refused
    ], "cp1251")
    wizard = window.tables.open_wizard(path)
    idle(qtbot, wizard)
    page = wizard.file_page
    assert "not valid UTF-8" in page.message.text() and "row 5" in page.message.text()
    assert page.encoding.currentText() == "UTF-8" and not wizard.next_button.isEnabled()

    page.choose_encoding("Windows-1251")  # the user overrides the guess
    idle(qtbot, wizard)
    assert page.message.text() == "" and {"Општина Куманово", "Чаир", "Приштина"} <= preview_texts(wizard)
    assert "Windows-1251 (chosen), comma-separated; headers in row 1; 8 data rows" in page.info.text()
    page.header_row.setValue(2)  # a wrong header row shows at once: the columns follow it
    idle(qtbot, wizard)
    assert wizard.table.headers[0] == "Kumanovo"
    page.header_row.setValue(1)
    idle(qtbot, wizard)
    click(qtbot, wizard.next_button)

    mapping = wizard.mapping_page  # the suggestions, from Cyrillic headers, are pre-selected
    chosen = {h: c.currentData() for h, c in mapping.combos.items()}
    assert chosen == {"municipality": "municipality", "indicator": "indicator", "wave": "wave",
                      "value": "value", "comment": ""}
    profile = mapping.save_as("Anketa (Cyrillic)")
    assert profile is not None and profile.exists() and "--mapping" in wizard.note.text()
    click(qtbot, wizard.next_button)
    idle(qtbot, wizard)

    names = wizard.names_page  # the unknown name is listed, never guessed
    assert wizard.stack.currentWidget() is names and names.undecided() == ["Општина Нигдина"]
    assert not wizard.import_button.isVisible()
    names.show_name("Општина Нигдина")
    type_text(names.picker.filter, "Чаир")  # the shared picker, in any script
    assert names.picker.selected() == window.store.municipality_by_registry_id("mk-cair").uuid
    click(qtbot, names.assign_button)
    assert names.undecided() == [] and "→ Čair" in names.list.item(0).text()
    click(qtbot, wizard.next_button)
    idle(qtbot, wizard)

    preview = wizard.preview_page
    assert wizard.stack.currentWidget() is preview
    counts = preview.counts.text()
    assert counts.startswith("7 new · 0 changed · 0 unchanged · 1 refused")
    assert "study wave 'Endline 2024'" in preview.creates.text()
    shown = {(r["row"], r["result"]) for r in preview.model.rows}  # refused rows shown first
    assert shown == {(9, "refused")}
    refused = preview.model.rows[0]
    assert "outside the scale" in str(refused["reason"]) and refused["column"] == "value (column D)"
    report = tmp_path / "report.csv"
    assert preview.save_report(report)
    assert [r["result"] for r in csv.DictReader(report.open(encoding="utf-8-sig"))].count("new") == 7
    assert not wizard.import_button.isEnabled() and "refused" in preview.message.text()
    preview.skip_refused.setChecked(True)  # as --skip-invalid
    history_before = len(window.store.history())
    values_before = len(window.store.list(IndicatorValue))
    click(qtbot, wizard.import_button)

    assert not wizard.isVisible() and "Imported anketa.csv as one step" in window.statusBar().currentMessage()
    store = window.store
    wave = next(w for w in store.list(StudyWave) if w.name == WAVE)
    codes = {i.uuid: i.code for i in store.list(IndicatorDefinition)}
    ids = {u.uuid: u.registry_id for u in store.municipalities()}
    stored = {(ids[v.municipality_uuid], codes[v.indicator_uuid]): v.value
              for v in store.list(IndicatorValue, wave_uuid=wave.uuid)}
    assert stored == {("mk-kumanovo", "BRAVE14"): 51, ("mk-cair", "SCORE_TRUST"): 5.5,
                      ("xk-prishtine", "SCORE_TRUST"): 7, ("mk-kumanovo", "SCORE_TRUST"): 6.5,
                      ("mk-tetovo", "SCORE_TRUST"): 6, ("mk-gostivar", "SCORE_TRUST"): 6,
                      ("mk-cair", "SCORE_CIVIC"): 4}
    assert len({h.change_set for h in store.history()[:len(store.history()) - history_before]}) == 1
    assert len(session.stack) == 1 and window.undo_action.text().startswith("&Undo Import indicator values")

    window.undo_action.trigger()  # one step takes the values and the new wave back
    assert not [w for w in store.list(StudyWave) if w.name == WAVE]
    assert len(store.list(IndicatorValue)) == values_before and len(session.stack) == 1

    wizard = window.tables.open_wizard(path)  # the saved profile brings the mapping back
    wizard.set_encoding("cp1251")
    idle(qtbot, wizard)
    click(qtbot, wizard.next_button)
    wizard.load_profile(profile)
    assert wizard.mapping.name == "Anketa (Cyrillic)" and wizard.mapping.columns == {
        "municipality": "municipality", "indicator": "indicator", "wave": "wave", "value": "value"}
    assert wizard.mapping_page.profile.currentText() == "Profile: Anketa (Cyrillic)"
    wizard.reject()


def test_malformed_tables_are_one_sentence_and_change_nothing(opened: MainWindow, qtbot,
                                                              tmp_path: Path) -> None:
    window = opened
    before = sha256(window.store.path)
    mixed = write_rows(tmp_path / "mixed.csv", [["municipality", "indicator", "wave", "value"],
                                                ["Kumanovo", "SCORE_TRUST", WAVE, "6,5"],
                                                ["Čair", "SCORE_TRUST", WAVE, "5.5"]], "utf-8")
    wizard = window.tables.open_wizard(mixed)
    idle(qtbot, wizard)
    click(qtbot, wizard.next_button)
    click(qtbot, wizard.next_button)
    idle(qtbot, wizard)
    message = wizard.mapping_page.message.text()
    assert wizard.stack.currentWidget() is wizard.mapping_page  # where the choice can be changed
    assert message.startswith("mixed.csv: column value (column D) mixes decimal comma (row 2")
    assert message.count(".") >= 1 and "\n" not in message and message.endswith(".")
    assert wizard.plan is None and not wizard.import_button.isVisible()

    disguised = tmp_path / "survey.csv"  # a workbook saved under a text name
    disguised.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    wizard.choose_file(disguised)
    idle(qtbot, wizard)
    assert wizard.stack.currentWidget() is wizard.file_page
    assert wizard.file_page.message.text() == ("survey.csv is a spreadsheet saved with a text-file name; "
                                               "rename it to .xlsx (or .xls) and import it again.")
    assert not wizard.next_button.isEnabled()
    wizard.reject()
    assert sha256(window.store.path) == before and len(window.session.stack) == 0


def test_checking_a_big_table_keeps_the_window_responsive_and_can_be_cancelled(
        opened: MainWindow, qtbot, tmp_path: Path) -> None:
    window = opened
    units = [u.name_latin for u in window.session.indexes.municipalities.all()][:400]
    rows = [["municipality", "indicator", "wave", "value"]]
    rows += [[u, code, f"Wave {year}", "5"] for year in range(1990, 2020) for u in units
             for code in ("SCORE_TRUST", "SCORE_CIVIC", "SCORE_ACTIVE", "SCORE_SECURITY")]
    path = write_rows(tmp_path / "big.csv", rows, "utf-8")  # 48,000 rows: still being checked at Cancel
    wizard = window.tables.open_wizard(path)
    idle(qtbot, wizard)
    click(qtbot, wizard.next_button)
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    progress: list[tuple[int, int]] = []
    wizard.runner.progressed.connect(lambda done, total: progress.append((done, total)))
    click(qtbot, wizard.next_button)  # plan: off the GUI thread
    assert wizard.runner.busy and wizard.busy.isVisible()
    qtbot.waitUntil(lambda: len(progress) >= 2, timeout=20_000)
    assert progress[-1][1] == len(rows) - 1 and ticks  # the event loop ran meanwhile
    click(qtbot, wizard.busy.cancel_button)
    assert not wizard.runner.busy and not wizard.busy.isVisible()
    assert wizard.plan is None and wizard.stack.currentWidget() is wizard.mapping_page
    timer.stop()
    wizard.reject()


def test_a_workbook_sheet_is_chosen_in_the_preview(opened: MainWindow, qtbot, tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "survey.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Read me").write(0, 0, "Values of the spring round; one sheet per wave.")
    data = book.add_worksheet("Spring")
    data.write_row(0, 0, ["Komuna", "Treguesi", "Vala", "Vlera"])  # Albanian headers
    data.write_row(1, 0, ["Prishtinë", "SCORE_TRUST", WAVE, 6.5])
    book.close()
    wizard = opened.tables.open_wizard(path)
    idle(qtbot, wizard)
    page = wizard.file_page
    assert page.sheet.isVisible() and not page.encoding.isVisible()
    assert page.sheet.currentText() == "Read me" and "no header row found" in page.message.text()
    page.sheet.setCurrentIndex(page.sheet.findText("Spring"))
    idle(qtbot, wizard)
    assert page.message.text() == "" and "Prishtinë" in preview_texts(wizard)
    click(qtbot, wizard.next_button)
    assert {h: c.currentData() for h, c in wizard.mapping_page.combos.items()} == {
        "Komuna": "municipality", "Treguesi": "indicator", "Vala": "wave", "Vlera": "value"}
    wizard.reject()
