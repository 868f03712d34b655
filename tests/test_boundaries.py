"""Reading boundary files: formats, projections, repairs and clear errors."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from conftest import SHARED_BOUNDARIES as BOUNDARIES
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from resilience_map.io.boundaries import BoundaryFileError, read_boundaries

COUNTRIES = ("AL", "BA", "XK", "ME", "MK", "RS")
EXPECTED_COUNTS = {"AL": 61, "BA": 142, "XK": 38, "ME": 23, "MK": 71, "RS": 164}


def _squares() -> gpd.GeoDataFrame:
    """Two municipalities near Skopje in lon/lat."""
    return gpd.GeoDataFrame(
        {"name": ["Alfa", "Beta"]},
        geometry=[box(21.3, 41.9, 21.4, 42.0), box(21.4, 41.9, 21.5, 42.0)],
        crs="EPSG:4326",
    )


def _assert_clean(gdf: gpd.GeoDataFrame) -> None:
    assert gdf.crs.to_epsg() == 4326
    assert all(isinstance(g, MultiPolygon) for g in gdf.geometry)
    assert gdf.geometry.is_valid.all()


# -- formats -------------------------------------------------------------------
@pytest.mark.parametrize(("suffix", "driver"), [(".gpkg", "GPKG"), (".geojson", "GeoJSON"),
                                                (".fgb", "FlatGeobuf"),
                                                (".shp", "ESRI Shapefile")])
def test_reads_common_formats(tmp_path: Path, suffix: str, driver: str) -> None:
    path = tmp_path / f"muni{suffix}"
    _squares().to_file(path, driver=driver)
    gdf = read_boundaries(path)
    assert sorted(gdf["name"]) == ["Alfa", "Beta"]  # FlatGeobuf's index may reorder
    _assert_clean(gdf)


def test_reads_shapefile_folder_and_zip(tmp_path: Path) -> None:
    folder = tmp_path / "shp"
    folder.mkdir()
    _squares().to_file(folder / "muni.shp")
    assert len(read_boundaries(folder)) == 2
    archive = tmp_path / "muni.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, f"inner/{part.name}")
    gdf = read_boundaries(archive)
    assert list(gdf["name"]) == ["Alfa", "Beta"]
    _assert_clean(gdf)


def test_geopackage_first_polygon_layer_or_named_layer(tmp_path: Path) -> None:
    path = tmp_path / "multi.gpkg"
    points = gpd.GeoDataFrame({"name": ["seat"]}, geometry=[Point(21.4, 41.95)], crs=4326)
    points.to_file(path, layer="seats", driver="GPKG")
    _squares().to_file(path, layer="municipalities", driver="GPKG")
    other = _squares().assign(name=["Gama", "Delta"])
    other.to_file(path, layer="old_municipalities", driver="GPKG")
    assert list(read_boundaries(path)["name"]) == ["Alfa", "Beta"]
    assert list(read_boundaries(path, layer="old_municipalities")["name"]) == ["Gama", "Delta"]
    with pytest.raises(BoundaryFileError, match="no layer 'nope'"):
        read_boundaries(path, layer="nope")


def test_geopackage_with_only_points_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "points.gpkg"
    gpd.GeoDataFrame({"n": [1]}, geometry=[Point(21, 42)], crs=4326).to_file(path)
    with pytest.raises(BoundaryFileError, match="no polygon layer"):
        read_boundaries(path)


# -- projections -----------------------------------------------------------------
@pytest.mark.parametrize("crs", ["EPSG:3857", "EPSG:32634", "EPSG:3035"])
def test_reprojects_to_lonlat(tmp_path: Path, crs: str) -> None:
    path = tmp_path / "projected.gpkg"
    _squares().to_crs(crs).to_file(path)
    gdf = read_boundaries(path)
    _assert_clean(gdf)
    minx, miny, maxx, maxy = gdf.total_bounds
    assert minx == pytest.approx(21.3, abs=1e-6) and maxx == pytest.approx(21.5, abs=1e-6)
    assert miny == pytest.approx(41.9, abs=1e-6) and maxy == pytest.approx(42.0, abs=1e-6)


def test_shapefile_without_prj(tmp_path: Path) -> None:
    lonlat = tmp_path / "lonlat.shp"
    _squares().to_file(lonlat)
    lonlat.with_suffix(".prj").unlink()
    assert read_boundaries(lonlat).crs.to_epsg() == 4326
    metres = tmp_path / "metres.shp"
    _squares().to_crs("EPSG:32634").to_file(metres)
    metres.with_suffix(".prj").unlink()
    with pytest.raises(BoundaryFileError, match="no coordinate reference system"):
        read_boundaries(metres)


# -- repairs -----------------------------------------------------------------------
def _write_geojson(path: Path, geometries: list[dict | None]) -> None:
    features = [{"type": "Feature", "properties": {"name": f"f{i}"}, "geometry": g}
                for i, g in enumerate(geometries)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def test_bow_tie_is_repaired(tmp_path: Path) -> None:
    path = tmp_path / "bowtie.geojson"
    bow_tie = {"type": "Polygon",
               "coordinates": [[[21.0, 42.0], [21.2, 42.2], [21.2, 42.0], [21.0, 42.2],
                                [21.0, 42.0]]]}
    _write_geojson(path, [bow_tie])
    assert not Polygon(bow_tie["coordinates"][0]).is_valid
    gdf = read_boundaries(path)
    _assert_clean(gdf)
    assert len(gdf.geometry.iloc[0].geoms) == 2
    assert gdf.geometry.iloc[0].area == pytest.approx(0.02, rel=1e-6)
    assert any("repaired" in note for note in gdf.attrs["notes"])


def test_empty_and_non_polygon_features_are_dropped_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "mixed.geojson"
    square = json.loads(gpd.GeoSeries([box(21, 42, 21.1, 42.1)]).to_json())["features"][0]
    _write_geojson(path, [square["geometry"], None,
                          json.loads(gpd.GeoSeries([LineString([(21, 42), (22, 43)])])
                                     .to_json())["features"][0]["geometry"]])
    gdf = read_boundaries(path)
    assert list(gdf["name"]) == ["f0"]
    assert any("dropped" in note for note in gdf.attrs["notes"])


# -- bad input -----------------------------------------------------------------------
def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BoundaryFileError, match="does not exist"):
        read_boundaries(tmp_path / "nowhere.gpkg")


def test_text_file_named_gpkg(tmp_path: Path) -> None:
    path = tmp_path / "notes.gpkg"
    path.write_text("name;population\nKumanovo;98104\n")
    with pytest.raises(BoundaryFileError, match="not a GeoPackage"):
        read_boundaries(path)


def test_truncated_geopackage(tmp_path: Path) -> None:
    whole = tmp_path / "whole.gpkg"
    big = gpd.GeoDataFrame({"name": [f"m{i}" for i in range(300)]},
                           geometry=[box(20 + i / 100, 42, 20.01 + i / 100, 42.01)
                                     for i in range(300)], crs=4326)
    big.to_file(whole)
    cut = tmp_path / "cut.gpkg"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
    with pytest.raises(BoundaryFileError, match="damaged or truncated"):
        read_boundaries(cut)


def test_text_file_named_geojson(tmp_path: Path) -> None:
    path = tmp_path / "page.geojson"
    path.write_text("<html><body>404 Not Found</body></html>")
    with pytest.raises(BoundaryFileError) as info:
        read_boundaries(path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", ["empty.geojson", "empty.gpkg", "empty.shp"])
def test_zero_byte_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(BoundaryFileError, match="empty"):
        read_boundaries(path)


def test_geojson_without_features(tmp_path: Path) -> None:
    path = tmp_path / "none.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(BoundaryFileError, match="no features|no polygon"):
        read_boundaries(path)


def test_zip_without_geodata(tmp_path: Path) -> None:
    archive = tmp_path / "docs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "nothing here")
    with pytest.raises(BoundaryFileError, match="no Shapefile"):
        read_boundaries(archive)


def test_boundary_file_error_is_a_value_error() -> None:
    assert issubclass(BoundaryFileError, ValueError)


# -- the real files ------------------------------------------------------------------
@pytest.mark.skipif(not BOUNDARIES.is_dir(), reason=f"real boundary files not found at {BOUNDARIES}")
@pytest.mark.parametrize("country", COUNTRIES)
def test_real_files_read_clean(country: str, tmp_path: Path) -> None:
    path = BOUNDARIES / f"{country}_adm2.geojson"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    gdf = read_boundaries(path)
    assert len(gdf) == EXPECTED_COUNTS[country]
    _assert_clean(gdf)
    assert (gdf["country"] == country).all()
    # the same data as a zipped copy elsewhere still reads (never copied into the repo)
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    assert len(read_boundaries(copy)) == EXPECTED_COUNTS[country]
