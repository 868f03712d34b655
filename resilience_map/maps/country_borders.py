"""Country outlines computed from the municipal polygons, drawn above municipal borders.

National borders are not imported separately: each country's outline is the union
of its municipalities' polygons, so it always agrees with what is drawn. Municipal
files rarely tile perfectly (coordinates rounded to 100 m, coarse generalisation),
so the union is *closed* (grown then shrunk by :data:`GAP_M`) to swallow the
hairline gaps between neighbours, and crumbs smaller than :data:`SLIVER_KM2` are
dropped. Holes are filled: none of the six countries surrounds a foreign enclave,
and a municipality still without a polygon (or a coastal lagoon left out of the
municipal polygons) must not look like a national border.

Results are cached per set of polygons, in memory and in the user's cache folder (the
union costs about half a second for the region), so an edit that does not touch a
boundary, or opening the same project again, does not recompute them.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely
import shapely.errors
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from resilience_map.domain.records import Municipality

METRIC_CRS = "EPSG:3035"
GAP_M = 150.0       # gaps narrower than twice this between municipalities are closed
SLIVER_KM2 = 1.0    # stray pieces smaller than this are dropped (islands are bigger)

if TYPE_CHECKING:
    from pyproj import Transformer


@cache
def _transformer(source: str, target: str) -> Transformer:
    """Built once, and only when an outline is computed (a cached one needs no pyproj: the
    map window's start-up stays without it)."""
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


def country_outlines(units: Sequence[Municipality], boundaries: Mapping[str, BaseGeometry]
                     ) -> dict[str, MultiPolygon]:
    """Country code → outline (lon/lat) of the municipalities that have a polygon."""
    by_country: dict[str, list[BaseGeometry]] = defaultdict(list)
    for unit in units:
        if unit.uuid in boundaries:
            by_country[str(unit.country)].append(boundaries[unit.uuid])
    return {country: _cached_outline(geoms) for country, geoms in sorted(by_country.items())}


def outline(geoms: Sequence[BaseGeometry], gap_m: float = GAP_M,
            sliver_km2: float = SLIVER_KM2) -> MultiPolygon:
    """Dissolved, closed and cleaned union of lon/lat polygons, in lon/lat."""
    metric = _reproject(list(geoms), _transformer("EPSG:4326", METRIC_CRS))
    union = shapely.union_all([shapely.buffer(g, gap_m, quad_segs=2) for g in metric])
    closed = shapely.buffer(union, -gap_m, quad_segs=2)
    cleaned = _drop_slivers(closed, sliver_km2 * 1e6)
    return _as_multipolygon(_reproject([cleaned], _transformer(METRIC_CRS, "EPSG:4326"))[0])


def _reproject(geoms: list[BaseGeometry], transformer: Transformer) -> list[BaseGeometry]:
    """All coordinates through pyproj at once (shapely.ops.transform goes point by point)."""
    def move(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])
    return list(shapely.transform(geoms, move))


def _drop_slivers(geom: BaseGeometry, min_area: float) -> MultiPolygon:
    """Parts of at least ``min_area`` m², without holes."""
    return MultiPolygon([Polygon(part.exterior) for part in shapely.get_parts(geom)
                         if isinstance(part, Polygon) and part.area >= min_area])


def _as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    if isinstance(geom, MultiPolygon):
        return geom
    return MultiPolygon([p for p in shapely.get_parts(geom) if isinstance(p, Polygon)])


def _fingerprint(geoms: Sequence[BaseGeometry]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for wkb in shapely.to_wkb(list(geoms)):
        digest.update(wkb)
    return digest.hexdigest()


_CACHE: dict[str, MultiPolygon] = {}
_CACHE_SIZE = 16
_DISK_CACHE_FILES = 60  # six countries × ten versions of their boundaries


def _cached_outline(geoms: Sequence[BaseGeometry]) -> MultiPolygon:
    key = _fingerprint(geoms)
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _from_disk(key) or _to_disk(key, outline(geoms))
    return _CACHE[key]


def _cache_file(key: str) -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("ResilienceMap", "StrongCitiesNetwork") / "borders" / f"{key}.wkb"


def _from_disk(key: str) -> MultiPolygon | None:
    try:
        geom = shapely.from_wkb(_cache_file(key).read_bytes())
    except (OSError, shapely.errors.GEOSException):
        return None
    return geom if isinstance(geom, MultiPolygon) else None


def _to_disk(key: str, geom: MultiPolygon) -> MultiPolygon:
    """Keep the outline for the next start; a cache that cannot be written is no error."""
    path = _cache_file(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(shapely.to_wkb(geom))
        os.replace(tmp, path)
        kept = sorted(path.parent.glob("*.wkb"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[_DISK_CACHE_FILES:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
    return geom
