"""The municipality profile driven as a user would: tabs, Add / Edit / Delete, undo and redo."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from test_forms import click_save, file_state, replace_text, tick
from tests_helpers import type_text

from resilience_map.domain.enums import MemberSector, NoteCategory, StructureType
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    MunicipalityNote,
    PreventionStructure,
    StudyWave,
)
from resilience_map.session import ProjectSession, add_records, update_records
from resilience_map.ui.forms import ActivityForm, IndicatorValueForm, StructureForm
from resilience_map.ui.profile.view import MunicipalityProfile
from resilience_map.ui.profile.widgets import DEMO_BADGE


@pytest.fixture
def profile(qtbot, session: ProjectSession) -> Iterator[MunicipalityProfile]:
    """A shown profile; like in the window, it follows the session's selection and events."""
    view = MunicipalityProfile(session)
    view.confirm = lambda text: True
    view.resize(480, 800)
    qtbot.addWidget(view)
    view.show()
    yield view


def kumanovo(session: ProjectSession) -> Municipality:
    return session.store.municipality_by_registry_id("mk-kumanovo")


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def column_texts(table, column: int) -> list[str]:
    return [table.item(row, column).text() for row in range(table.rowCount())]


def test_add_a_community_action_team_through_the_structures_tab(qtbot, session, profile) -> None:
    unit = kumanovo(session)
    session.select(unit.uuid)
    profile.tabs.setCurrentWidget(profile.structures)
    assert profile.structures.table.rowCount() == 1
    click(qtbot, profile.structures.add_button)
    form = profile.active_form
    assert isinstance(form, StructureForm) and form.isVisible()
    assert form.municipality_uuid() == unit.uuid
    assert form.structure_type.value() is StructureType.CAT
    qtbot.keyClicks(form.name, "School safety CAT")
    tick(qtbot, form.sectors.boxes[MemberSector.EDUCATION])
    tick(qtbot, form.sectors.boxes[MemberSector.SOCIAL_WORK])
    form.referral_role.setCurrentIndex(form.referral_role.findData(True))
    click_save(qtbot, form)
    assert not form.isVisible()
    stored = session.store.list(PreventionStructure, municipality_uuid=unit.uuid, name="School safety CAT")
    assert len(stored) == 1
    cat = stored[0]
    assert cat.structure_type is StructureType.CAT
    assert cat.member_sectors == (MemberSector.EDUCATION,
                                  MemberSector.SOCIAL_WORK) and cat.referral_role is True
    assert "School safety CAT" in column_texts(profile.structures.table, 7)
    assert profile.tabs.tabText(1) == "Structures (2)"
    inserts = [h for h in session.store.history(cat.uuid) if h.operation == "insert"]
    assert len(inserts) == 1 and inserts[0].author == "Tester"


def test_delete_three_activities_then_undo_and_redo(qtbot, session, profile) -> None:
    store = session.store
    session.select(kumanovo(session).uuid)
    profile.tabs.setCurrentWidget(profile.activities)
    table = profile.activities.table
    assert table.rowCount() == 4 and store.count(HubActivity) == 11
    assert column_texts(table, 0) == ["13–14 Jun 2023", "8–9 Feb 2023", "2021", "2019"]  # newest first
    # The demo's notes cite the February 2023 workshop, which therefore cannot be deleted.
    free = [a.uuid for a in profile.activities.records
            if not store.list(MunicipalityNote, source_activity_uuid=a.uuid)]
    assert len(free) == 3
    table.setFocus()
    profile.activities.select_uuids(free)
    asked: list[str] = []
    profile.confirm = lambda text: asked.append(text) is None and False  # the user says No
    click(qtbot, profile.activities.delete_button)
    assert store.count(HubActivity) == 11
    assert asked == ["Delete 3 hub activities? You can undo this with Edit → Undo."]
    profile.confirm = lambda text: True
    click(qtbot, profile.activities.delete_button)
    assert store.count(HubActivity) == 8 and table.rowCount() == 1
    session.undo()
    assert store.count(HubActivity) == 11 and table.rowCount() == 4
    session.redo()
    assert store.count(HubActivity) == 8 and table.rowCount() == 1


def test_activity_referred_to_by_a_note_is_not_deleted(qtbot, session, profile) -> None:
    unit = kumanovo(session)
    session.select(unit.uuid)
    launch = profile.activities.records[-1]
    notes_before = profile.notes.table.rowCount()
    session.do(add_records([MunicipalityNote(municipality_uuid=unit.uuid, category=NoteCategory.NEED,
                                             text="Follow-up training", source_activity_uuid=launch.uuid)]))
    assert profile.notes.table.rowCount() == notes_before + 1
    assert any(launch.title in text for text in column_texts(profile.notes.table, 2))
    profile.tabs.setCurrentWidget(profile.activities)
    profile.activities.select_uuids([launch.uuid])
    before = file_state(session.store, HubActivity)
    click(qtbot, profile.activities.delete_button)
    assert "other records still refer to this one" in profile.message.text() and profile.message.isVisible()
    assert file_state(session.store, HubActivity) == before


def test_add_activity_preselects_the_municipality(qtbot, session, profile) -> None:
    unit = kumanovo(session)
    session.select(unit.uuid)
    profile.tabs.setCurrentWidget(profile.activities)
    click(qtbot, profile.activities.add_button)
    form = profile.active_form
    assert isinstance(form, ActivityForm) and form.participants.selected() == [unit.uuid]
    qtbot.keyClicks(form.title, "Follow-up workshop")
    click_save(qtbot, form)
    assert column_texts(profile.activities.table, 1)[0] == "Follow-up workshop"


def test_header_names_country_population_membership_and_badge(session, profile) -> None:
    session.select(kumanovo(session).uuid)
    header = profile.header
    assert header.title.text() == "Kumanovo"
    assert header.names.text() == "Куманово · Kumanovë · Kumanova"
    assert "North Macedonia" in header.place.text() and "Northeastern region" in header.place.text()
    assert "Population 98,104 (2021 census)" in header.facts.text()
    assert header.badge.isVisible() and header.badge.text() == DEMO_BADGE
    cair = session.store.municipality_by_registry_id("mk-cair")
    session.select(cair.uuid)
    assert "part of Grad Skopje" in header.place.text()
    assert "Strong Cities Network member since January 2016" in header.facts.text()
    session.select(None)
    assert not profile.tabs.isEnabled() and header.title.text() == "No municipality selected"


def test_markup_in_a_name_is_shown_as_text(session, profile) -> None:
    unit = kumanovo(session)
    hostile = "<img src=x onerror=alert(1)>"
    session.do(update_records([(unit, replace(unit, name_latin=hostile))]))
    session.select(unit.uuid)
    assert profile.header.title.text() == hostile
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in profile.findChildren(QLabel)
               if label.text())


def test_indicator_table_medians_and_chart(qtbot, session, profile) -> None:
    store, unit = session.store, kumanovo(session)
    session.select(unit.uuid)
    tab = profile.indicators
    indicators = store.list(IndicatorDefinition)
    first, last = sorted(store.list(StudyWave), key=lambda w: w.start_date)
    assert tab.table.rowCount() == len(indicators) == 9
    brave = next(i for i in indicators if i.code == "BRAVE14")
    row = indicators.index(brave)
    own = store.list(IndicatorValue, municipality_uuid=unit.uuid, indicator_uuid=brave.uuid,
                     wave_uuid=first.uuid)[0]
    assert tab.table.item(row, 1).text() == f"{own.value:g}"
    everyone = [v.value for v in store.list(IndicatorValue, indicator_uuid=brave.uuid, wave_uuid=first.uuid)]
    tab.select_cell(brave.uuid, first.uuid)
    assert tab.table.horizontalHeaderItem(tab.median_column).toolTip().endswith(first.name)
    assert tab.table.item(row, tab.median_column).text() == f"{statistics.median(everyone):g}"
    series = tab.chart.series()[0]
    assert [s.label() for s in series.barSets()] == ["Kumanovo", "Regional median"]
    assert series.barSets()[0].at(0) == own.value and series.barSets()[0].count() == 2
    assert tab.chart.title().startswith("BRAVE-14 resilience score")
    tab.select_cell(brave.uuid, last.uuid)
    assert tab.median_wave.currentData() == last.uuid


def cell_center(table, row: int, column: int):
    return table.visualRect(table.model().index(row, column)).center()


def test_value_cell_add_edit_delete(qtbot, session, profile) -> None:
    store, unit = session.store, kumanovo(session)
    session.select(unit.uuid)
    tab = profile.indicators
    first = sorted(store.list(StudyWave), key=lambda w: w.start_date)[0]
    aware = store.list(IndicatorDefinition, code="AWARE_CAT")[0]
    row = [i.uuid for i in tab.indicators].index(aware.uuid)
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(tab.table, row, 1))
    assert tab.selected_records()[0].indicator_uuid == aware.uuid
    before = file_state(store, IndicatorValue)
    click(qtbot, tab.add_button)  # the cell already has a value: Add is refused readably
    form = profile.active_form
    assert isinstance(form, IndicatorValueForm)
    assert (form.municipality_uuid(), form.indicator.currentData(), form.wave.currentData()) == (
        unit.uuid, aware.uuid, first.uuid)
    click_save(qtbot, form)
    assert form.error_text("value") == "Value is required."  # an empty box, never a made-up value
    replace_text(qtbot, form.value, "30")
    click_save(qtbot, form)
    assert form.error_text("value") == "There is already a value for this municipality, indicator and wave."
    assert file_state(store, IndicatorValue) == before
    form.reject()
    bars = tab.chart.series()[0].barSets()[0]  # the chart of the chosen indicator
    click(qtbot, tab.edit_button)
    form = profile.active_form
    replace_text(qtbot, form.value, "77.5")
    click_save(qtbot, form)
    assert tab.table.item(row, 1).text() == "77.5" and tab.table.currentRow() == row
    assert tab.chart.series()[0].barSets()[0] is bars and bars.at(0) == 77.5  # set in place
    click(qtbot, tab.delete_button)
    assert tab.table.item(row, 1).text() == "—" and store.count(IndicatorValue) == before[0] - 1
    assert bars.at(0) == aware.scale_min  # no value: the bar sits at the scale's minimum
    click(qtbot, tab.add_button)
    form = profile.active_form
    replace_text(qtbot, form.value, "12")
    click_save(qtbot, form)
    assert tab.table.item(row, 1).text() == "12" and store.count(IndicatorValue) == before[0]


def test_notes_tab_add_and_edit(qtbot, session, profile) -> None:
    unit = kumanovo(session)
    session.select(unit.uuid)
    profile.tabs.setCurrentWidget(profile.notes)
    notes_before = profile.notes.table.rowCount()  # the demo's notes from public pages
    click(qtbot, profile.notes.add_button)
    form = profile.active_form
    type_text(form.text, "Потреба од обука за наставници")
    click_save(qtbot, form)
    assert profile.notes.table.item(0, 4).text() == "Потреба од обука за наставници"
    assert profile.tabs.tabText(3) == f"Notes ({notes_before + 1})"
    profile.notes.select_uuids([profile.notes.records[0].uuid])
    assert "Потреба од обука за наставници" in profile.notes.detail.text()
    click(qtbot, profile.notes.edit_button)
    tick(qtbot, profile.active_form.restricted)
    click_save(qtbot, profile.active_form)
    assert profile.notes.table.item(0, 3).text() == "Restricted"


def test_selecting_reads_no_values_and_another_units_edit_moves_only_the_median(qtbot, session,
                                                                                profile) -> None:
    store, unit = session.store, kumanovo(session)
    queries: list[str] = []
    store._conn.set_trace_callback(queries.append)
    session.select(unit.uuid)
    store._conn.set_trace_callback(None)
    assert not [q for q in queries if "indicator_values" in q]  # values and medians come from the index
    tab = profile.indicators
    brave = store.list(IndicatorDefinition, code="BRAVE14")[0]
    first = sorted(store.list(StudyWave), key=lambda w: w.start_date)[0]
    tab.select_cell(brave.uuid, first.uuid)
    own_before = tab.cell_text(brave.uuid, first.uuid)
    lipkovo = store.municipality_by_registry_id("mk-lipkovo")
    value = store.list(IndicatorValue, municipality_uuid=lipkovo.uuid, indicator_uuid=brave.uuid,
                       wave_uuid=first.uuid)[0]
    session.do(update_records([(value, replace(value, value=brave.scale_max))]))
    everyone = [v.value for v in store.list(IndicatorValue, indicator_uuid=brave.uuid, wave_uuid=first.uuid)]
    assert tab.cell_text(brave.uuid) == f"{statistics.median(everyone):g}"
    assert tab.cell_text(brave.uuid, first.uuid) == own_before and profile.unit.uuid == unit.uuid
