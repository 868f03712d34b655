"""Merging copies of a project: property test over random edits and exchange orders, identity of
copies, revert and decisions. (Packages on the command line: test_sync_packages.py.)"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_helpers import exchange, replica_snapshot, sync_base_project

from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, StudyWave
from resilience_map.domain.validation import ValidationError
from resilience_map.store import ProjectStore
from resilience_map.store.lineage import heads, load_writes, record_fields
from resilience_map.sync.review import conflicts, decide, pending_changes, revert_pending

snapshot = replica_snapshot


def no_value_lost(store: ProjectStore) -> None:
    """Every write nobody replaced is the record's value, or is kept as a conflict (two writes of
    one value made without seeing each other are one value: a conflict keeps it once)."""
    kept = {c.other_write for c in conflicts(store)}
    kept_values = {(c.field, _plain(c.other_value)) for c in conflicts(store)}
    for table, record_type in (("indicator_values", IndicatorValue), ("study_waves", StudyWave)):
        uuids = [r[0] for r in store.connection.execute('SELECT DISTINCT record_uuid FROM change_history '
                                                        "WHERE table_name = ?", (table,))]
        for uuid in uuids:
            from resilience_map.store.lineage import canonical_uuid, group_members

            members = group_members(store.connection, canonical_uuid(store.connection, uuid))
            fields = record_fields(table)
            current = store.list(record_type, uuid=members[0])
            for name, found in heads(load_writes(store.connection, members), fields).items():
                for w in found:
                    if w.operation == "delete":
                        assert not current or w.id in kept or any(
                            x.operation != "delete" for x in found), (uuid, name)
                        continue
                    value = w.value(name)
                    same = current and name != "geom" and _plain(getattr(current[0], name)) == value
                    kept_value = w.id in kept or (name, value) in kept_values and any(
                        x.id in kept for x in found if x.value(name) == value)
                    assert same or kept_value or name == "geom" or (len(members) > 1 and name == "wave_uuid"), \
                        (table, uuid, name, w.id)


def _plain(value):
    from resilience_map.store.schema import to_json_value

    return to_json_value(value)


ops = st.lists(st.tuples(st.sampled_from(["edit", "edit", "insert", "delete", "notes", "move", "exchange"]),
                         st.integers(0, 2), st.integers(0, 2), st.integers(0, 9)), min_size=3, max_size=14)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=ops, final_order=st.permutations([(0, 1), (1, 2), (2, 0), (1, 0), (2, 1), (0, 2)]))
def test_three_replicas_converge_through_packages(ops, final_order, tmp_path_factory, sync_base_template) -> None:
    folder = tmp_path_factory.mktemp("prop")
    base = sync_base_template
    stores = [ProjectStore.open(shutil.copy(base, folder / f"r{i}.gpkg")) for i in range(3)]
    try:
        for op, who, other, n in ops:
            store = stores[who]
            values = store.list(IndicatorValue)
            if op == "edit" and values:
                v = values[n % len(values)]
                store.update(dataclasses.replace(v, value=float(n)), f"r{who}")
            elif op == "insert":  # small key space: collisions across replicas are likely
                units, inds = store.municipalities(), store.list(IndicatorDefinition)
                wave = store.list(StudyWave)[0]
                try:
                    store.add(IndicatorValue(municipality_uuid=units[n % 3].uuid, indicator_uuid=inds[n % 2].uuid,
                                             wave_uuid=wave.uuid, value=float(n)), f"r{who}")
                except ValidationError:
                    pass  # already there in this copy
            elif op == "delete" and values:
                store.delete(IndicatorValue, values[n % len(values)].uuid, f"r{who}")
            elif op == "move" and values:  # onto another natural key: refused here if taken here
                units, inds = store.municipalities(), store.list(IndicatorDefinition)
                v = values[n % len(values)]
                try:
                    store.update(dataclasses.replace(v, municipality_uuid=units[(n + other) % 3].uuid,
                                                     indicator_uuid=inds[n % 2].uuid), f"r{who}")
                except ValidationError:
                    pass
            elif op == "notes":
                wave = store.list(StudyWave)[0]
                store.update(dataclasses.replace(wave, notes=f"note {n}"), f"r{who}")
            elif op == "exchange" and who != other:
                exchange(store, stores[other], folder)
        for _ in range(2):
            for a, b in final_order:
                exchange(stores[a], stores[b], folder)
        first = snapshot(stores[0])
        assert snapshot(stores[1]) == first and snapshot(stores[2]) == first
        for store in stores:
            no_value_lost(store)
        again = snapshot(stores[0])
        exchange(stores[1], stores[0], folder)  # importing what is already here changes nothing
        assert snapshot(stores[0]) == again
    finally:
        for store in stores:
            store.close()


def test_a_copy_becomes_a_new_replica_and_keeps_its_history(tmp_path: Path) -> None:
    base = sync_base_project(tmp_path / "base.gpkg")  # made here: this place is its own
    with ProjectStore.open(base) as store:
        original = store.replica_id
        history = len(store.history())
    with ProjectStore.open(base) as store:
        assert store.replica_id == original  # same place: same replica
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    copy = Path(shutil.copy(base, moved / "base.gpkg"))
    with ProjectStore.open(copy) as store:
        assert store.replica_id != original and len(store.history()) == history
        v = store.list(IndicatorValue)[0]
        store.update(dataclasses.replace(v, value=9.0), "ana")
        assert store.history(v.uuid)[0].origin == store.replica_id and store.history(v.uuid)[0].seq == 1


def test_revert_a_pending_change_and_decide_a_conflict(tmp_path: Path, sync_base_template: Path) -> None:
    base = Path(shutil.copy(sync_base_template, tmp_path / "base.gpkg"))
    a = ProjectStore.open(shutil.copy(base, tmp_path / "a.gpkg"))
    b = ProjectStore.open(shutil.copy(base, tmp_path / "b.gpkg"))
    try:
        v = a.list(IndicatorValue)[0]
        a.update(dataclasses.replace(v, value=4.0), "ana")
        a.update(dataclasses.replace(a.get(IndicatorValue, v.uuid), neighbourhood=""), "ana")
        wave = a.list(StudyWave)[0]
        a.update(dataclasses.replace(wave, notes="typo"), "ana")
        pending = pending_changes(a)
        assert [p.field for p in pending] == ["value", "notes"]
        revert_pending(a, pending[1].seq)
        assert a.get(StudyWave, wave.uuid).notes == "" and len(pending_changes(a)) == 1
        b.update(dataclasses.replace(b.get(IndicatorValue, v.uuid), value=6.0), "ben")
        exchange(a, b, tmp_path)
        exchange(b, a, tmp_path)
        assert pending_changes(a) == []  # exported
        assert a.get(StudyWave, wave.uuid).notes == "" and b.get(StudyWave, wave.uuid).notes == ""
        [conflict] = conflicts(a)
        assert {conflict.kept_value, conflict.other_value} == {4.0, 6.0}
        decide(a, conflict, 5.0, "ana")  # another value: a change that syncs
        assert conflicts(a) == [] and a.get(IndicatorValue, v.uuid).value == 5.0
        exchange(a, b, tmp_path)
        assert conflicts(b) == [] and b.get(IndicatorValue, v.uuid).value == 5.0
    finally:
        a.close()
        b.close()


def test_edit_against_delete_is_a_conflict_and_the_value_is_kept(tmp_path: Path, sync_base_template: Path) -> None:
    base = Path(shutil.copy(sync_base_template, tmp_path / "base.gpkg"))
    a = ProjectStore.open(shutil.copy(base, tmp_path / "a.gpkg"))
    b = ProjectStore.open(shutil.copy(base, tmp_path / "b.gpkg"))
    try:
        v = a.list(IndicatorValue)[0]
        b.update(dataclasses.replace(b.get(IndicatorValue, v.uuid), value=8.0), "ben")
        a.delete(IndicatorValue, v.uuid, "ana")  # later clock: the delete wins provisionally
        exchange(a, b, tmp_path)
        exchange(b, a, tmp_path)
        for store in (a, b):
            assert not store.list(IndicatorValue, uuid=v.uuid)
            assert [c.other_value for c in conflicts(store)] == [8.0]
        decide(b, conflicts(b)[0], 8.0, "ben")  # bring it back with the edit
        exchange(b, a, tmp_path)
        assert a.get(IndicatorValue, v.uuid).value == 8.0 and conflicts(a) == []
    finally:
        a.close()
        b.close()
