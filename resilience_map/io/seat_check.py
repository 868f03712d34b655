"""Does a polygon belong to the unit its label names? The registry seats decide.

A label can name the wrong unit — a neighbour, the region, two neighbours swapped,
an old unit — and a wrong match paints one town's figures onto another. So a name
is only a proposal: it is confirmed when the unit's seat lies in the polygon (or
within :data:`TOLERANCE_M` of it: coarse polygons, seats at a town centre on the
border) and no other unit's seat is a better fit, i.e. the polygon does not hold
another unit's seat while missing the named one's.

Some registry seats are known to be imprecise (a city's point used for its city
municipalities, a hand-typed village), so the rules compare seats with each other
instead of trusting one blindly: seats at the same place tie, a seat just outside
is accepted when nothing better is inside. Two more rules catch a city confused
with one of its members: a city must hold the seats of most of its members, and
a member's polygon must not hold most of its siblings' seats.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from resilience_map.domain.records import Municipality

METRIC_CRS = "EPSG:3035"    # ETRS89 LAEA Europe: metres and true areas for the whole region
TOLERANCE_M = 2000.0        # a seat this close outside the polygon still confirms it
SAME_PLACE_M = 100.0        # seats closer than this are one point (a city and its members)
FAR_PART_KM = 25.0          # a part with no seat of its own must lie this close to its unit…
SMALL_PART_SHARE = 0.05     # …unless it is this small a share of the feature (an exclave, a sliver)
SUGGEST_M = 1000.0          # seats this close are offered as suggestions in the review


@dataclass(frozen=True)
class Verdict:
    """Whether a polygon is confirmed for a unit, and the sentence that says why."""

    ok: bool
    reason: str
    distance_km: float | None = None


class SeatCheck:
    """Seats of one country's units in metres, and the rules that compare them."""

    def __init__(self, units: Sequence[Municipality]) -> None:
        self.units = {u.registry_id: u for u in units}
        to_metric = _to_metric()
        self.seats: dict[str, Point] = {}
        for unit in units:
            if unit.seat_lon is not None and unit.seat_lat is not None:
                self.seats[unit.registry_id] = Point(*to_metric.transform(unit.seat_lon,
                                                                          unit.seat_lat))
        self._ids = list(self.seats)
        self._tree = shapely.STRtree([self.seats[i] for i in self._ids])
        self.children: dict[str, list[str]] = defaultdict(list)
        for unit in units:
            if unit.parent_id in self.units:
                self.children[unit.parent_id].append(unit.registry_id)
        self._layer: list[BaseGeometry] = []
        self._layer_tree: shapely.STRtree | None = None
        self._named: list[set[str]] = []
        self._labels: list[str] = []

    def use_layer(self, geoms: Sequence[BaseGeometry], named: Sequence[set[str]],
                  labels: Sequence[str]) -> None:
        """The file's other features (metres) and the units their names propose.

        A seat lying in another feature of the file is evidence that that feature is
        the unit — unless that feature's own name is confirmed there by a seat of its
        own (then the stray seat is imprecise: Fushë Kosovë's point in Obiliq).
        """
        self._layer = list(geoms)
        self._layer_tree = shapely.STRtree(self._layer)
        self._named = [set(n) for n in named]
        self._labels = list(labels)

    # -- distances --------------------------------------------------------------------
    def distance_m(self, geom: BaseGeometry, unit_id: str) -> float | None:
        seat = self.seats.get(unit_id)
        return None if seat is None else float(geom.distance(seat))

    def seats_within(self, geom: BaseGeometry, metres: float) -> dict[str, float]:
        """Units whose seat lies within ``metres`` of ``geom`` (0: inside), with distances."""
        hits = self._tree.query(geom, predicate="dwithin", distance=metres) if metres > 0 \
            else self._tree.query(geom, predicate="intersects")
        ids = [self._ids[k] for k in np.atleast_1d(hits)]
        if not ids:
            return {}
        distances = shapely.distance(geom, [self.seats[i] for i in ids])
        return {i: float(d) for i, d in zip(ids, distances, strict=True)}

    def seats_inside(self, geom: BaseGeometry, unit_ids: Iterable[str],
                     metres: float = SUGGEST_M) -> list[str]:
        """Of ``unit_ids``, those whose seat lies in ``geom`` (within ``metres``)."""
        near = self.seats_within(geom, metres)
        return sorted(u for u in unit_ids if u in near)

    # -- relations ---------------------------------------------------------------------
    def relatives(self, unit_id: str) -> set[str]:
        """Ancestors and descendants: their territory overlaps the unit's by definition."""
        found: set[str] = set()
        parent = self.units[unit_id].parent_id if unit_id in self.units else None
        while parent and parent not in found:
            found.add(parent)
            parent = self.units[parent].parent_id if parent in self.units else None
        stack = list(self.children.get(unit_id, ()))
        while stack:
            child = stack.pop()
            if child not in found:
                found.add(child)
                stack += self.children.get(child, ())
        return found

    def _elsewhere(self, unit_id: str, others: Iterable[str]) -> list[str]:
        """Of ``others``, the units whose seat is not at the same place as ``unit_id``'s."""
        seat = self.seats[unit_id]
        return [o for o in others if o in self.seats
                and self.seats[o].distance(seat) > SAME_PLACE_M]

    # -- the rules ---------------------------------------------------------------------
    def _seat_claimed_elsewhere(self, unit_id: str, feature: int | None) -> str:
        """The label of another feature that holds the unit's seat and is not explained
        by a seat of its own name ('' when there is none)."""
        if self._layer_tree is None or feature is None:
            return ""
        seat = self.seats[unit_id]
        for k in np.atleast_1d(self._layer_tree.query(seat, predicate="intersects")):
            k = int(k)
            if k == feature:
                continue
            inside = self.seats_within(self._layer[k], 0.0)
            explained = any(b != unit_id and b in inside for b in self._named[k])
            if not explained:
                return self._labels[k]
        return ""

    def confirm(self, geom: BaseGeometry, unit_id: str, feature: int | None = None) -> Verdict:
        """Is ``geom`` (metres) the unit's polygon, as far as the seats can tell?

        ``feature`` is the index of ``geom``'s feature in the layer given to
        :meth:`use_layer` (so that it is not compared with itself).
        """
        unit = self.units[unit_id]
        name = unit.name_latin
        if unit_id not in self.seats:
            return self._confirm_by_city(geom, unit_id)
        distance = float(geom.distance(self.seats[unit_id]))
        km, away = distance / 1000, _distance_text(distance)
        if distance > TOLERANCE_M:
            return Verdict(False, f"the seat of {name} is {away} outside the polygon", km)
        inside = self.seats_within(geom, 0.0)
        related = self.relatives(unit_id)
        if distance > 0:
            rivals = [r for r in self._elsewhere(unit_id, inside) if r not in related]
            if rivals:
                return Verdict(False, f"the seat of {name} is {away} outside the polygon, "
                               f"which holds the seat of {self._names(rivals)}", km)
            other = self._seat_claimed_elsewhere(unit_id, feature)
            if other:
                return Verdict(False, f"the seat of {name} is {away} outside the polygon, in "
                               f"the feature {other!r}", km)
        members = [c for c in self.children.get(unit_id, ()) if c in self.seats]
        if members:
            near = self.seats_within(geom, TOLERANCE_M)
            held = [m for m in members if m in near]
            if 3 * len(held) < 2 * len(members):
                return Verdict(False, f"{name} is made of {len(members)} municipalities but the "
                               f"polygon holds the seats of only {len(held)}", km)
        parent = unit.parent_id
        if parent in self.units:
            siblings = self._elsewhere(unit_id, (c for c in self.children[parent]
                                                 if c != unit_id))
            held = [s for s in siblings if s in inside]
            if held and 2 * len(held) >= len(siblings):
                return Verdict(False, f"the polygon also holds the seats of {self._names(held)}: "
                               f"it looks like all of {self.units[parent].name_latin}", km)
        where = "inside the polygon" if distance == 0 else f"{away} outside the polygon"
        return Verdict(True, f"the seat of {name} lies {where}", km)

    def _confirm_by_city(self, geom: BaseGeometry, unit_id: str) -> Verdict:
        """A member without a seat of its own (Niš's Pantelej while its seat is being
        looked up): the polygon must lie near its city's seat and hold no other unit's."""
        unit = self.units[unit_id]
        name, city = unit.name_latin, unit.parent_id
        if city not in self.seats:
            return Verdict(False, f"{name} has no seat in the registry to confirm the polygon")
        distance = float(geom.distance(self.seats[city]))
        city_name = self.units[city].name_latin
        if distance > FAR_PART_KM * 1000:
            return Verdict(False, f"{name} has no seat in the registry and the polygon lies "
                                  f"{_distance_text(distance)} from the seat of {city_name}")
        related = self.relatives(unit_id)
        rivals = [r for r in self.seats_within(geom, 0.0) if r not in related]
        if rivals:
            return Verdict(False, f"{name} has no seat in the registry and the polygon holds "
                                  f"the seat of {self._names(rivals)}")
        return Verdict(True, f"{name} has no seat in the registry; the polygon lies "
                             f"{_distance_text(distance)} from the seat of {city_name} and "
                             f"holds no other unit's seat")

    def assign_parts(self, parts: Sequence[BaseGeometry], candidates: Sequence[str],
                     feature: int | None = None) -> tuple[list[str] | None, str]:
        """Each part of a multi-part feature to one candidate, or None with the reason.

        A part is confirmed for a candidate by :meth:`confirm`; a part holding no seat
        (an island, an exclave) goes to the nearest candidate if no other unit's seat
        lies in it and it lies within :data:`FAR_PART_KM` of that seat or is small
        (:data:`SMALL_PART_SHARE` of the feature). Every unit given a part must have at
        least one part confirmed outright.
        """
        total_area = sum(p.area for p in parts)
        chosen: list[str | None] = []
        confirmed: set[str] = set()
        for number, part in enumerate(parts, start=1):
            ok = [c for c in candidates if self.confirm(part, c, feature).ok]
            if len(ok) > 1:
                return None, f"part {number} holds the seats of {self._names(ok)}"
            if ok:
                chosen.append(ok[0])
                confirmed.add(ok[0])
                continue
            chosen.append(None)
        for number, (part, unit) in enumerate(zip(parts, chosen, strict=True), start=1):
            if unit is not None:
                continue
            small = part.area <= SMALL_PART_SHARE * total_area
            nearest, reason = self.nearest_owner(part, candidates, small)
            if nearest is None:
                return None, f"part {number} {reason}"
            chosen[number - 1] = nearest
        if not confirmed or any(u not in confirmed for u in chosen):
            unconfirmed = sorted({u for u in chosen if u not in confirmed}) or list(candidates)
            return None, f"no part of the feature is confirmed for {self._names(unconfirmed)}"
        return [u for u in chosen if u is not None], ""

    def nearest_owner(self, part: BaseGeometry, candidates: Sequence[str],
                       small: bool = False) -> tuple[str | None, str]:
        """The candidate a seatless part belongs to, or None with the reason."""
        related = set(candidates).union(*(self.relatives(c) for c in candidates))
        strangers = [u for u in self.seats_within(part, 0.0) if u not in related]
        if strangers:
            return None, f"holds the seat of {self._names(strangers)}"
        distances = sorted((d, c) for c in candidates
                           if (d := self.distance_m(part, c)) is not None)
        if not distances or (distances[0][0] > FAR_PART_KM * 1000 and not small):
            far = f"{distances[0][0] / 1000:.0f} km" if distances else "far"
            return None, f"lies {far} from the seat of any unit it is named after"
        if len(distances) > 1 and distances[1][0] < 2 * distances[0][0]:
            return None, "lies between the seats of " + self._names(c for _, c in distances[:2])
        return distances[0][1], ""

    def _names(self, unit_ids: Iterable[str]) -> str:
        names = sorted(self.units[u].name_latin for u in unit_ids)
        return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


@functools.cache
def _to_metric() -> Transformer:
    """Built once: pyproj takes about 0.2 s to set up a transformation."""
    return Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


def _distance_text(metres: float) -> str:
    return f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:.1f} km"
