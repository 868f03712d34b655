"""The municipality geometry the map page draws, prepared once per project.

Display geometry is simplified (Douglas-Peucker with topology preservation per
polygon) and rounded; the project keeps full geometry. Units without a boundary
are drawn as circles at their seat so the map is complete before any import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from resilience_map.domain.enums import UnitKind
from resilience_map.domain.records import Municipality

#: About 100 m at the region's latitude: invisible below zoom 11, halves the payload.
DISPLAY_TOLERANCE_DEG = 0.001
COORDINATE_DECIMALS = 4


@dataclass(frozen=True)
class MapFeatures:
    """Everything geometric the page needs, as JSON-ready dicts."""

    polygons: dict  # GeoJSON FeatureCollection
    seats: list[dict]  # units drawn as circles: {id, lon, lat}
    bounds: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def display_geometry(geom: BaseGeometry, tolerance: float = DISPLAY_TOLERANCE_DEG) -> BaseGeometry:
    simplified = shapely.simplify(geom, tolerance, preserve_topology=True)
    return shapely.set_precision(simplified, 10 ** -COORDINATE_DECIMALS, mode="pointwise")


def drawn_as_polygon(unit: Municipality, boundaries: Mapping[str, BaseGeometry]) -> bool:
    return unit.uuid in boundaries


def drawn_as_seat(unit: Municipality, boundaries: Mapping[str, BaseGeometry],
                  by_registry_id: Mapping[str, Municipality]) -> bool:
    """A unit without boundary gets a circle, except a city's sub-unit whose city is drawn."""
    if unit.uuid in boundaries or unit.seat_lon is None or unit.seat_lat is None:
        return False
    if unit.kind is UnitKind.CITY_MUNICIPALITY:
        parent = by_registry_id.get(unit.parent_id or "")
        return parent is None or parent.uuid not in boundaries
    return True


def build_features(units: Sequence[Municipality], boundaries: Mapping[str, BaseGeometry],
                   tolerance: float = DISPLAY_TOLERANCE_DEG) -> MapFeatures:
    """GeoJSON for polygons (cities under their member municipalities) and seat circles."""
    by_registry_id = {u.registry_id: u for u in units}
    has_members = {u.parent_id for u in units if u.parent_id and u.uuid in boundaries}
    # draw cities whose member municipalities have polygons first, so members stay on top
    ordered = sorted((u for u in units if drawn_as_polygon(u, boundaries)),
                     key=lambda u: u.registry_id not in has_members)
    features = []
    for unit in ordered:
        geom = display_geometry(boundaries[unit.uuid], tolerance)
        features.append({"type": "Feature", "id": unit.uuid,
                         "properties": {"container": unit.registry_id in has_members},
                         "geometry": mapping(geom)})
    seats = [{"id": u.uuid, "lon": round(u.seat_lon, 5), "lat": round(u.seat_lat, 5)}
             for u in units if drawn_as_seat(u, boundaries, by_registry_id)]
    return MapFeatures({"type": "FeatureCollection", "features": features}, seats,
                       _bounds(boundaries.values(), units))


def _bounds(geoms, units: Sequence[Municipality]) -> tuple[float, float, float, float]:
    points = [shapely.Point(u.seat_lon, u.seat_lat) for u in units if u.seat_lon is not None]
    everything = [*geoms, *points]
    if not everything:
        return (18.4, 39.6, 23.1, 46.2)  # the six countries
    return tuple(float(v) for v in shapely.total_bounds(everything))  # type: ignore[return-value]


def unit_labels(unit: Municipality) -> dict[str, str]:
    """The name forms a user can choose to see on the map."""
    return {"latin": unit.name_latin, "local": unit.name_local, "en": unit.name_en}
