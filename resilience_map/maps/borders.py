"""Country borders, city outlines and boundary credits for maps (Qt-free).

Interim implementations behind three small functions: the boundaries work (issue 9)
stores credits in the project and adds outlines to ``maps.features``; when that lands,
these functions delegate to it and nothing that draws maps changes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import shapely
import shapely.errors
from shapely.geometry.base import BaseGeometry

from resilience_map.domain.enums import Country, UnitKind
from resilience_map.domain.records import Municipality

#: Boundary lines are merged on this grid (degrees, about 10 m): neighbours whose shared
#: border differs by less than that dissolve cleanly instead of leaving slivers.
_UNION_GRID = 1e-4
#: Gaps narrower than this between neighbouring polygons (degrees, about 300 m) are
#: closed before a country outline is taken, so the outline follows the outside only.
_GAP = 0.003

_CACHE_VERSION = 1
#: Meta key under which a project may store its boundary credits (one per line).
CREDITS_META_KEY = "boundary_credits"


def country_borders(
    units: Sequence[Municipality], boundaries: Mapping[str, BaseGeometry], tolerance: float = 0.0
) -> dict[Country, BaseGeometry]:
    """Each country's outline as lines, from the union of its units' polygons.

    City sub-units are left out when their city has its own polygon (they lie inside it).
    ``tolerance`` (degrees) simplifies the polygons first, which makes the union fast.
    """
    by_country: dict[Country, list[tuple[str, BaseGeometry]]] = {}
    inside_a_city = _members_of_drawn_cities(units, boundaries)
    for unit in units:
        geom = boundaries.get(unit.uuid)
        if geom is not None and unit.uuid not in inside_a_city:
            by_country.setdefault(unit.country, []).append((unit.uuid, geom))
    return {country: _cached_outline(items, tolerance) for country, items in by_country.items()}


def _members_of_drawn_cities(
    units: Sequence[Municipality], boundaries: Mapping[str, BaseGeometry]
) -> set[str]:
    cities = {u.registry_id for u in units if u.kind is UnitKind.CITY and u.uuid in boundaries}
    return {u.uuid for u in units if u.kind is UnitKind.CITY_MUNICIPALITY and u.parent_id in cities}


def _outline(geoms: list[BaseGeometry], tolerance: float) -> BaseGeometry:
    parts = shapely.set_precision(
        shapely.simplify(geoms, tolerance) if tolerance else geoms, _UNION_GRID, mode="pointwise"
    )
    merged = shapely.union_all(shapely.buffer(parts, _GAP, quad_segs=2, join_style="mitre"))
    merged = shapely.buffer(merged, -_GAP, quad_segs=2, join_style="mitre")
    return shapely.simplify(merged.boundary, tolerance) if tolerance else merged.boundary


def _cached_outline(items: list[tuple[str, BaseGeometry]], tolerance: float) -> BaseGeometry:
    """The union costs 0.1–0.5 s per country; its result is kept in the user's cache folder,
    keyed by the exact geometries and tolerance, so a second export reuses it."""
    digest = hashlib.sha1(f"{_CACHE_VERSION}:{tolerance:.6f}".encode())
    for uuid, geom in sorted(items, key=lambda item: item[0]):
        digest.update(uuid.encode())
        digest.update(shapely.to_wkb(geom))
    path = _cache_folder() / f"outline-{digest.hexdigest()}.wkb"
    try:
        return shapely.from_wkb(path.read_bytes())
    except (OSError, shapely.errors.GEOSException):
        pass
    outline = _outline([g for _, g in items], tolerance)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.part")
        tmp.write_bytes(shapely.to_wkb(outline))
        os.replace(tmp, path)
    except OSError:  # a read-only cache folder only costs time
        pass
    return outline


def _cache_folder() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("ResilienceMap", "StrongCitiesNetwork") / "borders"


def city_outlines(
    units: Sequence[Municipality], boundaries: Mapping[str, BaseGeometry]
) -> dict[str, BaseGeometry]:
    """Cities drawn over their member municipalities: city uuid → the city's own polygon.

    When both a city (City of Skopje) and its city municipalities (Čair, Centar, …) have
    polygons, the members are filled and the city is drawn as an outline above them.
    """
    with_polygons = {u.parent_id for u in units if u.parent_id and u.uuid in boundaries}
    return {
        u.uuid: boundaries[u.uuid]
        for u in units
        if u.kind is UnitKind.CITY and u.registry_id in with_polygons and u.uuid in boundaries
    }


def boundary_credits(store) -> tuple[str, ...]:
    """Credits of the boundaries in use, one line per source.

    A project that stores its credits (``boundary_credits`` meta, one per line) gives
    them as written; otherwise the files the boundaries were imported from are named,
    taken from the change history, so an export never hides where its polygons came from.
    """
    stored = store.meta(CREDITS_META_KEY)
    if stored:
        return tuple(line.strip() for line in stored.splitlines() if line.strip())
    files: dict[str, None] = {}
    for note in store.boundary_history_notes():
        if ", from " in note:
            files[note.rsplit(", from ", 1)[1]] = None
    if not files:
        return ()
    return (f"imported from {', '.join(sorted(files))} (licences as stated by each file's provider)",)
