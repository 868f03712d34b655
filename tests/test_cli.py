"""The command line, run as a user runs it: a separate process, its output and exit status."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest
from tests_helpers import run_cli

from resilience_map.store import ProjectStore

run = run_cli


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("resilience-map: error:"), result.stderr
    for word in words:
        assert word in lines[0]


def test_help_lists_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("demo", "info", "import-boundaries"):
        assert command in result.stdout


def test_info_reports_counts_and_synthetic_flag(demo_project: Path) -> None:
    result = run("info", demo_project)
    assert result.returncode == 0, result.stderr
    assert "Synthetic data: yes" in result.stdout
    assert "Schema version: 2" in result.stdout
    municipalities = next(line for line in result.stdout.splitlines() if line.strip().startswith("municipalities"))
    assert int(municipalities.split()[1]) == 530


def test_demo_with_real_boundaries(tmp_path: Path, shared_boundaries: Path) -> None:
    out = tmp_path / "demo.gpkg"
    files = sorted(shared_boundaries.glob("*_adm2.geojson"))
    result = run("demo", "--out", out, "--boundaries", *files)
    assert result.returncode == 0, result.stderr
    assert "synthetic" in result.stdout
    with ProjectStore.open(out) as store:
        info = store.info()
        assert info.synthetic_data
        assert info.boundaries >= 400
        assert info.counts["hub_activities"] >= 10
        kumanovo = store.municipality_by_registry_id("mk-kumanovo")
        assert kumanovo.uuid in store.boundaries()


def test_demo_refuses_to_overwrite_without_force(demo_project: Path) -> None:
    before = demo_project.read_bytes()
    assert_one_line_error(run("demo", "--out", demo_project), "already exists")
    assert demo_project.read_bytes() == before


def test_import_boundaries_writes_report(demo_project: Path, shared_boundaries: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    result = run("import-boundaries", demo_project, shared_boundaries / "BA_adm2.geojson", "--report", report,
                 "--licence", "Public domain")
    assert result.returncode == 0, result.stderr
    assert "need review" in result.stdout
    rows = list(csv.DictReader(report.open(encoding="utf-8-sig")))
    assert len(rows) == 142
    rs = next(r for r in rows if r["label"] == "Republika Srpska")
    assert rs["status"] == "unmatched" and not rs["registry_id"]
    with ProjectStore.open(demo_project) as store:
        visegrad = store.municipality_by_registry_id("ba-visegrad")
        assert visegrad.uuid not in store.boundaries()  # never guessed


@pytest.mark.parametrize("content, words", [
    (b"this is a text file", ("not a GeoPackage",)),
    (b"", ("empty",)),
])
def test_bad_project_files_give_one_line(tmp_path: Path, content: bytes, words: tuple[str, ...]) -> None:
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(content)
    assert_one_line_error(run("info", bad), *words)
    assert bad.read_bytes() == content


def test_missing_file_gives_one_line(tmp_path: Path) -> None:
    assert_one_line_error(run("info", tmp_path / "nope.gpkg"), "does not exist")


def test_broken_boundary_file_changes_nothing(demo_project: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": ')
    before = demo_project.read_bytes()
    assert_one_line_error(run("import-boundaries", demo_project, broken))
    assert demo_project.read_bytes() == before


def test_wrong_country_file_matches_nothing(demo_project: Path, shared_boundaries: Path) -> None:
    before = demo_project.read_bytes()
    result = run("import-boundaries", demo_project, shared_boundaries / "RS_adm2.geojson", "--country", "ME")
    assert_one_line_error(result, "nothing was imported")
    assert "no feature matches a unit of me" in result.stdout.lower()
    assert demo_project.read_bytes() == before
