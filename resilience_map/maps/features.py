"""The municipality geometry the map page (and the print renderer) draws, prepared once per project.

Display geometry is simplified (Douglas-Peucker with topology preservation per
polygon) and rounded; the project keeps full geometry. Four collections, drawn
bottom to top:

- ``polygons``: every unit with a polygon that is not drawn as an outline;
- ``seats``: units without a boundary, as circles at their seat, so the map is
  complete before any import (:func:`seat_only_units` lists them for the legend);
- ``outlines``: a city whose member municipalities have polygons of their own (the
  City of Skopje over its ten): drawn as a line above them, never as a fill that
  hides them, and still selectable to show the city's own values;
- ``borders``: country outlines (:mod:`resilience_map.maps.country_borders`), drawn
  above the municipal borders and not selectable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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

    polygons: dict  # GeoJSON FeatureCollection, feature id = municipality uuid
    seats: list[dict]  # units drawn as circles: {id, lon, lat}
    bounds: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
    outlines: dict = field(default_factory=lambda: _collection([]))  # cities over their members
    borders: dict = field(default_factory=lambda: _collection([]))  # id = country code
    seat_only: tuple[str, ...] = ()  # uuids of the units in ``seats``, for the legend
    unplaced: tuple[str, ...] = ()  # uuids of units with neither a polygon nor a seat


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


def outlined_units(units: Sequence[Municipality], boundaries: Mapping[str, BaseGeometry]
                   ) -> set[str]:
    """Registry ids of cities drawn as an outline: they and some members have polygons."""
    with_members = {u.parent_id for u in units if u.parent_id and u.uuid in boundaries}
    return {u.registry_id for u in units
            if u.registry_id in with_members and u.uuid in boundaries}


def seat_only_units(units: Sequence[Municipality], boundaries: Mapping[str, BaseGeometry]
                    ) -> list[Municipality]:
    """Units drawn at their seat for want of a polygon (Tuzi, Zeta, Stanari…), by name."""
    by_registry_id = {u.registry_id: u for u in units}
    return sorted((u for u in units if drawn_as_seat(u, boundaries, by_registry_id)),
                  key=lambda u: (str(u.country), u.name_latin))


def unplaced_units(units: Sequence[Municipality], boundaries: Mapping[str, BaseGeometry]
                   ) -> tuple[str, ...]:
    """Units the map cannot show at all: no polygon (not even their city's) and no seat."""
    by_registry_id = {u.registry_id: u for u in units}
    return tuple(u.uuid for u in units if u.uuid not in boundaries and u.seat_lon is None
                 and (by_registry_id.get(u.parent_id or "") is None
                      or by_registry_id[u.parent_id or ""].uuid not in boundaries))


def build_features(units: Sequence[Municipality], boundaries: Mapping[str, BaseGeometry],
                   tolerance: float = DISPLAY_TOLERANCE_DEG) -> MapFeatures:
    """GeoJSON for polygons, seat circles, city outlines and country borders."""
    from resilience_map.maps.country_borders import country_outlines

    outlined = outlined_units(units, boundaries)
    polygons, outlines = [], []
    for unit in units:
        if not drawn_as_polygon(unit, boundaries):
            continue
        feature = {"type": "Feature", "id": unit.uuid, "properties": {},
                   "geometry": mapping(display_geometry(boundaries[unit.uuid], tolerance))}
        (outlines if unit.registry_id in outlined else polygons).append(feature)
    seat_units = seat_only_units(units, boundaries)
    at_seat = {u.uuid for u in seat_units}
    seats = [{"id": u.uuid, "lon": round(u.seat_lon, 5), "lat": round(u.seat_lat, 5)}
             for u in units if u.uuid in at_seat]
    borders = [{"type": "Feature", "id": country, "properties": {"country": country},
                "geometry": mapping(display_geometry(geom, tolerance))}
               for country, geom in country_outlines(units, boundaries).items()]
    return MapFeatures(_collection(polygons), seats, _bounds(boundaries.values(), units),
                       _collection(outlines), _collection(borders),
                       tuple(u.uuid for u in seat_units), unplaced_units(units, boundaries))


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _bounds(geoms, units: Sequence[Municipality]) -> tuple[float, float, float, float]:
    points = [shapely.Point(u.seat_lon, u.seat_lat) for u in units if u.seat_lon is not None]
    everything = [*geoms, *points]
    if not everything:
        return (18.4, 39.6, 23.1, 46.2)  # the six countries
    return tuple(float(v) for v in shapely.total_bounds(everything))  # type: ignore[return-value]


def unit_labels(unit: Municipality) -> dict[str, str]:
    """The name forms a user can choose to see on the map."""
    return {"latin": unit.name_latin, "local": unit.name_local, "en": unit.name_en}
