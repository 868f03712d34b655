"""The Qt-free session: commands, undo/redo with version checks, typed events, indexes."""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
from pathlib import Path

import pytest
from shapely.geometry import box

from resilience_map.domain.changes import ChangePlan
from resilience_map.domain.records import IndicatorValue, Municipality, StudyWave
from resilience_map.session import (
    AuthorMissingError,
    BoundariesChanged,
    HistoryWritten,
    ProjectSession,
    RecordsChanged,
    SelectionChanged,
    SetBoundaries,
    StaleRecordError,
    UndoStateChanged,
    add_records,
    delete_records,
    restore_record,
    update_records,
)


@pytest.fixture
def session(demo_project: Path):
    s = ProjectSession(author="Tester")
    s.open(demo_project)
    yield s
    s.close()


@pytest.fixture
def heard(session: ProjectSession) -> list:
    """Every event the session emits from now on."""
    events: list = []
    from resilience_map.session import Event

    session.events.subscribe(Event, events.append)
    return events


def some_value(session: ProjectSession) -> IndicatorValue:
    return session.require_store().list(IndicatorValue)[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_edit_emits_the_records_and_patches_the_value_index(session: ProjectSession, heard: list) -> None:
    value = some_value(session)
    key = (value.indicator_uuid, value.wave_uuid)
    median_before = session.indexes.values.median(*key)
    session.do(update_records([(value, dataclasses.replace(value, value=value.value + 1))]))

    changed = [e for e in heard if isinstance(e, RecordsChanged)]
    assert len(changed) == 1 and changed[0].record_type is IndicatorValue
    (before, after), = changed[0].updated
    assert before.value == value.value and after.value == value.value + 1 and after.version == 2
    history = [e for e in heard if isinstance(e, HistoryWritten)]
    assert [(h.field, h.new_value) for h in history[0].entries] == [("value", str(after.value))]
    assert session.indexes.values.values(*key)[value.municipality_uuid] == value.value + 1
    assert session.indexes.values.of_unit(value.municipality_uuid)[key] == (value.uuid, value.value + 1)
    assert median_before is not None  # the cached median was dropped and is recomputed:
    assert session.indexes.values.median(*key) == pytest.approx(
        __import__("statistics").median(session.indexes.values.values(*key).values()))
    assert heard[-1] == UndoStateChanged("Edit indicator value", "")


def test_undo_and_redo_restore_states_and_are_recorded(session: ProjectSession, heard: list) -> None:
    value = some_value(session)
    session.do(update_records([(value, dataclasses.replace(value, value=value.value + 2))]))
    session.undo()
    store = session.require_store()
    assert store.get(IndicatorValue, value.uuid).value == value.value
    assert session.stack.redo_text == "Edit indicator value"
    session.redo()
    assert store.get(IndicatorValue, value.uuid).value == value.value + 2
    operations = [h.operation for h in store.history(value.uuid)]
    assert operations[:3] == ["restore", "restore", "update"]  # newest first
    origins = [e.origin for e in heard if isinstance(e, RecordsChanged)]
    assert origins == ["do", "undo", "redo"]


def test_undo_refuses_to_overwrite_another_writers_change(session: ProjectSession) -> None:
    value = some_value(session)
    session.do(update_records([(value, dataclasses.replace(value, value=value.value + 1))]))
    path = session.require_store().path
    other = sqlite3.connect(path)  # another tool (QGIS, a script) writing the file directly
    other.execute("UPDATE indicator_values SET value = value + 5, version = version + 1, "
                  "modified_by = 'QGIS user' WHERE uuid = ?", (value.uuid,))
    other.commit()
    other.close()
    digest = sha256(path)
    with pytest.raises(StaleRecordError, match="QGIS user"):
        session.undo()
    assert sha256(path) == digest
    assert session.stack.undo_text == "Edit indicator value"  # the step is still there


def test_delete_of_100_rows_is_one_step_and_undo_brings_all_back(session: ProjectSession, heard: list) -> None:
    store = session.require_store()
    values = store.list(IndicatorValue)[:100]
    total = len(session.indexes.values)
    session.do(delete_records(values))
    assert store.count(IndicatorValue) == len(store.list(IndicatorValue))
    assert len(session.indexes.values) == total - 100
    assert session.stack.undo_text == "Delete 100 indicator values"
    session.undo()
    assert len(session.indexes.values) == total
    restored = [e for e in heard if isinstance(e, RecordsChanged)][-1]
    assert len(restored.added) == 100 and restored.origin == "undo"
    assert {v.uuid for v in store.list(IndicatorValue)} >= {v.uuid for v in values}


def test_a_plan_is_one_step_written_parents_first_and_undone_children_first(session: ProjectSession) -> None:
    store = session.require_store()
    unit = store.list(Municipality)[0]
    indicator = session.indexes.indicators.all()[0]
    wave = StudyWave(name="Survey 2026", start_date=__import__("datetime").date(2026, 3, 1))
    value = IndicatorValue(municipality_uuid=unit.uuid, indicator_uuid=indicator.uuid, wave_uuid=wave.uuid,
                           value=indicator.scale_min)
    # values listed before their wave on purpose: the command orders the writes
    session.apply(ChangePlan(added=(value, wave), description="Import survey.csv"))
    assert store.get(IndicatorValue, value.uuid).wave_uuid == wave.uuid
    assert session.stack.undo_text == "Import survey.csv"
    session.undo()
    assert store.find(StudyWave, wave.uuid) is None and store.find(IndicatorValue, value.uuid) is None


def test_restore_recreates_a_deleted_record(session: ProjectSession) -> None:
    value = some_value(session)
    session.do(delete_records([value]))
    session.do(restore_record(None, value))
    assert session.require_store().get(IndicatorValue, value.uuid).value == value.value
    session.undo()
    assert session.require_store().find(IndicatorValue, value.uuid) is None


def test_adding_an_existing_record_is_refused_and_nothing_is_written(session: ProjectSession) -> None:
    value = some_value(session)
    digest = sha256(session.require_store().path)
    with pytest.raises(StaleRecordError, match="already exists"):
        session.do(add_records([value]))
    assert sha256(session.require_store().path) == digest
    assert session.stack.undo_text == ""


def test_boundary_import_is_one_undoable_step(session: ProjectSession, heard: list) -> None:
    unit = session.require_store().list(Municipality)[0]
    session.do(SetBoundaries({unit.uuid: box(20, 41, 20.1, 41.1)}, source="test"))
    assert unit.uuid in session.require_store().boundaries()
    session.undo()
    assert unit.uuid not in session.require_store().boundaries()
    changes = [e for e in heard if isinstance(e, BoundariesChanged)]
    assert [e.origin for e in changes] == ["do", "undo"] and changes[1].after == {unit.uuid: None}


def test_selection_is_one_state_announced_once(session: ProjectSession, heard: list) -> None:
    unit = session.require_store().list(Municipality)[0]
    session.select(unit.uuid, source="map")
    session.select(unit.uuid, source="table")  # the same unit again: no event
    selections = [e for e in heard if isinstance(e, SelectionChanged)]
    assert selections == [SelectionChanged(unit.uuid, None, "map", True)]


def test_an_edit_needs_an_author(demo_project: Path) -> None:
    session = ProjectSession(author=lambda: None)
    session.open(demo_project)
    value = some_value(session)
    with pytest.raises(AuthorMissingError):
        session.do(update_records([(value, dataclasses.replace(value, value=value.value))]))
    session.close()


def test_one_failing_subscriber_does_not_keep_the_others_from_hearing(session: ProjectSession) -> None:
    heard: list = []

    def broken(_event: object) -> None:
        raise RuntimeError("a broken view")

    session.events.subscribe(RecordsChanged, broken)
    session.events.subscribe(RecordsChanged, heard.append)
    value = some_value(session)
    with pytest.raises(RuntimeError):
        session.do(update_records([(value, dataclasses.replace(value, value=value.value + 1))]))
    assert len(heard) == 1
    assert session.require_store().get(IndicatorValue, value.uuid).value == value.value + 1
    assert session.stack.undo_text == "Edit indicator value"  # the saved step can be undone
