"""How each municipality is drawn on the map (window, offline page and print alike).

The rules, bottom to top:

- a unit with a polygon is a filled area, except
- a city whose member municipalities have polygons of their own (the City of Skopje
  over its ten): drawn as a line above them (:func:`outlined_units`), never as a fill
  that hides them, and still selectable to show the city's own values;
- a unit without a polygon is a circle at its seat, so the map is complete before any
  import (:func:`drawn_as_seat`); the legend lists them (:func:`seat_only_units`) —
  except a city's member whose city is drawn;
- country outlines (:mod:`resilience_map.maps.country_borders`) above the municipal
  borders, not selectable.

The page's display geometry is prepared by :class:`resilience_map.maps.map_data.MapGeometry`;
the project keeps full geometry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from shapely.geometry.base import BaseGeometry

from resilience_map.domain.enums import UnitKind
from resilience_map.domain.records import Municipality

#: About 100 m at the region's latitude: invisible below zoom 11, halves the payload.
DISPLAY_TOLERANCE_DEG = 0.001
COORDINATE_DECIMALS = 4
#: Up to this many units at their seat are named in a legend; more are counted.
MAX_LISTED_SEATS = 8


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


def unit_labels(unit: Municipality) -> dict[str, str]:
    """The name forms a user can choose to see on the map."""
    return {"latin": unit.name_latin, "local": unit.name_local, "en": unit.name_en}
