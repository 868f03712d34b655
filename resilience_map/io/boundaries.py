"""Reading municipality boundary files into clean lon/lat polygons.

Users bring whatever they found: a GeoPackage from a colleague, a zipped
Shapefile in a national grid, a GeoJSON from GitHub. The map needs
EPSG:4326 (Multi)Polygons that are valid, so this module reads any
OGR-readable file and normalises it. Every failure is one
:class:`BoundaryFileError` sentence a practitioner can act on, never a GDAL
traceback. What was repaired or dropped is listed in ``gdf.attrs["notes"]``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
#: A municipality layer of the six countries has about 530 features (before Albania's
#: 2015 reform ~400 more); far more means a settlement, cadastre or street layer.
MAX_FEATURES = 5000
#: Where the six countries lie (lon/lat, generous): a layer entirely elsewhere is refused.
REGION_BOUNDS = (13.0, 38.5, 24.5, 47.5)
_SQLITE_MAGIC = b"SQLite format 3\x00"
_POLYGON_TYPES = ("Polygon", "MultiPolygon", "Polygon Z", "MultiPolygon Z", "Surface",
                  "MultiSurface", "CurvePolygon")


class BoundaryFileError(ValueError):
    """A boundary file that cannot be used, with a one-sentence reason."""


def read_boundaries(path: str | Path, layer: str | int | None = None) -> gpd.GeoDataFrame:
    """Read a boundary file as valid EPSG:4326 MultiPolygons.

    ``path`` may be a GeoPackage, GeoJSON, FlatGeobuf, Shapefile, a folder
    holding one Shapefile, or a .zip holding one. Without ``layer`` the first
    polygon layer is used.
    """
    path = Path(path)
    source = _gdal_source(path)
    layer_name = _choose_layer(path, source, layer)
    _check_size(path, source, layer_name)
    gdf = _read(path, source, layer_name)
    notes: list[str] = []
    gdf = _to_wgs84(gdf, path, notes)
    gdf = _clean_geometries(gdf, notes)
    if gdf.empty:
        raise BoundaryFileError(f"{path.name} has no polygon features to use.")
    _check_region(gdf, path)
    gdf.attrs["notes"] = notes
    gdf.attrs["source_path"] = str(path)
    gdf.attrs["layer"] = layer_name
    return gdf


def _gdal_source(path: Path) -> str:
    """The string GDAL should open: plain path, folder's .shp or /vsizip/."""
    if not path.exists():
        raise BoundaryFileError(f"{path} does not exist.")
    if path.is_dir():
        shapefiles = sorted(path.glob("*.shp"))
        if len(shapefiles) != 1:
            raise BoundaryFileError(
                f"The folder {path.name} should contain exactly one .shp file, "
                f"it has {len(shapefiles)}.")
        return str(shapefiles[0])
    if path.stat().st_size == 0:
        raise BoundaryFileError(f"{path.name} is empty (0 bytes).")
    if path.suffix.lower() == ".zip":
        return _zip_source(path)
    if path.suffix.lower() == ".gpkg":
        with path.open("rb") as handle:
            if handle.read(16) != _SQLITE_MAGIC:
                raise BoundaryFileError(
                    f"{path.name} is not a GeoPackage (it does not start like an "
                    f"SQLite database; perhaps a text file was renamed).")
    return str(path)


def _zip_source(path: Path) -> str:
    """``/vsizip/`` path to the one Shapefile (or other geodata file) in a zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.namelist()
    except zipfile.BadZipFile:
        raise BoundaryFileError(f"{path.name} is not a readable .zip archive.") from None
    wanted = [m for m in members if m.lower().endswith(".shp")] or [
        m for m in members
        if m.lower().endswith((".gpkg", ".geojson", ".json", ".fgb"))
    ]
    if not wanted:
        raise BoundaryFileError(f"{path.name} contains no Shapefile or other geodata file.")
    return f"/vsizip/{path.resolve()}/{wanted[0]}"


def _list_layers(path: Path, source: str) -> list[tuple[str, str | None]]:
    try:
        return [(str(name), gtype) for name, gtype in pyogrio.list_layers(source)]
    except Exception as exc:  # pyogrio raises several DataSourceError flavours
        raise BoundaryFileError(_open_failure(path, exc)) from None


def _open_failure(path: Path, exc: Exception) -> str:
    """Turn a GDAL open error into one sentence."""
    text = str(exc).lower()
    if path.suffix.lower() == ".gpkg" or "sqlite" in text or "malformed" in text:
        return (f"{path.name} looks like a damaged or truncated GeoPackage; "
                f"copy the file again from its source.")
    if "not recognized" in text or "not a supported" in text:
        return f"{path.name} is not a geodata file that GDAL can read."
    return f"{path.name} could not be read as geodata ({str(exc).splitlines()[0][:120]})."


def _choose_layer(path: Path, source: str, layer: str | int | None) -> str:
    """The requested layer, or the first polygon layer.

    GeoJSON reports its geometry type as "Unknown", so such layers count as
    candidates and are checked after reading.
    """
    layers = _list_layers(path, source)
    if not layers:
        raise BoundaryFileError(f"{path.name} contains no layers.")
    if layer is not None:
        names = [name for name, _ in layers]
        if isinstance(layer, int) and 0 <= layer < len(names):
            return names[layer]
        if layer in names:
            return str(layer)
        raise BoundaryFileError(f"{path.name} has no layer {layer!r} (it has {', '.join(names)}).")
    for name, gtype in layers:
        if gtype and any(gtype.startswith(t) for t in _POLYGON_TYPES):
            return name
    for name, gtype in layers:
        if gtype in (None, "Unknown", "Geometry", "GeometryCollection"):
            return name
    raise BoundaryFileError(f"{path.name} has no polygon layer (only points, lines or tables).")


def _check_size(path: Path, source: str, layer: str) -> None:
    """Refuse a layer far too big for municipalities before reading its geometry."""
    try:
        count = int(pyogrio.read_info(source, layer=layer).get("features", -1))
    except Exception:  # the read below reports unreadable files in one sentence
        return
    if count > MAX_FEATURES:
        raise BoundaryFileError(
            f"{path.name} layer {layer!r} has {count:,} features; a municipality layer of the "
            f"region has about 530 — choose the municipality layer, not settlements or parcels.")


def _check_region(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Refuse a layer that lies entirely outside the region (or has its axes swapped)."""
    minx, miny, maxx, maxy = gdf.total_bounds
    rx0, ry0, rx1, ry1 = REGION_BOUNDS
    if maxx >= rx0 and minx <= rx1 and maxy >= ry0 and miny <= ry1:
        return
    if maxy >= rx0 and miny <= rx1 and maxx >= ry0 and minx <= ry1:
        raise BoundaryFileError(
            f"{path.name} has longitude and latitude swapped (its features would lie at "
            f"{miny:.1f}–{maxy:.1f}° E, {minx:.1f}–{maxx:.1f}° N); save it again with x = "
            f"longitude, y = latitude.")
    raise BoundaryFileError(
        f"{path.name} lies at {minx:.1f}–{maxx:.1f}° E, {miny:.1f}–{maxy:.1f}° N, outside "
        f"Albania, Bosnia and Herzegovina, Kosovo, Montenegro, North Macedonia and Serbia.")


def _read(path: Path, source: str, layer: str) -> gpd.GeoDataFrame:
    try:
        gdf = gpd.read_file(source, layer=layer, engine="pyogrio")
    except Exception as exc:
        raise BoundaryFileError(_open_failure(path, exc)) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf:
        raise BoundaryFileError(f"{path.name} layer {layer!r} has no geometry.")
    if gdf.empty:
        raise BoundaryFileError(f"{path.name} contains no features.")
    return gdf.reset_index(drop=True)


def _looks_like_lonlat(gdf: gpd.GeoDataFrame) -> bool:
    minx, miny, maxx, maxy = gdf.total_bounds
    return -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


def _to_wgs84(gdf: gpd.GeoDataFrame, path: Path, notes: list[str]) -> gpd.GeoDataFrame:
    """Reproject to lon/lat; a missing CRS is accepted only for lon/lat numbers."""
    if gdf.crs is None:
        if not _looks_like_lonlat(gdf):
            raise BoundaryFileError(
                f"{path.name} has no coordinate reference system and its coordinates "
                f"are not longitude/latitude; add a .prj file or save it with a CRS.")
        notes.append("The file states no coordinate reference system; its coordinates "
                     "were read as longitude/latitude (WGS 84).")
        return gdf.set_crs(WGS84)
    if gdf.crs.to_epsg() == 4326:
        return gdf
    try:
        return gdf.to_crs(WGS84)
    except Exception as exc:
        raise BoundaryFileError(
            f"{path.name} could not be reprojected to longitude/latitude ({exc}).") from None


def _polygonal(geom: BaseGeometry | None) -> MultiPolygon | None:
    """Valid 2D MultiPolygon made of the polygonal parts of ``geom`` (or None)."""
    if geom is None or geom.is_empty:
        return None
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, (Polygon, MultiPolygon))]
    polygons: list[Polygon] = []
    for part in parts:
        polygons.extend(part.geoms if isinstance(part, MultiPolygon) else [part])
    polygons = [p for p in polygons if not p.is_empty and p.area > 0]
    if not polygons:
        return None
    result = MultiPolygon(polygons)
    return result if result.is_valid else _polygonal(shapely.make_valid(result))


def _clean_geometries(gdf: gpd.GeoDataFrame, notes: list[str]) -> gpd.GeoDataFrame:
    """Repair invalid geometries, promote to MultiPolygon, drop what is not polygonal."""
    present = np.array([g is not None for g in gdf.geometry], dtype=bool)
    invalid = int((~gdf.geometry.is_valid & ~gdf.geometry.is_empty & present).sum())
    with_z = int(shapely.has_z(gdf.geometry.values).sum())
    cleaned = [_polygonal(g) for g in gdf.geometry]
    keep = [g is not None for g in cleaned]
    dropped = len(keep) - sum(keep)
    if invalid:
        notes.append(f"{invalid} invalid geometr{'y was' if invalid == 1 else 'ies were'} "
                     f"repaired with make_valid.")
    if with_z:
        notes.append(f"Heights (Z) of {with_z} feature{'s' if with_z != 1 else ''} were "
                     f"dropped: the map is flat.")
    if dropped:
        notes.append(f"{dropped} feature{'s' if dropped != 1 else ''} without a usable polygon "
                     f"(empty, point, line or broken coordinates) "
                     f"{'were' if dropped != 1 else 'was'} dropped.")
    result = gdf.copy()
    result["geometry"] = gpd.GeoSeries(cleaned, index=gdf.index, crs=gdf.crs)
    result = result[keep].reset_index(drop=True)
    return gpd.GeoDataFrame(result, geometry="geometry", crs=gdf.crs)
