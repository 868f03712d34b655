"""The project GeoPackage: records, history, transactions, migration and bad files."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from shapely.geometry import Polygon, box

from resilience_map.domain.enums import ActivityType, Country, ParticipationRole, Polarity
from resilience_map.domain.records import (
    ActivityParticipant,
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    StudyWave,
)
from resilience_map.domain.validation import ValidationError
from resilience_map.store import (
    CorruptProjectError,
    NewerProjectError,
    NotAProjectError,
    ProjectReadOnlyError,
    ProjectStore,
    StaleRecordError,
    migrations,
    schema,
)


def kumanovo() -> Municipality:
    return Municipality(registry_id="mk-kumanovo", country=Country.MK, name_local="Куманово",
                        name_latin="Kumanovo", name_en="Kumanovo", seat_lon=21.714, seat_lat=42.132)


@pytest.fixture
def store(tmp_path: Path):
    s = ProjectStore.create(tmp_path / "p.gpkg", title="Test", author="tester")
    yield s
    s.close()


def add_indicator(store: ProjectStore) -> tuple[IndicatorDefinition, StudyWave]:
    ind = IndicatorDefinition(code="brave14", name="BRAVE-14 total", scale_min=14, scale_max=70,
                              unit="points", polarity=Polarity.HIGHER_IS_BETTER)
    wave = StudyWave(name="Baseline", start_date=date(2020, 2, 1))
    store.add_many([ind, wave], "tester")
    return ind, wave


def test_created_file_is_a_geopackage_with_our_layers(store: ProjectStore) -> None:
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
    layers = dict(conn.execute("SELECT table_name, data_type FROM gpkg_contents"))
    assert layers["municipalities"] == "features"
    assert layers["hub_activities"] == "features"
    assert layers["indicator_values"] == "attributes"
    assert layers["change_history"] == "attributes"
    assert store.info().schema_version == schema.SCHEMA_VERSION


def test_add_update_delete_write_history(store: ProjectStore) -> None:
    m = store.add(kumanovo(), "ana")
    updated = store.update(dataclasses.replace(m, population=98104, population_year=2021), "ben")
    assert updated.version == 2 and updated.modified_by == "ben"
    assert store.get(Municipality, m.uuid).population == 98104
    fields = {(h.operation, h.field, h.old_value, h.new_value) for h in store.history(m.uuid)}
    assert ("update", "population", None, "98104") in fields
    insert = next((h.operation, h.field, h.old_value) for h in store.history(m.uuid) if h.operation == "insert")
    assert insert == ("insert", None, None)
    store.delete(Municipality, m.uuid, "ana")
    assert store.count(Municipality) == 0
    deleted = store.history(m.uuid)[0]
    assert deleted.operation == "delete" and "Куманово" in deleted.old_value


def test_stale_update_is_refused(store: ProjectStore) -> None:
    m = store.add(kumanovo(), "ana")
    store.update(dataclasses.replace(m, population=1, population_year=2021), "ana")
    with pytest.raises(StaleRecordError):
        store.update(dataclasses.replace(m, population=2, population_year=2021), "ben")
    assert store.get(Municipality, m.uuid).population == 1


def test_value_outside_scale_is_refused_and_nothing_written(store: ProjectStore) -> None:
    m = store.add(kumanovo(), "ana")
    ind, wave = add_indicator(store)
    before = len(store.history())
    with pytest.raises(ValidationError) as err:
        store.add(IndicatorValue(municipality_uuid=m.uuid, indicator_uuid=ind.uuid,
                                 wave_uuid=wave.uuid, value=71), "ana")
    assert err.value.field == "value" and "14 to 70" in str(err.value)
    assert store.count(IndicatorValue) == 0 and len(store.history()) == before


def test_one_value_per_municipality_indicator_wave(store: ProjectStore) -> None:
    m = store.add(kumanovo(), "ana")
    ind, wave = add_indicator(store)
    value = IndicatorValue(municipality_uuid=m.uuid, indicator_uuid=ind.uuid, wave_uuid=wave.uuid, value=40)
    store.add(value, "ana")
    with pytest.raises(ValidationError, match="already a value"):
        store.add(dataclasses.replace(value, uuid="other", value=41), "ana")


def test_batch_is_all_or_nothing(store: ProjectStore) -> None:
    good = kumanovo()
    bad = dataclasses.replace(kumanovo(), uuid="x", registry_id="mk-bad", name_en="")
    with pytest.raises(ValidationError):
        store.add_many([good, bad], "ana")
    assert store.count(Municipality) == 0 and store.history() == []


def test_activity_participants_and_point_roundtrip(store: ProjectStore) -> None:
    m = store.add(kumanovo(), "ana")
    act = HubActivity(title="National exchange of CATs", activity_type=ActivityType.NATIONAL_EXCHANGE,
                      start_date=date(2023, 6, 13), end_date=date(2023, 6, 14), host_place="Kumanovo",
                      host_lon=21.714, host_lat=42.132,
                      participants=(ActivityParticipant(municipality_uuid=m.uuid, role=ParticipationRole.HOST),))
    store.add(act, "ana")
    loaded = store.get(HubActivity, act.uuid)
    assert loaded.participants == act.participants and loaded.end_date == date(2023, 6, 14)
    with pytest.raises(ValidationError, match="end date"):
        store.add(dataclasses.replace(act, uuid="a2", end_date=date(2023, 6, 1)), "ana")


def test_boundaries_roundtrip_as_multipolygon(store: ProjectStore) -> None:
    m = store.add(kumanovo(), "ana")
    store.set_boundaries({m.uuid: box(21.5, 42.0, 21.9, 42.3)}, "ana", source="test file")
    geom = store.boundaries()[m.uuid]
    assert geom.geom_type == "MultiPolygon" and geom.equals(box(21.5, 42.0, 21.9, 42.3))
    assert store.history(m.uuid)[0].new_value.endswith("from test file")


def test_ogr_reads_the_project(store: ProjectStore) -> None:
    pyogrio = pytest.importorskip("pyogrio")
    m = store.add(kumanovo(), "ana")
    store.set_boundaries({m.uuid: Polygon([(21.5, 42), (21.9, 42), (21.7, 42.3)])}, "ana")
    layers = {name for name, _ in pyogrio.list_layers(store.path)}
    assert {"municipalities", "municipality_seats", "hub_activities", "change_history"} <= layers
    gdf = pyogrio.read_dataframe(store.path, layer="municipalities")
    assert gdf.crs.to_epsg() == 4326 and gdf.iloc[0]["name_local"] == "Куманово"


@pytest.mark.skipif(not Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py").exists(),
                    reason="GDAL's validate_gpkg.py (Debian python3-gdal) is not installed")
def test_gdal_validator_accepts_the_file(store: ProjectStore) -> None:
    m = store.add(kumanovo(), "ana")
    store.set_boundaries({m.uuid: box(21.5, 42.0, 21.9, 42.3)}, "ana")
    store.close()
    result = subprocess.run(
        ["/usr/bin/python3", "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py",
         str(store.path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- bad files -------------------------------------------------------------------------

def test_text_file_named_gpkg_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.gpkg"
    path.write_text("just some notes")
    with pytest.raises(NotAProjectError, match="not a GeoPackage"):
        ProjectStore.open(path)
    assert path.read_text() == "just some notes"


def test_truncated_project_is_refused(store: ProjectStore, tmp_path: Path) -> None:
    store.add_many([dataclasses.replace(kumanovo(), uuid=f"u{i}", registry_id=f"mk-{i}") for i in range(300)], "a")
    store.close()
    data = store.path.read_bytes()
    cut = tmp_path / "cut.gpkg"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptProjectError, match="truncated"):
        ProjectStore.open(cut)
    assert cut.read_bytes() == data[: len(data) // 2]


def test_foreign_geopackage_is_refused(tmp_path: Path) -> None:
    pyogrio = pytest.importorskip("pyogrio")
    import geopandas as gpd
    path = tmp_path / "other.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(0, 0, 1, 1)], crs=4326), path)
    before = path.read_bytes()
    with pytest.raises(NotAProjectError, match="another program"):
        ProjectStore.open(path)
    assert path.read_bytes() == before


def test_newer_schema_is_refused_unchanged(store: ProjectStore) -> None:
    store.set_meta("schema_version", str(schema.SCHEMA_VERSION + 1))
    store.close()
    before = store.path.read_bytes()
    with pytest.raises(NewerProjectError, match="newer Resilience Map"):
        ProjectStore.open(store.path)
    assert store.path.read_bytes() == before


def test_older_schema_is_migrated_after_backup(store: ProjectStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.add(kumanovo(), "ana")
    store.close()
    original = store.path.read_bytes()

    def add_column(conn: sqlite3.Connection) -> None:
        conn.execute('ALTER TABLE "municipalities" ADD COLUMN "upgrade_marker" TEXT')

    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    monkeypatch.setattr("resilience_map.store.project.SCHEMA_VERSION", schema.SCHEMA_VERSION)
    monkeypatch.setitem(migrations.MIGRATIONS, schema.SCHEMA_VERSION - 1, add_column)
    reopened = ProjectStore.open(store.path)
    try:
        assert reopened.info().schema_version == schema.SCHEMA_VERSION
        assert reopened.migration_backup is not None
        assert reopened.migration_backup.read_bytes() == original
        cols = [r[1] for r in sqlite3.connect(store.path).execute("PRAGMA table_info(municipalities)")]
        assert "upgrade_marker" in cols
        assert reopened.count(Municipality) == 1
    finally:
        reopened.close()


def test_read_only_file_opens_but_refuses_edits(store: ProjectStore, tmp_path: Path) -> None:
    store.close()
    ro_dir = tmp_path / "ro"
    ro_dir.mkdir()
    path = ro_dir / "p.gpkg"
    shutil.copy(store.path, path)
    path.chmod(0o444)
    ro_dir.chmod(0o555)
    try:
        if os.access(path, os.W_OK):
            pytest.skip("running as a user who can write read-only files (root)")
        before = path.read_bytes()
        with ProjectStore.open(path) as ro:
            assert ro.read_only
            with pytest.raises(ProjectReadOnlyError, match="read-only"):
                ro.add(kumanovo(), "ana")
        assert path.read_bytes() == before
    finally:
        ro_dir.chmod(0o755)


def test_read_only_flag_is_honoured_even_for_root(store: ProjectStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.close()
    monkeypatch.setattr("resilience_map.store.project.is_writable", lambda path: False)
    before = store.path.read_bytes()
    with ProjectStore.open(store.path) as ro:
        assert ro.read_only and ro.info().read_only
        with pytest.raises(ProjectReadOnlyError):
            ro.add(kumanovo(), "ana")
    assert store.path.read_bytes() == before


def test_create_refuses_to_overwrite(store: ProjectStore) -> None:
    with pytest.raises(Exception, match="already exists"):
        ProjectStore.create(store.path)


# --- crash safety ----------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys
    from resilience_map.store import ProjectStore
    from resilience_map.domain.records import Municipality
    from resilience_map.domain.enums import Country
    store = ProjectStore.open(sys.argv[1])
    i = 0
    while True:
        m = Municipality(registry_id=f"x-{i}", country=Country.MK, name_local=f"n{i}",
                         name_latin=f"n{i}", name_en=f"n{i}", seat_lon=21.0, seat_lat=42.0)
        store.add(m, "writer")
        print(m.registry_id, flush=True)   # acknowledged only after commit returned
        i += 1
""")


def test_kill_9_during_writes_keeps_every_acknowledged_edit(store: ProjectStore) -> None:
    store.close()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(store.path)],
                            stdout=subprocess.PIPE, text=True)
    acknowledged: list[str] = []
    deadline = time.monotonic() + 30
    while len(acknowledged) < 60 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line:
            acknowledged.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(acknowledged) >= 60
    with ProjectStore.open(store.path) as reopened:
        conn = sqlite3.connect(store.path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        saved = {m.registry_id for m in reopened.municipalities()}
        assert set(acknowledged) <= saved
        # every saved record has its history row: record and history commit together
        history_ids = {h.record_uuid for h in reopened.history() if h.operation == "insert"}
        assert {m.uuid for m in reopened.municipalities()} == history_ids
