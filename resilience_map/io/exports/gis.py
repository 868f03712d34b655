"""Municipalities with indicator values as columns, for QGIS and other GIS programs.

One feature per municipality (its boundary, or no geometry when the project has
none yet), the chosen wave's value of each indicator in a column named by the
indicator's code, names in every form, and a ``data_status`` column that carries
the demo-data label when the project is synthetic. Written with pyogrio (GDAL):
GeoPackage or RFC 7946 GeoJSON, longitude/latitude (EPSG:4326).
"""

from __future__ import annotations

from pathlib import Path

from resilience_map.io.exports.snapshot import ExportData

DRIVERS = {"gpkg": "GPKG", "geojson": "GeoJSON"}


def municipality_frame(data: ExportData):
    import geopandas as gpd

    wave = data.map_wave()
    indicators = data.map_indicators()
    values: dict[tuple[str, str], float] = {}
    if wave is not None:
        for v in data.values:
            if v.wave_uuid == wave.uuid and not v.neighbourhood:
                values[(v.municipality_uuid, v.indicator_uuid)] = v.value
    rows = []
    for unit in data.units:
        row = {"code": unit.registry_id, "name": data.unit_name(unit), "name_local": unit.name_local,
               "name_latin": unit.name_latin, "name_en": unit.name_en, "country": unit.country.value,
               "kind": unit.kind.value, "population": unit.population,
               "population_year": unit.population_year}
        for indicator in indicators:
            row[indicator.code] = values.get((unit.uuid, indicator.uuid))
        row["wave"] = wave.name if wave else ""
        row["data_status"] = data.synthetic_label or "study data"
        rows.append(row)
    geometry = [data.boundaries.get(u.uuid) for u in data.units]
    return gpd.GeoDataFrame(rows, geometry=geometry, crs="EPSG:4326")


def write_gis(data: ExportData, path: Path, format: str) -> Path:
    import pyogrio

    frame = municipality_frame(data)
    path.unlink(missing_ok=True)  # GDAL would add a layer to an existing GeoPackage
    # GeoPackage 1.2: what every GDAL in use (QGIS LTR included) reads without warnings
    options = {"layer": "municipalities", "VERSION": "1.2"} if format == "gpkg" else {"RFC7946": "YES"}
    pyogrio.write_dataframe(frame, path, driver=DRIVERS[format], promote_to_multi=True, **options)
    return path
