"""Matching boundary features to registry units: hand-made cases, then the real files."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import geopandas as gpd
import pytest
from conftest import SHARED_BOUNDARIES as BOUNDARIES
from conftest import SHARED_FILES as REAL_FILES
from pyproj import Transformer
from rapidfuzz.distance import DamerauLevenshtein
from shapely.geometry import MultiPolygon, Point, Polygon, box

from resilience_map.domain.enums import Country, UnitKind
from resilience_map.domain.records import Municipality
from resilience_map.io.matching import (
    METRIC_CRS,
    BoundaryImportPlan,
    plan_boundary_import,
)

COUNTRIES = ("AL", "BA", "XK", "ME", "MK", "RS")


# -- hand-made registry ------------------------------------------------------------
def unit(rid: str, name: str, lon: float, lat: float, *, country: str = "BA",
         kind: UnitKind = UnitKind.MUNICIPALITY, local: str | None = None,
         en: str | None = None, alt: tuple[str, ...] = (), parent: str | None = None,
         entity: str = "", codes: dict[str, str] | None = None) -> Municipality:
    """A registry record whose seat is (lon, lat)."""
    return Municipality(registry_id=rid, country=Country(country), kind=kind,
                        name_local=local or name, name_latin=name, name_en=en or name,
                        alt_names=alt, parent_id=parent, entity=entity,
                        seat_lon=lon, seat_lat=lat, codes=codes or {})


def square(lon: float, lat: float, size: float = 0.1) -> MultiPolygon:
    """A small municipality whose centre is (lon, lat)."""
    half = size / 2
    return MultiPolygon([box(lon - half, lat - half, lon + half, lat + half)])


def features(rows: list[tuple[str, float, float]], country: str | None = None,
             size: float = 0.1, **columns: list) -> gpd.GeoDataFrame:
    """A boundary layer: one square per (name, lon, lat)."""
    data = {"shapeName": [r[0] for r in rows], **columns}
    if country:
        data["country"] = [country] * len(rows)
    return gpd.GeoDataFrame(data, geometry=[square(r[1], r[2], size) for r in rows],
                            crs="EPSG:4326")


BA = [
    unit("ba-novi-grad", "Novi Grad", 16.30, 45.05, entity="RS", local="Нови Град"),
    unit("ba-novi-grad-sarajevo", "Novi Grad Sarajevo", 18.35, 43.85, entity="FBiH",
         alt=("Novi Grad",)),
    unit("ba-trnovo", "Trnovo", 18.45, 43.65, entity="FBiH"),
    unit("ba-trnovo-rs", "Trnovo", 18.53, 43.70, entity="RS", local="Трново"),
    unit("ba-krupa-na-uni", "Krupa na Uni", 16.40, 44.90, entity="RS"),
    unit("ba-bosanska-krupa", "Bosanska Krupa", 16.15, 44.88, entity="FBiH"),
    unit("ba-doboj-istok", "Doboj Istok", 18.30, 44.75, entity="FBiH"),
    unit("ba-doboj", "Doboj", 18.08, 44.73, entity="RS", local="Добој"),
    unit("ba-visegrad", "Višegrad", 19.29, 43.78, entity="RS", local="Вишеград"),
    unit("ba-brcko", "Brčko", 18.81, 44.87, kind=UnitKind.DISTRICT, entity="BD",
         alt=("Brčko distrikt",)),
    unit("ba-pale", "Pale", 18.57, 43.82, entity="RS"),
    unit("ba-pale-praca", "Pale-Prača", 18.75, 43.75, entity="FBiH",
         alt=("Pale (FBiH)",)),
]


def plan(rows: list[tuple[str, float, float]], registry: list[Municipality] = BA,
         country: str | None = "BA", **kwargs) -> BoundaryImportPlan:
    return plan_boundary_import(features(rows, **kwargs), registry, country=country)


def by_label(result: BoundaryImportPlan) -> dict[str, object]:
    return {m.label: m for m in result.matches}


def test_exact_names_in_any_script() -> None:
    result = plan([("Добој", 18.08, 44.73), ("Višegrad", 19.29, 43.78),
                   ("Brcko District", 18.81, 44.87)])
    assert [m.registry_id for m in result.matches] == ["ba-doboj", "ba-visegrad", "ba-brcko"]
    assert all(m.status == "matched" and m.method == "name" for m in result.matches)


def test_same_name_resolved_by_seat_in_polygon() -> None:
    result = plan([("Novi Grad", 18.35, 43.85), ("Novi Grad", 16.30, 45.05)])
    assert [m.registry_id for m in result.matches] == ["ba-novi-grad-sarajevo", "ba-novi-grad"]
    assert {m.method for m in result.matches} == {"seat"}


def test_same_name_without_a_seat_inside_is_ambiguous() -> None:
    result = plan([("Novi Grad", 17.50, 44.50)])
    match = result.matches[0]
    assert match.status == "ambiguous" and match.registry_id is None
    assert set(match.candidates) == {"ba-novi-grad", "ba-novi-grad-sarajevo"}


def test_qualifier_selects_the_entity() -> None:
    # both squares contain both seats, so only the qualifier can decide
    result = plan([("Trnovo (RS)", 18.50, 43.68), ("Trnovo (BiH)", 18.50, 43.68)])
    assert [m.registry_id for m in result.matches] == ["ba-trnovo-rs", "ba-trnovo"]


def test_unqualified_name_with_both_seats_inside_is_ambiguous() -> None:
    result = plan([("Trnovo", 18.50, 43.68)])
    assert result.matches[0].status == "ambiguous"


def test_typo_and_english_forms() -> None:
    result = plan([("Kupra na Uni", 16.40, 44.90), ("Doboj East", 18.30, 44.75)])
    assert [m.registry_id for m in result.matches] == ["ba-krupa-na-uni", "ba-doboj-istok"]
    assert [m.method for m in result.matches] == ["fuzzy", "skeleton"]


def test_typo_with_two_close_units_is_not_guessed() -> None:
    registry = [unit("ba-a", "Kalesint", 18.9, 44.4), unit("ba-b", "Kalesinj", 18.95, 44.45)]
    result = plan([("Kalesink", 18.9, 44.4)], registry=registry)
    assert result.matches[0].status == "unmatched"


def test_short_names_get_no_typo_tolerance() -> None:
    result = plan([("Pele", 18.57, 43.82)])
    assert result.matches[0].status != "matched"


def test_unknown_name_is_unmatched_with_seat_suggestions() -> None:
    result = plan([("Republika Srpska", 19.29, 43.78), ("Novi Grad", 16.30, 45.05)])
    rs = result.matches[0]
    assert rs.status == "unmatched" and rs.registry_id is None
    assert rs.suggestions == ("ba-visegrad",)
    assert result.pending() == [rs]


def test_far_seat_demotes_to_suspect() -> None:
    result = plan([("Višegrad", 16.0, 45.0)])
    match = result.matches[0]
    assert match.status == "suspect" and match.registry_id is None
    assert "km outside the polygon" in match.detail and match.candidates == ("ba-visegrad",)


def test_two_features_for_one_unit_are_both_conflicts() -> None:
    result = plan([("Doboj", 18.08, 44.73), ("Добој", 18.10, 44.75)])
    assert [m.status for m in result.matches] == ["conflict", "conflict"]
    assert result.geometries() == {}


ME = [
    unit("me-podgorica", "Podgorica", 19.26, 42.44, country="ME", kind=UnitKind.CITY,
         codes={"ISO3166-2": "ME-16"}),
    unit("me-tuzi", "Tuzi", 19.33, 42.37, country="ME", codes={"ISO3166-2": "ME-24"}),
    unit("me-budva", "Budva", 18.84, 42.29, country="ME", codes={"ISO3166-2": "ME-05"}),
    unit("me-bar", "Bar", 19.10, 42.09, country="ME", codes={"ISO3166-2": "ME-02"}),
]


def test_code_confirms_name_and_disagreement_is_a_conflict() -> None:
    rows = [("Podgorica Municipality", 19.28, 42.40), ("Budva Municipality", 18.84, 42.29),
            ("Bar Municipality", 19.10, 42.09)]
    result = plan(rows, registry=ME, country="ME",
                  shapeISO=["ME-16", "ME-05", "ME-05"])
    podgorica, budva, bar = result.matches
    assert (podgorica.registry_id, podgorica.method) == ("me-podgorica", "code")
    assert bar.status == "conflict" and set(bar.candidates) == {"me-bar", "me-budva"}
    # Budva itself stays matched: the conflicting feature never took the unit
    assert budva.registry_id == "me-budva"
    # Tuzi's seat lies in the Podgorica polygon, but Podgorica is matched: no suggestion
    assert podgorica.suggestions == ()
    assert "Tuzi" in result.notes()[-1] and "Not in this file: " in result.summary()


def test_code_alone_matches_when_the_name_is_unknown() -> None:
    result = plan([("Opština X", 18.84, 42.29)], registry=ME, country="ME",
                  shapeISO=["ME-05"])
    assert (result.matches[0].registry_id, result.matches[0].method) == ("me-budva", "code")


RS = [
    unit("rs-beograd", "Beograd", 20.46, 44.82, country="RS", kind=UnitKind.CITY,
         local="Београд", en="Belgrade"),
    unit("rs-beograd-palilula", "Palilula", 20.50, 44.85, country="RS",
         kind=UnitKind.CITY_MUNICIPALITY, parent="rs-beograd", local="Палилула"),
    unit("rs-beograd-zemun", "Zemun", 20.40, 44.85, country="RS",
         kind=UnitKind.CITY_MUNICIPALITY, parent="rs-beograd", local="Земун"),
    unit("rs-nis", "Niš", 21.90, 43.32, country="RS", kind=UnitKind.CITY, local="Ниш"),
    unit("rs-nis-palilula", "Palilula", 21.90, 43.30, country="RS",
         kind=UnitKind.CITY_MUNICIPALITY, parent="rs-nis", local="Палилула"),
    unit("rs-nis-medijana", "Medijana", 21.90, 43.40, country="RS",
         kind=UnitKind.CITY_MUNICIPALITY, parent="rs-nis", local="Медијана"),
    unit("rs-nis-pantelej", "Pantelej", 22.00, 43.35, country="RS",
         kind=UnitKind.CITY_MUNICIPALITY, parent="rs-nis", local="Пантелеј"),
    unit("rs-ada", "Ada", 20.13, 45.80, country="RS", local="Ада"),
]


def test_city_municipalities_dissolve_into_their_city() -> None:
    rows = [("Palilula", 20.50, 44.85), ("Zemun", 20.40, 44.85), ("Medijana", 21.90, 43.40),
            ("Pantelej", 22.00, 43.35), ("Ada", 20.13, 45.80)]
    result = plan(rows, registry=RS, country="RS")
    assert [m.registry_id for m in result.matches] == [
        "rs-beograd-palilula", "rs-beograd-zemun", "rs-nis-medijana", "rs-nis-pantelej", "rs-ada"]
    geoms = result.geometries()
    # Belgrade is complete: one polygon; Niš lacks Palilula: no city polygon with a hole,
    # its two city municipalities keep their own polygons instead
    assert set(geoms) == {"rs-beograd", "rs-nis-medijana", "rs-nis-pantelej", "rs-ada"}
    assert geoms["rs-beograd"].area == pytest.approx(0.02)
    assert all(isinstance(g, MultiPolygon) for g in geoms.values())
    assert set(result.geometries(include_sub_units=True)) >= {"rs-beograd-zemun", "rs-beograd"}
    assert result.derived_ids() == {"rs-beograd"}
    assert "Niš: 2 of 3 city municipalities" in result.summary()
    assert "Beograd" not in " ".join(result.notes())


def test_one_name_two_places_is_split_by_part() -> None:
    """RS_adm2's "Palilula": Belgrade's and Niš's in one MultiPolygon."""
    both = MultiPolygon([box(20.48, 44.83, 20.52, 44.87), box(21.88, 43.28, 21.92, 43.32)])
    rows = gpd.GeoDataFrame({"shapeName": ["Palilula", "Zemun"]},
                            geometry=[both, square(20.40, 44.85, 0.04)], crs="EPSG:4326")
    result = plan_boundary_import(rows, RS, country="RS")
    palilula = result.matches[0]
    assert (palilula.status, palilula.method) == ("matched", "split")
    assert palilula.part_units == ("rs-beograd-palilula", "rs-nis-palilula")
    own = result.own_geometries()
    assert own["rs-nis-palilula"].equals(MultiPolygon([both.geoms[1]]))
    assert "rs-nis-palilula" in result.geometries()  # Niš incomplete: its member is kept


def test_far_part_with_another_seat_is_never_given_whole() -> None:
    """A two-part "Zemun" whose second part holds Ada's seat goes to review."""
    parts = MultiPolygon([box(20.38, 44.83, 20.42, 44.87), box(20.11, 45.78, 20.15, 45.82)])
    rows = gpd.GeoDataFrame({"shapeName": ["Zemun"]}, geometry=[parts], crs="EPSG:4326")
    match = plan_boundary_import(rows, RS, country="RS").matches[0]
    assert match.status == "suspect" and "Ada" in match.detail


def test_slash_names_are_alternatives() -> None:
    registry = [*BA, unit("ba-bosanski-novi", "Novi Grad", 16.30, 45.05, entity="RS",
                          alt=("Bosanski Novi",))]
    registry = [u for u in registry if u.registry_id != "ba-novi-grad"]
    result = plan([("Bosanski Novi/Novi", 16.30, 45.05)], registry=registry)
    assert result.matches[0].registry_id == "ba-bosanski-novi"


def test_swapped_neighbour_labels_go_to_review() -> None:
    # seats 2.4 km apart, each 1.2 km from the other's polygon: within the tolerance
    registry = [unit("ba-a", "Alfa", 18.00, 44.00), unit("ba-b", "Beta", 18.03, 44.00)]
    result = plan([("Beta", 18.00, 44.00), ("Alfa", 18.03, 44.00)], registry=registry, size=0.03)
    assert [m.status for m in result.matches] == ["suspect", "suspect"]
    assert "which holds the seat of Alfa" in result.matches[0].detail


def test_former_unit_joins_its_successor_only_when_complete() -> None:
    from resilience_map.io.former_units import FormerUnit

    registry = [unit("mk-kicevo", "Kičevo", 20.96, 41.51, country="MK", local="Кичево"),
                unit("mk-ohrid", "Ohrid", 20.80, 41.12, country="MK", local="Охрид")]
    former = [FormerUnit("MK", "Zajas", "mk-kicevo", 2013),
              FormerUnit("MK", "Oslomej", "mk-kicevo", 2013)]
    rows = [("Кичево", 20.96, 41.51), ("Зајас", 20.96 - 0.1, 41.51), ("Oslomej", 21.06, 41.51)]
    complete = plan_boundary_import(features(rows), registry, country="MK", former=former)
    assert [m.unit_ids() for m in complete.matches] == [("mk-kicevo",)] * 3
    assert [m.is_part for m in complete.matches] == [False, True, True]
    assert complete.geometries()["mk-kicevo"].area == pytest.approx(0.03)
    partial = plan_boundary_import(features(rows[:2]), registry, country="MK", former=former)
    zajas = partial.matches[1]
    assert zajas.status == "ambiguous" and zajas.suggestions == ("mk-kicevo",)
    assert "lacks Oslomej" in zajas.detail
    partial.assign(1, "mk-kicevo", as_part=True)  # the user accepts it as a part
    assert partial.matches[0].status == "matched"
    assert partial.geometries()["mk-kicevo"].area == pytest.approx(0.02)


MK = [
    unit("mk-skopje", "Skopje", 21.43, 42.00, country="MK", kind=UnitKind.CITY,
         local="Скопје", alt=("Град Скопје",), codes={"ISO3166-2": "MK-85"}),
    unit("mk-cair", "Čair", 21.44, 42.01, country="MK", local="Чаир", parent="mk-skopje",
         alt=("Çair",), codes={"ISO3166-2": "MK-809"}),
    unit("mk-centar", "Centar", 21.42, 41.99, country="MK", local="Центар",
         parent="mk-skopje"),
    unit("mk-kavadarci", "Kavadarci", 22.01, 41.43, country="MK", local="Кавадарци",
         codes={"ISO3166-2": "MK-104"}),
    unit("mk-caska", "Čaška", 21.66, 41.65, country="MK", local="Чашка"),
]


def test_member_municipalities_keep_their_geometry_and_build_the_city() -> None:
    result = plan([("Municipality of Čair", 21.44, 42.01), ("Општина Центар", 21.42, 41.99),
                   ("Minicipality of Kavadarci", 22.01, 41.43),
                   ("Municipality of Chashka", 21.66, 41.65)],
                  registry=MK, country="MK", size=0.02)
    assert [m.registry_id for m in result.matches] == [
        "mk-cair", "mk-centar", "mk-kavadarci", "mk-caska"]
    geoms = result.geometries()
    assert {"mk-cair", "mk-centar", "mk-skopje"} <= set(geoms)
    assert geoms["mk-skopje"].equals(geoms["mk-cair"].union(geoms["mk-centar"]))


def test_city_polygon_goes_to_the_city() -> None:
    result = plan([("City of Skopje", 21.43, 42.0)], registry=MK, country="MK",
                  iso2=["MK-85"])
    assert result.matches[0].registry_id == "mk-skopje"


def test_foreign_file_matches_nothing() -> None:
    rows = [("Palilula", 20.50, 44.85), ("Ada", 20.13, 45.80), ("Bar", 19.10, 42.09)]
    result = plan_boundary_import(features(rows, country="RS"), RS + ME, country="ME")
    assert result.country == "ME"
    assert all(m.status == "unmatched" and m.registry_id is None for m in result.matches)
    # without a country column the seat check still refuses the far-away "Bar"
    result = plan_boundary_import(features([("Bar", 20.13, 45.80)]), RS + ME, country="ME")
    assert result.matches[0].status == "suspect"


def test_country_is_detected_from_the_column_or_the_names() -> None:
    rows = [("Zemun", 20.40, 44.85), ("Ada", 20.13, 45.80)]
    assert plan_boundary_import(features(rows, country="SRB"), RS + ME).country == "RS"
    assert plan_boundary_import(features(rows), RS + ME).country == "RS"


def test_review_actions_and_report(tmp_path: Path) -> None:
    result = plan([("Republika Srpska", 19.29, 43.78), ("Novi Grad", 17.5, 44.5),
                   ("Doboj", 18.08, 44.73)])
    assert len(result.pending()) == 2
    assert result.matched_share() == pytest.approx(1 / 3)
    result.assign(0, "ba-visegrad")
    result.skip(1)
    assert result.pending() == []
    assert result.matches[0].status == "manual"
    assert set(result.geometries()) == {"ba-visegrad", "ba-doboj"}
    result.assign(2, "ba-visegrad")  # the user moves the unit: the other feature goes to review
    assert result.matches[0].status == "conflict"
    with pytest.raises(KeyError):
        result.assign(1, "xx-nowhere")
    path = tmp_path / "report.csv"
    result.write_report_csv(path)
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["status"] for r in rows] == ["conflict", "skipped", "manual"]
    assert rows[2]["registry_name"] == "Višegrad"
    assert result.summary().startswith("BA: 0 of 3 features matched automatically (0.0%)")


# -- the real files against the real registry ------------------------------------------
#: Column holding each file's best display name (SOURCES.md), the reference for "wrong".
TRUSTED_NAME = {"AL": "wof:name", "BA": "shapeName", "XK": "shapeName", "ME": "shapeName",
                "MK": "localname", "RS": "meso:name_loc", "MK_skopje": "meso:adm1_loc"}
#: Features whose name in that column is wrong or old (SOURCES.md): the unit(s) they
#: really are; a match to anything else is wrong, review is allowed.
REALLY = {("BA", "Republika Srpska"): {"ba-visegrad"}, ("BA", "Ustiprača"): {"ba-novo-gorazde"},
          ("BA", "Kupra na Uni"): {"ba-krupa-na-uni"}, ("BA", "Doboj East"): {"ba-doboj-istok"},
          ("RS", "Palilula"): {"rs-beograd-palilula", "rs-nis-palilula"}}


def _real_registry() -> tuple[Municipality, ...]:
    from resilience_map.io.registry import load_registry

    return tuple(load_registry())


def _read(name: str) -> gpd.GeoDataFrame:
    from resilience_map.io.boundaries import read_boundaries

    path = BOUNDARIES / REAL_FILES.get(name, name)
    if not path.exists():
        pytest.skip(f"real boundary file {path} is not available")
    return read_boundaries(path)


def _real_plan(name: str, as_country: str | None = None) -> BoundaryImportPlan:
    return plan_boundary_import(_read(name), _real_registry(),
                                country=as_country or name.split("_")[0])


@pytest.fixture
def real_plans(shared_plans: dict[str, BoundaryImportPlan]) -> dict[str, BoundaryImportPlan]:
    return shared_plans


def _matched(plan_: BoundaryImportPlan) -> dict[str, tuple[str, ...]]:
    """label → units of the automatic match (empty when not matched)."""
    return {m.label: (m.unit_ids() if m.status == "matched" else ()) for m in plan_.matches}


def wrong_matches(name: str, plan_: BoundaryImportPlan) -> list[str]:
    """Automatic matches that contradict the file's trusted name or lie far from the seat.

    Independent of the matcher's own rules: the unit must carry the trusted name (or be
    what :data:`REALLY` says the feature is) and every part must lie within 5 km of the
    seat of the unit it is given to.
    """
    from resilience_map.domain.names import loose_keys, name_keys

    to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    metric = plan_.features.geometry.to_crs(METRIC_CRS)
    column = TRUSTED_NAME[name]
    wrong = []
    for m in plan_.matches:
        if m.status != "matched":
            continue
        trusted = str(plan_.features[column].iloc[m.feature_index])
        units = set(m.unit_ids())
        expected = REALLY.get((name, trusted))
        if expected is not None:
            if not units <= expected:
                wrong.append(f"{trusted} → {sorted(units)}, really {sorted(expected)}")
            continue
        keys = name_keys(trusted) | loose_keys(trusted)
        for unit_id in units:
            unit_ = plan_.registry[unit_id]
            theirs = {k for n in unit_.all_names() for k in name_keys(n) | loose_keys(n)}
            if not any(DamerauLevenshtein.distance(a, b) <= 1 for a in keys for b in theirs):
                wrong.append(f"{trusted} → {unit_id} (another name)")
        parts = list(metric.iloc[m.feature_index].geoms)
        owners = m.part_units or (m.unit_ids() * len(parts))
        for part, unit_id in zip(parts, owners, strict=False):
            unit_ = plan_.registry[unit_id]
            if unit_.seat_lon is None or part.area < 0.05 * metric.iloc[m.feature_index].area:
                continue
            seat = Point(*to_metric.transform(unit_.seat_lon, unit_.seat_lat))
            if part.distance(seat) > 5000:
                wrong.append(f"{trusted} → {unit_id}: a part lies "
                             f"{part.distance(seat) / 1000:.0f} km from the seat")
    return wrong


def test_real_overall_rate(real_plans: dict[str, BoundaryImportPlan]) -> None:
    """The figure for the README: automatic rate over the shared files, and zero wrong."""
    total = sum(len(p.matches) for p in real_plans.values())
    matched = sum(m.status == "matched" for p in real_plans.values() for m in p.matches)
    wrong = [w for name, p in real_plans.items() for w in wrong_matches(name, p)]
    for name, plan_ in real_plans.items():  # shown with pytest -s: the review list
        print(f"{name}: {plan_.summary()}")
        for m in plan_.pending():
            print(f"  {m.status:9} {m.label!r}: {m.detail}; candidates={m.candidates} "
                  f"suggestions={m.suggestions}")
    print(f"ALL: {matched} of {total} features matched automatically "
          f"({100 * matched / total:.1f}%), {len(wrong)} wrong")
    assert wrong == []
    assert matched / total >= 0.97, "\n".join(p.summary() for p in real_plans.values())


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_matches_are_unique_and_in_country(real_plans: dict[str, BoundaryImportPlan],
                                                name: str) -> None:
    plan_ = real_plans[name]
    ids = [u for m in plan_.matches if m.status == "matched" and not m.is_part
           for u in m.unit_ids()]
    assert len(ids) == len(set(ids))
    assert {str(plan_.registry[i].country) for i in ids} <= {name.split("_")[0]}


def test_real_bosnia_traps(real_plans: dict[str, BoundaryImportPlan]) -> None:
    plan_ = real_plans["BA"]
    matched = _matched(plan_)
    rs_feature = next(m for m in plan_.matches if m.label == "Republika Srpska")
    assert rs_feature.status != "matched" and rs_feature.registry_id is None
    assert "ba-visegrad" in rs_feature.suggestions
    assert matched["Kupra na Uni"] == ("ba-krupa-na-uni",)
    assert matched["Doboj East"] == ("ba-doboj-istok",)
    assert matched["Brcko District"] == ("ba-brcko",)
    assert matched["Doboj"] == ("ba-doboj",)
    # the two "Novi Grad" features: shapeID tells them apart; right unit or review
    shape_ids = plan_.features["shapeID"]
    expected = {"43093233B49947296698025": _rid(plan_, "Novi Grad", "RS"),
                "43093233B94913651340481": _rid(plan_, "Novi Grad", "FBiH")}
    for m in plan_.matches:
        if shape_ids.iloc[m.feature_index] in expected and m.status == "matched":
            assert m.registry_id == expected[shape_ids.iloc[m.feature_index]]
    for label, entity in (("Kupres", "RS"), ("Kupres (BiH)", "FBiH"),
                          ("Trnovo (RS)", "RS"), ("Trnovo (BiH)", "FBiH")):
        if matched[label]:
            assert matched[label] == (_rid(plan_, label.split(" (")[0], entity),), label


def _rid(plan_: BoundaryImportPlan, name: str, entity: str) -> str:
    """Registry id of the BA unit with this Latin name in this entity."""
    from resilience_map.domain.names import fold, name_keys

    hits = [u.registry_id for u in plan_.registry.values()
            if str(u.country) == "BA" and fold(u.entity) in _entity_spellings(entity)
            and any(fold(name) in name_keys(n) for n in u.all_names())]
    assert len(hits) == 1, (name, entity, hits)
    return hits[0]


def _entity_spellings(entity: str) -> set[str]:
    return {"rs": {"rs", "republika srpska"},
            "fbih": {"fbih", "federation of bosnia and herzegovina",
                     "federacija bosne i hercegovine", "federation"}}[entity.lower()]


def test_real_macedonia(real_plans: dict[str, BoundaryImportPlan]) -> None:
    matched = _matched(real_plans["MK"])
    assert matched["Minicipality of Kavadarci"] == ("mk-kavadarci",)
    assert matched["Municiplaity of Tearce"] == ("mk-tearce",)
    assert matched["City of Skopje"] == ("mk-skopje",)
    assert "mk-skopje" in real_plans["MK"].geometries()


def test_real_skopje_ten_with_their_right_names(real_plans: dict[str, BoundaryImportPlan]
                                                ) -> None:
    """WOF's English names call Kisela Voda and Šuto Orizari "Centar Municipality"."""
    plan_ = real_plans["MK_skopje"]
    by_local = {plan_.features["meso:adm1_loc"].iloc[m.feature_index]: m for m in plan_.matches}
    expected = {"Aerodrom": "mk-aerodrom", "Butel": "mk-butel", "Gazi Baba": "mk-gazi-baba",
                "Gjorče Petrov": "mk-gjorce-petrov", "Karpoš": "mk-karpos",
                "Kisela Voda": "mk-kisela-voda", "Saraj": "mk-saraj", "Centar": "mk-centar",
                "Čair": "mk-cair", "Šuto Orizari": "mk-suto-orizari"}
    assert {k: m.registry_id for k, m in by_local.items()} == expected
    assert all(m.status == "matched" for m in plan_.matches)
    geoms = plan_.geometries()
    assert plan_.derived_ids() == {"mk-skopje"}  # the ten together, used only without MK-85
    assert geoms["mk-cair"].equals(plan_.own_geometries()["mk-cair"])


def test_real_serbia_palilula_split_between_belgrade_and_nis(
        real_plans: dict[str, BoundaryImportPlan]) -> None:
    plan_ = real_plans["RS"]
    palilula = next(m for m in plan_.matches if m.label == "Palilula")
    assert palilula.status == "matched" and palilula.method == "split"
    assert set(palilula.part_units) == {"rs-beograd-palilula", "rs-nis-palilula"}
    registry = plan_.registry
    matched = [u for m in plan_.matches if m.status == "matched" for u in m.unit_ids()]
    assert len([r for r in matched if registry[r].parent_id == "rs-beograd"]) == 17
    assert len([r for r in matched if registry[r].parent_id == "rs-nis"]) == 5
    geoms = plan_.geometries()
    assert {"rs-beograd", "rs-nis"} <= set(geoms) and "rs-beograd-palilula" not in geoms
    to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    belgrade_seat = Point(*to_metric.transform(20.46, 44.82))
    belgrade = gpd.GeoSeries([geoms["rs-beograd"]], crs=4326).to_crs(METRIC_CRS).iloc[0]
    assert max(p.distance(belgrade_seat) for p in belgrade.geoms) < 60_000  # nothing at Niš
    nis = gpd.GeoSeries([geoms["rs-nis"]], crs=4326).to_crs(METRIC_CRS).iloc[0]
    holes = [Polygon(r).area for p in nis.geoms for r in p.interiors]
    assert not holes or max(holes) < 1e6  # the hole where Palilula was is closed
    assert "Niš" not in " ".join(plan_.notes())


def test_real_montenegro_and_kosovo(real_plans: dict[str, BoundaryImportPlan]) -> None:
    me = _matched(real_plans["ME"])
    assert me["Podgorica Municipality"] == ("me-podgorica",)
    assert sum(bool(v) for v in me.values()) == 23
    xk = real_plans["XK"]
    assert all(m.status == "matched" for m in xk.matches), xk.summary()


def test_real_serbia_imported_as_montenegro_matches_nothing() -> None:
    plan_ = _real_plan("RS", as_country="ME")
    assert Counter(m.status for m in plan_.matches)["matched"] == 0


def test_real_serbia_without_country_column_as_montenegro_matches_nothing() -> None:
    """Only the seat check stands between a wrong-country file and wrong matches."""
    gdf = _read("RS").drop(columns=["country", "iso:country", "wof:country"])
    plan_ = plan_boundary_import(gdf, _real_registry(), country="ME")
    assert not [m.label for m in plan_.matches if m.status == "matched"]


@pytest.mark.parametrize("country", COUNTRIES)
def test_real_country_detected_from_names(country: str) -> None:
    gdf = _read(country)
    gdf = gdf.drop(columns=[c for c in gdf.columns if "country" in c])
    assert plan_boundary_import(gdf, _real_registry()).country == country
