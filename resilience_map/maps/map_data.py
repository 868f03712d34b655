"""What the map page draws for a project, as protocol messages (geometry, names, symbols).

Display geometry is prepared once per project by :class:`MapGeometry` — simplified,
rounded and written as GeoJSON by GEOS in one vectorised pass — and patched per
municipality when boundaries change, so a reload after an import does not redo the
other 489 units. The messages carry that GeoJSON text as is (:class:`RawJson`).

What is drawn how (:func:`drawn_units`, the rules of :mod:`maps.features`): units with
a polygon are filled areas, except a city whose members have polygons of their own
(the City of Skopje over its ten), which is a dashed outline above them; units without
a polygon are circles at their seat, listed in the legend; country borders
(:mod:`maps.country_borders`) are drawn above everything and travel in their own
message (:func:`borders`), as they cost more to compute and change only with polygons.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from resilience_map.domain.records import HubActivity, Municipality, PreventionStructure
from resilience_map.maps.activities import activity_markers
from resilience_map.maps.coverage import coverage_by_country, coverage_symbols
from resilience_map.maps.features import (
    COORDINATE_DECIMALS,
    DISPLAY_TOLERANCE_DEG,
    outlined_units,
    seat_only_units,
    unit_labels,
)
from resilience_map.maps.page import REGION_BOUNDS
from resilience_map.maps.protocol import (
    ApplyStyle,
    Bounds,
    Json,
    LoadProject,
    PatchActivities,
    PatchCoverage,
    PatchNames,
    RawJson,
    ShowBorders,
)


class MapGeometry:
    """Boundaries of a project and what the page needs from them, per municipality."""

    def __init__(self, boundaries: Mapping[str, BaseGeometry] | None = None,
                 tolerance: float = DISPLAY_TOLERANCE_DEG) -> None:
        self.tolerance = tolerance
        self.boundaries: dict[str, BaseGeometry] = {}
        self.geojson: dict[str, str] = {}  # uuid → simplified geometry as GeoJSON text
        self.anchors: dict[str, list[float]] = {}  # uuid → [lon, lat] inside the polygon
        self.areas: dict[str, float] = {}
        self._borders: tuple[object, RawJson] | None = None  # (key, GeoJSON) of the last borders
        self.update(boundaries or {})

    def update(self, changed: Mapping[str, BaseGeometry | None]) -> None:
        """Take new boundaries for some municipalities (None removes a boundary)."""
        for uuid in [u for u, g in changed.items() if g is None or g.is_empty]:
            for table in (self.boundaries, self.geojson, self.anchors, self.areas):
                table.pop(uuid, None)
        present = {u: g for u, g in changed.items() if g is not None and not g.is_empty}
        self._borders = None
        if not present:
            return
        uuids = list(present)
        full = np.array([present[u] for u in uuids], dtype=object)
        display = shapely.set_precision(display_simplify(full, self.tolerance), 10 ** -COORDINATE_DECIMALS,
                                        mode="pointwise")
        texts = shapely.to_geojson(display)
        points = shapely.point_on_surface(full)
        xs, ys = shapely.get_x(points), shapely.get_y(points)
        areas = shapely.area(full)
        for i, uuid in enumerate(uuids):
            self.boundaries[uuid] = present[uuid]
            self.geojson[uuid] = str(texts[i])
            self.anchors[uuid] = [round(float(xs[i]), 5), round(float(ys[i]), 5)]
            self.areas[uuid] = float(areas[i])

    def bounds(self, units: Iterable[Municipality]) -> Bounds:
        """Everything drawn: polygons and seats (the six countries when nothing is)."""
        boxes = [shapely.bounds(g) for g in self.boundaries.values()]
        seats = [(u.seat_lon, u.seat_lat) for u in units if u.seat_lon is not None and u.seat_lat is not None]
        if not boxes and not seats:
            return REGION_BOUNDS
        lons = [b[0] for b in boxes] + [b[2] for b in boxes] + [s[0] for s in seats]
        lats = [b[1] for b in boxes] + [b[3] for b in boxes] + [s[1] for s in seats]
        return (float(min(lons)), float(min(lats)), float(max(lons)), float(max(lats)))


    def borders(self, units: Sequence[Municipality]) -> RawJson:
        """Country outlines of the units with a polygon, as GeoJSON for drawing; kept until
        the polygons or the units' countries change (:func:`borders_json`)."""
        key = tuple(sorted((u.uuid, str(u.country)) for u in units if u.uuid in self.boundaries))
        if self._borders is None or self._borders[0] != key:
            self._borders = (key, borders_json(units, self.boundaries, self.tolerance))
        return self._borders[1]


def borders_json(units: Sequence[Municipality], boundaries: Mapping[str, BaseGeometry],
                 tolerance: float = DISPLAY_TOLERANCE_DEG) -> RawJson:
    """Country outlines (id = country code) simplified for drawing, as GeoJSON.

    The outlines themselves are cached by :mod:`maps.country_borders` (in memory and on
    disk) per set of full polygons."""
    if not any(u.uuid in boundaries for u in units):
        return RawJson('{"type":"FeatureCollection","features":[]}')
    from resilience_map.maps.country_borders import country_outlines

    outlines = country_outlines(units, boundaries)
    codes = list(outlines)
    texts: list[str] = []
    if codes:
        display = shapely.set_precision(
            display_simplify(np.array([outlines[c] for c in codes], dtype=object), tolerance),
            10 ** -COORDINATE_DECIMALS, mode="pointwise")
        texts = [str(t) for t in shapely.to_geojson(display)]
    features = ",".join(f'{{"type":"Feature","id":{json.dumps(c)},"properties":{{}},"geometry":{t}}}'
                        for c, t in zip(codes, texts, strict=True))
    return RawJson(f'{{"type":"FeatureCollection","features":[{features}]}}')


def display_simplify(geometries: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker per polygon, for drawing only (4× faster than topology-preserving,
    the figure that counts at start-up); a polygon it would collapse is simplified again
    keeping its topology. A display ring that touches itself still fills correctly, and
    labels, symbols and areas use the full geometry."""
    quick = shapely.simplify(geometries, tolerance, preserve_topology=False)
    lost = shapely.is_empty(quick) | (shapely.area(quick) == 0)
    if lost.any():
        quick[lost] = shapely.simplify(geometries[lost], tolerance, preserve_topology=True)
    return quick


class Drawn(NamedTuple):
    """How each unit is drawn (a unit is in at most one list)."""

    areas: list[Municipality]  # filled polygons
    outlines: list[Municipality]  # cities drawn as a line over their member municipalities
    seats: list[Municipality]  # circles at the seat, for want of a polygon

    def choropleth_ids(self) -> list[str]:
        """The units the choropleth colours and counts: areas and seats (an outline has no fill)."""
        return [u.uuid for u in self.areas] + [u.uuid for u in self.seats]

    def every(self) -> list[Municipality]:
        return [*self.areas, *self.outlines, *self.seats]


def drawn_units(units: Sequence[Municipality], geometry: MapGeometry) -> Drawn:
    """Which units are drawn as areas, as outlines and as seat circles."""
    outlined = outlined_units(units, geometry.boundaries)
    with_polygon = [u for u in units if u.uuid in geometry.boundaries]
    return Drawn([u for u in with_polygon if u.registry_id not in outlined],
                 [u for u in with_polygon if u.registry_id in outlined],
                 seat_only_units(units, geometry.boundaries))


def features_json(units: Sequence[Municipality], geometry: MapGeometry) -> RawJson:
    """A GeoJSON FeatureCollection of the units' display geometry (feature id = uuid)."""
    features = ",".join(f'{{"type":"Feature","id":{json.dumps(u.uuid)},"properties":{{}},'
                        f'"geometry":{geometry.geojson[u.uuid]}}}' for u in units)
    return RawJson(f'{{"type":"FeatureCollection","features":[{features}]}}')


def seat_only(drawn: Drawn) -> list[str]:
    """The units the legend lists as drawn at their seat, by country and name; none when no
    unit has a polygon (then every unit is a circle, and the map's guide explains why)."""
    return [u.uuid for u in drawn.seats] if drawn.areas or drawn.outlines else []


def load_project(units: Sequence[Municipality], geometry: MapGeometry,
                 structures: Sequence[PreventionStructure], activities: Sequence[HubActivity],
                 synthetic_label: str = "", *, hidden: Sequence[str] = (), fit: bool = True,
                 style: ApplyStyle | None = None, seat_note: str = "") -> LoadProject:
    """The message that loads a project into the page, with its colours when ``style`` is given.

    ``seat_note`` is the legend's advice on giving the units at their seat a polygon (the
    window passes the import guidance; an offline page, where nothing can be imported, none).
    """
    drawn = drawn_units(units, geometry)
    every = drawn.every()
    return LoadProject(
        polygons=features_json(drawn.areas, geometry),
        outlines=features_json(drawn.outlines, geometry),
        seats=[{"id": u.uuid, "lon": round(u.seat_lon, 5), "lat": round(u.seat_lat, 5)}  # type: ignore[arg-type]
               for u in drawn.seats],
        seat_only=seat_only(drawn),
        bounds=geometry.bounds(units),
        names={u.uuid: unit_labels(u) for u in units},
        anchors=anchors(every, geometry),
        label_order=label_order(every, geometry),
        coverage=coverage_symbols(structures),
        summary=coverage_summary(units, structures),
        scn=scn_members(every),
        activities=activity_markers(activities, {u.uuid: u for u in units}),
        synthetic=synthetic_label,
        seat_note=seat_note if drawn.seats and (drawn.areas or drawn.outlines) else "",
        hidden=list(hidden),
        fit=fit,
        style={"styles": style.styles, "legend": style.legend, "token": style.token} if style else None,
    )


def borders(units: Sequence[Municipality], geometry: MapGeometry) -> ShowBorders:
    """The country borders of what is drawn (none without polygons)."""
    return ShowBorders(geometry.borders(units))


def anchors(units: Iterable[Municipality], geometry: MapGeometry) -> dict[str, list[float]]:
    """Where labels and symbols sit: a point inside the polygon, else the seat."""
    out = {}
    for u in units:
        if u.uuid in geometry.anchors:
            out[u.uuid] = geometry.anchors[u.uuid]
        elif u.seat_lon is not None and u.seat_lat is not None:
            out[u.uuid] = [u.seat_lon, u.seat_lat]
    return out


def label_order(units: Iterable[Municipality], geometry: MapGeometry) -> list[str]:
    """Label priority for decluttering: cities first, then larger populations / areas."""
    def rank(u: Municipality) -> tuple[bool, int, float]:
        return (u.kind.value != "city", -(u.population or 0), -geometry.areas.get(u.uuid, 0.0))
    return [u.uuid for u in sorted(units, key=rank)]


def coverage_summary(units: Sequence[Municipality], structures: Iterable[PreventionStructure]) -> list[str]:
    return [c.text() for c in coverage_by_country(units, structures) if c.covered]


def scn_members(units: Iterable[Municipality]) -> list[Json]:
    return [{"id": u.uuid, "since": u.scn_member_since.strftime("%B %Y")}
            for u in units if u.scn_member_since is not None]


# --- patches after an edit ------------------------------------------------------------------

def patch_coverage(units: Sequence[Municipality], structures: Sequence[PreventionStructure],
                   affected: Iterable[str]) -> PatchCoverage:
    """Symbols of the affected municipalities only (an empty list clears one), and the summary."""
    affected = set(affected)
    symbols = coverage_symbols(s for s in structures if s.municipality_uuid in affected)
    return PatchCoverage(coverage={uuid: symbols.get(uuid, []) for uuid in affected},
                         summary=coverage_summary(units, structures))


def patch_names(units: Sequence[Municipality], geometry: MapGeometry, changed: Iterable[Municipality],
                structures: Sequence[PreventionStructure]) -> PatchNames:
    """New names of the changed units; priorities, SCN stars and the summary follow from all units."""
    drawn = drawn_units(units, geometry).every()
    return PatchNames(names={u.uuid: unit_labels(u) for u in changed},
                      label_order=label_order(drawn, geometry), scn=scn_members(drawn),
                      summary=coverage_summary(units, structures))


def patch_activities(units: Sequence[Municipality], changed: Sequence[HubActivity], removed: Iterable[str],
                     visible: list[str]) -> PatchActivities:
    return PatchActivities(upsert=activity_markers(changed, {u.uuid: u for u in units}),
                           remove=list(removed), visible=visible)


#: Unit fields that move or add/remove what the page draws (not just its text).
GEOMETRIC_FIELDS = ("seat_lon", "seat_lat", "kind", "parent_id", "registry_id")


def needs_reload(before: Municipality, after: Municipality) -> bool:
    """True when a municipality's edit changes where or whether it is drawn."""
    return any(getattr(before, f) != getattr(after, f) for f in GEOMETRIC_FIELDS)
