"""Exports: spreadsheets that never run formulas, GIS layers QGIS opens, an offline HTML map."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from tests_helpers import run_cli

from resilience_map.domain.records import HubActivity, IndicatorDefinition, MunicipalityNote, StudyWave
from resilience_map.exporting import ExportOptions, export_project
from resilience_map.io.exports import ExportError
from resilience_map.session import ProjectSession
from resilience_map.store import ProjectStore

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)",
           '<img src=x onerror="window.pwned=1">', "</script><script>window.pwned=2</script>"]


def add_hostile_text(project: Path) -> Path:
    """Hostile text in notes, an activity title and an indicator name (as a user could type)."""
    with ProjectSession.opened(project, author="test") as session:
        store = session.require_store()
        kumanovo = store.municipality_by_registry_id("mk-kumanovo")
        activity = store.list(HubActivity)[0]
        indicator = next(i for i in store.list(IndicatorDefinition) if i.code == "BRAVE14")
        from dataclasses import replace

        from resilience_map.domain.changes import ChangePlan
        from resilience_map.domain.enums import NoteCategory

        notes = tuple(MunicipalityNote(municipality_uuid=kumanovo.uuid, category=NoteCategory.NEED, text=t)
                      for t in HOSTILE)
        session.apply(ChangePlan(added=notes, updated=(
            (activity, replace(activity, title=HOSTILE[5])),
            (indicator, replace(indicator, name=HOSTILE[4])))))
    return project


@pytest.fixture
def hostile_project(demo_project: Path) -> Path:
    return add_hostile_text(demo_project)


def test_xlsx_sheets_names_and_inert_formulas(hostile_project: Path, tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "project.xlsx"
    export_project(hostile_project, out, ExportOptions("xlsx", names="local"))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["About", "Municipalities", "Study waves", "Indicators", "Indicator values",
                               "Prevention structures", "Hub activities", "Notes"]
    about = {r[0].value: r[1].value for r in book["About"].iter_rows(min_row=3) if r[0].value}
    assert about["Data status"] == "Demo data – not study results"
    assert about["Project"] == "Resilience Map demo" and about["Exported"]
    assert about["Municipality names"] == "official local form" and "Source" in about
    values = book["Indicator values"]
    headers = [c.value for c in values[1]]
    assert headers[:6] == ["Municipality", "Code", "Country", "Indicator", "Indicator name", "Wave"]
    names = {r[0].value for r in values.iter_rows(min_row=2)}
    assert "Куманово" in names and "Чаир" in names  # local form, Cyrillic intact
    every = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert not [v for v in every if isinstance(v, str) and len(v) == 36 and v.count("-") == 4]  # no uuids
    cells = {c.value: c for row in book["Notes"].iter_rows(min_row=2) for c in row}
    for text in HOSTILE[:4]:
        cell = cells[text]
        assert cell.data_type == "s" and cell.quotePrefix, text  # a string, never a formula


def test_csv_has_bom_and_defused_text(hostile_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "notes.csv"
    result = run_cli("export", hostile_project, "--format", "csv", "--records", "municipality_notes",
                     "--names", "local", "--out", out)
    assert result.returncode == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    texts = {r["Text"] for r in rows}
    assert {"'" + t for t in HOSTILE[:4]} <= texts and HOSTILE[4] in texts
    assert all(r["Data status"] == "Demo data – not study results" for r in rows)
    assert {r["Municipality"] for r in rows if r["Text"].lstrip("'") in HOSTILE} == {"Куманово"}


def test_exported_values_import_back_unchanged(demo_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "values.xlsx"
    export_project(demo_project, out, ExportOptions("xlsx", wave="Demo wave 2023 (synthetic)"))
    before = demo_project.read_bytes()
    result = run_cli("import-table", demo_project, out, "--sheet", "Indicator values", "--dry-run")
    assert result.returncode == 0, result.stderr
    # The demo's values are flagged synthetic; imported ones are study data, so every row "changes".
    assert "0 new" in result.stdout and "0 refused" in result.stdout and "0 unchanged" in result.stdout
    assert demo_project.read_bytes() == before


def test_export_errors_are_one_line(demo_project: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no study wave 'Wave 9'.*Demo wave"):
        export_project(demo_project, tmp_path / "x.xlsx", ExportOptions("xlsx", wave="Wave 9"))
    result = run_cli("export", demo_project, "--format", "gpkg", "--indicator", "NOPE",
                     "--out", tmp_path / "x.gpkg")
    assert result.returncode != 0 and "no indicator 'NOPE'" in result.stderr
    assert not list(tmp_path.glob("*x*"))  # nothing half-written left behind


QGIS_CHECK = """
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False); app.initQgis()
layer = QgsVectorLayer(sys.argv[1] + "|layername=municipalities", "m", "ogr")
feats = list(layer.getFeatures()) if layer.isValid() else []
print(json.dumps({"valid": layer.isValid(), "fields": [f.name() for f in layer.fields()],
                  "count": layer.featureCount(), "crs": layer.crs().authid(),
                  "with_geometry": sum(1 for f in feats if f.hasGeometry()),
                  "kumanovo": [f["BRAVE14"] for f in feats if f["code"] == "mk-kumanovo"]}), flush=True)
os._exit(0)  # QGIS 3.22's exitQgis() can crash at interpreter exit; the answer is out already
"""


def test_geopackage_opens_in_qgis(demo_bounded: Path, tmp_path: Path) -> None:
    python = shutil.which("python3", path="/usr/bin")
    if not python or subprocess.run([python, "-c", "import qgis.core"], capture_output=True).returncode:
        pytest.skip("QGIS's Python (Debian python3-qgis) is not installed")
    out = tmp_path / "municipalities.gpkg"
    result = run_cli("export", demo_bounded, "--format", "gpkg", "--wave", "Demo wave 2023 (synthetic)",
                     "--out", out)
    assert result.returncode == 0, result.stderr
    check = subprocess.run([python, "-c", QGIS_CHECK, str(out)], capture_output=True, text=True, timeout=120,
                           env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert check.returncode == 0 and check.stdout.strip(), check.stderr
    found = json.loads(check.stdout.strip().splitlines()[-1])
    assert found["valid"] and found["count"] == 530 and found["crs"] == "EPSG:4326"
    assert {"code", "name", "BRAVE14", "SCORE_TRUST", "wave", "data_status"} <= set(found["fields"])
    assert found["with_geometry"] >= 450
    with ProjectStore.open(demo_bounded, read_only=True) as store:
        from resilience_map.domain.records import IndicatorValue

        kumanovo = store.municipality_by_registry_id("mk-kumanovo")
        brave = next(i for i in store.list(IndicatorDefinition) if i.code == "BRAVE14")
        wave = next(w for w in store.list(StudyWave) if w.name == "Demo wave 2023 (synthetic)")
        expected = store.list(IndicatorValue, municipality_uuid=kumanovo.uuid, indicator_uuid=brave.uuid,
                              wave_uuid=wave.uuid)[0].value
    assert found["kumanovo"] == [expected]


def test_geojson_has_indicator_columns(demo_project: Path, tmp_path: Path) -> None:
    import pyogrio

    out = tmp_path / "m.geojson"
    export_project(demo_project, out, ExportOptions("geojson", indicator="SCORE_TRUST", names="en"))
    frame = pyogrio.read_dataframe(out)
    assert "SCORE_TRUST" in frame.columns and "BRAVE14" not in frame.columns
    assert frame["SCORE_TRUST"].notna().sum() > 400
    assert set(frame["data_status"]) == {"Demo data – not study results"}
