"""One writer for real, undo that never overwrites others, finite numbers, full disks, busy files,
verified backups."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import bad_files
import pytest
import safety_harness
from shapely.geometry import Polygon

from resilience_map.domain.enums import ActivityType, Country, Polarity
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    StudyWave,
)
from resilience_map.domain.validation import ValidationError, parse_number
from resilience_map.store import ProjectStore, StaleRecordError
from resilience_map.store.backups import list_backups, make_backup, restore_backup
from resilience_map.store.errors import DiskFullError, ProjectBusyError, ProjectError
from resilience_map.store.lock import LockFileError, ProjectLock, ProjectLockedError


def seat(i: int) -> tuple[float, float]:
    """Each test unit's seat, on a grid inside North Macedonia (boundary matches are
    confirmed by the seat lying in the polygon)."""
    return 20.6 + (i % 60) * 0.02, 41.2 + (i // 60) * 0.02


def unit(i: int) -> Municipality:
    lon, lat = seat(i)
    return Municipality(registry_id=f"t-{i}", country=Country.MK, name_local=f"Т{i}", name_latin=f"T{i}",
                        name_en=f"T{i}", seat_lon=lon, seat_lat=lat)


def square_around(i: int, half: float = 0.008) -> str:
    lon, lat = seat(i)
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
            [lon - half, lat + half], [lon - half, lat - half]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "p.gpkg"
    with ProjectStore.create(path, title="Guards") as store:
        store.add_many([unit(i) for i in range(5)], "ana")
    return path


# --- one writer ---------------------------------------------------------------------------------

def test_eight_processes_racing_for_the_lock_never_hold_it_together(tmp_path: Path) -> None:
    result = safety_harness.lock_race(tmp_path / "race", processes=8, seconds=3)
    assert result.overlaps == 0
    assert result.acquisitions >= 8  # they really took turns
    assert result.lock_file_kept


def test_the_lock_file_stays_and_the_lock_is_free_after_release(project: Path) -> None:
    lock = ProjectLock(project)
    with ProjectStore.open(project):
        inode = lock.path.stat().st_ino
        with pytest.raises(ProjectLockedError, match=r"already open for editing .*pid \d+ of"):
            ProjectStore.open(project)
    assert lock.path.stat().st_ino == inode  # never deleted, so nobody waits on a vanished file
    lock.acquire()
    lock.release()


STALE_LOCK_OPENER = textwrap.dedent("""
    import os, sys
    from resilience_map.store import ProjectStore, ProjectError
    if os.geteuid() == 0:
        os.setgid(65534); os.setuid(65534)   # another user account than the one that left the lock
    try:
        ProjectStore.open(sys.argv[1])
    except ProjectError as exc:
        print(type(exc).__name__, exc)
""")


def test_a_lock_file_this_user_cannot_write_gives_a_sentence(tmp_path: Path) -> None:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="rm-shared-"))  # like a shared folder: everyone may write
    try:
        folder.chmod(0o777)
        path = folder / "p.gpkg"
        ProjectStore.create(path).close()
        path.chmod(0o666)
        ProjectLock(path).path.chmod(0o600 if os.geteuid() == 0 else 0o000)
        result = subprocess.run([sys.executable, "-c", STALE_LOCK_OPENER, str(path)], capture_output=True,
                                text=True, timeout=60)
        assert "Traceback" not in result.stderr, result.stderr
        assert result.stdout.startswith(LockFileError.__name__), result.stdout
        assert "p.gpkg.lock cannot be written" in result.stdout and "delete it" in result.stdout
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_another_program_holding_sqlites_lock_gives_a_sentence(project: Path) -> None:
    with ProjectStore.open(project) as store:
        store._conn.execute("PRAGMA busy_timeout = 200")  # the app waits 5 s; the test need not
        before = len(store.history())
        other = sqlite3.connect(project, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # as another program does while it saves
        try:
            with pytest.raises(ProjectBusyError, match="locked by another program") as err:
                store.add(unit(99), "ana")
            assert "\n" not in str(err.value) and "nothing was changed" in str(err.value)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert len(store.history()) == before
        store.add(unit(99), "ana")  # and saving works once the other program is done


# --- undo, redo and restore check versions -----------------------------------------------------------

def test_restore_refuses_when_the_record_moved_on(project: Path) -> None:
    with ProjectStore.open(project) as store:
        seen = store.municipality_by_registry_id("t-1")
        store.update(dataclasses.replace(seen, population=1000, population_year=2021), "Ben (QGIS)")
        undo_to = dataclasses.replace(seen, name_en="Undone")
        history = len(store.history())
        with pytest.raises(StaleRecordError) as err:
            store.restore_many([undo_to], "ana", expected={seen.uuid: seen.version})
        assert err.value.changed_by == "Ben (QGIS)" and err.value.uuid == seen.uuid
        message = str(err.value)
        assert 'The municipality "T1" was changed elsewhere by Ben (QGIS) on ' in message and "UTC" in message
        assert "nothing was changed" in message
        assert len(store.history()) == history
        assert store.get(Municipality, seen.uuid).population == 1000
        current = store.get(Municipality, seen.uuid)
        restored = store.restore_many([undo_to], "ana", expected={seen.uuid: current.version})[0]
        assert restored.name_en == "Undone" and restored.version == current.version + 1


def test_redo_of_an_add_refuses_if_the_record_exists_and_undo_of_an_add_if_deleted(project: Path) -> None:
    with ProjectStore.open(project) as store:
        added = store.add(unit(50), "ana")
        with pytest.raises(StaleRecordError, match="created again elsewhere by ana"):
            store.restore_many([added], "ana", expected={added.uuid: None})
        store.delete(Municipality, added.uuid, "Carla")
        with pytest.raises(StaleRecordError, match='"T50" was deleted elsewhere by Carla'):
            store.delete_many(Municipality, [added.uuid], "ana", expected={added.uuid: added.version})
        back = store.restore_many([added], "ana", expected={added.uuid: None})[0]  # redo: it must not exist
        assert back.uuid == added.uuid


def test_a_stale_delete_writes_nothing_of_the_batch(project: Path) -> None:
    with ProjectStore.open(project) as store:
        units = store.municipalities()
        store.update(dataclasses.replace(units[2], population=5, population_year=2021), "Ben")
        with pytest.raises(StaleRecordError, match="changed elsewhere by Ben"):
            store.delete_many(Municipality, [u.uuid for u in units], "ana",
                              expected={u.uuid: u.version for u in units})
        assert store.count(Municipality) == 5


# --- numbers ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected",
                         [("12", 12.0), (" 3,5 ", 3.5), ("-0.25", -0.25), ("1e3", 1000.0), ("", None)])
def test_parse_number_accepts_numbers(text: str, expected: float | None) -> None:
    assert parse_number("value", text) == expected


@pytest.mark.parametrize("text, words", [
    ("nan", "not a number"), ("NaN", "not a number"), ("inf", "not a number"), ("-Infinity", "not a number"),
    ("1e400", "finite"), ("12abc", "not a number"), ("9" * 30, "too large"),
])
def test_parse_number_refuses_what_cannot_be_stored(text: str, words: str) -> None:
    integer = text == "9" * 30
    with pytest.raises(ValidationError, match=words) as err:
        parse_number("population", text, integer=integer)
    assert err.value.field == "population"


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_records_refuse_nan_infinity_and_huge_integers(project: Path) -> None:
    nan_scale = IndicatorDefinition(code="x", name="X", scale_min=math.nan, scale_max=10)
    with pytest.raises(ValidationError, match="not a number") as err:
        nan_scale.validate()
    assert err.value.field == "scale_min"
    at_infinity = HubActivity(title="W", activity_type=ActivityType.WORKSHOP, start_date=date(2024, 1, 1),
                              host_lon=20.0, host_lat=math.inf)
    with pytest.raises(ValidationError, match="finite") as err:
        at_infinity.validate()
    assert err.value.field == "host_lat"
    with pytest.raises(ValidationError, match="not a latitude"):
        dataclasses.replace(at_infinity, host_lat=123.0).validate()
    with pytest.raises(ValidationError, match="too large") as err:
        dataclasses.replace(unit(1), population=2**63, population_year=2021).validate()
    assert err.value.field == "population"
    dataclasses.replace(unit(1), population=2**63 - 1, population_year=2021).validate()
    with ProjectStore.open(project) as store:
        history = len(store.history())
        for bad in (nan_scale, at_infinity, dataclasses.replace(unit(77), population=2**64, population_year=2021)):
            with pytest.raises(ValidationError):
                store.add(bad, "ana")
        first = store.municipalities()[0]
        with pytest.raises(ValidationError, match="finite"):
            store.set_boundaries({first.uuid: Polygon([(20, 42), (21, math.nan), (21, 43)])}, "ana")
        assert len(store.history()) == history


def test_a_value_of_an_indicator_with_a_broken_scale_gets_a_sentence(project: Path) -> None:
    with ProjectStore.open(project) as store:
        ind = IndicatorDefinition(code="trust", name="Trust", scale_min=1, scale_max=5,
                                  polarity=Polarity.HIGHER_IS_BETTER)
        wave = StudyWave(name="W1", start_date=date(2020, 1, 1))
        store.add_many([ind, wave], "ana")
        store._conn.execute("UPDATE indicator_definitions SET scale_min = NULL")  # as NaN was stored before
        value = IndicatorValue(municipality_uuid=store.municipalities()[0].uuid, indicator_uuid=ind.uuid,
                               wave_uuid=wave.uuid, value=3)
        with pytest.raises(ValidationError, match="Trust has no valid scale") as err:
            store.add(value, "ana")
        assert err.value.field == "value"


# --- full disks ---------------------------------------------------------------------------------

def test_sqlite_full_rolls_back_cleanly_and_says_so(project: Path) -> None:
    """SQLITE_FULL forced with PRAGMA max_page_count (runs everywhere; the tmpfs test is the real disk)."""
    with ProjectStore.open(project) as store:
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(DiskFullError) as err:
            store.add_many([unit(1000 + i) for i in range(2000)], "ana")
        assert str(err.value).startswith("p.gpkg could not be saved because the disk is full; nothing was changed.")
        assert not store._conn.in_transaction
        store._conn.execute("PRAGMA max_page_count = 1073741823")
        store.add(unit(999), "ana")  # the store is usable again: no "cannot rollback"
    with ProjectStore.open(project) as store:
        assert store.count(Municipality) == 6


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A real 1 MiB file system (tmpfs), where the system lets us mount one."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root; the max_page_count test covers SQLITE_FULL")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_really_full_disk_loses_no_saved_edit(tiny_disk: Path, tmp_path: Path) -> None:
    from tests_helpers import run_cli

    path = tiny_disk / "p.gpkg"
    saved = 0
    with ProjectStore.create(path, title="Tiny") as store:
        with pytest.raises(DiskFullError, match="disk is full") as err:
            while True:
                store.add_many([unit(saved + i) for i in range(50)], "ana")
                saved += 50
        assert "\n" not in str(err.value) and saved > 0
        with pytest.raises(DiskFullError, match=r"No backup copy of p.gpkg .* full; the project itself was not"):
            make_backup(path, tiny_disk / "backups")
        assert list_backups(path, tiny_disk / "backups") == []
        assert not list((tiny_disk / "backups").rglob("*.partial"))
    with ProjectStore.open(path, read_only=True) as store:
        assert store.count(Municipality) == saved
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    geojson = tmp_path / "big.geojson"
    geojson.write_text('{"type": "FeatureCollection", "features": [' + ",".join(
        f'{{"type": "Feature", "properties": {{"name": "T{i}"}}, "geometry": {square_around(i)}}}'
        for i in range(saved)) + "]}")
    before = bad_files.sha256(path)
    result = run_cli("import-boundaries", path, geojson, "--country", "MK", "--source", "test", "--licence", "CC0")
    assert result.returncode == 2 and "disk is full" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert bad_files.sha256(path) == before


# --- backups ------------------------------------------------------------------------------------

def test_a_damaged_backup_is_not_listed_and_is_not_restored(project: Path, tmp_path: Path) -> None:
    root = tmp_path / "backups"
    good = make_backup(project, root)
    bad = make_backup(project, root)
    data = bytearray(bad.path.read_bytes())
    page = 4096
    data[page * 2] ^= 0x04  # a b-tree page header: SQLite's check finds it
    bad.path.write_bytes(bytes(data))
    (bad.path.parent / f".{bad.path.name}.partial").write_bytes(b"SQLite format 3\x00half")
    assert [b.path for b in list_backups(project, root)] == [good.path]
    before = bad_files.sha256(project)
    with pytest.raises(ProjectError, match=r"^The backup copy taken on .* cannot be restored .*p.gpkg was not changed"):
        restore_backup(bad, project, root)
    assert bad_files.sha256(project) == before
    # restoring over a project open for editing is refused
    with ProjectStore.open(project), pytest.raises(ProjectLockedError):
        restore_backup(good, project, root)
    assert bad_files.sha256(project) == before


def test_a_value_another_program_made_unreadable_gets_a_sentence(project: Path, tmp_path: Path) -> None:
    from tests_helpers import run_cli

    conn = sqlite3.connect(project)
    conn.execute("UPDATE municipalities SET country = 'OK' WHERE registry_id = 't-3'")  # e.g. a bit flip of MK
    conn.commit()
    conn.close()
    before = bad_files.sha256(project)
    with ProjectStore.open(project) as store, pytest.raises(
            ProjectError, match=r"holds a municipality \(id .*\) with a value this version cannot "
                                r"read \('OK' is not a valid Country\)"):
        store.municipalities()
    geojson = tmp_path / "one.geojson"
    geojson.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
                       '{"name": "T1"}, "geometry": {"type": "Polygon", "coordinates": '
                       '[[[21, 42], [22, 42], [22, 43], [21, 42]]]}}]}')
    result = run_cli("import-boundaries", project, geojson, "--country", "MK", "--source", "test", "--licence", "CC0")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "cannot read" in result.stderr
    assert bad_files.sha256(project) == before
