"""The one message that loads a project into the map page (geometry, names, symbols)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import shapely
from shapely.geometry.base import BaseGeometry

from resilience_map.domain.records import HubActivity, Municipality, PreventionStructure
from resilience_map.maps.activities import activity_markers
from resilience_map.maps.coverage import coverage_by_country, coverage_symbols
from resilience_map.maps.features import MapFeatures, build_features, unit_labels


def anchors(units: Sequence[Municipality], boundaries: Mapping[str, BaseGeometry]) -> dict[str, list[float]]:
    """Where labels and symbols sit: a point inside the polygon, else the seat."""
    out = {}
    for u in units:
        if u.uuid in boundaries:
            p = shapely.point_on_surface(boundaries[u.uuid])
            out[u.uuid] = [round(p.x, 5), round(p.y, 5)]
        elif u.seat_lon is not None and u.seat_lat is not None:
            out[u.uuid] = [u.seat_lon, u.seat_lat]
    return out


def label_order(units: Sequence[Municipality], boundaries: Mapping[str, BaseGeometry]) -> list[str]:
    """Label priority for decluttering: cities first, then larger areas / populations."""
    def rank(u: Municipality) -> tuple:
        area = boundaries[u.uuid].area if u.uuid in boundaries else 0.0
        return (u.kind.value != "city", -(u.population or 0), -area)
    return [u.uuid for u in sorted(units, key=rank)]


def load_message(units: Sequence[Municipality], boundaries: Mapping[str, BaseGeometry],
                 structures: Sequence[PreventionStructure], activities: Sequence[HubActivity],
                 synthetic_label: str = "", features: MapFeatures | None = None) -> dict:
    """Everything the page draws except the choropleth colours (sent separately)."""
    features = features or build_features(units, boundaries)
    by_uuid = {u.uuid: u for u in units}
    drawn = {f["id"] for f in features.polygons["features"]} | {s["id"] for s in features.seats} \
        | {f["id"] for f in features.outlines["features"]}
    drawn_units = [u for u in units if u.uuid in drawn]
    return {
        "op": "load",
        "polygons": features.polygons,
        "seats": features.seats,
        "outlines": features.outlines,
        "borders": features.borders,
        "seatOnly": [by_uuid[i].name_latin for i in features.seat_only],
        "bounds": features.bounds,
        "names": {u.uuid: unit_labels(u) for u in units},
        "anchors": anchors(drawn_units, boundaries),
        "labelOrder": label_order(drawn_units, boundaries),
        "coverage": coverage_symbols(structures),
        "summary": [c.text() for c in coverage_by_country(units, structures) if c.covered],
        "scn": [{"id": u.uuid, "since": u.scn_member_since.strftime("%B %Y")}
                for u in units if u.scn_member_since is not None and u.uuid in drawn],
        "activities": activity_markers(activities, by_uuid),
        "synthetic": synthetic_label,
    }
