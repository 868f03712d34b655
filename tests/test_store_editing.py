"""Store features behind editing: one writer, backups, history replay, restore, paged queries."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from resilience_map.domain.enums import StructureStatus, StructureType
from resilience_map.domain.records import IndicatorValue, Municipality, PreventionStructure
from resilience_map.store import ProjectStore
from resilience_map.store.backups import list_backups, make_backup, restore_backup
from resilience_map.store.lock import ProjectLockedError
from resilience_map.store.query import RecordQuery


def test_one_writer_many_readers(demo_project: Path) -> None:
    with ProjectStore.open(demo_project) as writer:
        with pytest.raises(ProjectLockedError, match="already open for editing"):
            ProjectStore.open(demo_project)
        with ProjectStore.open(demo_project, read_only=True) as reader:
            assert reader.count(Municipality) == writer.count(Municipality)
    with ProjectStore.open(demo_project):  # released on close
        pass


def test_backups_rotate_and_restore(demo_project: Path, tmp_path: Path) -> None:
    root = tmp_path / "backups"
    first = make_backup(demo_project, root)
    for _ in range(6):
        make_backup(demo_project, root)
    assert len(list_backups(demo_project, root)) == 5
    assert not first.path.exists()  # the oldest went
    kept = list_backups(demo_project, root)[0]
    with ProjectStore.open(demo_project) as store:
        before = store.count(PreventionStructure)
        store.delete_many(PreventionStructure, [s.uuid for s in store.list(PreventionStructure)], "t")
        assert before > 0 and store.count(PreventionStructure) == 0
    restore_backup(kept, demo_project, root)
    with ProjectStore.open(demo_project) as store:
        assert store.count(PreventionStructure) == before


def test_state_at_replays_history(demo_project: Path) -> None:
    with ProjectStore.open(demo_project) as store:
        kumanovo = store.municipality_by_registry_id("mk-kumanovo")
        cat = store.add(PreventionStructure(municipality_uuid=kumanovo.uuid, structure_type=StructureType.CAT,
                                            status=StructureStatus.PLANNED, name="Youth CAT"), "ana")
        v2 = store.update(dataclasses.replace(cat, status=StructureStatus.ACTIVE, member_count=12), "ben")
        store.update(dataclasses.replace(v2, status=StructureStatus.DORMANT, name="CAT 2"), "ana")
        history = list(reversed(store.history(cat.uuid)))
        first = store.state_at(PreventionStructure, cat.uuid, history[0].fid)
        assert (first.status, first.member_count, first.name) == (StructureStatus.PLANNED, None, "Youth CAT")
        second = store.state_at(PreventionStructure, cat.uuid, max(h.fid for h in history if h.author == "ben"))
        assert (second.status, second.member_count, second.name) == (StructureStatus.ACTIVE, 12, "Youth CAT")
        restored = store.restore(second, "carla")
        assert restored.status is StructureStatus.ACTIVE and restored.version == 4
        store.delete(PreventionStructure, cat.uuid, "ana")
        assert store.state_at(PreventionStructure, cat.uuid, store.history(cat.uuid)[0].fid) is None
        back = store.restore(second, "ana")  # a deleted record comes back with its identity
        assert store.get(PreventionStructure, cat.uuid).name == "Youth CAT" and back.created_at == cat.created_at


def test_paged_query_with_folded_search(demo_project: Path) -> None:
    with ProjectStore.open(demo_project, read_only=True) as store:
        pristina = store.municipality_by_registry_id("xk-prishtine")
        q = RecordQuery(IndicatorValue, text="Приштина", limit=10)
        page = store.query(q)
        assert page and all(v.municipality_uuid == pristina.uuid for v in page)
        assert store.count_query(q) == 18  # 9 indicators × 2 waves
        everything = store.count_query(RecordQuery(IndicatorValue))
        kosovo = store.count_query(RecordQuery(IndicatorValue, country="XK"))
        assert 0 < kosovo < everything
        by_name = store.query(RecordQuery(IndicatorValue, order_by="municipality", limit=3))
        first_names = [store.get(Municipality, v.municipality_uuid).name_latin for v in by_name]
        assert first_names == sorted(first_names)
        with pytest.raises(ValueError):
            store.query(RecordQuery(IndicatorValue, order_by="nonsense"))
