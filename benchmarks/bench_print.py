"""Print benchmarks, side by side in one run (issue 12).

1. A4 @ 300 dpi map, whole region (every municipality with a polygon, graduated colours):
   our native renderer (scene + PNG / PDF) vs QGIS rendering the same polygons with a
   graduated renderer (benchmarks/qgis_reference.py under /usr/bin/python3; skipped with
   the reason when QGIS is missing: apt-get install python3-qgis); the window's File →
   Export map… as it runs (a worker process); and the previous design's web-view
   screenshot (Chromium) at the same size, run in an older checkout (``--baseline``).
2. Briefings: one municipality (Čair), and North Macedonia's 81 units.

Usage:  python benchmarks/bench_print.py [--project demo.gpkg] [--repeat 5] [--baseline CHECKOUT]
        (CHECKOUT: ``mkdir B && git archive 4cd6aeb | tar -x -C B``, the merge that still had it)
Without --project it builds a demo with ../shared/data/boundaries/*.geojson in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared" / "data" / "boundaries"
QGIS_PYTHON = "/usr/bin/python3"


def ensure_project(path: Path | None, folder: Path) -> Path:
    if path:
        return path
    from resilience_map.demo import build_demo

    files = sorted(SHARED.glob("*_adm2.geojson"))
    if not files:
        sys.exit(f"no boundary files in {SHARED}; pass --project")
    out = folder / "bench-demo.gpkg"
    build_demo(out, files)
    return out


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def bench_ours(data, folder: Path, repeat: int) -> dict:
    from resilience_map.maps.scene import SceneStyle, build_scene, settings_for
    from resilience_map.render.export import export_map
    from resilience_map.render.print_layout import PrintSpec

    settings = settings_for(data)

    def sheet(suffix: str):
        return lambda: export_map(
            build_scene(data, SceneStyle(settings)), folder / f"ours{suffix}", PrintSpec(dpi=300)
        )

    first_png = timed(sheet(".png"), 1)  # fonts registered, country outlines cached
    return {
        "first_png": first_png,
        "png": timed(sheet(".png"), repeat),
        "pdf": timed(sheet(".pdf"), repeat),
        "svg": timed(sheet(".svg"), max(1, repeat // 2)),
    }


def bench_qgis(data, folder: Path, repeat: int) -> dict:
    """Write the same polygons with the indicator's values, then let QGIS draw them."""
    if not Path(QGIS_PYTHON).exists():
        return {"skip": f"{QGIS_PYTHON} not found"}
    import geopandas as gpd

    from resilience_map.maps.choropleth import values_for

    indicator, wave = data.indicator(None), data.wave(None)
    values = values_for(data.value_index, indicator.uuid, wave.uuid)
    uuids = list(data.boundaries)
    layer = folder / "qgis-layer.geojson"
    gpd.GeoDataFrame(
        {"uuid": uuids, "value": [values.get(u) for u in uuids]},
        geometry=[data.boundaries[u] for u in uuids],
        crs=4326,
    ).to_file(layer, driver="GeoJSON")
    started = time.perf_counter()
    proc = subprocess.run(
        [
            QGIS_PYTHON,
            str(Path(__file__).with_name("qgis_reference.py")),
            str(layer),
            str(folder),
            "--repeat",
            str(repeat),
        ],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    wall = time.perf_counter() - started
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("{")), None)
    if line is None:
        return {"skip": f"QGIS script failed: {proc.stderr.strip().splitlines()[-1:]}"}
    result = json.loads(line)
    result["process_wall_s"] = wall
    return result


#: The previous design's File → Export map image…, run inside a checkout that still has it
#: (``ui/map/export.py``: a hidden QWebEngineView of the sheet's pixel size, grabbed).
WEBVIEW_SCRIPT = """
import sys, time
from pathlib import Path
from resilience_map.ui.app import create_application
app = create_application()
from resilience_map.maps.map_data import MapGeometry
from resilience_map.maps.project_data import ProjectData
from resilience_map.maps.scene import settings_for
from resilience_map.ui.map.content import MapContent
from resilience_map.ui.map.export import export_map_image
data = ProjectData.open(Path(sys.argv[1]))
content = MapContent(data.title, data.units, MapGeometry(data.boundaries), data.indicators,
                     data.waves_in_order, data.value_index, data.structures, data.activities,
                     data.synthetic_label)
t = time.perf_counter()
export_map_image(content, settings_for(data), Path(sys.argv[2]), scale=2, size=(1240, 1754))
print(time.perf_counter() - t)
"""


def bench_webview(project: Path, folder: Path, baseline: Path | None) -> float | str:
    """The old path, A4 at 300 dpi as 2 × 1240 × 1754 px, timed inside the ``baseline`` checkout
    (e.g. ``git archive 4cd6aeb | tar -x -C BASELINE``); this checkout no longer has it."""
    if baseline is None:
        return "skipped (pass --baseline CHECKOUT: a checkout with ui/map/export.py)"
    proc = subprocess.run([sys.executable, "-c", WEBVIEW_SCRIPT, str(project), str(folder / "webview.png")],
                          capture_output=True, text=True, cwd=folder,
                          env=dict(os.environ, PYTHONPATH=str(baseline)))
    if proc.returncode:
        return f"failed ({proc.stderr.strip().splitlines()[-1:]})"
    return float(proc.stdout.strip().splitlines()[-1])


def bench_window_export(project: Path, folder: Path, repeat: int) -> list[float]:
    """File → Export map… as the window runs it: the whole worker process (start-up, reading
    the project, drawing, writing), A4 portrait at 300 dpi, PNG."""
    request = {"kind": "map", "project": str(project), "settings": None, "paper": "A4", "landscape": False,
               "dpi": 300, "layers": ["municipalities", "borders", "labels"], "name_form": "latin",
               "country": None, "out": str(folder / "window.png")}
    from resilience_map.maps.project_data import ProjectData
    from resilience_map.maps.scene import settings_for

    settings = settings_for(ProjectData.open(project))
    request["settings"] = {"indicator_uuid": settings.indicator_uuid, "wave_uuid": settings.wave_uuid,
                           "scheme": str(settings.scheme), "k": settings.k, "palette": settings.palette}
    command = [sys.executable, "-m", "resilience_map.cli.job", json.dumps(request)]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return timed(lambda: subprocess.run(command, check=True, capture_output=True, env=env), repeat)


def bench_briefings(data, folder: Path) -> dict:
    from resilience_map.render.briefing_pdf import write_country_briefing, write_municipality_briefing

    write_municipality_briefing(data, "Kumanovo", folder / "warm.pdf")  # fonts and outlines cached
    one = timed(lambda: write_municipality_briefing(data, "Čair", folder / "cair.pdf"), 3)
    country = timed(lambda: write_country_briefing(data, "MK", folder / "mk.pdf"), 1)
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "resilience_map",
            "briefing",
            str(data_path),
            "--municipality",
            "Čair",
            "--out",
            str(folder / "cli.pdf"),
        ],
        capture_output=True,
        text=True,
        cwd=folder,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    )
    cli = time.perf_counter() - started
    if proc.returncode:
        raise RuntimeError(proc.stderr)
    return {
        "municipality": one,
        "country": country,
        "cli_municipality": cli,
        "country_pages": _pages(folder / "mk.pdf"),
        "country_mb": (folder / "mk.pdf").stat().st_size / 2**20,
    }


def _pages(path: Path) -> int:
    import pypdf

    return len(pypdf.PdfReader(path).pages)


def median(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.0f} ms (min {min(values) * 1000:.0f}, n={len(values)})"


data_path: Path


def main() -> None:
    global data_path
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", type=Path,
                        help="a checkout with the old web-view export (ui/map/export.py), e.g. "
                             "git archive 4cd6aeb | tar -x -C BASELINE")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-print-"))
    data_path = ensure_project(args.project, folder)
    from resilience_map.maps.project_data import ProjectData
    from resilience_map.ui.app import create_application

    app = create_application()  # noqa: F841  (QApplication: the web view needs widgets)
    data = ProjectData.open(data_path)
    ours = bench_ours(data, folder, args.repeat)
    qgis = bench_qgis(data, folder, args.repeat)
    webview = bench_webview(data_path, folder, args.baseline)
    window = bench_window_export(data_path, folder, max(3, args.repeat))
    briefs = bench_briefings(data, folder)
    print(f"machine: {os.cpu_count()} cores; {len(data.boundaries)} polygons; outputs in {folder}")
    print("A4 portrait @ 300 dpi, whole region, graduated colours (2480 × 3508 px)")
    print(
        f"  ours, scene + PNG (title, legend, labels, borders): {median(ours['png'])}"
        f"  first {ours['first_png'][0] * 1000:.0f} ms"
    )
    print(f"  ours, scene + PDF (vector):                         {median(ours['pdf'])}")
    print(f"  ours, scene + SVG (vector):                         {median(ours['svg'])}")
    if "skip" in qgis:
        print(f"  QGIS: skipped — {qgis['skip']}")
    else:
        print(f"  QGIS render + save PNG (graduated, no labels):      {median(qgis['png_s'])}")
        print(f"  QGIS layout → PDF (map item only):                 {median(qgis['pdf_s'])}")
        print(
            f"  QGIS start-up {qgis['init_s'] * 1000:.0f} ms, layer load {qgis['load_s'] * 1000:.0f} ms, "
            f"whole process {qgis['process_wall_s']:.2f} s"
        )
    print(f"  File → Export map… in the window (worker process, start to file): {median(window)}")
    shot = webview if isinstance(webview, str) else f"{webview * 1000:7.0f} ms"
    print(f"  previous design: web-view screenshot (Chromium, --baseline's ui/map/export.py): {shot}")
    print("Briefings")
    print(f"  one municipality (Čair), in the app:      {median(briefs['municipality'])}")
    print(f"  one municipality, command line (whole process): {briefs['cli_municipality']:.2f} s")
    print(
        f"  North Macedonia, 81 units:                 {briefs['country'][0]:.1f} s "
        f"({briefs['country_pages']} pages, {briefs['country_mb']:.1f} MiB)"
    )


if __name__ == "__main__":
    main()
