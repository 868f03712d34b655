"""The Records view, used as a practitioner would: select, type, press keys and buttons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QComboBox, QLineEdit
from tests_helpers import type_text

from resilience_map.domain.enums import StructureStatus
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    MunicipalityNote,
    PreventionStructure,
)
from resilience_map.session import ProjectSession, RecordQuery, delete_records, update_records
from resilience_map.synthetic import VALUES as SYNTHETIC_VALUES
from resilience_map.ui.records.model import PAGE_SIZE
from resilience_map.ui.records.view import SEARCH_HINT, RecordsView
from resilience_map.ui.widgets.not_known import DateField, NumberEdit, YesNoUnknown

# --- fixtures -------------------------------------------------------------------------------

@pytest.fixture
def view(qtbot, session: ProjectSession):
    view = RecordsView(session)
    view.confirm = lambda _text: True
    view.resize(1300, 700)
    qtbot.addWidget(view)
    view.show()
    return view


# --- helpers --------------------------------------------------------------------------------

def column(view: RecordsView, record_type: type, header: str) -> int:
    return [c.header for c in view.models[record_type].columns].index(header)


def cell_texts(view: RecordsView, record_type: type, header: str) -> list[str]:
    model, col = view.models[record_type], column(view, record_type, header)
    return [model.index(r, col).data() for r in range(model.rowCount())]


def row_of_scale(view: RecordsView, scale_max: float) -> int:
    """First loaded indicator value whose indicator ends its scale at ``scale_max``."""
    model = view.models[IndicatorValue]
    return next(r for r in range(model.rowCount())
                if view.session.indexes.indicators.get(model.record(r).indicator_uuid).scale_max == scale_max)


def start_editing(qtbot, view: RecordsView, record_type: type, row: int, header: str):
    """Select a cell as a user would and open its editor (the view's delegate builds it)."""
    view.show_type(record_type)
    table = view.tables[record_type]
    index = view.models[record_type].index(row, column(view, record_type, header))
    table.scrollTo(index)
    table.setCurrentIndex(index)
    table.edit(index)
    qtbot.waitUntil(lambda: table.state() == table.State.EditingState)
    return index



def editor_widget(table, cls):
    """The open cell editor (a child of the table's viewport)."""
    found = [w for w in table.viewport().findChildren(cls) if w.isVisible()]
    assert found, f"no {cls.__name__} editor open"
    return found[0]


# --- editing ------------------------------------------------------------------------------

def commit(qtbot, editor, session: ProjectSession, steps: int) -> None:
    """Return in the cell editor; the delegate commits on the next event-loop turn."""
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(session.stack) == steps)


def test_out_of_scale_value_typed_in_the_cell_is_refused_not_clamped(qtbot, view: RecordsView) -> None:
    session = view.session
    store = session.store
    row = row_of_scale(view, 10.0)
    model, table = view.models[IndicatorValue], view.tables[IndicatorValue]
    before = model.record(row)
    indicator = session.indexes.indicators.get(before.indicator_uuid)
    count, history = store.count(IndicatorValue), len(store.history())

    start_editing(qtbot, view, IndicatorValue, row, "Value")
    editor = editor_widget(table, NumberEdit)
    assert editor.scale == (indicator.scale_min, indicator.scale_max)
    assert indicator.unit in editor.placeholderText()
    editor.selectAll()
    qtbot.keyClicks(editor, "15")  # a spin box would have dropped the 5 and saved 1
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "outside the scale" in view.message_label.text())

    message = view.message_label.text()
    assert message.startswith("Not saved: 15 is outside the scale") and indicator.name in message
    assert view.message_label.isVisible()
    assert store.get(IndicatorValue, before.uuid).value == before.value
    assert store.count(IndicatorValue) == count and len(store.history()) == history
    assert len(session.stack) == 0

    # The same from the clipboard:
    QGuiApplication.clipboard().setText("200")
    table.setCurrentIndex(model.index(row, column(view, IndicatorValue, "Value")))
    qtbot.keyClick(table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert "200 is outside the scale" in view.message_label.text()
    assert store.get(IndicatorValue, before.uuid).value == before.value


def test_text_in_a_number_cell_is_refused(qtbot, view: RecordsView) -> None:
    model = view.models[IndicatorValue]
    index = model.index(0, column(view, IndicatorValue, "Value"))
    history = len(view.session.store.history())
    assert model.setData(index, "a lot") is False
    assert view.message_label.text() == "Not saved: “a lot” is not a valid number."
    assert len(view.session.store.history()) == history


def test_valid_inline_edit_is_saved_exactly_and_in_history(qtbot, view: RecordsView) -> None:
    session = view.session
    store = session.store
    row = row_of_scale(view, 10.0)
    uuid = view.models[IndicatorValue].record(row).uuid
    new_value = 2.125 if view.models[IndicatorValue].record(row).value != 2.125 else 3.375

    index = start_editing(qtbot, view, IndicatorValue, row, "Value")
    editor = editor_widget(view.tables[IndicatorValue], NumberEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, f"{new_value}".replace(".", ","))  # a decimal comma reads as a decimal point
    commit(qtbot, editor, session, 1)

    assert store.get(IndicatorValue, uuid).value == new_value  # every digit typed, none rounded away
    last = store.history(uuid)[0]
    assert (last.operation, last.field, last.author, last.new_value) == ("update", "value", "Tester",
                                                                         str(new_value))
    assert view.models[IndicatorValue].index(row, index.column()).data() == f"{new_value:g}"
    assert view.message_label.text() == ""


def test_enumeration_cell_is_a_combo_of_labels(qtbot, view: RecordsView) -> None:
    session = view.session
    model = view.models[PreventionStructure]
    row = next(r for r in range(model.rowCount()) if model.record(r).status is StructureStatus.UNKNOWN)
    uuid = model.record(row).uuid

    start_editing(qtbot, view, PreventionStructure, row, "Status")
    combo = editor_widget(view.tables[PreventionStructure], QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == [s.label for s in StructureStatus]
    combo.setCurrentIndex(combo.findText("Dormant"))
    commit(qtbot, combo, session, 1)

    assert session.store.get(PreventionStructure, uuid).status is StructureStatus.DORMANT
    assert model.index(model.row_of(uuid), column(view, PreventionStructure, "Status")).data() == "Dormant"


def test_counts_dates_and_optional_flags_use_the_not_known_editors(qtbot, view: RecordsView) -> None:
    session = view.session
    store = session.store
    model = view.models[PreventionStructure]
    row = next(r for r in range(model.rowCount()) if model.record(r).established is None)
    uuid = model.record(row).uuid
    table = view.tables[PreventionStructure]

    start_editing(qtbot, view, PreventionStructure, row, "Members")
    count = editor_widget(table, NumberEdit)
    assert count.text() == "" and count.placeholderText() == "not known"
    qtbot.keyClicks(count, "12")
    commit(qtbot, count, session, 1)

    start_editing(qtbot, view, PreventionStructure, model.row_of(uuid), "Action plan")
    combo = editor_widget(table, YesNoUnknown)
    assert [combo.itemText(i) for i in range(combo.count())] == ["Yes", "No", "Not known"]
    assert combo.currentText() == "Not known"
    combo.setCurrentIndex(0)
    commit(qtbot, combo, session, 2)

    start_editing(qtbot, view, PreventionStructure, model.row_of(uuid), "Established")
    dates = editor_widget(table, DateField)
    assert dates.unknown.isChecked()
    dates.unknown.setChecked(False)
    dates.edit.setDate(QDate(2021, 3, 15))
    commit(qtbot, dates.edit, session, 3)

    saved = store.get(PreventionStructure, uuid)
    assert (saved.member_count, saved.action_plan, saved.established) == (12, True, date(2021, 3, 15))
    session.undo()
    assert store.get(PreventionStructure, uuid).established is None


def test_long_text_is_edited_whole(qtbot, view: RecordsView) -> None:
    """The cell shows the first 90 characters; its editor gets (and saves) the whole text."""
    session = view.session
    model = view.models[PreventionStructure]
    row = next(r for r in range(model.rowCount()) if len(model.record(r).notes) > 120)
    record = model.record(row)
    assert model.index(row, column(view, PreventionStructure, "Notes")).data().endswith("…")

    start_editing(qtbot, view, PreventionStructure, row, "Notes")
    line = view.tables[PreventionStructure].focusWidget()
    assert isinstance(line, QLineEdit) and line.text() == record.notes
    line.end(False)
    qtbot.keyClicks(line, " Checked 2025.")
    commit(qtbot, line, session, 1)
    assert session.store.get(PreventionStructure, record.uuid).notes == record.notes + " Checked 2025."


def test_an_edit_repaints_one_row_and_reads_nothing(qtbot, view: RecordsView) -> None:
    """The change event patches the row: one dataChanged for that row, no query, no reset."""
    session, model = view.session, view.models[IndicatorValue]
    ranges: list[tuple[int, int]] = []
    resets: list[int] = []
    model.dataChanged.connect(lambda a, b, _roles=(): ranges.append((a.row(), b.row())))
    model.modelReset.connect(lambda: resets.append(1))
    queries: list[str] = []
    session.store._conn.set_trace_callback(queries.append)
    record = model.record(3)
    indicator = session.indexes.indicators.get(record.indicator_uuid)
    new = indicator.scale_min if record.value != indicator.scale_min else indicator.scale_max
    model.setData(model.index(3, column(view, IndicatorValue, "Value")), str(new))
    session.store._conn.set_trace_callback(None)
    assert ranges == [(3, 3)] and not resets
    counts = [q for q in queries if "indicator_values" in q and q.lstrip().upper().startswith("SELECT COUNT")]
    assert not counts
    assert model.record(3).value == new


# --- deleting -------------------------------------------------------------------------------

def test_deleting_three_activities_is_one_undo_step_and_undo_puts_them_back(qtbot, view: RecordsView) -> None:
    session = view.session
    store = session.store
    view.show_type(HubActivity)
    table, model = view.tables[HubActivity], view.models[HubActivity]
    total = store.count(HubActivity)
    order = [model.record(r).uuid for r in range(model.rowCount())]
    assert not view.delete_button.isEnabled()

    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(model.index(1, 0)).center())
    for row in (2, 4):
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                         table.visualRect(model.index(row, 0)).center())
    uuids = [model.record(r).uuid for r in (1, 2, 4)]
    assert view.selected_rows() == [1, 2, 4]
    asked: list[str] = []
    view.confirm = lambda text: asked.append(text) or True

    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)

    assert asked and asked[0].startswith("Delete 3 hub activities?")
    assert store.count(HubActivity) == total - 3
    assert model.rowCount() == total - 3 and all(model.row_of(u) < 0 for u in uuids)
    assert len(session.stack) == 1
    assert view.count_label.text() == f"{total - 3} of {total - 3} hub activities"

    session.undo()
    assert store.count(HubActivity) == total
    assert [model.record(r).uuid for r in range(model.rowCount())] == order  # back where they were
    session.redo()
    assert store.count(HubActivity) == total - 3
    assert all(store.find(HubActivity, u) is None for u in uuids)


def test_refused_confirmation_deletes_nothing(qtbot, view: RecordsView) -> None:
    view.show_type(HubActivity)
    view.tables[HubActivity].selectRow(0)
    view.confirm = lambda _text: False
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    before = view.session.store.count(HubActivity)
    assert view.models[HubActivity].rowCount() == before > 0
    assert len(view.session.stack) == 0


# --- filtering and sorting -----------------------------------------------------------------

def test_filter_by_country_then_municipality_typed_in_cyrillic(qtbot, view: RecordsView) -> None:
    model = view.models[IndicatorValue]
    store = view.session.store
    total = store.count(IndicatorValue)

    view.country_combo.setCurrentIndex(view.country_combo.findText("Kosovo"))
    assert set(cell_texts(view, IndicatorValue, "Country")) == {"Kosovo"}
    assert 0 < model.matching < total

    picker = view.municipality_edit
    qtbot.mouseClick(picker.filter, Qt.MouseButton.LeftButton)
    type_text(picker.filter, "Приштина")
    popup = picker.suggester.popup()
    qtbot.waitUntil(popup.isVisible)
    suggestions = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
    assert suggestions and suggestions[0].startswith("Prishtinë")
    qtbot.mouseClick(popup.viewport(), Qt.MouseButton.LeftButton,
                     pos=popup.visualRect(popup.model().index(0, 0)).center())

    assert picker.filter.text() == "Prishtinë"
    assert set(cell_texts(view, IndicatorValue, "Municipality")) == {"Prishtinë"}
    prishtine = store.municipality_by_registry_id("xk-prishtine")
    expected = store.count_query(RecordQuery(IndicatorValue, equals={"municipality_uuid": prishtine.uuid}))
    assert model.rowCount() == model.matching == expected > 0
    assert view.count_label.text() == f"{expected} of {total:,} indicator values"

    view.show_type(MunicipalityNote)  # the filter follows to other tables
    assert set(cell_texts(view, MunicipalityNote, "Municipality")) == {"Prishtinë"}


def test_municipality_filter_return_takes_first_match_and_no_match_says_so(qtbot, view: RecordsView) -> None:
    picker, model = view.municipality_edit, view.models[IndicatorValue]
    qtbot.keyClicks(picker.filter, "pristina")
    qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    assert set(cell_texts(view, IndicatorValue, "Municipality")) == {"Prishtinë"}
    picker.filter.selectAll()
    qtbot.keyClicks(picker.filter, "zzqx")
    assert picker.status.text() == "No municipality matches “zzqx”." and picker.status.isVisible()
    picker.filter.clear()
    assert model.matching == view.session.store.count(IndicatorValue)


def test_free_text_filter(qtbot, view: RecordsView) -> None:
    view.show_type(HubActivity)
    qtbot.keyClicks(view.text_edit, "kumanovo")
    qtbot.keyClick(view.text_edit, Qt.Key.Key_Return)
    titles = cell_texts(view, HubActivity, "Title")
    store = view.session.store
    kumanovo = store.municipality_by_registry_id("mk-kumanovo").uuid
    expected = [a.title for a in store.list(HubActivity)  # named Kumanovo, or Kumanovo took part
                if "kumanovo" in a.title.lower() or kumanovo in {p.municipality_uuid for p in a.participants}]
    assert titles and sorted(titles) == sorted(expected)
    assert not view.country_combo.isEnabled()  # activities do not belong to one municipality


def test_filtered_table_takes_matching_new_records_only(qtbot, view: RecordsView) -> None:
    """Rows added by a step (here: an undo) appear only where they match the filter."""
    session, model = view.session, view.models[PreventionStructure]
    view.show_type(PreventionStructure)
    first = model.record(0)
    country = session.indexes.municipalities.get(first.municipality_uuid).country.label
    view.country_combo.setCurrentIndex(view.country_combo.findText(country))
    shown = model.rowCount()
    elsewhere = next(s for s in session.store.list(PreventionStructure) if model.row_of(s.uuid) < 0)

    session.do(delete_records([first, elsewhere]))
    assert model.rowCount() == shown - 1 and model.matching == shown - 1
    session.undo()
    assert model.rowCount() == shown and model.row_of(first.uuid) >= 0 and model.row_of(elsewhere.uuid) < 0


def test_sorting_by_municipality(qtbot, view: RecordsView) -> None:
    view.show_type(MunicipalityNote)
    table, model = view.tables[MunicipalityNote], view.models[MunicipalityNote]
    section = column(view, MunicipalityNote, "Municipality")
    header = table.horizontalHeader()
    click_at = QPoint(header.sectionViewportPosition(section) + 5, header.height() // 2)
    names = view.session.indexes

    def store_order(descending: bool) -> list[str]:
        query = RecordQuery(MunicipalityNote, order_by="municipality", descending=descending,
                            limit=PAGE_SIZE)
        return [names.municipality_name(s.municipality_uuid) for s in view.session.store.query(query)]

    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=click_at)
    shown = cell_texts(view, MunicipalityNote, "Municipality")
    assert model.sort_state() == (section, Qt.SortOrder.AscendingOrder)
    assert shown == store_order(False)
    initials = [n[0] for n in shown if n[0].isascii()]  # accents sort by the store's collation
    assert initials == sorted(initials) and len(set(initials)) >= 4

    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=click_at)
    assert model.sort_state() == (section, Qt.SortOrder.DescendingOrder)
    assert cell_texts(view, MunicipalityNote, "Municipality") == store_order(True)
    assert store_order(True) == list(reversed(shown))


def test_unsortable_column_keeps_the_order(qtbot, view: RecordsView) -> None:
    before = cell_texts(view, IndicatorValue, "Value")
    view.tables[IndicatorValue].sortByColumn(column(view, IndicatorValue, "Indicator"),
                                             Qt.SortOrder.AscendingOrder)
    assert cell_texts(view, IndicatorValue, "Value") == before
    assert "cannot be sorted" in view.message_label.text()


def test_renaming_an_indicator_renames_its_values(qtbot, view: RecordsView) -> None:
    session, model = view.session, view.models[IndicatorValue]
    first = model.record(0)
    indicator = session.store.get(IndicatorDefinition, first.indicator_uuid)
    session.do(update_records([(indicator, replace(indicator, name="Renamed indicator"))]))
    assert model.index(0, column(view, IndicatorValue, "Indicator")).data() == "Renamed indicator"


# --- a large table --------------------------------------------------------------------------

def test_100k_values_load_a_page_at_a_time(qtbot, open_session, synthetic_100k: Path) -> None:
    # the builder leaves the project and nothing of its private building name
    assert not [p.name for p in synthetic_100k.parent.iterdir() if ".building" in p.name]
    session = open_session(synthetic_100k, read_only=True)
    view = RecordsView(session)
    qtbot.addWidget(view)
    view.resize(1200, 600)
    model = view.models[IndicatorValue]
    assert model.rowCount() == PAGE_SIZE
    assert model.matching == SYNTHETIC_VALUES
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE_SIZE
    assert view.count_label.text() == "100,000 of 100,000 indicator values"

    view.show()  # scrolling to the bottom asks for the next page, as Qt views do
    view.tables[IndicatorValue].scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() >= 3 * PAGE_SIZE)

    qtbot.keyClicks(view.text_edit, "opstina")  # a slow search here: it waits for Return
    assert view.message_label.text() == SEARCH_HINT
    view.text_edit.clear()

    type_text(view.municipality_edit.filter, "Приштина")
    qtbot.keyClick(view.municipality_edit.filter, Qt.Key.Key_Return)
    prishtine = session.store.municipality_by_registry_id("xk-prishtine").uuid
    per_unit = len(session.indexes.values.of_unit(prishtine))
    assert model.matching == per_unit > 0
    assert set(cell_texts(view, IndicatorValue, "Municipality")) == {"Prishtinë"}
