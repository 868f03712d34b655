"""Record forms driven as a user would: type, tick, click Save; refusals are shown, never written."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget
from tests_helpers import type_text

from resilience_map.domain.enums import MemberSector, NoteCategory, ParticipationRole, StructureStatus
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    MunicipalityNote,
    PreventionStructure,
    StudyWave,
)
from resilience_map.session import ProjectSession, add_records, update_records
from resilience_map.ui.forms import (
    ActivityForm,
    IndicatorForm,
    IndicatorValueForm,
    NoteForm,
    RecordForm,
    StructureForm,
    WaveForm,
)


def replace_text(qtbot, widget: QWidget, text: str) -> None:
    """Select all, then type ASCII text over it, as a user editing a field does."""
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def tick(qtbot, box: QWidget) -> None:
    """Click a check box on its box (its widget may be wider than its text)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def click_save(qtbot, form: RecordForm) -> None:
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)


def file_state(store, record_type: type) -> tuple[int, int]:
    """What must not move when a form refuses: the record count and the history length."""
    return store.count(record_type), len(store.history())


def unit(session: ProjectSession, registry_id: str):
    return session.store.municipality_by_registry_id(registry_id)


def indicator(session: ProjectSession, code: str) -> IndicatorDefinition:
    return session.store.list(IndicatorDefinition, code=code)[0]


def waves(session: ProjectSession) -> list[StudyWave]:
    return sorted(session.store.list(StudyWave), key=lambda w: w.start_date)


def add(session: ProjectSession, record):
    """Add a record as one step (as another window would); returns it as stored."""
    events = session.do(add_records([record]))
    return next(r for e in events if hasattr(e, "added") for r in e.added)


def shown(qtbot, form: RecordForm) -> RecordForm:
    qtbot.addWidget(form)
    form.show()
    return form


# --- indicator values -----------------------------------------------------------------------

def test_value_outside_scale_is_refused_next_to_value_field(qtbot, session: ProjectSession) -> None:
    store = session.store
    kumanovo, aware = unit(session, "mk-kumanovo"), indicator(session, "AWARE_CAT")
    new_wave = add(session, StudyWave(name="Kumanovo follow-up",
                                      start_date=waves(session)[-1].start_date.replace(year=2025)))
    before = file_state(store, IndicatorValue)
    form = shown(qtbot, IndicatorValueForm(session, municipality_uuid=kumanovo.uuid,
                                           indicator_uuid=aware.uuid, wave_uuid=new_wave.uuid))
    replace_text(qtbot, form.value, "150")
    click_save(qtbot, form)
    message = form.error_text("value")
    assert "150 is outside the scale" in message and "0 to 100" in message
    label = form._errors["value"]
    assert label.isVisible() and label.parent() is form.value.parent().parent()  # same form row
    assert form.isVisible() and form.saved is None
    assert file_state(store, IndicatorValue) == before
    replace_text(qtbot, form.value, "64.5")
    click_save(qtbot, form)
    assert not form.isVisible()
    saved = store.get(IndicatorValue, form.saved.uuid)
    assert (saved.value, saved.municipality_uuid, saved.synthetic) == (64.5, kumanovo.uuid, False)


def test_value_box_follows_the_chosen_indicator(qtbot, session: ProjectSession) -> None:
    form = shown(qtbot, IndicatorValueForm(session, municipality_uuid=unit(session, "mk-kumanovo").uuid))
    for code, scale in (("BRAVE14", (14, 70)), ("AWARE_CAT", (0, 100)), ("SCORE_TRUST", (0, 10))):
        ind = indicator(session, code)
        form.indicator.setCurrentIndex(form.indicator.findData(ind.uuid))
        assert form.value.scale == scale and ind.unit in form.value.toolTip()
        assert str(scale[1]) in form.scale_hint.text()
        form.value.set_value(scale[1])
        qtbot.keyClick(form.value, Qt.Key.Key_Up)  # arrows stay on the scale
        assert form.value.read() == scale[1]
    replace_text(qtbot, form.value, "7.125")  # typed digits are kept, never rounded to some decimals
    assert form.value.read() == 7.125


def test_duplicate_value_is_refused_with_a_readable_message(qtbot, session: ProjectSession) -> None:
    store = session.store
    kumanovo, brave, first = unit(session, "mk-kumanovo"), indicator(session, "BRAVE14"), waves(session)[0]
    before = file_state(store, IndicatorValue)
    form = shown(qtbot, IndicatorValueForm(session, municipality_uuid=kumanovo.uuid,
                                           indicator_uuid=brave.uuid, wave_uuid=first.uuid))
    replace_text(qtbot, form.value, "30")
    click_save(qtbot, form)
    assert form.error_text("value") == "There is already a value for this municipality, indicator and wave."
    assert form.isVisible() and file_state(store, IndicatorValue) == before


# --- activities -----------------------------------------------------------------------------

def test_activity_picker_finds_cair_in_every_script(qtbot, session: ProjectSession) -> None:
    cair = unit(session, "mk-cair")
    form = shown(qtbot, ActivityForm(session))
    picker = form.participants
    for query in ("Čair", "Çair", "Чаир", "cair"):
        picker.filter.clear()
        type_text(picker.filter, query)
        assert picker.visible_uuids() == [cair.uuid], query
    item = picker.item_for(cair.uuid)
    picker.list.setFocus()
    picker.list.setCurrentItem(item)
    qtbot.keyClick(picker.list, Qt.Key.Key_Space)
    assert picker.selected() == [cair.uuid] and picker.status.text() == "1 selected: Čair"
    qtbot.keyClicks(form.title, "Roundtable on youth engagement")
    click_save(qtbot, form)
    saved = session.store.get(HubActivity, form.saved.uuid)
    assert [p.municipality_uuid for p in saved.participants] == [cair.uuid]


def test_activity_host_places_it_at_the_seat(qtbot, session: ProjectSession) -> None:
    kumanovo, pristina = unit(session, "mk-kumanovo"), unit(session, "xk-prishtine")
    form = shown(qtbot, ActivityForm(session, participant_uuids=[pristina.uuid]))
    type_text(form.host.filter, "Приштина")
    assert form.host.selected() == pristina.uuid  # the only match is chosen
    assert form.host_place.text() == "Prishtinë"
    form.host.set_selected(kumanovo.uuid)
    assert form.host_place.text() == "Kumanovo"  # follows while the user has not typed a place
    qtbot.keyClicks(form.title, "Exchange visit")
    qtbot.keyClicks(form.topics, "referral, youth; schools")
    form.participants.set_checked(kumanovo.uuid)  # host ticked too: listed once, as host
    click_save(qtbot, form)
    saved = session.store.get(HubActivity, form.saved.uuid)
    assert (saved.host_place, saved.host_lon, saved.host_lat) == ("Kumanovo", kumanovo.seat_lon,
                                                                  kumanovo.seat_lat)
    assert [(p.municipality_uuid, p.role) for p in saved.participants] == [
        (kumanovo.uuid, ParticipationRole.HOST), (pristina.uuid, ParticipationRole.PARTICIPANT)]
    assert saved.topics == ("referral", "youth", "schools")


def test_activity_title_required_and_period_checked(qtbot, session: ProjectSession) -> None:
    before = file_state(session.store, HubActivity)
    form = shown(qtbot, ActivityForm(session))
    form.end.set_value(form.start.value().replace(year=2000))
    click_save(qtbot, form)
    assert form.error_text("title") == "Title is required."
    qtbot.keyClicks(form.title, "Workshop")
    click_save(qtbot, form)
    assert form.error_text("title") == ""
    assert form.error_text("end_date") == "End cannot be before the start date."
    assert form.isVisible() and file_state(session.store, HubActivity) == before


# --- structures -----------------------------------------------------------------------------

def kumanovo_cat(session: ProjectSession) -> PreventionStructure:
    return session.store.list(PreventionStructure, municipality_uuid=unit(session, "mk-kumanovo").uuid)[0]


def test_editing_a_structure_then_undo_restores_it(qtbot, session: ProjectSession) -> None:
    original = kumanovo_cat(session)
    form = shown(qtbot, StructureForm(session, original))
    form.status.setCurrentIndex(form.status.findData(StructureStatus.DORMANT))
    tick(qtbot, form.sectors.boxes[MemberSector.POLICE])
    form.action_plan.setCurrentIndex(form.action_plan.findData(True))
    replace_text(qtbot, form.member_count, "12")
    click_save(qtbot, form)
    edited = session.store.get(PreventionStructure, original.uuid)
    assert (edited.status, edited.member_sectors, edited.action_plan, edited.member_count) == (
        StructureStatus.DORMANT, (MemberSector.POLICE,), True, 12)
    assert edited.version == original.version + 1 and edited.notes == original.notes
    assert type(form.saved.status) is StructureStatus  # enumeration members, not Qt's strings
    assert {h.field for h in session.store.history(original.uuid) if h.operation == "update"} == {
        "status", "member_sectors", "action_plan", "member_count"}
    session.undo()
    restored = session.store.get(PreventionStructure, original.uuid)
    assert [getattr(restored, f) for f in PreventionStructure.content_fields()] == [
        getattr(original, f) for f in PreventionStructure.content_fields()]


def test_structure_changed_elsewhere_is_reported_in_the_form(qtbot, session: ProjectSession) -> None:
    original = kumanovo_cat(session)
    form = shown(qtbot, StructureForm(session, original))
    session.do(update_records([(original, replace(original, legal_basis="Council decision 2019"))]))
    qtbot.keyClicks(form.name, "Kumanovo CAT")  # the form was opened before that edit
    click_save(qtbot, form)
    assert "was changed by Tester" in form.general_error.text() and form.general_error.isVisible()
    assert session.store.get(PreventionStructure, original.uuid).name == ""


def test_structure_without_municipality_is_refused(qtbot, session: ProjectSession) -> None:
    before = file_state(session.store, PreventionStructure)
    form = shown(qtbot, StructureForm(session))
    click_save(qtbot, form)
    assert form.error_text("municipality_uuid") == "Municipality is required."
    type_text(form.municipality_picker.filter, "Kumanovë")
    click_save(qtbot, form)
    assert file_state(session.store, PreventionStructure)[0] == before[0] + 1
    assert session.store.get(PreventionStructure, form.saved.uuid).municipality_uuid == unit(session,
                                                                                             "mk-kumanovo").uuid


# --- waves, indicators, notes ----------------------------------------------------------------------

def test_wave_form_adds_a_wave(qtbot, session: ProjectSession) -> None:
    form = shown(qtbot, WaveForm(session))
    click_save(qtbot, form)
    assert form.error_text("name") == "Name is required."
    qtbot.keyClicks(form.name, "Kumanovo baseline")
    qtbot.keyClicks(form.conducted_by, "Hub team")
    replace_text(qtbot, form.sample_size, "4 5O")  # a typo: refused beside the field, nothing saved
    click_save(qtbot, form)
    assert form.error_text("sample_size") == "“4 5O” is not a valid whole number."
    replace_text(qtbot, form.sample_size, "450")
    click_save(qtbot, form)
    saved = session.store.get(StudyWave, form.saved.uuid)
    assert (saved.name, saved.sample_size, saved.conducted_by, saved.synthetic) == (
        "Kumanovo baseline", 450, "Hub team", False)


def test_indicator_form_checks_scale_and_unique_code(qtbot, session: ProjectSession) -> None:
    before = file_state(session.store, IndicatorDefinition)
    form = shown(qtbot, IndicatorForm(session))
    qtbot.keyClicks(form.code, "BRAVE14")
    qtbot.keyClicks(form.name, "Another BRAVE")
    replace_text(qtbot, form.scale_max, "0")
    click_save(qtbot, form)
    assert form.error_text("scale_max") == "Scale maximum must be greater than the scale minimum."
    replace_text(qtbot, form.scale_max, "5")
    click_save(qtbot, form)
    assert form.error_text("code") == "BRAVE14 is already the code of “BRAVE-14 resilience score”."
    assert file_state(session.store, IndicatorDefinition) == before
    replace_text(qtbot, form.code, "TRUST_POLICE")
    click_save(qtbot, form)
    assert session.store.get(IndicatorDefinition, form.saved.uuid).scale_max == 5


def test_note_form_links_a_source_activity(qtbot, session: ProjectSession) -> None:
    kumanovo = unit(session, "mk-kumanovo")
    form = shown(qtbot, NoteForm(session, municipality_uuid=kumanovo.uuid))
    click_save(qtbot, form)
    assert form.error_text("text") == "Text is required."
    type_text(form.text, "Школите бараат обука за упатување")
    form.category.setCurrentIndex(form.category.findData(NoteCategory.PRIORITY))
    form.source.setCurrentIndex(1)  # the newest activity
    tick(qtbot, form.restricted)
    click_save(qtbot, form)
    note = session.store.get(MunicipalityNote, form.saved.uuid)
    assert (note.text, note.category, note.restricted) == (
        "Школите бараат обука за упатување", NoteCategory.PRIORITY, True)
    assert note.source_activity_uuid == form.source.itemData(1) and note.municipality_uuid == kumanovo.uuid
