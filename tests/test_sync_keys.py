"""Edits that move a record onto another record's natural key, made on copies that had not seen
each other: settled the same way on every copy, nothing lost. (Random orders: test_sync_merge.py.)"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest
from tests_helpers import exchange, replica_snapshot

from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, StudyWave
from resilience_map.domain.validation import ValidationError
from resilience_map.session import ProjectSession, RecordsChanged, delete_records
from resilience_map.store import ProjectStore
from resilience_map.store.keys import KEY_CONFLICT
from resilience_map.sync.review import conflicts, decide


def at(store: ProjectStore, unit: int, indicator: int) -> IndicatorValue | None:
    """The value of municipality M<unit> × indicator i<indicator> (one wave in these projects)."""
    m = store.municipality_by_registry_id(f"mk-{unit}").uuid
    i = next(x.uuid for x in store.list(IndicatorDefinition) if x.code == f"i{indicator}")
    found = store.list(IndicatorValue, municipality_uuid=m, indicator_uuid=i)
    return found[0] if found else None


def move(store: ProjectStore, value: IndicatorValue, unit: int) -> IndicatorValue:
    target = store.municipality_by_registry_id(f"mk-{unit}").uuid
    return store.update(dataclasses.replace(value, municipality_uuid=target), store.path.stem)


def converge(a: ProjectStore, b: ProjectStore, folder: Path) -> None:
    for _ in range(2):
        exchange(a, b, folder)
        exchange(b, a, folder)
    assert replica_snapshot(a) == replica_snapshot(b)


@pytest.fixture
def pair(make_replica):
    a, b = ProjectStore.open(make_replica("a")), ProjectStore.open(make_replica("b"))
    yield a, b
    a.close()
    b.close()


def test_the_record_entered_with_a_key_keeps_it_and_the_move_is_kept_as_a_conflict(pair, tmp_path) -> None:
    a, b = pair
    moved = move(a, at(a, 0, 0), 2)  # onto M2 × i0: free on this copy
    wave = b.list(StudyWave)[0]
    m2 = b.municipality_by_registry_id("mk-2").uuid
    entered = b.add(IndicatorValue(municipality_uuid=m2, indicator_uuid=moved.indicator_uuid,
                                   wave_uuid=wave.uuid, value=5.0), "ben")
    converge(a, b, tmp_path)
    for store in (a, b):
        assert at(store, 2, 0).uuid == entered.uuid and at(store, 2, 0).value == 5.0
        assert at(store, 0, 0).uuid == moved.uuid  # back where it was entered
        [conflict] = conflicts(store)
        assert (conflict.record_uuid, conflict.field) == (moved.uuid, "municipality_uuid")
        assert conflict.kept_write == KEY_CONFLICT
        assert conflict.other_value == store.municipality_by_registry_id("mk-2").uuid  # the move is not lost
    decide(a, conflicts(a)[0], conflicts(a)[0].kept_value, "ana")  # it stays where it was entered
    converge(a, b, tmp_path)
    assert conflicts(a) == conflicts(b) == [] and at(b, 0, 0).uuid == moved.uuid


def test_of_two_moves_onto_one_key_the_later_keeps_it_until_it_frees_the_key(pair, tmp_path) -> None:
    a, b = pair
    first = move(a, at(a, 0, 0), 2)
    later = move(b, at(b, 1, 0), 2)
    converge(a, b, tmp_path)
    for store in (a, b):
        assert at(store, 2, 0).uuid == later.uuid and at(store, 0, 0).uuid == first.uuid
        assert [(c.record_uuid, c.kept_write) for c in conflicts(store)] == [(first.uuid, KEY_CONFLICT)]
    session = ProjectSession(author="ben")
    b.close()
    session.open(b.path)
    heard: list[RecordsChanged] = []
    session.events.subscribe(RecordsChanged, heard.append)
    store = session.require_store()
    session.do(delete_records([at(store, 2, 0)]))  # the key is free: the first move takes it, here and now
    assert at(store, 2, 0).uuid == first.uuid and conflicts(store) == []
    [event] = heard
    assert [r.uuid for r in event.removed] == [later.uuid]
    assert [(bf.municipality_uuid, af.municipality_uuid) for bf, af in event.updated] == [
        (store.municipality_by_registry_id("mk-0").uuid, store.municipality_by_registry_id("mk-2").uuid)]
    session.close()
    with ProjectStore.open(b.path) as b_again:
        converge(a, b_again, tmp_path)
        assert at(a, 2, 0).uuid == first.uuid and conflicts(a) == []


def test_a_key_belongs_to_the_record_first_entered_with_it_even_after_a_move(pair) -> None:
    a, _b = pair
    moved = move(a, at(a, 0, 0), 2)
    digest = hashlib.sha256(a.path.read_bytes()).hexdigest()
    with pytest.raises(ValidationError, match="belongs to the indicator value first entered with it"):
        m0 = a.municipality_by_registry_id("mk-0").uuid
        a.add(IndicatorValue(municipality_uuid=m0, indicator_uuid=moved.indicator_uuid,
                             wave_uuid=moved.wave_uuid, value=2.0), "ana")
    assert hashlib.sha256(a.path.read_bytes()).hexdigest() == digest
