"""Who made the boundaries a project uses, and under which licence.

OpenStreetMap's ODbL, geoBoundaries' CC BY and Quattroshapes' CC BY require that
the map credits them, so every boundary import records its source and licence in
the project: read from the file where it says (a ``source``/``licence`` property,
GeoJSON members, GeoPackage metadata), else given by the user (the import
dialog's fields, ``--source``/``--licence`` on the command line), with the common
sources offered ready-made (:data:`COMMON_SOURCES`). A provider whose licence is
fixed (OpenStreetMap, Who's On First, Quattroshapes, Natural Earth) is recognised
in a file's source text; geoBoundaries' licence differs per country, so it is asked.

Each import is one ``rm_meta`` entry ``boundary_import:NNNN`` (JSON: credit, file,
time, author, the units whose polygon it gave), so imports accumulate and each
unit's polygon knows its source: the latest import that lists the unit.
:func:`boundary_credits` returns the credits of the polygons in use, for the map's
attribution control and every export.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from resilience_map.domain.names import fold
from resilience_map.store.credits import (  # noqa: F401 - recorded credits, re-exported for io users
    IMPORT_KEY_PREFIX,
    UNRECORDED,
    BoundaryCredit,
    CreditInUse,
    ImportRecord,
    boundary_credits,
    import_records,
    next_import_key,
    polygon_origins,
)

if TYPE_CHECKING:  # the GIS stack only where a file is read: the map window imports this
    import geopandas as gpd  # module for its guidance, and must start without it

_CREDIT_COLUMNS = {"source": "source", "licence": "licence", "license": "licence",
                   "attribution": "source", "copyright": "source", "rights": "licence"}
_MAX_JSON_BYTES = 50_000_000


@dataclass(frozen=True)
class KnownSource:
    """A boundary provider users download from, as the import dialog offers it."""

    name: str
    credit: str
    licence: str  # '' when it depends on the data set: the user must say
    url: str
    #: Folded words that identify the provider in a file's own source text.
    words: tuple[str, ...] = ()


COMMON_SOURCES: tuple[KnownSource, ...] = (
    KnownSource("OpenStreetMap (extracts, Overpass, country-levels)",
                "© OpenStreetMap contributors", "ODbL 1.0",
                "https://www.openstreetmap.org/copyright", ("openstreetmap",)),
    KnownSource("geoBoundaries",
                "geoBoundaries (Runfola, D. et al. 2020, geoBoundaries: A global database of "
                "political administrative boundaries, PLoS ONE 15(4): e0231866)", "",
                "https://www.geoboundaries.org", ("geoboundaries",)),
    KnownSource("Who's On First", "Data from Who's On First",
                "Who's On First licences, https://whosonfirst.org/docs/licenses/",
                "https://whosonfirst.org/docs/licenses/", ("who s on first", "whosonfirst")),
    KnownSource("Quattroshapes", "Includes data from foursquare quattroshapes", "CC BY 2.0",
                "https://github.com/foursquare/quattroshapes", ("quattroshapes",)),
    KnownSource("Natural Earth", "Made with Natural Earth", "Public domain",
                "https://www.naturalearthdata.com", ("natural earth",)),
    KnownSource("Albania: ASIG (State Authority for Geospatial Information)",
                "ASIG – Autoriteti Shtetëror për Informacionin Gjeohapësinor", "",
                "https://geoportal.asig.gov.al"),
    KnownSource("Bosnia and Herzegovina: FGU / RUGIPP (geodetic administrations)",
                "Federalna uprava za geodetske i imovinsko-pravne poslove; Republička uprava "
                "za geodetske i imovinsko-pravne poslove", "", ""),
    KnownSource("Kosovo: Kosovo Cadastral Agency (AKK)",
                "Agjencia Kadastrale e Kosovës", "", ""),
    KnownSource("Montenegro: Cadastre and State Property Administration",
                "Uprava za katastar i državnu imovinu", "", ""),
    KnownSource("North Macedonia: Agency for Real Estate Cadastre (AREC)",
                "Агенција за катастар на недвижности", "", ""),
    KnownSource("Serbia: Republic Geodetic Authority (RGZ)",
                "Републички геодетски завод", "", ""),
)

#: Licences offered beside the free-text field.
COMMON_LICENCES = ("ODbL 1.0", "CC BY 4.0", "CC BY-SA 4.0", "CC BY-SA 2.0", "CC BY 2.0",
                   "CC BY-IGO 3.0", "CC0 1.0", "Public domain")


# -- reading a file's own statement ------------------------------------------------------
def credit_from_file(path: str | Path, features: gpd.GeoDataFrame | None = None,
                     layer: str | None = None) -> BoundaryCredit | None:
    """What the file says about its source and licence (None when it says nothing).

    Looks at GeoJSON top-level members (``attribution``, ``licence``…), GDAL
    dataset/layer metadata, a GeoPackage layer's description, and per-feature
    properties named ``source``/``licence``/``attribution``. A recognised provider
    (:data:`COMMON_SOURCES`) gives its credit line and, when fixed, its licence.
    """
    path = Path(path)
    found: dict[str, str] = {}
    for statement in (_geojson_members(path), _gdal_metadata(path, layer),
                      _geopackage_description(path, layer), _feature_columns(features)):
        for key, value in statement.items():
            found.setdefault(key, value)
    origin, licence = found.get("source", ""), found.get("licence", "")
    if not origin and not licence:
        return None
    if origin:
        return recognise(origin, licence)
    named = recognise(licence, licence)  # "Data © OpenStreetMap contributors, ODbL 1.0"
    return named if named.source != licence else BoundaryCredit("", licence)


def recognise(origin: str, licence: str = "") -> BoundaryCredit:
    """The credit for a provenance text: known providers' credit lines and fixed licences."""
    folded = fold(origin)
    known = [s for s in COMMON_SOURCES if any(w in folded for w in s.words)]
    if not known:
        return BoundaryCredit(origin, licence)
    credit = "; ".join(s.credit for s in known)
    fixed = [s.licence for s in known]
    if not licence and all(fixed):
        licence = "; ".join(dict.fromkeys(fixed))
    return BoundaryCredit(credit, licence, origin if origin != credit else "")


def complete_credit(from_file: BoundaryCredit | None, source: str | None = None,
                    licence: str | None = None) -> BoundaryCredit | None:
    """The user's values over the file's; None when no source is known at all."""
    source = (source or "").strip()
    licence = (licence or "").strip()
    if source:
        given = recognise(source, licence)
        return BoundaryCredit(given.source, given.licence or
                              (from_file.licence if from_file else ""),
                              from_file.origin if from_file else given.origin)
    if from_file is None:
        return None
    return BoundaryCredit(from_file.source, licence or from_file.licence, from_file.origin)


def _geojson_members(path: Path) -> dict[str, str]:
    if path.suffix.lower() not in (".geojson", ".json") or not path.is_file() \
            or path.stat().st_size > _MAX_JSON_BYTES:
        return {}
    try:
        document = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError, OSError):
        return {}
    if not isinstance(document, dict):
        return {}
    return _credit_fields(document)


def _gdal_metadata(path: Path, layer: str | None) -> dict[str, str]:
    import pyogrio

    try:
        info = pyogrio.read_info(str(path), layer=layer)
    except Exception:  # a file GDAL reads for features but not for metadata
        return {}
    found: dict[str, str] = {}
    for block in (info.get("layer_metadata"), info.get("dataset_metadata")):
        for key, value in _credit_fields(block or {}).items():
            found.setdefault(key, value)
    return found


def _geopackage_description(path: Path, layer: str | None) -> dict[str, str]:
    if path.suffix.lower() != ".gpkg" or not path.is_file():
        return {}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT table_name, description FROM gpkg_contents").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return {}
    for table, description in rows:
        if (layer is None or table == layer) and description and description.strip() != table:
            return {"source": " ".join(str(description).split())}
    return {}


def _feature_columns(features: gpd.GeoDataFrame | None) -> dict[str, str]:
    """The most common value of per-feature ``source``/``licence`` properties."""
    if features is None:
        return {}
    found: dict[str, str] = {}
    for column in features.columns:
        role = _CREDIT_COLUMNS.get(str(column).lower())
        if role is None or role in found:
            continue
        values = Counter(str(v).strip() for v in features[column] if isinstance(v, str)
                         and v.strip())
        if values:
            found[role] = values.most_common(1)[0][0]
    return found


def _credit_fields(mapping: dict) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in mapping.items():
        role = _CREDIT_COLUMNS.get(str(key).lower())
        if role and isinstance(value, str) and value.strip() and role not in found:
            found[role] = " ".join(value.split())
    return found


def import_guidance(with_polygon: int, units: int) -> str | None:
    """What the map says while municipalities lack polygons (None when all have one).

    For the empty map's message and the legend: where boundaries come from and how
    to bring them in.
    """
    lines = import_guidance_lines(with_polygon, units)
    return " ".join(lines) if lines else None


def import_guidance_lines(with_polygon: int, units: int) -> tuple[str, ...]:
    """:func:`import_guidance` sentence by sentence (empty when every unit has a polygon),
    so a short map can show the first and fold the rest."""
    if units == 0 or with_polygon >= units:
        return ()
    where = ("No municipality has a boundary yet: each is drawn as a circle at its seat."
             if with_polygon == 0 else
             f"{units - with_polygon} of {units} municipalities have no boundary yet and are "
             f"drawn at their seat.")
    sources = "; ".join(f"{s.name} ({s.url})" for s in COMMON_SOURCES[:3] if s.url)
    return (f"{where} Import boundaries with File → Import boundaries… (or the command "
            f"import-boundaries): GeoPackage, GeoJSON, Shapefile or FlatGeobuf.",
            f"Get them from e.g. {sources}, or your national mapping agency.",
            "Record each file's source and licence so the map can credit it.")
