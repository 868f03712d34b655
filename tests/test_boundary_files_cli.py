"""Bad boundary files through the command line: one clear sentence, the project unchanged.

The corpus is built here, in a temporary folder: damaged, empty, wrong-kind, 3D, unprojected,
misplaced, huge and hostile files. Each runs ``resilience-map import-boundaries`` in process
(the same ``main`` the console script calls) and the project's sha256 is compared.
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon, box

from resilience_map.cli import main
from resilience_map.io.registry import registry_by_id

CREDIT = ("--source", "test corpus", "--licence", "CC0 1.0")
ME_UNITS = ("me-budva", "me-bar", "me-niksic")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def seat_squares(ids: tuple[str, ...] = ME_UNITS, z: bool = False, swap: bool = False,
                 shift: tuple[float, float] = (0.0, 0.0)) -> gpd.GeoDataFrame:
    """3 km squares around registry seats, named like the units."""
    units = registry_by_id()
    geoms, names = [], []
    for rid in ids:
        u = units[rid]
        x, y = u.seat_lon + shift[0], u.seat_lat + shift[1]
        ring = [(x - 0.02, y - 0.015), (x + 0.02, y - 0.015), (x + 0.02, y + 0.015),
                (x - 0.02, y + 0.015)]
        ring = [(b, a) if swap else (a, b) for a, b in ring]
        geoms.append(Polygon([(a, b, 120.0) if z else (a, b) for a, b in ring]))
        names.append(u.name_latin)
    return gpd.GeoDataFrame({"name": names}, geometry=geoms, crs=4326)


def geojson(path: Path, geometries: list[dict | None], names: list[str] | None = None) -> None:
    names = names or [f"f{i}" for i in range(len(geometries))]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": n}, "geometry": g}
        for n, g in zip(names, geometries, strict=False)]}))


# -- the corpus: each builder writes one file and returns its path ---------------------------
def truncated_geojson(d: Path) -> Path:
    seat_squares().to_file(d / "whole.geojson")
    text = (d / "whole.geojson").read_text()
    (d / "truncated.geojson").write_text(text[: len(text) // 2])
    return d / "truncated.geojson"


def html_page(d: Path) -> Path:
    (d / "download.geojson").write_text("<!DOCTYPE html><html><body>404 Not Found</body></html>")
    return d / "download.geojson"


def zero_bytes(d: Path) -> Path:
    (d / "empty.geojson").write_bytes(b"")
    return d / "empty.geojson"


def null_geometries(d: Path) -> Path:
    geojson(d / "nulls.geojson", [None, None, {"type": "Polygon", "coordinates": []}])
    return d / "nulls.geojson"


def points_only(d: Path) -> Path:
    gpd.GeoDataFrame({"name": ["Budva"]}, geometry=[Point(18.84, 42.29)], crs=4326).to_file(
        d / "seats.geojson")
    return d / "seats.geojson"


def broken_rings(d: Path) -> Path:
    flat = {"type": "Polygon", "coordinates": [[[18.8, 42.3]] * 4]}
    spike = {"type": "Polygon", "coordinates": [[[18.8, 42.3], [18.9, 42.3], [18.8, 42.3],
                                                 [18.8, 42.3]]]}
    geojson(d / "broken.geojson", [flat, spike])
    return d / "broken.geojson"


def metres_without_prj(d: Path) -> Path:
    seat_squares().to_crs("EPSG:32634").to_file(d / "utm.shp")
    (d / "utm.prj").unlink()
    return d / "utm.shp"


def elsewhere(d: Path) -> Path:
    seat_squares(shift=(15.0, -30.0)).to_file(d / "elsewhere.geojson")
    return d / "elsewhere.geojson"


def axes_swapped(d: Path) -> Path:
    seat_squares(swap=True).to_file(d / "swapped.geojson")
    return d / "swapped.geojson"


def settlements(d: Path) -> Path:
    cells = [box(19 + (i % 100) * 0.01, 42 + (i // 100) * 0.01, 19.01 + (i % 100) * 0.01,
                 42.01 + (i // 100) * 0.01) for i in range(10_000)]
    gpd.GeoDataFrame({"name": [f"naselje {i}" for i in range(10_000)]}, geometry=cells,
                     crs=4326).to_file(d / "settlements.gpkg")
    return d / "settlements.gpkg"


def truncated_geopackage(d: Path) -> Path:
    seat_squares().to_file(d / "whole.gpkg")
    data = (d / "whole.gpkg").read_bytes()
    (d / "cut.gpkg").write_bytes(data[: len(data) // 3])
    return d / "cut.gpkg"


def zip_without_geodata(d: Path) -> Path:
    with zipfile.ZipFile(d / "docs.zip", "w") as archive:
        archive.writestr("readme.txt", "boundaries will follow")
    return d / "docs.zip"


def deeply_nested(d: Path) -> Path:
    (d / "deep.geojson").write_text('{"type": "FeatureCollection", "features": [' +
                                    "[" * 100_000 + "]" * 100_000 + "]}")
    return d / "deep.geojson"


def wrong_country(d: Path) -> Path:
    seat_squares().to_file(d / "montenegro.geojson")
    return d / "montenegro.geojson"


def no_credit(d: Path) -> Path:
    seat_squares().to_file(d / "anonymous.geojson")
    return d / "anonymous.geojson"


Builder = Callable[[Path], Path]
#: (builder, extra arguments, words the one-line error must contain)
FAILING: dict[str, tuple[Builder, tuple[str, ...], tuple[str, ...]]] = {
    "truncated GeoJSON": (truncated_geojson, CREDIT, ("truncated.geojson",)),
    "HTML page saved as .geojson": (html_page, CREDIT, ("download.geojson",)),
    "empty file (0 bytes)": (zero_bytes, CREDIT, ("empty",)),
    "only empty/null geometries": (null_geometries, CREDIT, ("no polygon features",)),
    "only points": (points_only, CREDIT, ("no polygon",)),
    "broken rings (no area)": (broken_rings, CREDIT, ("no polygon features",)),
    "Shapefile in metres without .prj": (metres_without_prj, CREDIT,
                                         ("no coordinate reference system",)),
    "features outside the region": (elsewhere, CREDIT, ("outside Albania",)),
    "longitude/latitude swapped": (axes_swapped, CREDIT, ("swapped",)),
    "10,000 features (settlements)": (settlements, CREDIT, ("10,000 features",)),
    "truncated GeoPackage": (truncated_geopackage, CREDIT, ("damaged or truncated",)),
    "zip without geodata": (zip_without_geodata, CREDIT, ("no Shapefile",)),
    "JSON nested 100,000 deep": (deeply_nested, CREDIT, ("deep.geojson",)),
    "wrong country (ME file as AL)": (wrong_country, (*CREDIT, "--country", "AL"),
                                      ("nothing was imported",)),
    "no source or licence anywhere": (no_credit, (), ("--source", "--licence")),
}


@pytest.mark.parametrize("case", FAILING)
def test_bad_file_one_sentence_project_unchanged(case: str, demo_project: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    build, extra, words = FAILING[case]
    path = build(tmp_path)
    before = sha256(demo_project)
    started = time.perf_counter()
    code = main(["import-boundaries", str(demo_project), str(path), *extra])
    seconds = time.perf_counter() - started
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    with capsys.disabled():  # the README's table: pytest -s tests/test_boundary_files_cli.py
        print(f"| {case} | {lines[-1] if lines else ''} | {code} | {seconds:.2f} s |")
    assert code != 0 and len(lines) == 1 and lines[0].startswith("resilience-map: error:"), err
    assert "Traceback" not in err and len(lines[0]) < 400
    assert all(word in lines[0] for word in words), lines[0]
    assert sha256(demo_project) == before
    assert seconds < 20


def test_3d_file_is_imported_flat_with_a_note(demo_project: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    seat_squares(z=True).to_file(tmp_path / "3d.geojson")
    code = main(["import-boundaries", str(demo_project), str(tmp_path / "3d.geojson"), *CREDIT])
    out = capsys.readouterr().out
    assert code == 0 and "Heights (Z) of 3 features were dropped" in out
    assert "3 municipality boundaries saved" in out


def test_hostile_labels_stay_text(demo_project: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    gdf = seat_squares(ME_UNITS + ("me-kotor",))
    gdf.loc[3, "name"] = '=HYPERLINK("http://evil.example","x")'
    gdf.loc[2, "name"] = "<img src=x onerror=alert(1)>" + "Nikšić" * 10_000
    gdf.to_file(tmp_path / "hostile.geojson")
    report = tmp_path / "report.csv"
    code = main(["import-boundaries", str(demo_project), str(tmp_path / "hostile.geojson"),
                 *CREDIT, "--report", str(report)])
    assert code == 0, capsys.readouterr().err
    rows = list(csv.DictReader(report.open(encoding="utf-8-sig")))
    assert rows[3]["label"].startswith("'=HYPERLINK")  # text in Excel, not a formula
    assert len(rows[2]["label"]) <= 120 and rows[2]["status"] != "matched"


# -- first start and paths -----------------------------------------------------------------------
def test_demo_with_a_pattern_matching_nothing_uses_seats(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The README's first command on a clone without ../shared."""
    out = tmp_path / "demo.gpkg"
    code = main(["demo", "--force", "--out", str(out), "--boundaries",
                 str(tmp_path / "shared" / "data" / "boundaries" / "*.geojson")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "No boundary files match" in captured.err and "at their seat" in captured.err
    assert "(0 with a boundary)" in captured.out


def test_project_argument_may_be_a_pattern(demo_project: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(demo_project.parent / "*.gpkg")]) == 0
    assert "municipalities" in capsys.readouterr().out
    (demo_project.parent / "other.gpkg").write_bytes(demo_project.read_bytes())
    assert main(["info", str(demo_project.parent / "*.gpkg")]) != 0
    assert "matches 2 files" in capsys.readouterr().err
    assert main(["import-boundaries", str(demo_project), str(tmp_path / "none*.geojson")]) != 0
    assert "no file matches" in capsys.readouterr().err


def test_credits_read_from_the_file_are_recorded_and_shown(
        demo_project: Path, shared_boundaries: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # MK_adm2.geojson says "(OpenStreetMap)" in its source property: ODbL, no flags needed
    assert main(["import-boundaries", str(demo_project),
                 str(shared_boundaries / "MK_*adm2.geojson")]) == 0
    capsys.readouterr()
    assert main(["info", str(demo_project)]) == 0
    out = capsys.readouterr().out
    assert "Boundaries: © OpenStreetMap contributors (ODbL 1.0) – 71 units" in out
    assert "quattroshapes" in out and "CC BY 2.0" in out  # the ten of Skopje
