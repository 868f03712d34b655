"""Matching boundary features to registry municipalities, never guessing.

A boundary file's names are whatever its author typed ("Minicipality of
Kavadarci", "Republika Srpska" for Višegrad, two "Novi Grad"); a wrong match
silently paints one town's indicators onto another, which is worse than no
match. So matching goes in tiers from strict to loose and every automatic
match must be unique *and* geographically plausible (the unit's seat near the
polygon). Everything else is left for the user to review, with candidates and
seat-based suggestions, and only the user's choice is applied.

Tiers: registry code (checked against the name) → exact name key → loose key
(Albanian skeleton, ch/sh/zh, compass words) → typo tolerance. Same-named
units are separated by an entity qualifier ("Trnovo (RS)") or by which seat
lies inside the polygon.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point

from resilience_map.domain.enums import UnitKind
from resilience_map.domain.names import loose_keys, name_keys, split_qualifier
from resilience_map.domain.records import Municipality
from resilience_map.io.unit_names import COUNTRY_ALIASES
from resilience_map.io.unit_names import by_qualifier as _by_qualifier
from resilience_map.io.unit_names import code_index as _code_index
from resilience_map.io.unit_names import code_text as _code_text
from resilience_map.io.unit_names import key_index as _key_index
from resilience_map.io.unit_names import unique_near as _unique_near

REVIEW_STATUSES = ("ambiguous", "unmatched", "conflict", "suspect")
SUSPECT_KM = 25.0           # seat farther than this from the polygon: not the same place
SEAT_INSIDE_TOLERANCE_M = 1000.0  # coarse polygons: a seat just outside still counts
METRIC_CRS = "EPSG:3035"    # ETRS89 LAEA Europe, metres, fine for the whole region

_COUNTRY_COLUMNS = ("country", "iso:country", "wof:country", "iso_a2", "iso_a3",
                    "shapegroup", "country_code", "iso2_country", "gid_0", "adm0_a3")

# Columns whose text names the feature, best first (compared case-insensitively).
_NAME_PRIORITY = (
    "meso:name_loc", "name_local", "localname", "name_latin", "shapename", "wof:name",
    "name", "official_name", "name:en", "name:sr", "name:sr-latn", "name:mk", "name:sq",
    "eurostat:name_local", "name_3", "name_2", "name_1", "name", "naziv", "emri",
)
_LABEL_PRIORITY = ("meso:name_loc", "shapename", "name_latin", "name", "wof:name", "name:en",
                   "name_local", "localname", "official_name")
# Columns that hold other places' names or bookkeeping (meso:gadm_adm2 holds a
# GADM neighbour's name for some Serbian features, e.g. Leskovac → Vladičin Han).
_NOT_NAME_PARTS = ("gadm", "iscgm", "adm1", "parent", "hierarchy", "concordance",
                   "source", "placetype", "shapeid", "shapegroup", "shapetype",
                   "lastmodified", "geom", "country", "hasc", "gisco", "lau", "wikidata",
                   "osm_id", "admin_level", "iso", "id")


@dataclass
class FeatureMatch:
    """What one boundary feature was matched to, and why."""

    feature_index: int
    label: str
    status: str
    registry_id: str | None = None
    method: str = ""
    candidates: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    detail: str = ""


@dataclass
class BoundaryImportPlan:
    """The proposed feature → unit assignment, reviewed before anything is stored."""

    features: gpd.GeoDataFrame
    matches: list[FeatureMatch]
    country: str | None
    registry: dict[str, Municipality] = field(default_factory=dict, repr=False)

    def assign(self, feature_index: int, registry_id: str) -> None:
        """Apply the user's choice; another feature holding that unit goes to review."""
        if registry_id not in self.registry:
            raise KeyError(f"{registry_id} is not in the registry")
        for other in self.matches:
            if other.feature_index != feature_index and other.registry_id == registry_id \
                    and other.status in ("matched", "manual"):
                other.status = "conflict"
                other.detail = f"{registry_id} was assigned by hand to feature {feature_index}"
        match = self._match(feature_index)
        match.status, match.registry_id, match.method = "manual", registry_id, "manual"
        match.detail = "assigned by the user"

    def skip(self, feature_index: int) -> None:
        """The user chose not to import this feature."""
        match = self._match(feature_index)
        match.status, match.registry_id, match.method = "skipped", None, ""
        match.detail = "skipped by the user"

    def pending(self) -> list[FeatureMatch]:
        """Features the user still has to decide on."""
        return [m for m in self.matches if m.status in REVIEW_STATUSES]

    def matched_share(self) -> float:
        """Share of features that have a unit (automatic or manual), 0..1."""
        if not self.matches:
            return 0.0
        done = sum(m.status in ("matched", "manual") for m in self.matches)
        return done / len(self.matches)

    def automatic_share(self) -> float:
        """Share of features matched without the user, 0..1."""
        if not self.matches:
            return 0.0
        return sum(m.status == "matched" for m in self.matches) / len(self.matches)

    def geometries(self, include_sub_units: bool = False) -> dict[str, MultiPolygon]:
        """registry_id → geometry of every matched feature.

        City municipalities (Belgrade's, Niš's) are dissolved into their city
        unless the city has its own polygon; pass ``include_sub_units`` to keep
        them as well. A ``city`` without its own polygon whose member
        municipalities (Skopje's 10) are present gets their union too.
        """
        own = self._own_geometries()
        result: dict[str, MultiPolygon] = {}
        parts: dict[str, list] = defaultdict(list)
        for rid, geom in own.items():
            unit = self.registry.get(rid)
            if unit is not None and unit.kind is UnitKind.CITY_MUNICIPALITY and unit.parent_id:
                parts[unit.parent_id].append(geom)
                if not include_sub_units:
                    continue
            result[rid] = geom
        for city_id, geoms in self._member_municipality_geometries(own).items():
            parts.setdefault(city_id, geoms)
        for city_id, geoms in parts.items():
            if city_id not in own and city_id in self.registry:
                result[city_id] = _as_multipolygon(shapely.union_all(geoms))
        return result

    def notes(self) -> list[str]:
        """Readable remarks on partial cities and units left without a boundary."""
        own = self._own_geometries()
        notes = []
        for city_id, (found, total) in sorted(self._sub_unit_coverage(own).items()):
            if found < total:
                name = self.registry[city_id].name_latin
                sub_units = any(u.parent_id == city_id and u.kind is UnitKind.CITY_MUNICIPALITY
                                for u in self.registry.values())
                kind = "city municipalities" if sub_units else "municipalities"
                notes.append(f"{name}: {found} of {total} {kind}")
        if self.country and self.matches and not own:
            notes.append(f"no feature matches a unit of {self.country}: check that the file "
                         f"and the chosen country agree")
            return notes
        missing = self._units_without_boundary(own)
        if missing:
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            notes.append("no boundary for " + ", ".join(missing[:10]) + more)
        return notes

    def report_rows(self) -> list[dict]:
        """One row per feature for the review table and the CSV report."""
        rows = []
        for m in self.matches:
            unit = self.registry.get(m.registry_id or "")
            rows.append({
                "feature_index": m.feature_index, "label": m.label, "status": m.status,
                "registry_id": m.registry_id or "", "registry_name": unit.name_latin if unit else "",
                "method": m.method, "candidates": "; ".join(m.candidates),
                "suggestions": "; ".join(m.suggestions), "detail": m.detail,
            })
        return rows

    def write_report_csv(self, path: str | Path) -> None:
        """Write :meth:`report_rows` as UTF-8 CSV (opens in Excel/LibreOffice)."""
        rows = self.report_rows()
        fieldnames = list(rows[0]) if rows else ["feature_index", "label", "status"]
        with Path(path).open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.DictWriter(handle, fieldnames=fieldnames)
            writer.writeheader()
            writer.writerows(rows)

    def summary(self) -> str:
        """One paragraph for the import dialog."""
        total = len(self.matches)
        counts = Counter(m.status for m in self.matches)
        review = sum(counts[s] for s in REVIEW_STATUSES)
        detail = ", ".join(f"{counts[s]} {s}" for s in REVIEW_STATUSES if counts[s])
        text = (f"{self.country or 'Unknown country'}: {counts['matched']} of {total} features "
                f"matched automatically ({100 * self.automatic_share():.1f}%); "
                f"{review} need review" + (f" ({detail})" if detail else ""))
        if counts["manual"] or counts["skipped"]:
            text += f"; {counts['manual']} assigned by hand, {counts['skipped']} skipped"
        notes = self.notes()
        return text + "." + "".join(f" {note[0].upper()}{note[1:]}." for note in notes)

    # -- helpers -----------------------------------------------------------
    def _match(self, feature_index: int) -> FeatureMatch:
        for m in self.matches:
            if m.feature_index == feature_index:
                return m
        raise KeyError(f"no feature {feature_index}")

    def _own_geometries(self) -> dict[str, MultiPolygon]:
        own: dict[str, list] = defaultdict(list)
        for m in self.matches:
            if m.status in ("matched", "manual") and m.registry_id:
                own[m.registry_id].append(self.features.geometry.iloc[m.feature_index])
        return {rid: _as_multipolygon(shapely.union_all(g)) for rid, g in own.items()}

    def _member_municipality_geometries(self, own: dict) -> dict[str, list]:
        """City → geometries of its member municipalities (Skopje's 10)."""
        members: dict[str, list] = defaultdict(list)
        for rid, geom in own.items():
            unit = self.registry.get(rid)
            parent = self.registry.get(unit.parent_id or "") if unit else None
            if unit and unit.kind is UnitKind.MUNICIPALITY and parent \
                    and parent.kind is UnitKind.CITY:
                members[parent.registry_id].append(geom)
        return members

    def _sub_unit_coverage(self, own: dict) -> dict[str, tuple[int, int]]:
        """City without own polygon → (sub-units present, sub-units in registry)."""
        children: dict[str, list[str]] = defaultdict(list)
        for unit in self.registry.values():
            if unit.parent_id and unit.kind in (UnitKind.CITY_MUNICIPALITY,
                                                UnitKind.MUNICIPALITY):
                children[unit.parent_id].append(unit.registry_id)
        coverage = {}
        for city_id, kids in children.items():
            found = sum(k in own for k in kids)
            if found and city_id not in own:
                coverage[city_id] = (found, len(kids))
        return coverage

    def _units_without_boundary(self, own: dict) -> list[str]:
        """Registry units of the plan's country with no polygon, not even their city's."""
        if not self.country:
            return []
        covered = set(self.geometries(include_sub_units=True))
        return sorted(u.name_latin for u in self.registry.values()
                      if str(u.country) == self.country and u.registry_id not in covered
                      and (u.parent_id or "") not in covered)


def plan_boundary_import(features: gpd.GeoDataFrame, registry: Sequence[Municipality],
                         country: str | None = None) -> BoundaryImportPlan:
    """Propose a unit for every feature; see the module docstring for the rules."""
    features = features.reset_index(drop=True)
    by_id = {u.registry_id: u for u in registry}
    target = _normalise_country(country) or _declared_country(features) \
        or _detect_country(features, registry)
    scope = [u for u in registry if target is None or str(u.country) == target]
    matcher = _Matcher(features, scope)
    matches = [matcher.match(i) for i in range(len(features))]
    _flag_foreign_features(features, matches, target)
    _resolve_by_elimination(matcher, matches)
    _flag_duplicates(matches)
    _add_suggestions(matcher, matches)
    return BoundaryImportPlan(features=features, matches=matches, country=target,
                              registry=by_id)


# -- country --------------------------------------------------------------------
def _normalise_country(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return COUNTRY_ALIASES.get(str(value).strip().upper())


def _feature_countries(features: gpd.GeoDataFrame) -> list[str | None]:
    """Per feature, the country its own columns declare (or None)."""
    columns = [c for c in features.columns if str(c).lower() in _COUNTRY_COLUMNS]
    result: list[str | None] = []
    for i in range(len(features)):
        values = [_normalise_country(features[c].iloc[i]) for c in columns]
        result.append(next((v for v in values if v), None))
    return result


def _declared_country(features: gpd.GeoDataFrame) -> str | None:
    """The country most features declare, if most declare one."""
    declared = [c for c in _feature_countries(features) if c]
    if not declared:
        return None
    code, count = Counter(declared).most_common(1)[0]
    return code if count >= len(features) / 2 else None


def _detect_country(features: gpd.GeoDataFrame,
                    registry: Sequence[Municipality]) -> str | None:
    """The country whose names match most features (at least half of them)."""
    best, best_hits = None, 0
    for code in sorted({str(u.country) for u in registry}):
        matcher = _Matcher(features, [u for u in registry if str(u.country) == code])
        hits = sum(bool(matcher.name_candidates(i, name_keys)[0]) for i in range(len(features)))
        if hits > best_hits:
            best, best_hits = code, hits
    return best if best_hits >= len(features) / 2 else None


# -- the matcher ----------------------------------------------------------------
class _Matcher:
    """Registry lookups for one country and the features' geometry in metres."""

    def __init__(self, features: gpd.GeoDataFrame, units: Sequence[Municipality]) -> None:
        self.features = features
        self.units = {u.registry_id: u for u in units}
        self.exact = _key_index(units, name_keys)
        self.loose = _key_index(units, loose_keys)
        self.codes = _code_index(units)
        self.metric = features.geometry.to_crs(METRIC_CRS) if len(features) else features.geometry
        self.seats = _project_seats(units)
        self.name_columns = self._name_columns()
        self.code_columns = self._code_columns()

    # columns
    def _name_columns(self) -> list[str]:
        """Text columns that look like names, trusted ones first."""
        text_columns = [c for c in self.features.columns
                        if c != self.features.geometry.name and _is_text_column(self.features[c])
                        and not _is_bookkeeping(str(c))]
        priority = {name: i for i, name in enumerate(_NAME_PRIORITY)}
        hits = {c: self._column_hits(c) for c in text_columns}
        useful = [c for c in text_columns if hits[c] > 0 or str(c).lower() in priority]
        return sorted(useful, key=lambda c: (priority.get(str(c).lower(), len(priority)),
                                             -hits[c]))

    def _column_hits(self, column: str) -> int:
        return sum(bool(self._keys_candidates(v, name_keys, self.exact)[0])
                   for v in self.features[column])

    def _code_columns(self) -> list[str]:
        """Columns where most values are registry codes of this country."""
        found = []
        for column in self.features.columns:
            if column == self.features.geometry.name:
                continue
            values = [_code_text(v) for v in self.features[column] if _code_text(v)]
            if values and sum(v in self.codes for v in values) >= len(values) / 2:
                found.append(column)
        return found

    # lookups
    def label(self, i: int) -> str:
        """Latin-script display name when the file has one (readable to every user)."""
        rank = {name: n for n, name in enumerate(_LABEL_PRIORITY)}
        columns = sorted(self.name_columns, key=lambda c: rank.get(str(c).lower(), len(rank)))
        for column in columns:
            value = self.features[column].iloc[i]
            if isinstance(value, str) and value.strip():
                return value.split("|")[0].strip()
        return f"feature {i}"

    def _keys_candidates(self, value: object, keyfunc: Callable[[str], set[str]],
                         index: dict[str, set[str]]) -> tuple[set[str], str | None]:
        """Units sharing a key with any name in the cell, and the cell's qualifier."""
        if not isinstance(value, str) or not value.strip():
            return set(), None
        found: set[str] = set()
        qualifier = None
        for name in value.split("|"):
            qualifier = qualifier or split_qualifier(name)[1]
            for key in keyfunc(name):
                found |= index.get(key, set())
        return found, qualifier

    def name_candidates(self, i: int, keyfunc: Callable[[str], set[str]]
                        ) -> tuple[set[str], str | None, str | None]:
        """First name column (by trust) giving candidates with this key function."""
        index = self.exact if keyfunc is name_keys else self.loose
        for column in self.name_columns:
            found, qualifier = self._keys_candidates(self.features[column].iloc[i], keyfunc,
                                                     index)
            if found:
                return found, qualifier, str(column)
        return set(), None, None

    def fuzzy_candidates(self, i: int) -> tuple[set[str], str | None, str | None]:
        """A unique unit within typo distance, with nothing else close."""
        for column in self.name_columns:
            value = self.features[column].iloc[i]
            if not isinstance(value, str):
                continue
            for name in value.split("|"):
                for key in name_keys(name):
                    unit = _unique_near(key, self.exact)
                    if unit:
                        return {unit}, split_qualifier(name)[1], str(column)
        return set(), None, None

    def code_candidates(self, i: int) -> tuple[set[str], str]:
        found: set[str] = set()
        used = ""
        for column in self.code_columns:
            code = _code_text(self.features[column].iloc[i])
            if code in self.codes:
                found |= self.codes[code]
                used = f"{column}={code}"
        return found, used

    def seat_distance_km(self, i: int, unit_id: str) -> float | None:
        seat = self.seats.get(unit_id)
        if seat is None:
            return None
        return self.metric.iloc[i].distance(seat) / 1000.0

    def seats_inside(self, i: int, unit_ids: Iterable[str], strict: bool = False) -> list[str]:
        """Units whose seat lies in feature ``i`` (within a tolerance unless strict)."""
        geom = self.metric.iloc[i]
        tolerance = 0.0 if strict else SEAT_INSIDE_TOLERANCE_M
        return sorted(u for u in unit_ids if u in self.seats
                      and geom.distance(self.seats[u]) <= tolerance)

    # matching one feature
    def match(self, i: int) -> FeatureMatch:
        label = self.label(i)
        code_ids, code_used = self.code_candidates(i)
        tiers = (("name", lambda: self.name_candidates(i, name_keys)),
                 ("skeleton", lambda: self.name_candidates(i, loose_keys)),
                 ("fuzzy", lambda: self.fuzzy_candidates(i)))
        for method, lookup in tiers:
            candidates, qualifier, column = lookup()
            if candidates:
                result = self._resolve(i, label, method, candidates, qualifier, column)
                return self._check_code(i, result, code_ids, code_used)
        if len(code_ids) == 1:
            rid = next(iter(code_ids))
            result = FeatureMatch(i, label, "matched", rid, "code",
                                  detail=f"code {code_used}; the name matches no unit")
            return self._sanity(i, result)
        return FeatureMatch(i, label, "unmatched", detail="no registry name or code matches")

    def _resolve(self, i: int, label: str, method: str, candidates: set[str],
                 qualifier: str | None, column: str | None) -> FeatureMatch:
        """One candidate → match; several → qualifier, then seat-in-polygon."""
        source = f"{method} match on {column}"
        narrowed = _by_qualifier(candidates, qualifier, self.units)
        if len(narrowed) == 1:
            rid = next(iter(narrowed))
            how = f" (qualifier {qualifier!r})" if len(candidates) > 1 else ""
            return self._sanity(i, FeatureMatch(i, label, "matched", rid, method,
                                                tuple(sorted(candidates)), detail=source + how))
        inside = self.seats_inside(i, narrowed)
        if len(inside) == 1:
            return self._sanity(i, FeatureMatch(
                i, label, "matched", inside[0], "seat", tuple(sorted(narrowed)),
                detail=f"{source}; {len(narrowed)} units share the name, only this seat "
                       f"lies in the polygon"))
        return FeatureMatch(i, label, "ambiguous", None, method, tuple(sorted(narrowed)),
                            detail=f"{source}; {len(narrowed)} units share the name and "
                                   f"{len(inside)} of their seats lie in the polygon")

    def _check_code(self, i: int, result: FeatureMatch, code_ids: set[str],
                    code_used: str) -> FeatureMatch:
        """A code that agrees confirms the match; one that disagrees is a conflict."""
        if not code_ids:
            return result
        if result.status == "ambiguous":
            agreed = set(result.candidates) & code_ids
            if len(agreed) == 1:
                result.status, result.registry_id, result.method = "matched", agreed.pop(), "code"
                result.detail = f"code {code_used} picks one of the same-named units"
                return self._sanity(i, result)
            return result
        if result.status == "suspect":
            result.detail += f"; code {code_used}"
            return result
        if result.registry_id in code_ids:
            if result.status == "matched":
                result.method = "code"
                result.detail = f"code {code_used} and name agree"
            return result
        if result.status == "matched":
            result.status = "conflict"
            result.candidates = tuple(sorted({result.registry_id or ""} | code_ids))
            result.detail = (f"code {code_used} says {', '.join(sorted(code_ids))} but the "
                             f"name says {result.registry_id}")
            result.registry_id = None
        return result

    def _sanity(self, i: int, result: FeatureMatch) -> FeatureMatch:
        """Demote a match whose seat is far from the polygon."""
        distance = self.seat_distance_km(i, result.registry_id or "")
        if distance is not None and distance > SUSPECT_KM:
            result.status = "suspect"
            result.candidates = result.candidates or (result.registry_id or "",)
            result.detail += f"; but the seat of {result.registry_id} is {distance:.0f} km away"
            result.registry_id = None
        return result


# -- post-processing ------------------------------------------------------------
def _flag_foreign_features(features: gpd.GeoDataFrame, matches: list[FeatureMatch],
                           target: str | None) -> None:
    """A feature declaring another country is never matched."""
    if target is None:
        return
    for match, declared in zip(matches, _feature_countries(features)):
        if declared and declared != target:
            match.status, match.registry_id, match.method = "unmatched", None, ""
            match.detail = f"the feature belongs to {declared}, the import is for {target}"


def _resolve_by_elimination(matcher: _Matcher, matches: list[FeatureMatch]) -> None:
    """Settle same-name ambiguities using what the other features matched.

    "Pale" may be Pale or Pale-Prača ("Pale (FBiH)"); when Pale-Prača is
    matched by its own feature, Pale is left — accepted only if its seat is in
    the polygon. A feature named like both a city and its namesake city
    municipality ("Novi Sad") is the city when it holds the seats of the
    city's other municipalities, and the city municipality when those are
    separate features of the file.
    """
    taken = {m.registry_id: m.feature_index for m in matches if m.status == "matched"}
    for m in matches:
        if m.status != "ambiguous":
            continue
        others = [c for c in m.candidates if c not in taken]
        if len(others) == 1 and matcher.seats_inside(m.feature_index, others, strict=True):
            _accept(matcher, m, others[0], "the other same-named units are matched to other "
                                           "features and this seat lies in the polygon")
            continue
        choice = _city_or_namesake(matcher, m, taken)
        if choice:
            _accept(matcher, m, *choice)


def _city_or_namesake(matcher: _Matcher, m: FeatureMatch, taken: dict[str, int]
                      ) -> tuple[str, str] | None:
    """City vs its namesake city municipality, decided by the other sub-units."""
    units = matcher.units
    cities = [c for c in m.candidates if units[c].kind is UnitKind.CITY]
    if len(cities) != 1:
        return None
    city = cities[0]
    children = [c for c in m.candidates if c != city]
    if not children or any(units[c].parent_id != city for c in children):
        return None
    siblings = [u for u, unit in units.items() if unit.parent_id == city and u not in children]
    if not siblings:
        return None
    if any(s in taken for s in siblings) and len(children) == 1:
        return children[0], "the city's other municipalities are separate features"
    if not any(s in taken for s in siblings) and \
            len(matcher.seats_inside(m.feature_index, siblings, strict=True)) == len(siblings):
        return city, "the polygon holds the seats of all the city's municipalities"
    return None


def _accept(matcher: _Matcher, m: FeatureMatch, registry_id: str, reason: str) -> None:
    m.status, m.registry_id, m.method = "matched", registry_id, "seat"
    m.detail += f"; {reason}"
    matcher._sanity(m.feature_index, m)


def _flag_duplicates(matches: list[FeatureMatch]) -> None:
    """Two features matched to one unit: neither is trusted."""
    holders: dict[str, list[FeatureMatch]] = defaultdict(list)
    for m in matches:
        if m.status == "matched" and m.registry_id:
            holders[m.registry_id].append(m)
    for rid, group in holders.items():
        if len(group) < 2:
            continue
        for m in group:
            others = ", ".join(o.label for o in group if o is not m)
            m.status, m.candidates, m.registry_id = "conflict", (rid,), None
            m.detail = f"{rid} is also matched by {others}"


def _add_suggestions(matcher: _Matcher, matches: list[FeatureMatch]) -> None:
    """Unmatched units whose seat lies inside a feature that needs review."""
    taken = {m.registry_id for m in matches if m.status == "matched"}
    free = [u for u in matcher.units if u not in taken]
    for m in matches:
        if m.status in REVIEW_STATUSES:
            m.suggestions = tuple(matcher.seats_inside(m.feature_index, free))


# -- small helpers ----------------------------------------------------------------
def _project_seats(units: Iterable[Municipality]) -> dict[str, Point]:
    to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    seats = {}
    for unit in units:
        if unit.seat_lon is not None and unit.seat_lat is not None:
            seats[unit.registry_id] = Point(*to_metric.transform(unit.seat_lon, unit.seat_lat))
    return seats


def _is_text_column(series: pd.Series) -> bool:
    values = [v for v in series if isinstance(v, str) and v.strip()]
    if not values:
        return False
    letters = sum(any(ch.isalpha() for ch in v) and not v.lstrip().startswith(("{", "["))
                  for v in values)
    return letters >= len(values) / 2


def _is_bookkeeping(column: str) -> bool:
    lowered = column.lower()
    if lowered in _NAME_PRIORITY:
        return False
    parts = lowered.replace(":", "_").replace("-", "_").split("_")
    return any(bad in lowered for bad in _NOT_NAME_PARTS if len(bad) > 3) or \
        any(p in ("id", "iso") for p in parts)


def _as_multipolygon(geom) -> MultiPolygon:
    """Union results may be a Polygon or a collection; the map wants MultiPolygons."""
    if isinstance(geom, MultiPolygon):
        return geom
    polys = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    nested = [q for p in shapely.get_parts(geom) if p.geom_type == "MultiPolygon"
              for q in p.geoms]
    return MultiPolygon(polys + nested)
