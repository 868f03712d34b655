"""Synchronisation through the session, without Qt: an import, a hub sync, a revert and a decision
are each one undoable step with change events, and copies still converge after an undo."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest
from tests_helpers import exchange, replica_snapshot

from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, Municipality, StudyWave
from resilience_map.session import Event, HistoryWritten, ProjectSession, RecordsChanged, update_records
from resilience_map.session.synchronise import Synchronisation, SyncStatusChanged
from resilience_map.store import ProjectStore
from resilience_map.sync.package import export_package


class Laptop:
    """A copy of the project open in a session, with everything the session announced."""

    def __init__(self, path: Path, author: str) -> None:
        self.session = ProjectSession(author=author)
        self.heard: list[Event] = []
        self.session.events.subscribe(Event, self.heard.append)
        self.sync = Synchronisation(self.session)
        self.session.open(path)
        self.store = self.session.require_store()

    def changed(self, record_type: type) -> RecordsChanged:
        [event] = [e for e in self.heard if isinstance(e, RecordsChanged) and e.record_type is record_type]
        return event

    def status(self) -> SyncStatusChanged:
        return [e for e in self.heard if isinstance(e, SyncStatusChanged)][-1]

    def close(self) -> None:
        self.session.close()


def edit_on_another_laptop(path: Path, package: Path) -> list[IndicatorValue]:
    """Two values changed, one deleted, one added, a wave's notes: exported as a package."""
    with ProjectStore.open(path) as store:
        values = store.list(IndicatorValue)
        store.update(dataclasses.replace(values[0], value=7.0), "ben")
        store.update(dataclasses.replace(values[1], value=8.0), "ben")
        store.delete(IndicatorValue, values[2].uuid, "ben")
        third = store.municipalities()[2]
        store.add(IndicatorValue(municipality_uuid=third.uuid, indicator_uuid=values[0].indicator_uuid,
                                 wave_uuid=values[0].wave_uuid, value=3.0), "ben")
        wave = store.list(StudyWave)[0]
        store.update(dataclasses.replace(wave, notes="from B"), "ben")
        export_package(store, package)
    return values


def test_an_import_is_one_step_with_its_records_and_its_undo_syncs_back_out(make_replica, tmp_path) -> None:
    a_path, b_path = make_replica("a"), make_replica("b")
    values = edit_on_another_laptop(b_path, tmp_path / "b.rmsync")
    a = Laptop(a_path, "ana")
    try:
        before = replica_snapshot(a.store)
        digest = hashlib.sha256(a_path.read_bytes()).hexdigest()
        a.sync.import_package(tmp_path / "b.rmsync", dry_run=True)  # a dry run changes nothing
        assert hashlib.sha256(a_path.read_bytes()).hexdigest() == digest and a.session.stack.undo_text == ""

        summary = a.sync.import_package(tmp_path / "b.rmsync")
        event = a.changed(IndicatorValue)
        assert sorted(after.value for _b, after in event.updated) == [7.0, 8.0]
        assert {before.value for before, _a in event.updated} == {1.0}
        assert [r.value for r in event.added] == [3.0] and [r.uuid for r in event.removed] == [values[2].uuid]
        assert a.changed(StudyWave).updated[0][1].notes == "from B"
        [history] = [e for e in a.heard if isinstance(e, HistoryWritten)]
        assert len(history.entries) == len(summary.merge.applied) == 5
        key = (values[0].indicator_uuid, values[0].wave_uuid)
        assert a.session.indexes.values.values(*key)[values[0].municipality_uuid] == 7.0
        assert a.session.stack.undo_text == "Import changes from b.rmsync"

        a.heard.clear()
        a.session.undo()  # one step: every record back, by local changes
        assert {e.origin for e in a.heard if isinstance(e, RecordsChanged)} == {"undo"}
        assert replica_snapshot(a.store) == before
        assert a.session.indexes.values.values(*key)[values[0].municipality_uuid] == 1.0
        # two values, the deleted one, the added one, the notes: local changes, waiting to be sent
        assert a.sync.pending_count() == a.status().pending == 5
    finally:
        a.close()
    with ProjectStore.open(a_path) as a_store, ProjectStore.open(b_path) as b_store:
        for _ in range(2):
            exchange(a_store, b_store, tmp_path)
            exchange(b_store, a_store, tmp_path)
        assert replica_snapshot(a_store) == replica_snapshot(b_store) == before  # the undo won everywhere


def test_revert_a_pending_change_as_a_step_and_undo_it(make_replica) -> None:
    a = Laptop(make_replica("a"), "ana")
    try:
        value = a.store.list(IndicatorValue)[0]
        a.session.do(update_records([(value, dataclasses.replace(value, value=4.0))]))
        assert a.status().pending == a.sync.pending_count() == 1
        [change] = a.sync.pending()
        assert (change.field, change.new_value) == ("value", "4.0")

        a.heard.clear()
        a.sync.revert(change)
        (before, after), = a.changed(IndicatorValue).updated
        assert (before.value, after.value) == (4.0, 1.0)
        assert a.status().pending == 0 and a.sync.pending() == []
        assert a.session.stack.undo_text == "Revert update of indicator value value"

        a.session.undo()
        assert a.store.get(IndicatorValue, value.uuid).value == 4.0 and a.sync.pending_count() == 1
        a.session.redo()
        assert a.store.get(IndicatorValue, value.uuid).value == 1.0 and a.sync.pending_count() == 0
    finally:
        a.close()


def test_deciding_a_conflict_is_a_step_that_syncs_and_undo_brings_it_back(make_replica, tmp_path) -> None:
    a_path, b_path = make_replica("a"), make_replica("b")
    with ProjectStore.open(a_path) as a_store, ProjectStore.open(b_path) as b_store:
        value = a_store.list(IndicatorValue)[0]
        a_store.update(dataclasses.replace(value, value=4.0), "ana")
        b_store.update(dataclasses.replace(b_store.get(IndicatorValue, value.uuid), value=6.0), "ben")
        exchange(a_store, b_store, tmp_path)
        exchange(b_store, a_store, tmp_path)
    a = Laptop(a_path, "ana")
    try:
        [conflict] = a.sync.conflicts()
        assert a.status().conflicts == 1
        kept = a.store.get(IndicatorValue, value.uuid).value
        assert {conflict.kept_value, conflict.other_value} == {4.0, 6.0} and kept == conflict.kept_value

        a.sync.decide(conflict, 5.0)  # another value, typed in
        assert a.store.get(IndicatorValue, value.uuid).value == 5.0
        assert a.sync.conflicts() == [] and a.status() == SyncStatusChanged(pending=1, conflicts=0)
        (before, after), = a.changed(IndicatorValue).updated
        assert (before.value, after.value) == (kept, 5.0)

        a.session.undo()  # not sent yet: the decision is taken back exactly
        assert [c.other_write for c in a.sync.conflicts()] == [conflict.other_write]
        assert a.store.get(IndicatorValue, value.uuid).value == kept
        a.session.redo()
        assert a.sync.conflicts() == [] and a.store.get(IndicatorValue, value.uuid).value == 5.0
    finally:
        a.close()
    with ProjectStore.open(a_path) as a_store, ProjectStore.open(b_path) as b_store:
        exchange(a_store, b_store, tmp_path)
        assert b_store.get(IndicatorValue, value.uuid).value == 5.0 and replica_snapshot(b_store)[1] == set()


def test_a_hub_sync_is_one_step_and_its_undo_reaches_the_other_laptops(postgres_server, make_replica) -> None:
    pytest.importorskip("psycopg")
    from resilience_map.sync.hub import add_account, init_hub

    db = postgres_server.new_database()
    init_hub(postgres_server.url(dbname=db))
    add_account(postgres_server.url(dbname=db), f"{db}_staff", "pw", None)
    url = postgres_server.url(f"{db}_staff", "pw", db)
    a_path, b_path = make_replica("a"), make_replica("b")
    with ProjectStore.open(b_path) as b_store:
        value = b_store.list(IndicatorValue)[0]
        b_store.update(dataclasses.replace(value, value=9.0), "ben")
    b = Laptop(b_path, "ben")
    b.sync.sync_hub(url)
    assert b.status().pending == 0
    a = Laptop(a_path, "ana")
    try:
        result = a.sync.sync_hub(url)
        assert result.received > 0
        (before, after), = a.changed(IndicatorValue).updated
        assert (before.value, after.value) == (1.0, 9.0)
        assert {type(r) for e in a.heard if isinstance(e, RecordsChanged) for r in e.current()} <= {
            IndicatorValue, Municipality, IndicatorDefinition, StudyWave}
        a.session.undo()
        assert a.store.get(IndicatorValue, value.uuid).value == 1.0 and a.sync.pending_count() == 1
        a.sync.sync_hub(url)  # the undo goes out like any edit
        assert a.sync.pending_count() == 0
        b.sync.sync_hub(url)
        assert b.store.get(IndicatorValue, value.uuid).value == 1.0
        assert replica_snapshot(a.store) == replica_snapshot(b.store)
    finally:
        a.close()
        b.close()


def test_reverting_several_pending_changes_is_one_step(make_replica) -> None:
    a = Laptop(make_replica("a"), "ana")
    try:
        first, second = a.store.list(IndicatorValue)[:2]
        a.session.do(update_records([(first, dataclasses.replace(first, value=4.0)),
                                     (second, dataclasses.replace(second, value=5.0))]))
        wave = a.store.list(StudyWave)[0]
        a.session.do(update_records([(wave, dataclasses.replace(wave, notes="kept"))]))
        values = [c for c in a.sync.pending() if c.table == "indicator_values"]
        assert len(values) == 2 and a.sync.pending_count() == 3

        a.sync.revert(values)
        assert [a.store.get(IndicatorValue, v.uuid).value for v in (first, second)] == [1.0, 1.0]
        assert a.status().pending == 1 and a.session.stack.undo_text == "Revert 2 changes"
        a.session.undo()  # both back at once
        assert [a.store.get(IndicatorValue, v.uuid).value for v in (first, second)] == [4.0, 5.0]
        assert a.sync.pending_count() == 3
    finally:
        a.close()


def test_a_typed_decision_is_checked_like_an_edit(make_replica, tmp_path) -> None:
    from resilience_map.domain.validation import ValidationError

    a_path, b_path = make_replica("a"), make_replica("b")
    with ProjectStore.open(a_path) as a_store, ProjectStore.open(b_path) as b_store:
        value = a_store.list(IndicatorValue)[0]
        a_store.update(dataclasses.replace(value, value=4.0), "ana")
        b_store.update(dataclasses.replace(b_store.get(IndicatorValue, value.uuid), value=6.0), "ben")
        exchange(b_store, a_store, tmp_path)
    a = Laptop(a_path, "ana")
    try:
        [conflict] = a.sync.conflicts()
        assert conflict.kept_author == "ben" and conflict.other_author == "ana" and conflict.kept_changed_at
        digest = hashlib.sha256(a_path.read_bytes()).hexdigest()
        with pytest.raises(ValidationError, match="outside the scale"):
            a.sync.decide(conflict, 15.0)  # the indicator's scale is 0 to 10
        with pytest.raises(ValidationError, match="not a valid value"):
            a.sync.decide(conflict, "many")
        assert hashlib.sha256(a_path.read_bytes()).hexdigest() == digest and a.sync.conflicts() == [conflict]
        a.sync.decide(conflict, 7)  # a whole number for a decimal field: stored as any edit would
        assert a.store.get(IndicatorValue, value.uuid).value == 7.0 and a.sync.conflicts() == []
        [decision] = [c for c in a.sync.pending() if c.new_value == "7.0"]
        assert decision.field == "value"
    finally:
        a.close()
