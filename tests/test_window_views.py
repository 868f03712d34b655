"""The rebuilt window driven as a user would: one edit → every view patched; one selection;
keyboard undo/redo; refusals in one sentence with the file unchanged; boundary import as one step."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialogButtonBox
from tests_helpers import page_eval as js
from tests_helpers import sha256, type_text, wait_until_drawn

from resilience_map.domain.records import IndicatorValue
from resilience_map.session import SelectionChanged, update_records
from resilience_map.ui.main_window import MainWindow
from resilience_map.ui.records.view import RecordsView
from resilience_map.ui.widgets.not_known import NumberEdit


@pytest.fixture
def opened(window: MainWindow, qtbot, demo_bounded: Path) -> MainWindow:
    assert window.open_project(demo_bounded)
    wait_until_drawn(qtbot, window)
    window.activateWindow()
    return window


def uuid_of(window: MainWindow, registry_id: str) -> str:
    return window.store.municipality_by_registry_id(registry_id).uuid


def shown_value(window: MainWindow, unit: str) -> IndicatorValue:
    """The value the map colours ``unit`` by (the layer panel's indicator and wave)."""
    settings = window.map_feature.panel.choropleth_settings()
    return next(v for v in window.store.list(IndicatorValue, municipality_uuid=unit)
                if v.indicator_uuid == settings.indicator_uuid and v.wave_uuid == settings.wave_uuid
                and not v.neighbourhood)


def records_row(qtbot, window: MainWindow, value: IndicatorValue) -> int:
    """Open the Records table filtered to the value's municipality; the value's row."""
    window.layout_.show_bottom(window.records_dock)
    view: RecordsView = window.records_view
    type_text(view.municipality_edit.filter,
              window.session.indexes.municipality_name(value.municipality_uuid))
    qtbot.keyClick(view.municipality_edit.filter, Qt.Key.Key_Return)
    model = view.models[IndicatorValue]
    return model.row_of(value.uuid)


def type_into_cell(qtbot, window: MainWindow, row: int, text: str) -> None:
    view = window.records_view
    table, model = view.tables[IndicatorValue], view.models[IndicatorValue]
    index = model.index(row, [c.field for c in model.columns].index("value"))
    table.setFocus()
    table.setCurrentIndex(index)
    table.edit(index)
    qtbot.waitUntil(lambda: table.state() == table.State.EditingState)
    editor = next(w for w in table.viewport().findChildren(NumberEdit) if w.isVisible())
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() != table.State.EditingState)


def test_one_edit_in_the_table_repaints_one_row_and_every_view_shows_it(opened: MainWindow, qtbot) -> None:
    window, session = opened, opened.session
    kumanovo = uuid_of(window, "mk-kumanovo")
    type_text(window.search, "Kumanovo")
    assert session.selection == kumanovo and window.profile.unit.uuid == kumanovo
    value = shown_value(window, kumanovo)
    row = records_row(qtbot, window, value)
    model = window.records_view.models[IndicatorValue]
    history_rows = window.history_view.model.rowCount()
    repainted: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, _roles=(): repainted.append((a.row(), b.row())))
    indicator = session.indexes.indicators.get(value.indicator_uuid)
    new = indicator.scale_max if value.value != indicator.scale_max else indicator.scale_min

    type_into_cell(qtbot, window, row, f"{new:g}")

    assert window.store.get(IndicatorValue, value.uuid).value == new
    assert repainted == [(row, row)]  # exactly one row of the table repaints
    assert window.profile.indicators.cell_text(value.indicator_uuid, value.wave_uuid) == f"{new:g}"
    style = window.map_feature.style
    assert style.styles[kumanovo]["v"] == new
    qtbot.waitUntil(lambda: js(qtbot, window,
                               f"RMProbe.fillOf('{kumanovo}')") == style.styles[kumanovo]["c"],
                    timeout=5000)
    assert window.history_view.model.rowCount() == history_rows + 1
    top = window.history_view.model.rows[0]
    assert (top.entry.operation, top.entry.field, top.entry.new_value) == ("update", "value", str(float(new)))


def test_undo_and_redo_from_the_keyboard(opened: MainWindow, qtbot) -> None:
    window, session = opened, opened.session
    value = shown_value(window, uuid_of(window, "mk-kumanovo"))
    session.do(update_records([(value, dataclasses.replace(value, value=value.value + 1))]))
    table = window.records_view.tables[IndicatorValue]
    window.layout_.show_bottom(window.records_dock)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.store.get(IndicatorValue, value.uuid).value == value.value
    assert window.redo_action.text() == "&Redo Edit indicator value"
    qtbot.keyClick(table, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.store.get(IndicatorValue, value.uuid).value == value.value + 1
    qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert window.store.get(IndicatorValue, value.uuid).value == value.value + 1
    bound = [k.toString() for a in window.findChildren(QAction) for k in a.shortcuts()]
    for keys in ("Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+Y"):
        assert bound.count(QKeySequence(keys).toString()) == 1, keys  # each registered once


def test_a_refused_undo_says_who_changed_the_record_and_keeps_the_stack(opened: MainWindow, qtbot) -> None:
    window, session = opened, opened.session
    value = shown_value(window, uuid_of(window, "mk-kumanovo"))
    session.do(update_records([(value, dataclasses.replace(value, value=value.value + 1))]))
    current = window.store.get(IndicatorValue, value.uuid)
    window.store.update(dataclasses.replace(current, value=value.value + 2), "QGIS user")  # another tool
    window.undo_action.trigger()
    title, message = window.reporter.last
    assert title == "Undo not applied" and "changed by QGIS user" in message and "\n" not in message
    assert window.store.get(IndicatorValue, value.uuid).value == value.value + 2
    assert window.undo_action.text() == "&Undo Edit indicator value" and len(session.stack) == 1


def test_search_then_map_click_keeps_outline_row_and_profile_together(opened: MainWindow, qtbot) -> None:
    window, session = opened, opened.session
    kumanovo, lipkovo = uuid_of(window, "mk-kumanovo"), uuid_of(window, "mk-lipkovo")
    type_text(window.search, "Kumanovo")
    qtbot.waitUntil(lambda: js(qtbot, window, "RMProbe.selected()") == kumanovo, timeout=5000)
    for name in ("activities", "coverage", "scn", "labels"):  # the click lands on the municipality
        window.map_feature.panel.set_layer_visible(name, False)
    qtbot.wait(600)  # the map zooms to Kumanovo; Lipkovo, its neighbour, is in view
    assert js(qtbot, window, f"RMProbe.clickAt('{lipkovo}')") == "CANVAS"
    qtbot.waitUntil(lambda: session.selection == lipkovo, timeout=5000)
    assert window.profile.header.title.text() == "Lipkovo"
    assert window.finder.selected_uuid() == lipkovo
    assert js(qtbot, window, "RMProbe.selected()") == lipkovo


def test_a_search_keystroke_does_not_reselect(opened: MainWindow, qtbot) -> None:
    window, session = opened, opened.session
    type_text(window.search, "Kumanovo")
    heard: list[SelectionChanged] = []
    session.events.subscribe(SelectionChanged, heard.append)
    window.search.backspace()
    type_text(window.search, "o")
    type_text(window.search, " ")
    assert heard == [] and session.selection == uuid_of(window, "mk-kumanovo")
    type_text(window.search, "zzz")
    status = window.finder.search.status
    assert status.isVisible() and status.text() == "No municipality matches “Kumanovo zzz”."
    assert heard == [] and window.profile.unit.name_latin == "Kumanovo"


def test_out_of_scale_value_typed_in_the_window_is_refused_with_the_file_unchanged(
        opened: MainWindow, qtbot, demo_bounded: Path) -> None:
    window = opened
    value = shown_value(window, uuid_of(window, "mk-kumanovo"))
    indicator = window.session.indexes.indicators.get(value.indicator_uuid)
    row = records_row(qtbot, window, value)
    before = sha256(demo_bounded)
    type_into_cell(qtbot, window, row, f"{indicator.scale_max * 10:g}")
    message = window.records_view.message_label
    assert message.isVisible() and "outside the scale" in message.text() and indicator.name in message.text()
    type_into_cell(qtbot, window, row, "7..5")
    assert message.text() == "Not saved: “7..5” is not a valid number."
    assert sha256(demo_bounded) == before and len(window.session.stack) == 0


def test_boundary_import_is_one_undoable_step_shown_in_tables_and_history(
        window: MainWindow, qtbot, demo_project: Path, shared_boundaries: Path) -> None:
    from resilience_map.session import MetaChanged
    from resilience_map.store.credits import boundary_credits

    with qtbot.waitSignal(window.map_feature.ready, timeout=30000):
        window.open_project(demo_project)
    session = window.session
    assert "No municipal boundaries yet" in js(qtbot, window, "RMProbe.guideText()")
    history_rows = window.history_view.model.rowCount()
    kumanovo_row = window.model.row_of(uuid_of(window, "mk-kumanovo"))
    credits_seen: list[MetaChanged] = []
    session.events.subscribe(MetaChanged, credits_seen.append)
    plan = window.import_boundaries(shared_boundaries / "MK_adm2.geojson")
    dialog = window.boundaries.review_dialog if plan.pending() else window.boundaries.credit_dialog
    assert dialog.isVisible() and window.store.boundaries() == {}  # nothing before the credit
    fields = dialog.fields  # the file's own statement (OpenStreetMap via country-levels), pre-filled
    osm = ("© OpenStreetMap contributors", "ODbL 1.0")
    assert (fields.source.text(), fields.licence.currentText()) == osm
    fields.choose_provider("geoBoundaries")  # its licence differs per country: asked
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and "licence differs per country" in fields.hint.text()
    fields.choose_provider("OpenStreetMap")
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    saved = len(window.store.boundaries())
    assert saved >= 65 and len(session.stack) == 1
    assert window.undo_action.text() == f"&Undo Import {saved} boundaries from MK_adm2.geojson"
    credits = boundary_credits(window.store)
    assert [(c.text(), c.units, c.files) for c in credits] == [
        ("Boundaries: © OpenStreetMap contributors (ODbL 1.0)", saved, ("MK_adm2.geojson",))]
    assert [(e.key, e.old) for e in credits_seen] == [("boundary_import:0001", None)]
    assert window.model.index(kumanovo_row, 6).data() == "yes"
    # one history row per polygon, and one for the import's record (its source, for the credits)
    assert window.history_view.model.rowCount() == history_rows + saved + 1
    operations = [r.entry.operation for r in window.history_view.model.rows[:saved + 1]]
    assert operations.count("boundary") == saved and operations.count("update") == 1
    assert f"{saved} with a boundary" in window.count_label.text()
    qtbot.waitUntil(lambda: js(qtbot, window, "RMProbe.guideText()") == "", timeout=10000)

    window.undo_action.trigger()
    assert window.store.boundaries() == {} and window.model.index(kumanovo_row, 6).data() == "seat only"
    assert boundary_credits(window.store) == [] and window.store.meta_items("boundary_import:") == {}
    assert credits_seen[-1].new is None
    assert window.history_view.model.rowCount() == history_rows + 2 * (saved + 1)
    qtbot.waitUntil(lambda: "No municipal boundaries yet" in js(qtbot, window, "RMProbe.guideText()"),
                    timeout=10000)


def test_disk_full_while_saving_a_form_is_one_sentence_and_loses_nothing(
        window: MainWindow, qtbot, demo_project: Path) -> None:
    from resilience_map.ui.forms import NoteForm

    window.open_project(demo_project)
    kumanovo = uuid_of(window, "mk-kumanovo")
    conn = window.store._conn  # the disk is "full": SQLite may not grow the file by one more page
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    before = sha256(demo_project)
    form = window.open_form(NoteForm, municipality_uuid=kumanovo)
    type_text(form.text, "Needs ")
    form.text.insertPlainText("a long, long list of trainings; " * 3000)  # pasted
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    message = form.general_error.text()
    assert form.isVisible() and form.general_error.isVisible()
    assert "disk is full" in message and "\n" not in message and message.endswith(".")
    assert sha256(demo_project) == before


def test_a_file_held_by_another_program_is_one_sentence(window: MainWindow, qtbot,
                                                        demo_project: Path) -> None:
    window.open_project(demo_project)
    value = window.store.list(IndicatorValue)[0]
    scale = window.session.indexes.indicators.get(value.indicator_uuid)
    new = scale.scale_min if value.value != scale.scale_min else scale.scale_max
    other = sqlite3.connect(demo_project, timeout=0)  # e.g. QGIS in the middle of a save
    other.execute("BEGIN EXCLUSIVE")
    try:
        model = window.records_view.models[IndicatorValue]
        row = model.row_of(value.uuid)
        model.setData(model.index(row, [c.field for c in model.columns].index("value")), f"{new:g}")
        message = window.records_view.message_label.text()
    finally:
        other.rollback()
        other.close()
    assert "locked by another program" in message and "\n" not in message
    assert window.store.get(IndicatorValue, value.uuid).value == value.value


def test_restore_offers_verified_copies_and_a_failed_restore_keeps_the_project_open(
        window: MainWindow, qtbot, demo_project: Path) -> None:
    window.open_project(demo_project)  # opening takes a verified backup copy
    good = window.files.backups()
    assert len(good) == 1
    broken = good[0].path.with_name(good[0].path.name.replace(good[0].path.stem[-6:], "999999"))
    broken.write_bytes(good[0].path.read_bytes()[:8192])  # a copy killed half-way
    assert [b.path for b in window.files.backups()] == [good[0].path]  # never offered

    from resilience_map.session import Backup
    title = window.windowTitle()
    assert not window.restore_backup(Backup(broken, good[0].taken_at))
    assert window.store is not None and window.store.path == demo_project and window.windowTitle() == title
    assert "cannot be restored" in window.reporter.last[1]
    assert window.restore_backup(good[0]) and window.store is not None


def test_laptop_layout_gives_the_map_most_of_the_window_and_is_remembered(window: MainWindow, qtbot) -> None:
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366)
    map_view = window.centralWidget()
    assert not any(d.isVisible() for d in window.layout_.bottom)  # the tables open when asked
    assert map_view.width() >= 0.6 * window.width() and map_view.height() >= 0.7 * window.height()
    button = window.layout_.buttons[window.records_dock]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.records_dock.isVisible() and button.isChecked()
    assert window.records_dock.height() <= 0.45 * window.height()
    window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    assert again.records_dock.isVisible() and again.layout_.buttons[again.records_dock].isChecked()
    qtbot.mouseClick(again.layout_.buttons[again.records_dock], Qt.MouseButton.LeftButton)
    assert not again.records_dock.isVisible()
    again.session.close()


def test_a_new_activity_outside_the_date_filter_says_it_is_hidden(opened: MainWindow, qtbot) -> None:
    from PySide6.QtCore import QDate

    from resilience_map.ui.forms import ActivityForm

    window = opened
    window.map_feature.panel.date_from.setDate(QDate(2023, 1, 1))
    window.map_feature.panel.date_to.setDate(QDate(2023, 6, 30))
    form = window.open_form(ActivityForm)
    qtbot.keyClicks(form.title, "Roundtable in 2017")
    form.start.set_value(QDate(2017, 5, 4).toPython())
    type_text(form.host.filter, "Kumanovo")
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    message = window.statusBar().currentMessage()  # the map says so (and in the layer panel)
    assert "“Roundtable in 2017” (4 May 2017) is not shown" in message
    assert "between 1 Jan 2023 and 30 Jun 2023" in message
    assert window.map_feature.panel.activity_note.text() == message
    assert window.session.indexes.municipalities.get(form.host.selected()).name_latin == "Kumanovo"
