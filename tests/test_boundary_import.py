"""Applying boundary plans: one transaction, undo, credits that accumulate per unit."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from resilience_map.io.attribution import (
    COMMON_SOURCES,
    BoundaryCredit,
    boundary_credits,
    credit_from_file,
    recognise,
)
from resilience_map.io.boundary_import import (
    MissingCreditError,
    apply_boundary_plan,
    apply_change,
    boundary_change,
    plan_for_project,
)
from resilience_map.store import ProjectStore

OSM = BoundaryCredit("© OpenStreetMap contributors", "ODbL 1.0")
GEOBOUNDARIES = BoundaryCredit("geoBoundaries", "CC BY 4.0")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def squares_at_seats(store: ProjectStore, registry_ids: list[str], path: Path,
                     **top_level: str) -> Path:
    """A GeoJSON file with a 3 km square around the seat of each unit, named like it."""
    units = {u.registry_id: u for u in store.municipalities()}
    features = []
    for rid in registry_ids:
        u = units[rid]
        geom = box(u.seat_lon - 0.02, u.seat_lat - 0.015, u.seat_lon + 0.02, u.seat_lat + 0.015)
        features.append({"type": "Feature", "properties": {"name": u.name_latin},
                         "geometry": json.loads(gpd.GeoSeries([geom]).to_json())
                         ["features"][0]["geometry"]})
    path.write_text(json.dumps({"type": "FeatureCollection", **top_level,
                                "features": features}), encoding="utf-8")
    return path


def test_one_undoable_change_with_its_credit(demo_project: Path, tmp_path: Path) -> None:
    with ProjectStore.open(demo_project) as store:
        path = squares_at_seats(store, ["me-budva", "me-bar", "me-niksic"], tmp_path / "me.geojson")
        plan = plan_for_project(store, path, "ME")
        assert [m.status for m in plan.matches] == ["matched"] * 3
        before_history = len(store.history())
        change = apply_boundary_plan(store, plan, OSM, "tester")
        assert len(change) == 3 and len(store.boundaries()) == 3
        assert len({h.change_set for h in store.history()[: len(store.history()) - before_history]}) == 1
        credits = boundary_credits(store)
        assert [(c.credit, c.units, c.files) for c in credits] == [(OSM, 3, ("me.geojson",))]
        assert credits[0].text() == "Boundaries: © OpenStreetMap contributors (ODbL 1.0)"
        # undo: polygons and the import record go, in one step
        apply_change(store, change.inverse(), "tester")
        assert store.boundaries() == {} and boundary_credits(store) == []
        assert store.meta_items("boundary_import:") == {}


def test_credits_follow_the_latest_polygon_of_each_unit(demo_project: Path, tmp_path: Path) -> None:
    with ProjectStore.open(demo_project) as store:
        first = squares_at_seats(store, ["me-budva", "me-bar"], tmp_path / "a.geojson")
        second = squares_at_seats(store, ["me-bar", "me-niksic"], tmp_path / "b.geojson")
        apply_boundary_plan(store, plan_for_project(store, first, "ME"), OSM, "tester")
        apply_boundary_plan(store, plan_for_project(store, second, "ME"), GEOBOUNDARIES, "tester")
        credits = {c.credit: (c.units, c.files) for c in boundary_credits(store)}
        assert credits == {OSM: (1, ("a.geojson",)), GEOBOUNDARIES: (2, ("b.geojson",))}
        assert sorted(store.meta_items("boundary_import:")) == ["boundary_import:0001",
                                                                 "boundary_import:0002"]


def test_without_a_credit_nothing_is_written(demo_project: Path, tmp_path: Path) -> None:
    with ProjectStore.open(demo_project) as store:
        path = squares_at_seats(store, ["me-budva"], tmp_path / "anon.geojson")
        plan = plan_for_project(store, path, "ME")
    assert plan.credit is None
    before = sha256(demo_project)
    with ProjectStore.open(demo_project) as store, pytest.raises(MissingCreditError,
                                                                 match="anon.geojson"):
        apply_boundary_plan(store, plan, None, "tester")
    assert sha256(demo_project) == before


# -- what a file says about itself --------------------------------------------------------
def test_credit_read_from_geojson_members_and_properties(demo_project: Path,
                                                         tmp_path: Path) -> None:
    with ProjectStore.open(demo_project, read_only=True) as store:
        members = squares_at_seats(store, ["me-budva"], tmp_path / "nominatim.geojson",
                                   licence="Data © OpenStreetMap contributors, ODbL 1.0")
        wof = squares_at_seats(store, ["me-budva"], tmp_path / "wof.geojson")
    nominatim = credit_from_file(members)
    assert nominatim.source == "© OpenStreetMap contributors"
    assert nominatim.licence == "Data © OpenStreetMap contributors, ODbL 1.0"
    gdf = gpd.read_file(wof).assign(source="Who's On First whosonfirst-data-admin-me@6e1a51a")
    credit = credit_from_file(wof, gdf)
    assert credit.source == "Data from Who's On First" and "whosonfirst.org" in credit.licence
    assert credit.origin.endswith("@6e1a51a")


def test_credit_read_from_a_geopackage_description(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "agency.gpkg"
    gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(20, 42, 20.1, 42.1)], crs=4326).to_file(
        path, layer="opstine")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE gpkg_contents SET description = ? WHERE table_name = 'opstine'",
                     ("OpenStreetMap extract, Geofabrik 2025-01-01",))
    credit = credit_from_file(path, layer="opstine")
    assert credit == BoundaryCredit("© OpenStreetMap contributors", "ODbL 1.0",
                                    "OpenStreetMap extract, Geofabrik 2025-01-01")


def test_known_sources_fix_only_licences_that_are_fixed() -> None:
    assert recognise("hyperknot/country-levels-export (OpenStreetMap)").licence == "ODbL 1.0"
    assert recognise("geoBoundaries gbOpen BIH ADM3").licence == ""  # differs per country
    skopje = recognise("Who's On First (src:geom quattroshapes < Natural Earth)")
    assert "CC BY 2.0" in skopje.licence and "quattroshapes" in skopje.source
    assert recognise("Cadastre of Nowhere", "CC0 1.0") == BoundaryCredit("Cadastre of Nowhere",
                                                                           "CC0 1.0")
    names = {s.name.split(" ")[0] for s in COMMON_SOURCES}
    assert {"OpenStreetMap", "geoBoundaries", "Who's", "Quattroshapes", "Serbia:"} <= names
    osm = COMMON_SOURCES[0]
    assert (osm.credit, osm.licence) == ("© OpenStreetMap contributors", "ODbL 1.0")


# -- the shared files: Skopje's own polygon and its ten -------------------------------------
def test_city_polygon_of_its_own_is_never_replaced_by_its_members(
        demo_project: Path, shared_boundaries: Path) -> None:
    ten, whole = shared_boundaries / "MK_skopje_adm2.geojson", shared_boundaries / "MK_adm2.geojson"
    with ProjectStore.open(demo_project) as store:
        skopje = store.municipality_by_registry_id("mk-skopje").uuid
        cair = store.municipality_by_registry_id("mk-cair").uuid

        def import_(path: Path) -> bool:
            change = boundary_change(store, plan_for_project(store, path), OSM, "tester")
            apply_change(store, change, "tester")
            return skopje in change.after

        assert import_(ten)  # no polygon yet: the union of the ten
        assert import_(whole)  # a polygon of its own replaces the union
        assert not import_(ten)  # …and is never replaced by it again
        city = plan_for_project(store, whole).geometries()["mk-skopje"]
        assert store.boundaries()[skopje].equals(city) and cair in store.boundaries()


def test_guidance_for_an_empty_map() -> None:
    from resilience_map.io.attribution import import_guidance

    empty = import_guidance(0, 530)
    assert empty is not None and "File → Import boundaries" in empty
    assert "geoboundaries.org" in empty and "openstreetmap.org" in empty
    assert "3 of 530 municipalities" in (import_guidance(527, 530) or "")
    assert import_guidance(530, 530) is None


# -- the session's command: the one path of the window and the command line -----------------
def test_import_command_is_one_step_with_its_credit_and_events(demo_session, tmp_path: Path) -> None:
    from resilience_map.session import BoundariesChanged, MetaChanged
    from resilience_map.session.boundaries import ImportBoundaries

    session = demo_session
    store = session.require_store()
    first = squares_at_seats(store, ["me-budva", "me-bar"], tmp_path / "a.geojson")
    second = squares_at_seats(store, ["me-bar", "me-niksic"], tmp_path / "b.geojson")
    seen: list = []
    session.events.subscribe(BoundariesChanged, seen.append)
    session.events.subscribe(MetaChanged, seen.append)
    command = ImportBoundaries.of_plans([(plan_for_project(store, first, "ME"), OSM),
                                         (plan_for_project(store, second, "ME"), GEOBOUNDARIES)])
    session.do(command)
    assert command.applied == 4 and len(session.stack) == 1
    assert session.stack.undo_text == "Import 4 boundaries from a.geojson, b.geojson"
    assert {c.credit: c.units for c in boundary_credits(store)} == {OSM: 1, GEOBOUNDARIES: 2}
    polygons, *metas = seen
    assert isinstance(polygons, BoundariesChanged) and len(polygons.after) == 3
    assert all(g is None for g in polygons.before.values())  # each unit's state before the step
    assert [(m.key, m.old is None, m.new is not None) for m in metas] == [
        ("boundary_import:0001", True, True), ("boundary_import:0002", True, True)]
    seen.clear()
    session.undo()
    assert store.boundaries() == {} and boundary_credits(store) == []
    assert store.meta_items("boundary_import:") == {}
    assert [type(e).__name__ for e in seen] == ["BoundariesChanged", "MetaChanged", "MetaChanged"]
    assert all(g is None for g in seen[0].after.values()) and seen[1].new is None
    session.redo()
    assert len(store.boundaries()) == 3 and len(boundary_credits(store)) == 2


def test_cli_import_goes_through_the_session_command(demo_project: Path, tmp_path: Path) -> None:
    from resilience_map.cli import main

    with ProjectStore.open(demo_project, read_only=True) as store:
        path = squares_at_seats(store, ["me-budva", "me-bar"], tmp_path / "me.geojson")
    assert main(["import-boundaries", str(demo_project), str(path), "--country", "ME",
                 "--source", "© OpenStreetMap contributors"]) == 0
    with ProjectStore.open(demo_project, read_only=True) as store:
        assert [(c.credit.licence, c.units) for c in boundary_credits(store)] == [("ODbL 1.0", 2)]
        history = store.history()
        step = {h.change_set for h in history if h.operation == "boundary"}
        assert len(step) == 1 and {h.author for h in history if h.change_set in step} == {"command line"}
        assert any(h.table_name == "rm_meta" for h in history if h.change_set in step)
