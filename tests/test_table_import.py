"""Importing study tables into a project: matching, validation, plans, applying, re-importing."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests_helpers import run_cli

from resilience_map.domain.records import (
    IndicatorDefinition,
    IndicatorValue,
    MunicipalityNote,
    PreventionStructure,
    StudyWave,
)
from resilience_map.io.tables import (
    ColumnMapping,
    TableError,
    detect_layout,
    plan_import,
    read_table,
    suggest_mapping,
)
from resilience_map.session import ProjectSession
from resilience_map.store import ProjectStore


def write_csv(path: Path, rows: list[list[object]], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plan_file(project: Path, path: Path, mapping: ColumnMapping | None = None, **read):
    with ProjectStore.open(project, read_only=True) as store:
        layout = detect_layout(read_table(path, **read))
        mapping = mapping or suggest_mapping(layout.headers, store.list(IndicatorDefinition))
        return plan_import(layout, mapping, store)


def apply(project: Path, plan) -> None:
    with ProjectSession.opened(project, author="test") as session:
        session.apply(plan.changes)


LONG = [["municipality", "indicator", "wave", "value"],
        ["Општина Куманово", "BRAVE14", "Endline 2024", "51"],
        ["Prishtina", "SCORE_TRUST", "Endline 2024", "6,5"],  # Albanian indefinite form, decimal comma
        ["Bashkia Tiranë", "SCORE_TRUST", "Endline 2024", "7"],
        ["Čair", "Trust in institutions", "Endline 2024", "5.5"],  # indicator by name
        ["Komuna e Gjakovës", "SCORE_TRUST", "Endline 2024", ""]]  # no value: skipped


def test_plain_long_csv_imports_without_questions_and_reimport_changes_nothing(demo_project: Path,
                                                                               tmp_path: Path) -> None:
    rows = [r[:] for r in LONG]
    rows[2][3] = "6.5"  # one decimal style per column
    path = write_csv(tmp_path / "study.csv", rows)
    plan = plan_file(demo_project, path)
    assert plan.is_clean, plan.refused()
    assert plan.counts() == {"new": 4, "changed": 0, "unchanged": 0, "refused": 0, "skipped": 1}
    waves = [r for r in plan.changes.added if isinstance(r, StudyWave)]
    assert [w.name for w in waves] == ["Endline 2024"] and waves[0].start_date.year == 2024
    apply(demo_project, plan)
    with ProjectStore.open(demo_project, read_only=True) as store:
        wave = next(w for w in store.list(StudyWave) if w.name == "Endline 2024")
        ids = {u.uuid: u.registry_id for u in store.municipalities()}
        values = {(store.get(IndicatorDefinition, v.indicator_uuid).code, ids[v.municipality_uuid]): v.value
                  for v in store.list(IndicatorValue, wave_uuid=wave.uuid)}
        history = store.history(limit=5)  # the wave and the four values
    assert values == {("BRAVE14", "mk-kumanovo"): 51, ("SCORE_TRUST", "xk-prishtine"): 6.5,
                      ("SCORE_TRUST", "al-tirane"): 7, ("SCORE_TRUST", "mk-cair"): 5.5}
    assert {h.author for h in history} == {"test"} and len({h.change_set for h in history}) == 1
    again = plan_file(demo_project, path)
    assert not again.changes and again.counts()["unchanged"] == 4


def test_an_import_is_one_undoable_step(demo_project: Path, tmp_path: Path) -> None:
    rows = [r[:] for r in LONG]
    rows[2][3] = "6.5"
    plan = plan_file(demo_project, write_csv(tmp_path / "study.csv", rows))
    with ProjectSession.opened(demo_project, author="test") as session:
        store = session.require_store()
        count = store.count(IndicatorValue)
        events = session.apply(plan.changes)
        assert store.count(IndicatorValue) == count + 4
        assert session.stack.undo_text.endswith("Import indicator values from study.csv")
        assert any(getattr(e, "added", None) for e in events)
        session.undo()
        assert store.count(IndicatorValue) == count
        assert not [w for w in store.list(StudyWave) if w.name == "Endline 2024"]
        session.redo()
        assert store.count(IndicatorValue) == count + 4


def test_values_are_validated_row_by_row(demo_project: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [
        ["code", "country", "indicator", "wave", "value"],
        ["mk-kumanovo", "MK", "BRAVE14", "Demo wave 2023 (synthetic)", "99"],  # out of scale
        ["MK-815", "North Macedonia", "BRAVE14", "Demo wave 2023 (synthetic)", "high"],  # text
        ["mk-kumanovo", "MK", "SCORE_TRUST", "Demo wave 2023 (synthetic)", "NaN"],
        ["mk-kumanovo", "MK", "SCORE_CIVIC", "Demo wave 2023 (synthetic)", "4"],
        ["mk-kumanovo", "MK", "SCORE_CIVIC", "Demo wave 2023 (synthetic)", "5"],  # duplicate, other value
        ["mk-kumanovo", "MK", "NOPE", "Demo wave 2023 (synthetic)", "5"],
        ["mk-kumanovo", "Atlantis", "BRAVE14", "Demo wave 2023 (synthetic)", "40"],
    ])
    plan = plan_file(demo_project, path)
    refused = {o.row: o for o in plan.refused()}
    assert set(refused) == {2, 3, 4, 5, 6, 7, 8}
    assert "outside the scale" in refused[2].reason and refused[2].column == "value (column E)"
    assert "'high' is not a number" in refused[3].reason
    assert "finite" in refused[4].reason
    assert "rows 5, 6" in refused[5].reason and "rows 5, 6" in refused[6].reason
    assert "'NOPE' is not in the project" in refused[7].reason
    assert "Atlantis" in refused[8].reason and refused[8].column == "country (column B)"
    assert refused[2].message("bad.csv").startswith("bad.csv, row 2, column value (column E):")


def test_mixed_decimal_separators_refuse_the_file(demo_project: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "mixed.csv", [["municipality", "indicator", "wave", "value"],
                                              ["Kumanovo", "SCORE_TRUST", "W", "6,5"],
                                              ["Čair", "SCORE_TRUST", "W", "5.5"]], delimiter=";")
    with pytest.raises(TableError) as error:
        plan_file(demo_project, path)
    assert "column value (column D) mixes decimal comma (row 2" in str(error.value)
    assert "decimal point (row 3" in str(error.value)


def test_unrecognised_names_are_listed_never_guessed(demo_project: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "names.csv", [["municipality", "indicator", "wave", "value"],
                                              ["Novi Grad", "BRAVE14", "W 2024", "40"],
                                              ["Springfield", "BRAVE14", "W 2024", "41"],
                                              ["Novi Grad (RS)", "BRAVE14", "W 2024", "42"]])
    plan = plan_file(demo_project, path)
    pending = {u.name: u for u in plan.unresolved}
    assert set(pending) == {"Novi Grad", "Springfield"}
    assert pending["Novi Grad"].status == "ambiguous"
    assert set(pending["Novi Grad"].candidates) == {"ba-novi-grad", "ba-novi-grad-sarajevo"}
    assert pending["Springfield"].status == "unknown"
    assert plan.counts()["new"] == 1  # "(RS)" names the entity: Novi Grad in Republika Srpska
    with ProjectStore.open(demo_project, read_only=True) as store:
        layout = detect_layout(read_table(path))
        mapping = suggest_mapping(layout.headers, store.list(IndicatorDefinition))
        mapping = mapping.with_unit("Novi Grad", "ba-novi-grad-sarajevo").with_unit("Springfield", None)
        decided = plan_import(layout, mapping, store)
    assert decided.is_clean
    assert decided.counts()["new"] == 2 and decided.counts()["skipped"] == 1


def test_wide_kobo_export_with_profile_and_new_indicator(demo_project: Path, tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "kobo.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("data")
    sheet.write_row(0, 0, ["grp_place/opstina", "grp_scores/brave14", "grp_scores/score_trust",
                           "grp_scores/youth_hope", "_submission_time"])
    sheet.write_row(1, 0, ["Kumanovo", 50, 6.1, 3.5, "2024-05-01"])
    sheet.write_row(2, 0, ["Ćuprija", 44, 5.2, 2.5, "2024-05-02"])
    book.close()
    with ProjectStore.open(demo_project, read_only=True) as store:
        layout = detect_layout(read_table(path))
        mapping = suggest_mapping(layout.headers, store.list(IndicatorDefinition))
    assert mapping.shape == "wide" and mapping.target == "indicator_values"
    assert mapping.columns == {"grp_place/opstina": "municipality", "grp_scores/brave14": "indicator:BRAVE14",
                               "grp_scores/score_trust": "indicator:SCORE_TRUST"}
    mapping = ColumnMapping.from_json({
        **mapping.with_column("grp_scores/youth_hope", "indicator:YOUTH_HOPE").to_json(),
        "name": "Kobo youth survey", "wave": "Youth survey 2024", "wave_start": "2024-04-15",
        "new_indicators": {"YOUTH_HOPE": {"name": "Hope for the future", "scale_min": 1, "scale_max": 5,
                                          "polarity": "higher is better", "unit": "mean of items"}}})
    profile = tmp_path / "kobo-profile.json"
    mapping.save(profile)
    assert json.loads(profile.read_text(encoding="utf-8"))["name"] == "Kobo youth survey"
    loaded = ColumnMapping.load(profile)
    with ProjectStore.open(demo_project, read_only=True) as store:
        plan = plan_import(layout, loaded, store)
    assert plan.is_clean and plan.counts()["new"] == 6
    created = {type(r).__name__: r for r in plan.changes.added[:2]}
    assert created["IndicatorDefinition"].scale_max == 5 and created["StudyWave"].start_date.day == 15
    apply(demo_project, plan)
    assert not plan_file(demo_project, path, loaded).changes


def test_structures_and_notes_import_and_reimport(demo_project: Path, tmp_path: Path) -> None:
    structures = write_csv(tmp_path / "structures.csv", [
        ["Opština", "Vrsta", "Naziv", "Status", "Osnovan", "Sektori", "Broj članova", "Budžet"],
        ["Kumanovo", "CAT", "CAT Kumanovo", "aktivan", "01.09.2019", "police; education", "12", "ne"],
        ["Struga", "community_action_team", "", "planiran", "", "", "", ""],
        ["Gostivar", "council of elders", "", "", "", "", "", ""],
    ])
    plan = plan_file(demo_project, structures)
    assert plan.target == "prevention_structures"
    # (if the demo already records Struga's CAT, its row changes it instead of adding one)
    assert plan.counts()["new"] + plan.counts()["changed"] == 2
    assert [o.row for o in plan.refused()] == [4] and plan.refused()[0].municipality == "Gostivar"
    assert "council of elders" in plan.refused()[0].reason
    new = next(r for r in plan.changes.added if r.name == "CAT Kumanovo")
    assert new.established.isoformat() == "2019-09-01" and new.member_count == 12
    assert new.dedicated_budget is False and len(new.member_sectors) == 2
    fixed = write_csv(tmp_path / "structures2.csv", [r for i, r in enumerate(
        csv.reader(structures.open(encoding="utf-8"))) if i != 3])
    apply(demo_project, plan_file(demo_project, fixed))
    assert not plan_file(demo_project, fixed).changes
    notes = write_csv(tmp_path / "notes.csv", [
        ["municipality", "category", "text", "date"],
        ["Kumanovo", "potreba", "Training for school staff", "2024-03-01"],
        ["Čair", "priority", "=HYPERLINK(\"x\")", ""]])
    plan = plan_file(demo_project, notes)
    assert plan.target == "municipality_notes" and plan.counts()["new"] == 2
    apply(demo_project, plan)
    with ProjectStore.open(demo_project, read_only=True) as store:
        texts = {n.text for n in store.list(MunicipalityNote)}
        assert {"Training for school staff", '=HYPERLINK("x")'} <= texts
        assert any(s.name == "CAT Kumanovo" for s in store.list(PreventionStructure))
    assert not plan_file(demo_project, notes).changes


# -- the command line ----------------------------------------------------------------------
def test_cli_refuses_bad_rows_and_writes_nothing(demo_project: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [["municipality", "indicator", "wave", "value"],
                                            ["Kumanovo", "BRAVE14", "Demo wave 2023 (synthetic)", "71"],
                                            ["Čair", "BRAVE14", "Demo wave 2023 (synthetic)", "40"]])
    before = sha256(demo_project)
    report = tmp_path / "report.csv"
    result = run_cli("import-table", demo_project, path, "--report", report)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "row 2, column value (column D)" in result.stderr
    assert "nothing was written" in result.stderr
    assert sha256(demo_project) == before
    rows = list(csv.DictReader(report.open(encoding="utf-8-sig")))
    assert [(r["row"], r["result"]) for r in rows] == [("2", "refused"), ("3", "changed")]
    applied = run_cli("import-table", demo_project, path, "--skip-invalid")
    assert applied.returncode == 0, applied.stderr
    assert "1 changed" in applied.stdout and sha256(demo_project) != before


def test_cli_dry_run_mapping_and_bad_input_messages(demo_project: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plain.csv", [["municipality", "indicator", "value"],
                                              ["Kumanovo", "BRAVE14", "45"]])
    before = sha256(demo_project)
    no_wave = run_cli("import-table", demo_project, path)
    assert no_wave.returncode != 0 and "--wave NAME" in no_wave.stderr
    profile = tmp_path / "profile.json"
    dry = run_cli("import-table", demo_project, path, "--wave", "Spring 2025", "--dry-run",
                  "--save-mapping", profile)
    assert dry.returncode == 0, dry.stderr
    assert "1 new" in dry.stdout and "creates study wave 'Spring 2025'" in dry.stdout
    assert "Dry run: nothing was written." in dry.stdout and sha256(demo_project) == before
    applied = run_cli("import-table", demo_project, path, "--mapping", profile)
    assert applied.returncode == 0, applied.stderr
    assert "Applied as one step" in applied.stdout
    again = run_cli("import-table", demo_project, path, "--mapping", profile)
    assert "Nothing to change" in again.stdout
    after = sha256(demo_project)
    dates = write_csv(tmp_path / "dates.csv", [
        ["municipality", "type", "established"], ["Kumanovo", "CAT", "2019-09-01"],
        ["Čair", "CAT", "01.09.2019"], ["Struga", "CAT", "9/1/2019"]])
    for bad, words in ((dates, "3 formats"), (tmp_path / "none.csv", "does not exist")):
        result = run_cli("import-table", demo_project, bad)
        assert result.returncode != 0 and words in result.stderr and "Traceback" not in result.stderr
    assert sha256(demo_project) == after


def test_killed_import_leaves_the_project_as_it_was(demo_project: Path, tmp_path: Path) -> None:
    """SIGKILL while the import transaction is being written: the project opens unchanged."""
    with ProjectStore.open(demo_project, read_only=True) as store:
        units = [u.name_latin for u in store.municipalities()][:400]
        count = store.count(IndicatorValue)
    rows = [["municipality", "indicator", "wave", "value"]]
    rows += [[u, code, f"Wave {w}", 5] for u in units for code in ("SCORE_TRUST", "SCORE_CIVIC")
             for w in range(40)]
    path = write_csv(tmp_path / "big.csv", rows)
    before = sha256(demo_project)
    journal = demo_project.with_name(demo_project.name + "-journal")
    proc = subprocess.Popen([sys.executable, "-m", "resilience_map", "import-table", str(demo_project),
                             str(path), "--skip-unresolved"], cwd=Path(__file__).parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not journal.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)  # polling for the condition, not waiting a fixed time
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with ProjectStore.open(demo_project) as store:  # rolls the half-written transaction back
        assert store.count(IndicatorValue) == count
        assert not [w for w in store.list(StudyWave) if w.name.startswith("Wave ")]
    assert sha256(demo_project) == before
