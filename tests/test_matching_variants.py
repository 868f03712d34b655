"""Files we have not seen: variants of the shared files built here, never stored.

Each variant keeps the geometry of a shared file and changes what a careless or older
file would: labels of neighbours swapped, a region's name instead of the unit's,
Cyrillic only, North Macedonia before 2013 (Kičevo in five pieces), WOF's wrong English
names for Skopje. The truth is the plan of the unmodified file (``shared_plans``, whose
matches ``test_matching.py::test_real_overall_rate`` checks); a variant may send more
features to review but must never match a feature to another unit.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from conftest import SHARED_BOUNDARIES, SHARED_FILES
from shapely.geometry import box

from resilience_map.io.boundaries import read_boundaries
from resilience_map.io.boundary_plan import BoundaryImportPlan
from resilience_map.io.matching import METRIC_CRS, plan_boundary_import
from resilience_map.io.registry import load_registry
from resilience_map.io.seat_check import TOLERANCE_M, SeatCheck

COUNTRY_FILES = [name for name in SHARED_FILES]


def truth(plan: BoundaryImportPlan) -> dict[int, tuple[str, ...]]:
    """feature index → units of the (checked) automatic match of the unmodified file."""
    return {m.feature_index: m.unit_ids() for m in plan.matches if m.status == "matched"}


def wrong(variant: BoundaryImportPlan, base: BoundaryImportPlan,
          only: set[int] | None = None) -> list[str]:
    """Variant matches that differ from the truth (review is always allowed)."""
    expected = truth(base)
    return [f"{m.label!r} (feature {m.feature_index}) → {m.unit_ids()}, "
            f"really {expected.get(m.feature_index)}: {m.detail}"
            for m in variant.matches
            if m.status == "matched" and (only is None or m.feature_index in only)
            and m.unit_ids() != expected.get(m.feature_index)]


def read(name: str) -> gpd.GeoDataFrame:
    return read_boundaries(SHARED_BOUNDARIES / SHARED_FILES[name])


def plan(gdf: gpd.GeoDataFrame, name: str) -> BoundaryImportPlan:
    return plan_boundary_import(gdf, load_registry(), country=name.split("_")[0])


# -- neighbours' labels swapped ----------------------------------------------------------
def neighbour_pairs(gdf: gpd.GeoDataFrame, base: BoundaryImportPlan
                    ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Touching features whose seats could fool a tolerance: (decidable, undecidable).

    Undecidable: one unit's registry seat lies in the other's polygon, the two seats
    are one point, or neither unit has a seat yet — then the geometry itself says the
    swapped labels are right (or cannot say), and only a better seat helps.
    """
    metric = list(gdf.geometry.to_crs(METRIC_CRS))
    expected = truth(base)
    check = SeatCheck([u for u in base.registry.values() if str(u.country) == base.country])
    tree = shapely.STRtree(metric)
    left, right = tree.query(metric, predicate="dwithin", distance=100)
    decidable, undecidable = [], []
    for i, j in sorted({(int(a), int(b)) for a, b in zip(left, right, strict=False) if a < b}):
        a, b = expected.get(i, ()), expected.get(j, ())
        if len(a) != 1 or len(b) != 1:
            continue
        if a[0] not in check.seats and b[0] not in check.seats:
            undecidable.append((i, j))  # neither has a seat: only their city's seat helps
            continue
        if a[0] not in check.seats or b[0] not in check.seats:
            decidable.append((i, j))  # the other's seat tells them apart
            continue
        seat_a, seat_b = check.seats[a[0]], check.seats[b[0]]
        if metric[j].distance(seat_a) > TOLERANCE_M and metric[i].distance(seat_b) > TOLERANCE_M:
            continue  # too far apart to fool anything: the tolerance alone refuses them
        if metric[j].intersects(seat_a) or metric[i].intersects(seat_b) \
                or seat_a.distance(seat_b) < 100:
            undecidable.append((i, j))
        else:
            decidable.append((i, j))
    return decidable, undecidable


def disjoint_rounds(pairs: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Pairs grouped so that no feature is in two pairs of one group."""
    rounds, left = [], list(pairs)
    while left:
        used: set[int] = set()
        this, rest = [], []
        for i, j in left:
            if i in used or j in used:
                rest.append((i, j))
            else:
                this.append((i, j))
                used |= {i, j}
        rounds.append(this)
        left = rest
    return rounds


def swapped(gdf: gpd.GeoDataFrame, pairs: list[tuple[int, int]]) -> gpd.GeoDataFrame:
    """Every property (names, codes) of each pair exchanged; geometry kept."""
    out = gdf.copy()
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    for i, j in pairs:
        out.loc[i, columns], out.loc[j, columns] = gdf.loc[j, columns].values, \
            gdf.loc[i, columns].values
    return out


@pytest.mark.parametrize("name", COUNTRY_FILES)
def test_swapped_neighbour_labels_never_match_wrongly(shared_plans: dict, name: str) -> None:
    base = shared_plans[name]
    gdf = read(name)
    decidable, undecidable = neighbour_pairs(gdf, base)
    problems = []
    for group in disjoint_rounds(decidable + undecidable):
        only = {k for pair in group if pair in decidable for k in pair}
        problems += wrong(plan(swapped(gdf, group), name), base, only)
    print(f"{name}: {len(decidable)} close neighbour pairs checked, {len(undecidable)} that "
          f"no geometry can tell apart: " + ", ".join(
              f"{base.matches[i].label}/{base.matches[j].label}" for i, j in undecidable))
    assert problems == []


# -- a region's name instead of the unit's ------------------------------------------------
def only_label(gdf: gpd.GeoDataFrame, labels: list[str | None]) -> gpd.GeoDataFrame:
    """The layer with one name column and nothing else to go by."""
    return gpd.GeoDataFrame({"name": labels}, geometry=gdf.geometry, crs=gdf.crs)


@pytest.mark.parametrize("name", ["AL", "BA", "XK", "MK", "RS"])
def test_region_name_labels_never_match_wrongly(shared_plans: dict, name: str) -> None:
    base = shared_plans[name]
    expected = truth(base)
    regions = [base.registry[expected[i][0]].region if len(expected.get(i, ())) == 1 else None
               for i in range(len(base.matches))]
    variant = plan(only_label(read(name), regions), name)
    assert wrong(variant, base) == []
    # a region named after its chief town labels that town's polygon correctly at most
    assert sum(m.status == "matched" for m in variant.matches) <= len(set(regions))


# -- Cyrillic only ---------------------------------------------------------------------------
def test_cyrillic_only_macedonia(shared_plans: dict) -> None:
    gdf = read("MK")
    variant = plan(only_label(gdf, list(gdf["localname"])), "MK")
    assert wrong(variant, shared_plans["MK"]) == []
    assert variant.automatic_share() >= 0.95, variant.summary()


def test_cyrillic_only_serbia_keeps_the_lajkovac_trap(shared_plans: dict) -> None:
    """WOF gives Lajkovac the Cyrillic name of Leskovac, 200 km away."""
    gdf = read("RS")
    variant = plan(only_label(gdf, list(gdf["name:srp_x_preferred"])), "RS")
    assert wrong(variant, shared_plans["RS"]) == []
    lajkovac = next(m for m, meso in zip(variant.matches, gdf["meso:name_loc"], strict=False)
                    if meso == "Lajkovac")
    assert lajkovac.status != "matched" and "rs-leskovac" in lajkovac.candidates
    labelled = sum(isinstance(v, str) and bool(v) for v in gdf["name:srp_x_preferred"])
    assert sum(m.status == "matched" for m in variant.matches) >= labelled - 3


# -- North Macedonia before 2013 -------------------------------------------------------------
PRE_2013 = ("Kičevo", "Drugovo", "Oslomej", "Vraneštica", "Zajas")


def kicevo_in_pieces(gdf: gpd.GeoDataFrame, names: tuple[str, ...] = PRE_2013
                     ) -> gpd.GeoDataFrame:
    """MK_adm2 with today's Kičevo cut into west-to-east strips, one per old unit.

    The strip holding Kičevo's seat keeps the name Kičevo; the others get the names of
    the units merged into it in 2013 (where they really lay does not matter here).
    """
    registry = {u.registry_id: u for u in load_registry()}
    seat = shapely.Point(registry["mk-kicevo"].seat_lon, registry["mk-kicevo"].seat_lat)
    index = next(i for i, v in enumerate(gdf["localname"]) if "Кичево" in str(v))
    whole = gdf.geometry.iloc[index]
    minx, miny, maxx, maxy = whole.bounds
    width = (maxx - minx) / len(PRE_2013)
    strips = [whole.intersection(box(minx + k * width, miny, minx + (k + 1) * width, maxy))
              for k in range(len(PRE_2013))]
    home = next(k for k, s in enumerate(strips) if s.intersects(seat))
    order = [home] + [k for k in range(len(strips)) if k != home]
    labels = dict(zip(order, PRE_2013, strict=False))
    pieces = [(labels[k], strips[k]) for k in range(len(strips)) if labels[k] in names]
    rest = gdf.drop(index=index)
    added = gpd.GeoDataFrame({"name": [n for n, _ in pieces], "country": "MK"},
                             geometry=[g for _, g in pieces], crs=gdf.crs)
    return gpd.GeoDataFrame(
        gpd.pd.concat([rest[["name", "country", "geometry"]], added], ignore_index=True),
        crs=gdf.crs)


def test_units_merged_in_2013_become_parts_of_kicevo(shared_boundaries: Path) -> None:
    gdf = read("MK")
    variant = plan(kicevo_in_pieces(gdf), "MK")
    pieces = {m.label: m for m in variant.matches if m.label in PRE_2013}
    assert {k: m.unit_ids() for k, m in pieces.items()} == {n: ("mk-kicevo",) for n in PRE_2013}
    assert all(pieces[n].is_part and "merged into Kičevo in 2013" in pieces[n].detail
               for n in PRE_2013[1:])
    whole = gdf.geometry.iloc[next(i for i, v in enumerate(gdf["localname"])
                                   if "Кичево" in str(v))]
    rebuilt = variant.geometries()["mk-kicevo"]
    assert rebuilt.symmetric_difference(whole).area < 1e-6 * whole.area
    assert "conflict" not in variant.summary()


def test_incomplete_former_units_are_offered_not_applied(shared_boundaries: Path) -> None:
    variant = plan(kicevo_in_pieces(read("MK"), PRE_2013[:-1]), "MK")  # no Zajas
    pieces = {m.label: m for m in variant.matches if m.label in PRE_2013}
    assert pieces["Kičevo"].unit_ids() == ("mk-kicevo",)
    for name in PRE_2013[1:-1]:
        assert pieces[name].status == "ambiguous" and pieces[name].suggestions == ("mk-kicevo",)
        assert "lacks Zajas" in pieces[name].detail


def test_former_unit_name_far_from_its_successor_is_not_a_part(shared_boundaries: Path) -> None:
    gdf = kicevo_in_pieces(read("MK"))
    ohrid = next(i for i, n in enumerate(gdf["name"]) if n is not None and "Ohrid" in str(n))
    zajas = next(i for i, n in enumerate(gdf["name"]) if n == "Zajas")
    gdf.loc[[ohrid, zajas], "name"] = ["Zajas", "Ohrid"]
    variant = plan(gdf, "MK")
    assert not any(m.status == "matched" and m.feature_index == ohrid for m in variant.matches)
    assert not any(m.status == "matched" and "mk-ohrid" in m.unit_ids()
                   for m in variant.matches)


# -- the City of Skopje's ten, labelled with WOF's wrong English names -----------------------
def test_skopje_by_wof_english_names_never_wrong(shared_plans: dict) -> None:
    gdf = read("MK_skopje")
    english = [str(v).split("|")[0] for v in gdf["name:eng_x_preferred"]]
    assert english.count("Centar Municipality") == 3  # Centar, Kisela Voda, Šuto Orizari
    variant = plan(only_label(gdf, english), "MK_skopje")
    assert wrong(variant, shared_plans["MK_skopje"]) == []
    centar = [m for m in variant.matches if m.status == "matched" and "mk-centar" in m.unit_ids()]
    assert [gdf["meso:adm1_loc"].iloc[m.feature_index] for m in centar] == ["Centar"]


# -- slash names ---------------------------------------------------------------------------------
def test_slash_name_alternatives(shared_plans: dict) -> None:
    base = shared_plans["BA"]
    gdf = read("BA")
    novi = next(m.feature_index for m in base.matches if m.unit_ids() == ("ba-novi-grad",))
    labels = list(gdf["shapeName"])
    labels[novi] = "Bosanski Novi/Novi"
    variant = plan(only_label(gdf, labels), "BA")
    assert variant.matches[novi].unit_ids() == ("ba-novi-grad",)
    assert wrong(variant, base) == []
