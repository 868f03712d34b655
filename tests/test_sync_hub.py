"""The PostgreSQL/PostGIS hub, on a real server started by the tests (see ``postgres_server``)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from resilience_map.domain.enums import Country
from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, Municipality, StudyWave
from resilience_map.store import ProjectStore
from resilience_map.sync.hub import add_account, init_hub, sync_with_hub

psycopg = pytest.importorskip("psycopg")

MUNICIPALITIES = ("mk-kumanovo", "mk-ohrid", "al-tirane", "rs-novi-pazar")


@pytest.fixture
def hub(postgres_server):
    """A new hub database with a staff account and one account per test municipality."""
    db = postgres_server.new_database()
    url = postgres_server.url(dbname=db)
    init_hub(url)
    add_account(url, f"{db}_staff", "staff-pw", None)  # roles are per server: one set per database
    for registry_id in MUNICIPALITIES:
        add_account(url, f"{db}_{registry_id.split('-', 1)[1]}", f"{registry_id}-pw", registry_id)
    return postgres_server, db


def login(hub, account: str, password: str) -> str:
    server, db = hub
    return server.url(f"{db}_{account}", password, db)


def small_project(path: Path, waves: int = 2, indicators: int = 2) -> Path:
    with ProjectStore.create(path, title="Hub test") as store, store.transaction():
        store.add_many([Municipality(registry_id=r, country=Country(r[:2].upper()), name_local=r,
                                     name_latin=r, name_en=r) for r in MUNICIPALITIES], "staff")
        store.add_many([IndicatorDefinition(code=f"i{i}", name=f"Indicator {i}", scale_min=0, scale_max=10)
                        for i in range(indicators)], "staff")
        store.add_many([StudyWave(name=f"Wave {i}", start_date=date(2000 + i, 1, 1)) for i in range(waves)],
                       "staff")
    return path


def test_municipality_account_cannot_change_another_municipalitys_row(hub, tmp_path: Path) -> None:
    project = small_project(tmp_path / "p.gpkg")
    with ProjectStore.open(project) as store:
        kumanovo = store.municipality_by_registry_id("mk-kumanovo")
        ind, wave = store.list(IndicatorDefinition)[0], store.list(StudyWave)[0]
        for m in store.municipalities():
            store.add(IndicatorValue(municipality_uuid=m.uuid, indicator_uuid=ind.uuid, wave_uuid=wave.uuid,
                                     value=5), "staff")
        result = sync_with_hub(store, login(hub, "staff", "staff-pw"))
        assert result.sent > 0 and not result.refused
    with psycopg.connect(login(hub, "kumanovo", "mk-kumanovo-pw")) as conn:
        ohrid_value = conn.execute("SELECT v.uuid FROM rm_hub.indicator_values v JOIN rm_hub.municipalities m "
                                   "ON m.uuid = v.municipality_uuid WHERE m.registry_id = 'mk-ohrid'").fetchone()[0]
        cur = conn.execute("UPDATE rm_hub.indicator_values SET value = 9 WHERE uuid = %s", (ohrid_value,))
        assert cur.rowcount == 0  # row-level security: not Kumanovo's row, nothing changed
        cur = conn.execute("DELETE FROM rm_hub.indicator_values WHERE uuid = %s", (ohrid_value,))
        assert cur.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("UPDATE rm_hub.indicator_values SET municipality_uuid = %s WHERE municipality_uuid = %s",
                         (ohrid_value, kumanovo.uuid))
        conn.rollback()
        own = conn.execute("UPDATE rm_hub.indicator_values SET value = 7 WHERE municipality_uuid = %s",
                           (kumanovo.uuid,))
        assert own.rowcount == 1  # its own row it may change
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO rm_hub.changes (origin, seq, hlc, table_name, record_uuid, operation, owner) "
                         "VALUES ('x', 1, 'h', 'indicator_values', %s, 'delete', %s)",
                         (ohrid_value, store_owner(conn, "mk-ohrid")))
    with psycopg.connect(login(hub, "staff", "staff-pw")) as conn:
        assert conn.execute("SELECT value FROM rm_hub.indicator_values WHERE uuid = %s",
                            (ohrid_value,)).fetchone()[0] == 5


def store_owner(conn, registry_id: str) -> str:
    return conn.execute("SELECT uuid FROM rm_hub.municipalities WHERE registry_id = %s", (registry_id,)).fetchone()[0]


def test_sync_refuses_changes_outside_the_accounts_rights_record_by_record(hub, tmp_path: Path) -> None:
    project = small_project(tmp_path / "base.gpkg")
    with ProjectStore.open(project) as store:
        sync_with_hub(store, login(hub, "staff", "staff-pw"))
    laptop = Path(shutil.copy(project, tmp_path / "kumanovo.gpkg"))
    with ProjectStore.open(laptop) as store:
        ind, wave = store.list(IndicatorDefinition)[0], store.list(StudyWave)[0]
        own = store.municipality_by_registry_id("mk-kumanovo")
        other = store.municipality_by_registry_id("mk-ohrid")
        for unit, value in ((own, 3), (other, 4)):
            store.add(IndicatorValue(municipality_uuid=unit.uuid, indicator_uuid=ind.uuid, wave_uuid=wave.uuid,
                                     value=value), "k")
        store.update(dataclasses.replace(wave, notes="renamed by Kumanovo"), "k")
        result = sync_with_hub(store, login(hub, "kumanovo", "mk-kumanovo-pw"))
        assert result.sent == 1 and len(result.refused) == 2
        reasons = sorted(r for _w, r in result.refused)
        assert "another municipality" in reasons[1] and "only hub staff" in reasons[0]
        from resilience_map.sync.review import pending_changes

        assert {p.refused is not None for p in pending_changes(store)} == {True}
    with psycopg.connect(login(hub, "staff", "staff-pw")) as conn:
        values = conn.execute("SELECT m.registry_id, v.value FROM rm_hub.indicator_values v "
                              "JOIN rm_hub.municipalities m ON m.uuid = v.municipality_uuid").fetchall()
        assert values == [("mk-kumanovo", 3.0)]
        geom_type = conn.execute("SELECT type FROM geometry_columns WHERE f_table_name = 'municipalities'").fetchone()
        assert geom_type[0] == "MULTIPOLYGON"


def test_four_laptops_sync_concurrently_and_lose_nothing(hub, tmp_path: Path) -> None:
    base = small_project(tmp_path / "base.gpkg", waves=100, indicators=10)
    with ProjectStore.open(base) as store:
        sync_with_hub(store, login(hub, "staff", "staff-pw"))
    laptops = []
    for registry_id in MUNICIPALITIES:
        path = Path(shutil.copy(base, tmp_path / f"{registry_id}.gpkg"))
        with ProjectStore.open(path) as store:
            mine = store.municipality_by_registry_id(registry_id)
            store.add_many([IndicatorValue(municipality_uuid=mine.uuid, indicator_uuid=i.uuid, wave_uuid=w.uuid,
                                           value=float(len(registry_id) % 10))
                            for i in store.list(IndicatorDefinition) for w in store.list(StudyWave)], registry_id)
        laptops.append((path, registry_id))
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)

    def sync_all():
        procs = []
        for path, registry_id in laptops:
            account = registry_id.split("-", 1)[1]
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "resilience_map", "sync", str(path), "--hub",
                 login(hub, account, f"{registry_id}-pw")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, env=env))
        for proc in procs:
            out, err = proc.communicate(timeout=180)
            assert proc.returncode == 0, err

    sync_all()  # at the same time
    with psycopg.connect(login(hub, "staff", "staff-pw")) as conn:
        changes = conn.execute("SELECT COUNT(*) FROM rm_hub.changes WHERE table_name = 'indicator_values'")
        assert changes.fetchone()[0] == 4000
        assert conn.execute("SELECT COUNT(*) FROM rm_hub.indicator_values").fetchone()[0] == 4000
    sync_all()  # one more each
    for path, _ in laptops:
        with ProjectStore.open(path, read_only=True) as store:
            assert store.count(IndicatorValue) == 4000
