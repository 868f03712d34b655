"""The GeoPackage container format, written with the standard library's sqlite3.

We write the OGC GeoPackage 1.3 core tables and geometry encoding ourselves so
that every record edit is a plain SQLite transaction (record row + history row
commit together or not at all), without routing edits through GDAL. The file
stays a standard GeoPackage: GDAL, QGIS and ``validate_gpkg.py`` read it.
"""

from __future__ import annotations

import sqlite3
import struct
from dataclasses import dataclass
from typing import overload

import shapely
import shapely.errors
from shapely.geometry.base import BaseGeometry

#: ``PRAGMA application_id`` of a GeoPackage: the ASCII bytes "GPKG".
APPLICATION_ID = 0x47504B47
#: ``PRAGMA user_version`` for GeoPackage 1.3.1.
GPKG_USER_VERSION = 10301
WGS84_SRS_ID = 4326

_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)

_CORE_DDL = """
CREATE TABLE gpkg_spatial_ref_sys (
    srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
    organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
    table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
    description TEXT DEFAULT '',
    last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
    CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
    table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
    srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
    CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
    CONSTRAINT uk_gc_table_name UNIQUE (table_name),
    CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
    CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
"""


def initialise_container(conn: sqlite3.Connection) -> None:
    """Turn an empty SQLite database into an empty GeoPackage."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
    for statement in filter(str.strip, _CORE_DDL.split(";")):
        conn.execute(statement)  # executescript() would commit behind our back
    conn.executemany(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
            ("WGS 84 geodetic", WGS84_SRS_ID, "EPSG", 4326, _WGS84_WKT,
             "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
        ],
    )


def is_geopackage(conn: sqlite3.Connection) -> bool:
    """True when the database says it is a GeoPackage and has the core tables."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id != APPLICATION_ID:
        return False
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return {"gpkg_contents", "gpkg_spatial_ref_sys"} <= tables


@dataclass(frozen=True)
class LayerSpec:
    """A user table and how the GeoPackage registers it."""

    name: str
    description: str
    geometry_type: str | None = None  # "MULTIPOLYGON", "POINT" … or None for attributes
    geometry_column: str = "geom"

    @property
    def data_type(self) -> str:
        return "features" if self.geometry_type else "attributes"


def register_layer(conn: sqlite3.Connection, layer: LayerSpec) -> None:
    """Record a user table in gpkg_contents (and gpkg_geometry_columns)."""
    srs = WGS84_SRS_ID if layer.geometry_type else None
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
        "VALUES (?, ?, ?, ?, ?)",
        (layer.name, layer.data_type, layer.name, layer.description, srs),
    )
    if layer.geometry_type:
        conn.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
            (layer.name, layer.geometry_column, layer.geometry_type, WGS84_SRS_ID),
        )


def touch_layer(conn: sqlite3.Connection, layer: LayerSpec) -> None:
    """Refresh a layer's last_change and (for features) its extent in gpkg_contents."""
    bounds: tuple[float | None, ...] = (None, None, None, None)
    if layer.geometry_type:
        bounds = layer_extent(conn, layer)
    conn.execute(
        "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now'), "
        "min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
        (*bounds, layer.name),
    )


def layer_extent(conn: sqlite3.Connection, layer: LayerSpec) -> tuple[float | None, ...]:
    """Bounding box of every geometry in a feature table."""
    column = layer.geometry_column
    rows = conn.execute(f'SELECT "{column}" FROM "{layer.name}" WHERE "{column}" IS NOT NULL')
    geoms = [decode_geometry(r[0]) for r in rows]
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return (None, None, None, None)
    return tuple(float(v) for v in shapely.total_bounds(geoms))


# --- geometry encoding (GeoPackage 1.3, section 2.1.3) -------------------------

_HEADER = struct.Struct("<2sBBi")  # magic, version, flags, srs_id
_ENVELOPE_XY = struct.Struct("<4d")


def encode_geometry(geom: BaseGeometry | None, srs_id: int = WGS84_SRS_ID) -> bytes | None:
    """Shapely geometry -> GeoPackage binary (little-endian, XY envelope)."""
    if geom is None:
        return None
    if geom.is_empty:
        flags = 0b0001_0001  # little endian, empty, no envelope
        return _HEADER.pack(b"GP", 0, flags, srs_id) + shapely.to_wkb(geom, byte_order=1)
    flags = 0b0000_0011  # little endian, envelope [minx, maxx, miny, maxy]
    minx, miny, maxx, maxy = geom.bounds
    return (
        _HEADER.pack(b"GP", 0, flags, srs_id)
        + _ENVELOPE_XY.pack(minx, maxx, miny, maxy)
        + shapely.to_wkb(geom, byte_order=1, output_dimension=2)
    )


_ENVELOPE_SIZES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


@overload
def decode_geometry(blob: bytes) -> BaseGeometry: ...


@overload
def decode_geometry(blob: None) -> None: ...


@overload
def decode_geometry(blob: bytes | None) -> BaseGeometry | None: ...


def decode_geometry(blob: bytes | None) -> BaseGeometry | None:
    """GeoPackage binary -> shapely geometry (None for NULL)."""
    if blob is None:
        return None
    blob = bytes(blob)
    try:
        magic, _version, flags, _srs = _HEADER.unpack_from(blob)
        if magic != b"GP":
            raise GeometryDecodeError("not a GeoPackage geometry blob")
        envelope = (flags >> 1) & 0b111
        if envelope not in _ENVELOPE_SIZES:
            raise GeometryDecodeError(f"invalid envelope indicator {envelope}")
        return shapely.from_wkb(blob[_HEADER.size + _ENVELOPE_SIZES[envelope]:])
    except (struct.error, shapely.errors.GEOSException) as exc:
        raise GeometryDecodeError(f"damaged geometry: {exc}") from exc


class GeometryDecodeError(ValueError):
    """A geometry blob that is not valid GeoPackage binary (damaged or written by a faulty tool)."""
