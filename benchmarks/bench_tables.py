"""Data in and out: study-table imports and exports, each beside a baseline measured in the same run.

1. Import of a 100,000-row long CSV (500 units × 20 indicators × 10 waves, the 10 waves
   created by the import) from file to committed: read, lay out, map, plan, apply through
   the session (one transaction with its history rows). Target ≤ 5 s.
   Baseline: pandas.read_csv of the same file (reading only: no matching, no validation,
   nothing written).
2. Import of a 10,000-row XLSX (500 units × 20 indicators, one wave). Target ≤ 3 s.
   Baseline: pandas.read_excel of the same file (calamine engine, and openpyxl).
3. Export of the whole 100,000-value project to XLSX (a sheet per record kind). Target ≤ 3 s.
   Baseline: pandas DataFrame.to_excel of the values table alone (xlsxwriter engine).
4. HTML export of the demo project with the real boundaries of all six countries. Target ≤ 2 s.
   Baseline: a folium map of the same (unsimplified) polygons, saved to HTML.
The first import also runs as the real command (``resilience-map import-table``, a new
process: Python start-up and imports included), for information.

Usage:  python benchmarks/bench_tables.py [--repeat 3] [--boundaries ../shared/data/boundaries]
Inputs are generated at run time in a temporary folder, removed afterwards.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

UNITS, INDICATORS, WAVES = 500, 20, 10


def timed(fn: Callable[[], object], repeat: int,
          before: Callable[[], object] = lambda: None) -> list[tuple[float, float]]:
    """(wall, CPU) seconds per run. CPU time counts this process and its children only, so
    on a shared, overloaded machine it shows the work itself, wall time what a user waits."""
    out = []
    for _ in range(repeat):
        before()
        start, cpu = time.perf_counter(), _cpu()
        fn()
        out.append((time.perf_counter() - start, _cpu() - cpu))
    return out


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def line(name: str, runs: list[tuple[float, float]], target: float | None = None) -> None:
    wall = [w for w, _c in runs]
    med, cpu = statistics.median(wall), statistics.median(c for _w, c in runs)
    goal = f"  target ≤ {target:g} s: {'met' if med <= target else 'NOT met'}" if target else ""
    print(f"  {name:<58} median {med:6.2f} s wall, {cpu:6.2f} s CPU "
          f"(wall min {min(wall):.2f}, max {max(wall):.2f}){goal}")


def build_project(folder: Path) -> tuple[Path, list]:
    """A registry project (530 units) with 20 indicator definitions; no waves, no values."""
    from resilience_map.domain.enums import UnitKind
    from resilience_map.domain.records import IndicatorDefinition
    from resilience_map.io.project_setup import create_registry_project

    path = folder / "project.gpkg"
    store = create_registry_project(path, title="Benchmark", author="bench")
    store.add_many([IndicatorDefinition(code=f"IND{i:02d}", name=f"Indicator {i:02d}", scale_min=0,
                                        scale_max=10) for i in range(INDICATORS)], "bench")
    units = [u for u in store.municipalities() if u.kind is not UnitKind.CITY_MUNICIPALITY][:UNITS]
    store.close()
    return path, units


def write_long_csv(path: Path, units: list, waves: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["municipality", "code", "indicator", "wave", "value"])
        for w in range(waves):
            for u in units:
                for i in range(INDICATORS):
                    writer.writerow([u.name_latin, u.registry_id, f"IND{i:02d}", f"Wave {2015 + w}",
                                     f"{(hash((u.registry_id, i, w)) % 1000) / 100:.2f}"])
    return path


def write_xlsx(path: Path, units: list) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("data")
    sheet.write_row(0, 0, ["municipality", "code", "indicator", "wave", "value"])
    row = 1
    for u in units:
        for i in range(INDICATORS):
            sheet.write_row(row, 0, [u.name_latin, u.registry_id, f"IND{i:02d}", "Wave 2030",
                                     (hash((u.registry_id, i)) % 1000) / 100])
            row += 1
    book.close()
    return path


def import_file(project: Path, table: Path) -> int:
    """What the command does, in process: read → layout → mapping → plan → apply."""
    from resilience_map.domain.records import IndicatorDefinition
    from resilience_map.io.tables import detect_layout, plan_import, read_table, suggest_mapping
    from resilience_map.session import ProjectSession

    with ProjectSession.opened(project, author="bench") as session:
        store = session.require_store()
        layout = detect_layout(read_table(table))
        mapping = suggest_mapping(layout.headers, store.list(IndicatorDefinition))
        plan = plan_import(layout, mapping, store)
        assert plan.is_clean, plan.refused()[:3]
        session.apply(plan.changes)
        return len(plan.changes)


def bench_imports(folder: Path, repeat: int) -> Path:
    import pandas as pd

    template, units = build_project(folder)
    long_csv = write_long_csv(folder / "long.csv", units, WAVES)
    xlsx = write_xlsx(folder / "wide.xlsx", units)
    work = folder / "work.gpkg"
    fresh = lambda: shutil.copy(template, work)  # noqa: E731
    print(f"1. Import {long_csv.stat().st_size / 1e6:.1f} MB long CSV, {UNITS * INDICATORS * WAVES:,} rows "
          f"({UNITS} units × {INDICATORS} indicators × {WAVES} waves), file to committed")
    line("resilience-map import (read, match, validate, plan, commit)",
         timed(lambda: import_file(work, long_csv), repeat, fresh), 5)
    line("baseline: pandas.read_csv alone", timed(lambda: pd.read_csv(long_csv), repeat))
    fresh()
    cli = timed(lambda: subprocess.run([sys.executable, "-m", "resilience_map", "import-table", str(work),
                                        str(long_csv)], check=True, capture_output=True, cwd=ROOT), 1)
    line("for information: the command, in a new process (one run)", cli)
    print(f"2. Import a {UNITS * INDICATORS:,}-row XLSX")
    line("resilience-map import", timed(lambda: import_file(work, xlsx), repeat, fresh), 3)
    line("baseline: pandas.read_excel (calamine engine)",
         timed(lambda: pd.read_excel(xlsx, engine="calamine"), repeat))
    line("baseline: pandas.read_excel (openpyxl engine)",
         timed(lambda: pd.read_excel(xlsx, engine="openpyxl"), repeat))
    fresh()
    import_file(work, long_csv)
    return work


def bench_xlsx_export(project: Path, folder: Path, repeat: int) -> None:
    import pandas as pd

    from resilience_map.domain.records import IndicatorValue
    from resilience_map.exporting import ExportOptions, export_project
    from resilience_map.store import ProjectStore

    out = folder / "export.xlsx"
    print("3. Export the whole project (530 units, 100,000 values) to XLSX")
    line("resilience-map export --format xlsx",
         timed(lambda: export_project(project, out, ExportOptions("xlsx")), repeat), 3)
    print(f"  {'file size':<58} {out.stat().st_size / 1e6:.2f} MB")

    def naive() -> None:
        with ProjectStore.open(project, read_only=True) as store:
            frame = pd.DataFrame([vars(v) for v in store.list(IndicatorValue)])
        frame.to_excel(folder / "naive.xlsx", engine="xlsxwriter", index=False)

    line("baseline: pandas to_excel of the values table alone", timed(naive, repeat))
    print(f"  {'baseline file size':<58} {(folder / 'naive.xlsx').stat().st_size / 1e6:.2f} MB")


def bench_html(folder: Path, boundaries: Path, repeat: int) -> None:
    from resilience_map.demo import build_demo
    from resilience_map.exporting import ExportOptions, export_project
    from resilience_map.store import ProjectStore

    files = sorted(boundaries.glob("*_adm2.geojson"))
    if not files:
        print(f"4. HTML export skipped: no boundary files in {boundaries}")
        return
    demo = build_demo(folder / "demo.gpkg", files).path
    out = folder / "map.html"
    print("4. HTML export of the demo project with the real boundaries of the six countries")
    export_project(demo, out, ExportOptions("html"))  # first run imports mapclassify (about 1 s)
    line("resilience-map export --format html (after the first run)",
         timed(lambda: export_project(demo, out, ExportOptions("html")), repeat), 2)
    print(f"  {'file size':<58} {out.stat().st_size / 1e6:.2f} MB (target ≤ 3 MB)")

    def folium_naive() -> None:
        import folium
        import geopandas as gpd

        with ProjectStore.open(demo, read_only=True) as store:
            geoms = store.boundaries()
        frame = gpd.GeoDataFrame({"id": list(geoms)}, geometry=list(geoms.values()), crs="EPSG:4326")
        fmap = folium.Map(location=(42.6, 20.4), zoom_start=7, tiles=None)
        folium.GeoJson(frame).add_to(fmap)
        fmap.save(folder / "folium.html")

    line("baseline: folium map of the same polygons (CDN links, no legend)", timed(folium_naive, repeat))
    print(f"  {'baseline file size':<58} {(folder / 'folium.html').stat().st_size / 1e6:.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--boundaries", type=Path, default=ROOT.parent / "shared" / "data" / "boundaries")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-tables-"))
    try:
        project = bench_imports(folder, args.repeat)
        bench_xlsx_export(project, folder, args.repeat)
        bench_html(folder, args.boundaries, args.repeat)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    load = os.getloadavg()[0]
    print(f"({date.today().isoformat()}; load average {load:.1f} on {os.cpu_count()} cores at the end; "
          "wall times grow with the machine's load, CPU times much less)")


if __name__ == "__main__":
    main()
