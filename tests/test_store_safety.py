"""Project-file hardening: crashes, hostile and broken files, one writer, stale undo, full disks.

Fast versions of the figures in benchmarks/bench_safety.py: 20 SIGKILL trials (the
benchmark runs 150), the whole bad-file corpus in-process and through the CLI, a 3 s
lock race of 8 processes (the benchmark: 10 s).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import bad_files
import pytest
import safety_harness
from shapely.geometry import box
from tests_helpers import run_cli

from resilience_map.domain.enums import Country
from resilience_map.domain.records import Municipality
from resilience_map.store import ProjectError, ProjectStore
from resilience_map.store.recovery import ROLLED_BACK_NOTE, has_journal


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("resilience-map: error:"), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def unit(i: int) -> Municipality:
    """Test units; T0 has its seat inside the triangle the command-line tests import for it
    (a boundary match is confirmed by the seat)."""
    seat = {"seat_lon": 21.7, "seat_lat": 42.3} if i == 0 else {}
    return Municipality(registry_id=f"t-{i}", country=Country.MK, name_local=f"Т{i}", name_latin=f"T{i}",
                        name_en=f"T{i}", **seat)


# --- crashes ------------------------------------------------------------------------------------

def test_sigkill_trials_lose_nothing_and_leave_files_that_open(demo_template: Path, tmp_path: Path) -> None:
    ws = safety_harness.Workspace.build(tmp_path / "ws", demo=demo_template)
    trials = safety_harness.run_trials(ws, 20, seed=20260501)
    failures = [t for t in trials if not t.ok]
    assert not failures, failures
    assert len(trials) == 20 and {t.scenario for t in trials} == set(safety_harness.SCENARIOS)


HALF_SAVE = textwrap.dedent("""
    import os, signal, sys
    from resilience_map.store import ProjectStore
    from resilience_map.domain.records import Municipality
    from resilience_map.domain.enums import Country
    store = ProjectStore.open(sys.argv[1])
    # a cache too small for the save: pages are written to the file before the commit, as in a
    # save bigger than the store's cache (else nothing but the journal is written before it)
    store.write_cache_kib = 40  # ten pages
    with store.transaction():
        store.add_many([Municipality(registry_id=f"k-{i}", country=Country.MK, name_local="k",
                                     name_latin="k", name_en="k") for i in range(3000)], "killed")
        os.kill(os.getpid(), signal.SIGKILL)   # dies with the transaction half-written
""")


def interrupted_project(path: Path) -> Path:
    """A project with 10 saved units and a hot journal from a process killed mid-save."""
    with ProjectStore.create(path, title="Interrupted") as store:
        store.add_many([unit(i) for i in range(10)], "ana")
    subprocess.run([sys.executable, "-c", HALF_SAVE, str(path)], check=False)
    assert has_journal(path)
    return path


def test_hot_journal_is_rolled_back_even_for_a_read_only_open(tmp_path: Path) -> None:
    path = interrupted_project(tmp_path / "p.gpkg")
    with ProjectStore.open(path, read_only=True) as store:
        assert store.count(Municipality) == 10
        assert store.notes == (ROLLED_BACK_NOTE,)
    assert not has_journal(path)
    with ProjectStore.open(path) as store:  # a second opening has nothing to report
        assert store.notes == () and not store.read_only


def test_cli_info_shows_the_rolled_back_note(tmp_path: Path) -> None:
    path = interrupted_project(tmp_path / "p.gpkg")
    result = run_cli("info", path)
    assert result.returncode == 0, result.stderr
    assert "an interrupted save was rolled back" in result.stderr
    assert "municipalities" in result.stdout


@pytest.mark.parametrize("replacement", ["create", "demo", "restore"])
def test_replacing_a_file_never_pairs_it_with_the_old_journal(tmp_path: Path, replacement: str) -> None:
    from resilience_map.demo import build_demo
    from resilience_map.store.backups import list_backups, make_backup, restore_backup

    path = tmp_path / "p.gpkg"
    root = tmp_path / "backups"
    if replacement == "restore":
        with ProjectStore.create(path, title="Backed up") as store:
            store.add_many([unit(i) for i in range(20)], "ana")
        make_backup(path, root)
        path.unlink()
    interrupted_project(path)
    if replacement == "create":
        ProjectStore.create(path, title="New", overwrite=True).close()
        expected_title, expected_units = "New", 0
    elif replacement == "demo":
        build_demo(path, overwrite=True)
        expected_title, expected_units = "Resilience Map demo", 530
    else:
        restore_backup(list_backups(path, root)[0], path, root)
        expected_title, expected_units = "Backed up", 20
    assert not has_journal(path)
    with ProjectStore.open(path) as store:
        assert store.info().title == expected_title and store.count(Municipality) == expected_units
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_replacing_a_project_open_for_editing_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    with ProjectStore.create(path, title="Mine") as store:
        before = bad_files.sha256(path)
        with pytest.raises(ProjectError, match="already open for editing"):
            ProjectStore.create(path, title="Theirs", overwrite=True)
        assert bad_files.sha256(path) == before and store.info().title == "Mine"


# --- the bad-file corpus ------------------------------------------------------------------------

def _foreign(path: Path) -> None:
    import geopandas as gpd
    import pyogrio

    pyogrio.write_dataframe(gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(0, 0, 1, 1)], crs=4326), path)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[bad_files.BadFile]:
    folder = tmp_path_factory.mktemp("corpus")
    sound = folder / "sound.gpkg"
    with ProjectStore.create(sound, title="Sound") as store:
        units = store.add_many([unit(i) for i in range(400)], "ana")
        store.set_boundaries({units[0].uuid: box(21.5, 42.0, 21.9, 42.3)}, "ana")
    return bad_files.build_corpus(sound, folder / "bad", _foreign)


def test_every_bad_file_gets_one_sentence_and_stays_unchanged(corpus: list[bad_files.BadFile]) -> None:
    assert len(corpus) >= 20
    for bad in corpus:
        before = bad_files.sha256(bad.path)
        if bad.error_words is not None:
            for read_only in (True, False):
                with pytest.raises(ProjectError) as err:
                    ProjectStore.open(bad.path, read_only=read_only)
                message = str(err.value)
                assert "\n" not in message and all(w in message for w in bad.error_words), (bad.name, message)
        else:
            with ProjectStore.open(bad.path) as store:
                assert store.read_only == bool(bad.read_only_words), bad.name
                assert all(w in (store.read_only_reason or "") for w in bad.read_only_words), bad.name
                first = store.municipalities()[0]
                with pytest.raises(ProjectError) as err:
                    store.set_boundaries({first.uuid: box(21, 42, 22, 43)}, "ana")
                message = str(err.value)
                assert "\n" not in message and all(w in message for w in bad.write_words), (bad.name, message)
        assert bad_files.sha256(bad.path) == before, bad.name


def test_every_bad_file_gets_one_line_on_the_command_line(corpus: list[bad_files.BadFile], tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Every corpus file through the CLI's own entry point (in-process, so the whole corpus
    stays fast), and a few of them as real separate processes."""
    from resilience_map.cli import main

    geojson = tmp_path / "one.geojson"
    geojson.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                       '"properties": {"name": "T0"}, "geometry": {"type": "Polygon", "coordinates": '
                       '[[[21, 42], [22, 42], [22, 43], [21, 42]]]}}]}')
    before = {bad.path: bad_files.sha256(bad.path) for bad in corpus}
    for bad in corpus:
        code = main(["info", str(bad.path)])
        result = subprocess.CompletedProcess([], code, *capsys.readouterr())
        if bad.error_words is not None:
            assert_one_line_error(result, *bad.error_words)
            continue
        assert code == 0 and "Traceback" not in result.stderr, (bad.name, result.stderr)
        if bad.read_only_words:
            assert "read-only" in result.stdout and all(w in result.stdout for w in bad.read_only_words)
        code = main(["import-boundaries", str(bad.path), str(geojson), "--country", "MK", "--source", "test",
                     "--licence", "CC0"])
        assert_one_line_error(subprocess.CompletedProcess([], code, *capsys.readouterr()), *bad.write_words)
    by_name = {bad.path.stem: bad for bad in corpus}
    for stem, command in (("text", "info"), ("view-for-table", "info"), ("flip-btree", "info"),
                          ("trigger", "import-boundaries")):
        bad = by_name[stem]
        extra = (geojson, "--source", "test", "--licence", "CC0") if command == "import-boundaries" else ()
        assert_one_line_error(run_cli(command, bad.path, *extra), *(bad.error_words or bad.write_words))
    assert {bad.path: bad_files.sha256(bad.path) for bad in corpus} == before


def test_a_spatial_index_made_by_gdal_keeps_the_project_editable(demo_project: Path) -> None:
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        pytest.skip("GDAL's ogrinfo (Debian gdal-bin) is not installed")
    subprocess.run([ogrinfo, "-q", str(demo_project), "-sql", "SELECT CreateSpatialIndex('municipalities', 'geom')"],
                   check=True, capture_output=True)
    with ProjectStore.open(demo_project) as store:
        assert not store.read_only, store.read_only_reason
        kumanovo = store.municipality_by_registry_id("mk-kumanovo")
        store.set_boundaries({kumanovo.uuid: box(21.5, 42.0, 21.9, 42.3)}, "ana")
        fid = store._conn.execute("SELECT fid FROM municipalities WHERE uuid = ?", (kumanovo.uuid,)).fetchone()[0]
        indexed = store._conn.execute("SELECT minx, maxx, miny, maxy FROM rtree_municipalities_geom WHERE id = ?",
                                      (fid,)).fetchone()
    assert indexed == pytest.approx((21.5, 21.9, 42.0, 42.3), abs=1e-4)


# --- time limits and cancelling -------------------------------------------------------------------

#: Hours of work (a cross join of ~40-row tables, six times). A recursive query like the corpus's
#: hostile views would not even start: the authorizer refuses recursion outside our own SQL.
ENDLESS = "SELECT count(*) FROM " + ", ".join(f"sqlite_master t{i}" for i in range(6))


def test_a_long_statement_is_cancelled_from_another_thread(tmp_path: Path) -> None:
    """The store works in a worker thread; the caller (the window) cancels from its own."""
    import threading

    from resilience_map.store.guard import Interrupt

    path = tmp_path / "p.gpkg"
    ProjectStore.create(path).close()
    interrupt = Interrupt()
    outcome: list[object] = []

    def work() -> None:
        with ProjectStore.open(path, read_only=True, interrupt=interrupt) as store:
            try:
                store._conn.execute(ENDLESS).fetchone()  # what a hostile view would make us run
            except sqlite3.Error as exc:
                outcome.append(exc)
            outcome.append(store.interrupt.take_reason())
            outcome.append(store.count(Municipality))  # still usable after the cancel

    worker = threading.Thread(target=work)
    worker.start()
    interrupt.cancel()
    worker.join(timeout=20)
    assert not worker.is_alive()
    assert "interrupted" in str(outcome[0]) and outcome[1:] == ["cancelled", 0]


def test_opening_stops_at_its_time_limit_and_on_cancel(demo_project: Path) -> None:
    from resilience_map.store.errors import OperationCancelledError
    from resilience_map.store.guard import Interrupt

    before = bad_files.sha256(demo_project)
    with pytest.raises(OperationCancelledError, match="within 0.001 s"):
        ProjectStore.open(demo_project, time_limit=0.001)
    cancelled = Interrupt()
    cancelled.cancel()
    with pytest.raises(OperationCancelledError, match="was cancelled"):
        ProjectStore.open(demo_project, interrupt=cancelled)
    assert bad_files.sha256(demo_project) == before
    ProjectStore.open(demo_project).close()  # and opens normally afterwards
