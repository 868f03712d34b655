"""Map benchmarks, measured side by side in one run.

1. Switching the indicator: in-page restyle over QWebChannel (what the app does) vs
   the baseline of regenerating a folium page with the same polygons and reloading it.
2. Start-up: from launching `resilience-map PROJECT` to the first choropleth on screen.
3. Memory: peak RSS of the whole app (Python process + QtWebEngine processes).

Usage:  python benchmarks/bench_map.py [--project demo.gpkg] [--repeat 20] [--baseline /work/main]
Without --project it builds a demo with ../shared/data/boundaries/*.geojson.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the checkout, as the tests import it
SHARED = REPO.parent / "shared" / "data" / "boundaries"


def ensure_project(path: Path | None) -> Path:
    if path:
        return path
    from resilience_map.demo import build_demo

    out = Path(tempfile.mkdtemp()) / "bench-demo.gpkg"
    files = sorted(SHARED.glob("*_adm2.geojson"))
    if not files:
        sys.exit(f"no boundary files in {SHARED}; pass --project")
    build_demo(out, files)
    return out


def wait(app, predicate, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        app.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError("timed out")
        time.sleep(0.0005)


def bench_restyle(project: Path, repeat: int) -> dict:
    from resilience_map.ui.app import create_application
    from resilience_map.ui.main_window import MainWindow

    app = create_application()
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    window.open_project(project)
    acks: list[str] = []
    window.map_feature.view.style_applied.connect(acks.append)
    wait(app, lambda: acks)
    combo = window.map_feature.panel.indicator
    polygons = len(window.map_feature.geometry.boundaries)
    python_ms: list[float] = []
    window.map_feature.restyled.connect(python_ms.append)
    page_ms: list[float] = []
    times = []
    for _ in range(repeat):
        before = len(acks)
        t0 = time.perf_counter()
        combo.setCurrentIndex((combo.currentIndex() + 1) % combo.count())  # a user picking another indicator
        wait(app, lambda n=before: len(acks) > n)
        times.append((time.perf_counter() - t0) * 1000)
        got: list = []  # read through Qt's runJavaScript: measuring only, not part of the app
        window.map_feature.view.page().runJavaScript("RM.ctx.state.lastApplyMs", 0, got.append)
        wait(app, lambda g=got: g)
        page_ms.append(float(got[0]))
    runs = max(3, repeat // 4)
    svg = bench_folium_reload(app, window, runs, prefer_canvas=False)
    canvas = bench_folium_reload(app, window, runs, prefer_canvas=True)
    window.close()
    return {"polygons": polygons, "restyle_ms": times, "python_ms": python_ms[-repeat:], "page_ms": page_ms,
            "reload_svg_ms": svg, "reload_canvas_ms": canvas}


def bench_folium_reload(app, window, repeat: int, prefer_canvas: bool) -> list[float]:
    """Baseline: build a folium GeoJson choropleth page of the same polygons and reload it.

    Leaflet comes from the same local files (offline); no tiles, as in the app."""
    import folium
    from PySide6.QtCore import QUrl
    from PySide6.QtWebEngineWidgets import QWebEngineView

    from resilience_map.maps.map_data import polygons_json
    from resilience_map.maps.page import leaflet_asset

    content = window.map_feature.content()
    polygons, _seats = drawn_polygons(content)
    geojson = json.loads(polygons_json(polygons, content.geometry, set()))
    view = QWebEngineView()
    view.resize(window.map_feature.view.size())
    view.show()
    loaded: list[bool] = []
    view.loadFinished.connect(loaded.append)
    titles: list[str] = []
    view.titleChanged.connect(titles.append)
    folder = Path(tempfile.mkdtemp())
    times = []
    for i in range(repeat):
        combo = window.map_feature.panel.indicator
        combo.setCurrentIndex((combo.currentIndex() + 1) % combo.count())
        colors = {uid: s["c"] for uid, s in window.map_feature.style.styles.items()}
        t0 = time.perf_counter()
        fmap = folium.Map(location=[42.6, 20.4], zoom_start=7, tiles=None, prefer_canvas=prefer_canvas)
        fmap.default_js = [("leaflet", leaflet_asset("leaflet.js").as_uri())]
        fmap.default_css = [("leaflet_css", leaflet_asset("leaflet.css").as_uri())]
        folium.GeoJson(geojson, style_function=lambda f, c=colors: {
            "fillColor": c.get(f["id"], "#d9d9d9"), "color": "#fff", "weight": 0.7,
            "fillOpacity": 0.8}).add_to(fmap)
        html = folder / f"page{i}.html"
        fmap.save(str(html))
        before = len(loaded)
        view.setUrl(QUrl.fromLocalFile(str(html)))
        wait(app, lambda n=before: len(loaded) > n)
        # like the app's restyle acknowledgement: measured up to the next frame
        view.page().runJavaScript(f"requestAnimationFrame(() => document.title = 'frame-{i}')")
        wait(app, lambda t=f"frame-{i}": t in titles)
        times.append((time.perf_counter() - t0) * 1000)
    view.close()
    return times


def drawn_polygons(content):
    from resilience_map.maps.map_data import drawn_units

    return drawn_units(content.units, content.geometry)


def summary(values: list[float]) -> str:
    spread = f"min {min(values):.1f}, max {max(values):.1f}, n={len(values)}"
    return f"median {statistics.median(values):7.1f} ms  ({spread})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--baseline", type=Path,
                        help="another checkout whose start-up to measure alike (e.g. main)")
    args = parser.parse_args()
    project = ensure_project(args.project)
    result = bench_restyle(project, args.repeat)
    from startup import interleaved

    variants: dict[str, dict] = {"app": {}}
    if args.baseline:
        variants["baseline"] = {"checkout": args.baseline}
    startup = interleaved(project, args.startup_runs, variants) if args.startup_runs else {}
    restyle = statistics.median(result["restyle_ms"])
    print(f"machine: {os.cpu_count()} cores; project: {project.name}; {result['polygons']} polygons drawn")
    print(f"switch indicator, in-page restyle (app), to next frame: {summary(result['restyle_ms'])}")
    print(f"    of which Python (classify + colours + legend):      {summary(result['python_ms'])}")
    print(f"    of which page (apply the styles + legend):          {summary(result['page_ms'])}")
    print(f"baseline: folium re-render + reload, folium default SVG: {summary(result['reload_svg_ms'])}")
    print(f"baseline: folium re-render + reload, canvas renderer:    {summary(result['reload_canvas_ms'])}")
    print(f"speed-up vs folium default: {statistics.median(result['reload_svg_ms']) / restyle:.0f}x; "
          f"vs folium with canvas: {statistics.median(result['reload_canvas_ms']) / restyle:.0f}x")
    for name, figures in startup.items():  # the app's and the baseline's runs interleaved
        label = "start-up" if name == "app" else f"baseline {args.baseline}: start-up"
        print(f"{label}, launch to first choropleth on screen: {summary(figures.times_ms)}")
        print(f"{label}, peak RSS of app + QtWebEngine: {figures.peak_rss_mib:.0f} MiB")


if __name__ == "__main__":
    main()
