"""Change packages on the command line: two copies of the demo brought together, bad packages."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from tests_helpers import run_cli

from resilience_map.domain.enums import Country
from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, StudyWave
from resilience_map.store import ProjectStore


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def study_import(path: Path, country: Country, value: float, wave_name: str) -> None:
    """A study table's worth of values for one country in a new wave (through the store API:
    `import-table` is another engineer's work and not on main yet)."""
    with ProjectStore.open(path) as store, store.transaction():
        wave = store.add(StudyWave(name=wave_name, start_date=date(2024, 5, 1)), "study import")
        indicator = next(i for i in store.list(IndicatorDefinition) if i.scale_max == 10)
        units = [m for m in store.municipalities() if m.country is country][:12]
        store.add_many([IndicatorValue(municipality_uuid=m.uuid, indicator_uuid=indicator.uuid,
                                       wave_uuid=wave.uuid, value=value) for m in units], "study import")


def indicator_table(path: Path) -> list[tuple]:
    with ProjectStore.open(path, read_only=True) as store:
        names = {m.uuid: m.registry_id for m in store.municipalities()}
        waves = {w.uuid: w.name for w in store.list(StudyWave)}
        codes = {i.uuid: i.code for i in store.list(IndicatorDefinition)}
        return sorted((v.uuid, names[v.municipality_uuid], codes[v.indicator_uuid], waves[v.wave_uuid],
                       v.neighbourhood, v.value) for v in store.list(IndicatorValue))


def test_two_copies_of_the_demo_exchange_packages_both_ways(demo_project: Path, tmp_path: Path) -> None:
    a = demo_project
    b = Path(shutil.copy(a, tmp_path / "laptop-b.gpkg"))
    study_import(a, Country.MK, 6.5, "Community survey 2024")  # same new wave on both laptops:
    study_import(b, Country.AL, 3.5, "Community survey 2024")  # one wave after the merge
    for src, dst, pkg in ((a, b, "a.rmsync"), (b, a, "b.rmsync")):
        out = run_cli("sync-export", src, "--out", tmp_path / pkg)
        assert out.returncode == 0, out.stderr
        imp = run_cli("sync-import", dst, tmp_path / pkg, "--report", tmp_path / f"{pkg}.csv")
        assert imp.returncode == 0, imp.stderr
    back = run_cli("sync-export", a, "--out", tmp_path / "a2.rmsync")
    assert run_cli("sync-import", b, tmp_path / "a2.rmsync").returncode == 0, back.stderr
    table = indicator_table(a)
    assert table == indicator_table(b)
    assert sum(1 for row in table if row[3] == "Community survey 2024") == 24
    with ProjectStore.open(a, read_only=True) as store:
        assert [w.name for w in store.list(StudyWave)].count("Community survey 2024") == 1

    # one cell changed differently on both copies: exactly one conflict, in both reports
    for path, value in ((a, 1.5), (b, 8.5)):
        with ProjectStore.open(path) as store:
            survey = next(w for w in store.list(StudyWave) if w.name == "Community survey 2024")
            cell = sorted(store.list(IndicatorValue, wave_uuid=survey.uuid), key=lambda v: v.uuid)[0]
            store.update(dataclasses.replace(cell, value=value), path.stem)
    b_id = run_cli("sync-status", b).stdout.split()[1]
    a_id = run_cli("sync-status", a).stdout.split()[1]
    assert run_cli("sync-export", a, "--out", tmp_path / "a3.rmsync", "--for", b_id).returncode == 0
    assert run_cli("sync-export", b, "--out", tmp_path / "b3.rmsync", "--for", a_id).returncode == 0
    assert (tmp_path / "a3.rmsync").stat().st_size < 4000  # only what the other has not seen
    assert run_cli("sync-import", b, tmp_path / "a3.rmsync", "--report", tmp_path / "rb.csv").returncode == 0
    assert run_cli("sync-import", a, tmp_path / "b3.rmsync", "--report", tmp_path / "ra.csv").returncode == 0
    for report in (tmp_path / "ra.csv", tmp_path / "rb.csv"):
        rows = list(csv.DictReader(report.open(encoding="utf-8-sig")))
        conflicts = [r for r in rows if r["status"] == "conflict"]
        assert len(conflicts) == 1 and {conflicts[0]["value"], conflicts[0]["other_value"]} == {"1.5", "8.5"}
        assert "Community survey 2024" in conflicts[0]["record"]
    assert indicator_table(a) == indicator_table(b)
    status = run_cli("sync-status", a).stdout
    assert "Open conflicts:    1" in status


@pytest.fixture
def package_and_project(demo_project: Path, tmp_path: Path) -> tuple[Path, Path]:
    other = Path(shutil.copy(demo_project, tmp_path / "other.gpkg"))
    with ProjectStore.open(other) as store:
        wave = store.list(StudyWave)[0]
        store.update(dataclasses.replace(wave, notes="=HYPERLINK(\"http://example.invalid\")"), "mallory")
    assert run_cli("sync-export", other, "--out", tmp_path / "p.rmsync").returncode == 0
    return tmp_path / "p.rmsync", demo_project


def test_truncated_package_is_refused_and_the_project_is_unchanged(package_and_project, tmp_path: Path) -> None:
    package, project = package_and_project
    data = package.read_bytes()
    cut = tmp_path / "cut.rmsync"
    cut.write_bytes(data[: len(data) // 2])
    before = sha256(project)
    result = run_cli("sync-import", project, cut)
    assert result.returncode != 0 and "truncated or damaged" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and sha256(project) == before


def test_tampered_package_is_refused_and_the_project_is_unchanged(package_and_project, tmp_path: Path) -> None:
    package, project = package_and_project
    with zipfile.ZipFile(package) as zf:
        manifest, changes = zf.read("manifest.json"), zf.read("changes.jsonl")
    bad = tmp_path / "bad.rmsync"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("manifest.json", manifest)
        zf.writestr("changes.jsonl", changes.replace(b'"value":', b'"value":9', 1) + b"\n")
    before = sha256(project)
    result = run_cli("sync-import", project, bad)
    assert result.returncode != 0 and "altered or damaged" in result.stderr
    assert sha256(project) == before


def test_report_cells_are_never_formulas(package_and_project, tmp_path: Path) -> None:
    package, project = package_and_project
    result = run_cli("sync-import", project, package, "--report", tmp_path / "r.csv")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    again = run_cli("sync-import", project, package)  # the same package twice: nothing more
    assert "0 changes applied" in again.stdout


def test_migration_from_schema_1_numbers_the_history(demo_project: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(demo_project)
    for table in ("sync_aliases", "sync_keys", "sync_conflicts", "sync_peers", "sync_hubs", "sync_refusals"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DROP INDEX idx_history_origin_seq")
    for column in ("origin", "seq", "hlc", "base", "payload"):
        conn.execute(f"ALTER TABLE change_history DROP COLUMN {column}")
    conn.execute("UPDATE rm_meta SET value = '1' WHERE key = 'schema_version'")
    conn.execute("DELETE FROM rm_meta WHERE key LIKE 'replica%'")
    conn.commit()
    conn.close()
    with ProjectStore.open(demo_project) as store:
        assert store.migration_backup is not None and store.info().schema_version == 2
        rows = store.connection.execute(
            "SELECT COUNT(seq), COUNT(DISTINCT seq), MIN(seq), MAX(seq), COUNT(DISTINCT origin) "
            "FROM change_history WHERE table_name != 'rm_meta'").fetchone()
        assert rows[0] == rows[1] == rows[3] and rows[2] == 1 and rows[4] == 1
        v = store.list(IndicatorValue)[0]
        store.update(dataclasses.replace(v, value=v.value), "x")
        store.update(dataclasses.replace(v, neighbourhood="Centre"), "x")
        newest = store.connection.execute("SELECT base FROM change_history ORDER BY fid DESC LIMIT 1").fetchone()[0]
        assert newest  # the new change replaces the insert numbered by the migration
