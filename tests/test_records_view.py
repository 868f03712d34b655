"""The Records view, used as a practitioner would: select, type, press keys and buttons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QEvent, QPoint, QSettings, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QDateEdit, QDoubleSpinBox, QSpinBox

from resilience_map.domain.enums import Country, StructureStatus
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    MunicipalityNote,
    PreventionStructure,
    StudyWave,
)
from resilience_map.store import ProjectStore
from resilience_map.store.query import RecordQuery
from resilience_map.ui.editing import ProjectEditor
from resilience_map.ui.records_model import PAGE_SIZE
from resilience_map.ui.records_view import SEARCH_HINT, RecordsView

SYNTHETIC_VALUES = 100_000


# --- fixtures -------------------------------------------------------------------------------

def open_editor(path: Path) -> ProjectEditor:
    QSettings().setValue("author_name", "Tester")
    editor = ProjectEditor()
    editor.ask_author = lambda: "Tester"
    editor.set_store(ProjectStore.open(path))
    return editor


@pytest.fixture
def editor(qtbot, demo_project: Path) -> ProjectEditor:
    return open_editor(demo_project)


@pytest.fixture
def view(qtbot, editor: ProjectEditor):
    view = RecordsView(editor)
    view.confirm = lambda _text: True
    view.resize(1300, 700)
    qtbot.addWidget(view)
    view.show()
    view.refresh()
    yield view
    close_project(view)


def close_project(view: RecordsView) -> None:
    """What the main window does before closing a project: the view lets go of the store."""
    store = view.editor.store
    view.editor.set_store(None)
    view.refresh()
    store.close()


def build_synthetic(path: Path, municipalities: int = 100, indicators: int = 100, waves: int = 10) -> Path:
    """A project with municipalities × indicators × waves values (100,000 by default), one transaction."""
    store = ProjectStore.create(path, title="Synthetic 100k")
    countries = list(Country)
    with store.transaction():
        units = store.add_many([Municipality(registry_id=f"syn-{i}", country=countries[i % 6],
                                             name_local=f"Општина {i:03d}", name_latin=f"Opština {i:03d}",
                                             name_en=f"Municipality {i:03d}") for i in range(municipalities)], "bench")
        inds = store.add_many([IndicatorDefinition(code=f"I{i:03d}", name=f"Indicator {i:03d}", scale_min=0,
                                                   scale_max=10) for i in range(indicators)], "bench")
        rounds = store.add_many([StudyWave(name=f"Wave {2000 + i}", start_date=date(2000 + i, 1, 1))
                                 for i in range(waves)], "bench")
        store.add_many([IndicatorValue(municipality_uuid=u.uuid, indicator_uuid=ind.uuid, wave_uuid=w.uuid,
                                       value=float((k * 7) % 11 % 10), synthetic=True)
                        for k, (u, ind, w) in enumerate((u, ind, w) for u in units for ind in inds
                                                        for w in rounds)], "bench")
    store.close()
    return path


@pytest.fixture(scope="session")
def synthetic_100k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100,000 indicator values, built once per session (about 10 s); tests only read it."""
    return build_synthetic(tmp_path_factory.mktemp("synthetic") / "synthetic.gpkg")


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
                if view.lookups.indicators[model.record(r).indicator_uuid].scale_max == scale_max)


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


def type_text(widget, text: str) -> None:
    """Type any text, Cyrillic included (QTest.keyClicks only knows ASCII keys)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def editor_widget(table, cls):
    """The open cell editor (a child of the table's viewport)."""
    found = [w for w in table.viewport().findChildren(cls) if w.isVisible()]
    assert found, f"no {cls.__name__} editor open"
    return found[0]


# --- editing ------------------------------------------------------------------------------

def test_out_of_scale_value_is_refused_and_nothing_written(qtbot, view: RecordsView) -> None:
    store = view.editor.store
    row = row_of_scale(view, 10.0)
    model = view.models[IndicatorValue]
    before = model.record(row)
    count, history = store.count(IndicatorValue), len(store.history())

    # The cell editor is limited to the indicator's scale and shows its unit:
    index = start_editing(qtbot, view, IndicatorValue, row, "Value")
    spin = editor_widget(view.tables[IndicatorValue], QDoubleSpinBox)
    indicator = view.lookups.indicators[before.indicator_uuid]
    assert (spin.minimum(), spin.maximum()) == (indicator.scale_min, indicator.scale_max)
    assert spin.suffix() == f" {indicator.unit}"
    qtbot.keyClick(spin, Qt.Key.Key_Escape)

    # A value from elsewhere (pasted into the cell) is validated by the store and refused:
    QGuiApplication.clipboard().setText("15")
    view.tables[IndicatorValue].setCurrentIndex(index)
    qtbot.keyClick(view.tables[IndicatorValue], Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)

    message = view.message_label.text()
    assert "outside the scale" in message and indicator.name in message
    assert view.message_label.isVisible()
    assert store.get(IndicatorValue, before.uuid).value == before.value
    assert store.count(IndicatorValue) == count
    assert len(store.history()) == history
    assert view.editor.undo_stack.count() == 0


def test_text_in_a_number_cell_is_refused(qtbot, view: RecordsView) -> None:
    model = view.models[IndicatorValue]
    index = model.index(0, column(view, IndicatorValue, "Value"))
    history = len(view.editor.store.history())
    assert model.setData(index, "a lot") is False
    assert "not a valid number" in view.message_label.text()
    assert len(view.editor.store.history()) == history


def test_valid_inline_edit_is_saved_and_in_history(qtbot, view: RecordsView) -> None:
    store = view.editor.store
    row = row_of_scale(view, 10.0)
    uuid = view.models[IndicatorValue].record(row).uuid
    new_value = 2.5 if view.models[IndicatorValue].record(row).value != 2.5 else 3.5

    index = start_editing(qtbot, view, IndicatorValue, row, "Value")
    spin = editor_widget(view.tables[IndicatorValue], QDoubleSpinBox)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, f"{new_value}")
    qtbot.keyClick(spin, Qt.Key.Key_Return)  # the delegate commits on the next event-loop turn
    qtbot.waitUntil(lambda: view.editor.undo_stack.count() == 1)

    assert store.get(IndicatorValue, uuid).value == new_value
    last = store.history(uuid)[0]
    assert (last.operation, last.field, last.author, last.new_value) == ("update", "value", "Tester", str(new_value))
    assert view.models[IndicatorValue].index(row, index.column()).data() == f"{new_value:g}"
    assert view.message_label.text() == ""
    assert view.editor.undo_stack.count() == 1


def test_enumeration_cell_is_a_combo_of_labels(qtbot, view: RecordsView) -> None:
    store = view.editor.store
    model = view.models[PreventionStructure]
    row = next(r for r in range(model.rowCount()) if model.record(r).status is StructureStatus.UNKNOWN)
    uuid = model.record(row).uuid

    start_editing(qtbot, view, PreventionStructure, row, "Status")
    combo = editor_widget(view.tables[PreventionStructure], QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == [s.label for s in StructureStatus]
    combo.setCurrentIndex(combo.findText("Dormant"))
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.editor.undo_stack.count() == 1)

    assert store.get(PreventionStructure, uuid).status is StructureStatus.DORMANT
    assert model.index(model.row_of(uuid), column(view, PreventionStructure, "Status")).data() == "Dormant"


def test_counts_dates_and_optional_flags_have_their_editors(qtbot, view: RecordsView) -> None:
    store, stack = view.editor.store, view.editor.undo_stack
    model = view.models[PreventionStructure]
    row = next(r for r in range(model.rowCount()) if model.record(r).established is None)
    uuid = model.record(row).uuid
    table = view.tables[PreventionStructure]

    start_editing(qtbot, view, PreventionStructure, row, "Members")
    spin = editor_widget(table, QSpinBox)
    assert spin.text() == "" or spin.specialValueText() == spin.text()  # not known yet
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "12")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: stack.count() == 1)

    start_editing(qtbot, view, PreventionStructure, model.row_of(uuid), "Action plan")
    combo = editor_widget(table, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["yes", "no", "unknown"]
    assert combo.currentText() == "unknown"
    combo.setCurrentIndex(0)
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: stack.count() == 2)

    start_editing(qtbot, view, PreventionStructure, model.row_of(uuid), "Established")
    dates = editor_widget(table, QDateEdit)
    dates.setDate(QDate(2021, 3, 15))
    qtbot.keyClick(dates, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: stack.count() == 3)

    saved = store.get(PreventionStructure, uuid)
    assert (saved.member_count, saved.action_plan, saved.established) == (12, True, date(2021, 3, 15))
    stack.undo()
    assert store.get(PreventionStructure, uuid).established is None


def test_long_text_is_edited_whole(qtbot, view: RecordsView) -> None:
    """The cell shows the first 90 characters; its editor gets (and saves) the whole text."""
    store = view.editor.store
    model = view.models[PreventionStructure]
    row = next(r for r in range(model.rowCount()) if len(model.record(r).notes) > 120)
    record = model.record(row)
    assert model.index(row, column(view, PreventionStructure, "Notes")).data().endswith("…")

    start_editing(qtbot, view, PreventionStructure, row, "Notes")
    line = view.tables[PreventionStructure].focusWidget()
    assert line.text() == record.notes
    line.end(False)
    qtbot.keyClicks(line, " Checked 2025.")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.editor.undo_stack.count() == 1)
    assert store.get(PreventionStructure, record.uuid).notes == record.notes + " Checked 2025."


# --- deleting -------------------------------------------------------------------------------

def test_deleting_three_activities_is_one_undo_step(qtbot, view: RecordsView) -> None:
    store, stack = view.editor.store, view.editor.undo_stack
    view.show_type(HubActivity)
    table, model = view.tables[HubActivity], view.models[HubActivity]
    total = store.count(HubActivity)
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

    assert asked and asked[0].startswith("Delete 3 activities?")
    assert store.count(HubActivity) == total - 3
    assert model.rowCount() == total - 3 and all(model.row_of(u) < 0 for u in uuids)
    assert stack.count() == 1
    assert view.count_label.text() == f"{total - 3} of {total - 3} activities"

    stack.undo()
    assert store.count(HubActivity) == total
    assert all(model.row_of(u) >= 0 for u in uuids)
    stack.redo()
    assert store.count(HubActivity) == total - 3
    assert all(not store.list(HubActivity, uuid=u) for u in uuids)


def test_refused_confirmation_deletes_nothing(qtbot, view: RecordsView) -> None:
    view.show_type(HubActivity)
    view.tables[HubActivity].selectRow(0)
    view.confirm = lambda _text: False
    before = view.editor.store.count(HubActivity)
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    assert view.editor.store.count(HubActivity) == view.models[HubActivity].rowCount() == before > 0
    assert view.editor.undo_stack.count() == 0


# --- filtering and sorting -----------------------------------------------------------------

def test_filter_by_country_then_municipality_typed_in_cyrillic(qtbot, view: RecordsView) -> None:
    model = view.models[IndicatorValue]
    total = view.editor.store.count(IndicatorValue)

    view.country_combo.setCurrentIndex(view.country_combo.findText("Kosovo"))
    assert set(cell_texts(view, IndicatorValue, "Country")) == {"Kosovo"}
    assert 0 < model.matching < total

    picker = view.municipality_edit
    qtbot.mouseClick(picker, Qt.MouseButton.LeftButton)
    type_text(picker, "Приштина")
    popup = picker.suggester.popup()
    qtbot.waitUntil(popup.isVisible)
    suggestions = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
    assert suggestions and suggestions[0].startswith("Prishtinë")
    qtbot.mouseClick(popup.viewport(), Qt.MouseButton.LeftButton,
                     pos=popup.visualRect(popup.model().index(0, 0)).center())

    assert picker.text() == "Prishtinë"
    assert set(cell_texts(view, IndicatorValue, "Municipality")) == {"Prishtinë"}
    prishtine = view.editor.store.municipality_by_registry_id("xk-prishtine")
    expected = view.editor.store.count_query(RecordQuery(IndicatorValue, equals={"municipality_uuid": prishtine.uuid}))
    assert model.rowCount() == model.matching == expected > 0
    assert view.count_label.text() == f"{expected} of {total:,} values"

    view.show_type(MunicipalityNote)  # the filter follows to other tables
    assert set(cell_texts(view, MunicipalityNote, "Municipality")) == {"Prishtinë"}


def test_return_in_municipality_filter_takes_first_match_and_clearing_shows_all(qtbot, view: RecordsView) -> None:
    picker, model = view.municipality_edit, view.models[IndicatorValue]
    qtbot.keyClicks(picker, "pristina")
    qtbot.keyClick(picker, Qt.Key.Key_Return)
    assert set(cell_texts(view, IndicatorValue, "Municipality")) == {"Prishtinë"}
    picker.selectAll()
    qtbot.keyClick(picker, Qt.Key.Key_Backspace)
    assert model.matching == view.editor.store.count(IndicatorValue)


def test_free_text_filter(qtbot, view: RecordsView) -> None:
    view.show_type(HubActivity)
    qtbot.keyClicks(view.text_edit, "kumanovo")
    qtbot.keyClick(view.text_edit, Qt.Key.Key_Return)
    titles = cell_texts(view, HubActivity, "Title")
    store = view.editor.store
    kumanovo = store.municipality_by_registry_id("mk-kumanovo").uuid
    expected = [a.title for a in store.list(HubActivity)  # named Kumanovo, or Kumanovo took part
                if "kumanovo" in a.title.lower() or kumanovo in {p.municipality_uuid for p in a.participants}]
    assert titles and sorted(titles) == sorted(expected)
    assert not view.country_combo.isEnabled()  # activities do not belong to one municipality


def test_sorting_by_municipality(qtbot, view: RecordsView) -> None:
    view.show_type(MunicipalityNote)
    table, model = view.tables[MunicipalityNote], view.models[MunicipalityNote]
    section = column(view, MunicipalityNote, "Municipality")
    header = table.horizontalHeader()
    click_at = QPoint(header.sectionViewportPosition(section) + 5, header.height() // 2)

    def store_order(descending: bool) -> list[str]:
        query = RecordQuery(MunicipalityNote, order_by="municipality", descending=descending, limit=PAGE_SIZE)
        return [view.lookups.municipality_name(s.municipality_uuid) for s in view.editor.store.query(query)]

    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=click_at)
    names = cell_texts(view, MunicipalityNote, "Municipality")
    assert model.sort_state() == (section, Qt.SortOrder.AscendingOrder)
    assert names == store_order(False)
    initials = [n[0] for n in names if n[0].isascii()]  # accents sort by the store's collation
    assert initials == sorted(initials) and len(set(initials)) >= 4

    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=click_at)
    assert model.sort_state() == (section, Qt.SortOrder.DescendingOrder)
    assert cell_texts(view, MunicipalityNote, "Municipality") == store_order(True)
    assert store_order(True) == list(reversed(names))


def test_unsortable_column_keeps_the_order(qtbot, view: RecordsView) -> None:
    before = cell_texts(view, IndicatorValue, "Value")
    view.tables[IndicatorValue].sortByColumn(column(view, IndicatorValue, "Indicator"), Qt.SortOrder.AscendingOrder)
    assert cell_texts(view, IndicatorValue, "Value") == before
    assert "cannot be sorted" in view.message_label.text()


def test_renaming_an_indicator_renames_its_values(qtbot, view: RecordsView) -> None:
    model = view.models[IndicatorValue]
    first = model.record(0)
    indicator = view.editor.store.get(IndicatorDefinition, first.indicator_uuid)
    view.editor.update(replace(indicator, name="Renamed indicator"))
    assert model.index(0, column(view, IndicatorValue, "Indicator")).data() == "Renamed indicator"


# --- a large table --------------------------------------------------------------------------

def test_100k_values_load_a_page_at_a_time(qtbot, synthetic_100k: Path) -> None:
    editor = open_editor(synthetic_100k)
    view = RecordsView(editor)
    try:
        qtbot.addWidget(view)
        view.resize(1200, 600)
        view.refresh()
        model = view.models[IndicatorValue]
        assert model.rowCount() == PAGE_SIZE
        assert model.matching == SYNTHETIC_VALUES
        assert model.canFetchMore()
        model.fetchMore()
        assert model.rowCount() == 2 * PAGE_SIZE
        assert view.count_label.text() == "100,000 of 100,000 values"

        view.show()  # scrolling to the bottom asks for the next page, as Qt views do
        view.tables[IndicatorValue].scrollToBottom()
        qtbot.waitUntil(lambda: model.rowCount() >= 3 * PAGE_SIZE)

        qtbot.keyClicks(view.text_edit, "opstina")  # a slow search here: it waits for Return
        assert view.message_label.text() == SEARCH_HINT
        view.text_edit.clear()

        type_text(view.municipality_edit, "Општина 007")
        qtbot.keyClick(view.municipality_edit, Qt.Key.Key_Return)
        assert model.matching == SYNTHETIC_VALUES // 100
        assert set(cell_texts(view, IndicatorValue, "Municipality")) == {"Opština 007"}
    finally:
        close_project(view)
