"""What the map draws: polygons, a city's outline over its members, country borders, seats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyproj import Geod
from shapely.geometry import MultiPolygon, Point, box, shape

from resilience_map.domain.enums import Country, UnitKind
from resilience_map.domain.records import Municipality
from resilience_map.maps import protocol as p
from resilience_map.maps.country_borders import outline
from resilience_map.maps.features import seat_only_units, unplaced_units
from resilience_map.maps.map_data import MapGeometry, borders, drawn_units, load_project
from resilience_map.store import ProjectStore

GEOD = Geod(ellps="WGS84")


def unit(rid: str, lon: float | None, lat: float | None, *, kind: UnitKind = UnitKind.MUNICIPALITY,
         parent: str | None = None, country: str = "MK") -> Municipality:
    return Municipality(registry_id=rid, country=Country(country), kind=kind, name_local=rid,
                        name_latin=rid.title(), name_en=rid, parent_id=parent,
                        seat_lon=lon, seat_lat=lat)


def km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def test_city_is_an_outline_over_its_members() -> None:
    city = unit("city", 21.43, 42.0, kind=UnitKind.CITY)
    a, b = unit("a", 21.41, 42.0, parent="city"), unit("b", 21.45, 42.0, parent="city")
    lonely = unit("lonely", 22.0, 41.5)
    boundaries = {a.uuid: MultiPolygon([box(21.40, 41.98, 21.43, 42.02)]),
                  b.uuid: MultiPolygon([box(21.43, 41.98, 21.46, 42.02)]),
                  city.uuid: MultiPolygon([box(21.40, 41.98, 21.46, 42.02)])}
    units = [city, a, b, lonely]
    geometry = MapGeometry(boundaries)
    drawn = drawn_units(units, geometry)
    assert (drawn.areas, drawn.outlines, drawn.seats) == ([a, b], [city], [lonely])
    assert drawn.choropleth_ids() == [a.uuid, b.uuid, lonely.uuid]  # an outline has no colour
    message = json.loads(p.encode(load_project(units, geometry, [], [], seat_note="Import boundaries…")))
    assert [f["id"] for f in message["polygons"]["features"]] == [a.uuid, b.uuid]
    assert [f["id"] for f in message["outlines"]["features"]] == [city.uuid]
    assert [s["id"] for s in message["seats"]] == [lonely.uuid] and message["seat_only"] == [lonely.uuid]
    assert message["seat_note"] == "Import boundaries…" and city.uuid in message["anchors"]
    assert city.uuid in message["label_order"]
    lines = json.loads(p.encode(borders(units, geometry)))["borders"]
    assert [f["id"] for f in lines["features"]] == ["MK"]
    assert shape(lines["features"][0]["geometry"]).contains(box(21.41, 41.99, 21.45, 42.01))


def test_country_outline_closes_gaps_fills_holes_drops_crumbs() -> None:
    # two municipalities 50 m apart, a missing one in the middle of a ring, a crumb, an island
    left, right = box(20.0, 42.0, 20.1, 42.1), box(20.1006, 42.0, 20.2, 42.1)
    ring = box(20.2, 42.0, 20.4, 42.2).difference(box(20.25, 42.05, 20.35, 42.15))
    crumb, island = box(21.0, 42.0, 21.003, 42.003), box(21.5, 42.0, 21.53, 42.03)
    result = outline([left, right, ring, crumb, island])
    assert len(result.geoms) == 2  # mainland + island, the 0.1 km² crumb is gone
    mainland = max(result.geoms, key=lambda p: p.area)
    assert not mainland.interiors  # neither the 50 m gap nor the missing unit is a border
    assert km2(mainland) == pytest.approx(km2(box(20.2, 42.0, 20.4, 42.2).union(
        box(20.0, 42.0, 20.2, 42.1))), rel=0.01)


def test_units_without_polygon_are_listed_for_the_legend() -> None:
    city = unit("nis", 21.9, 43.3, kind=UnitKind.CITY, country="RS")
    member = unit("medijana", 21.9, 43.3, kind=UnitKind.CITY_MUNICIPALITY, parent="nis",
                  country="RS")
    tuzi = unit("tuzi", 19.33, 42.37, country="ME")
    seatless = unit("istocni-drvar", None, None, country="BA")
    boundaries = {city.uuid: MultiPolygon([box(21.8, 43.2, 22.0, 43.4)])}
    units = [city, member, tuzi, seatless]
    assert [u.registry_id for u in seat_only_units(units, boundaries)] == ["tuzi"]
    assert unplaced_units(units, boundaries) == (seatless.uuid,)
    message = load_project(units, MapGeometry(boundaries), [], [])
    assert message.seat_only == [tuzi.uuid]  # not Niš's member: its city is drawn


def test_without_any_polygon_the_legend_lists_no_seats_and_there_are_no_borders() -> None:
    units = [unit("tuzi", 19.33, 42.37, country="ME"), unit("kumanovo", 21.7, 42.1)]
    message = load_project(units, MapGeometry(), [], [], seat_note="Import boundaries…")
    assert len(message.seats) == 2 and message.seat_only == [] and message.seat_note == ""
    assert json.loads(borders(units, MapGeometry()).borders)["features"] == []


def test_real_demo_draws_skopje_ten_palilula_split_and_borders(demo_bounded_template: Path) -> None:
    from resilience_map.io.attribution import boundary_credits

    with ProjectStore.open(demo_bounded_template, read_only=True) as store:
        units = store.municipalities()
        boundaries = store.boundaries()
        credits = [c.text() for c in boundary_credits(store)]
    by_id = {u.registry_id: u for u in units}
    geometry = MapGeometry(boundaries)
    drawn = drawn_units(units, geometry)
    polygons = {u.uuid for u in drawn.areas}
    outlines = {u.uuid for u in drawn.outlines}
    skopje_ten = [u for u in units if u.parent_id == "mk-skopje"]
    assert len(skopje_ten) == 10 and all(u.uuid in polygons for u in skopje_ten)
    assert by_id["mk-skopje"].uuid in outlines and by_id["mk-skopje"].uuid not in polygons
    lines = json.loads(geometry.borders(units))
    assert {f["id"] for f in lines["features"]} == {"AL", "BA", "XK", "ME", "MK", "RS"}
    seat_only = {u.registry_id for u in drawn.seats}
    assert {"me-tuzi", "me-zeta", "ba-stanari"} <= seat_only
    # Palilula: Belgrade keeps no piece at Niš, Niš has no hole
    belgrade, nis = boundaries[by_id["rs-beograd"].uuid], boundaries[by_id["rs-nis"].uuid]
    assert not belgrade.intersects(Point(21.93, 43.30).buffer(0.15))
    assert all(not p.interiors for p in nis.geoms)
    assert nis.contains(Point(by_id["rs-nis"].seat_lon, by_id["rs-nis"].seat_lat))
    # every boundary is credited, with its licence
    assert any("OpenStreetMap" in c and "ODbL" in c for c in credits)
    assert any("quattroshapes" in c and "CC BY 2.0" in c for c in credits)
    assert not any("not recorded" in c for c in credits)
    assert shape(lines["features"][0]["geometry"]).is_valid
