"""Finding registry units by code or by any name form, without geometry.

Boundary matching (:mod:`resilience_map.io.matching`) and study-table imports
(:mod:`resilience_map.io.tables`) recognise municipalities by the same rules:
registry codes, every name form folded (diacritics, Cyrillic ↔ Latin, generic
words such as "Opština"/"Komuna e"/"Bashkia" removed), the looser Albanian
skeleton and transliteration keys, and typos only when exactly one unit is that
close. The indexes and tiers live here once; boundary matching adds geometry
checks on top, table imports add nothing — a name that fits several units is
never guessed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein

from resilience_map.domain.names import fold, loose_keys, name_keys, split_qualifier
from resilience_map.domain.records import Municipality

COUNTRY_ALIASES = {
    "AL": "AL", "ALB": "AL", "BA": "BA", "BIH": "BA", "XK": "XK", "XKX": "XK", "KOS": "XK",
    "KV": "XK", "ME": "ME", "MNE": "ME", "MK": "MK", "MKD": "MK", "RS": "RS", "SRB": "RS",
}
#: Country names as tables write them (folded), in English and the region's languages.
COUNTRY_NAMES = {
    "albania": "AL", "shqiperia": "AL", "shqiperi": "AL", "albanija": "AL",
    "bosnia and herzegovina": "BA", "bosnia": "BA", "bosna i hercegovina": "BA", "bih": "BA",
    "kosovo": "XK", "kosova": "XK", "kosove": "XK",
    "montenegro": "ME", "crna gora": "ME", "mali i zi": "ME",
    "north macedonia": "MK", "macedonia": "MK", "severna makedonija": "MK",
    "sjeverna makedonija": "MK", "makedonija": "MK", "maqedonia e veriut": "MK",
    "serbia": "RS", "srbija": "RS", "serbija": "RS",
}
_ENTITY_ALIASES = {
    "rs": "rs", "republika srpska": "rs", "rep srpska": "rs",
    "bih": "fbih", "fbih": "fbih", "federation": "fbih", "federacija": "fbih",
    "federacija bih": "fbih", "federation of bosnia and herzegovina": "fbih",
    "federacija bosne i hercegovine": "fbih", "bd": "bd", "brcko": "bd",
    "brcko distrikt": "bd", "brcko district": "bd",
}


def country_code(value: object) -> str | None:
    """ISO code of a country written as a code ("MKD", "XK") or a name ("Srbija", "Косово")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return COUNTRY_ALIASES.get(text.upper()) or COUNTRY_NAMES.get(fold(text))


def key_index(units: Iterable[Municipality], keyfunc: Callable[[str], set[str]]
              ) -> dict[str, set[str]]:
    """Name key → registry ids of the units having a name with that key."""
    index: dict[str, set[str]] = defaultdict(set)
    for unit in units:
        for name in unit.all_names():
            for key in keyfunc(name):
                index[key].add(unit.registry_id)
    return dict(index)


def code_text(value: object) -> str:
    """Codes compare as stripped upper-case text; 70874.0 reads as 70874."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().upper()
    return text if len(text) >= 3 else ""


def code_index(units: Iterable[Municipality]) -> dict[str, set[str]]:
    """Official code (ISO 3166-2, national register numbers) → registry ids."""
    index: dict[str, set[str]] = defaultdict(set)
    for unit in units:
        for value in (unit.codes or {}).values():
            code = code_text(value)
            if code:
                index[code].add(unit.registry_id)
    return dict(index)


def entity_key(text: str | None) -> str | None:
    return _ENTITY_ALIASES.get(fold(text)) if text else None


def by_qualifier(candidates: set[str], qualifier: str | None,
                 units: dict[str, Municipality]) -> set[str]:
    """Candidates of the entity (or region) a qualifier such as "(RS)" names."""
    if not qualifier or len(candidates) < 2:
        return candidates
    entity = entity_key(qualifier)
    if entity:
        chosen = {c for c in candidates if entity_key(units[c].entity) == entity}
    else:
        wanted = fold(qualifier)
        chosen = {c for c in candidates
                  if wanted in fold(units[c].region) or any(
                      wanted == fold(split_qualifier(n)[1]) for n in units[c].all_names())}
    return chosen or candidates


def unique_near(key: str, index: dict[str, set[str]]) -> str | None:
    """The one unit within typo distance of ``key`` (1 from 5 letters, 2 from 10)."""
    limit = 2 if len(key) >= 10 else 1 if len(key) >= 5 else 0
    if not limit:
        return None
    best: dict[str, int] = {}
    for other, ids in index.items():
        if abs(len(other) - len(key)) > limit + 1:
            continue
        distance = DamerauLevenshtein.distance(key, other, score_cutoff=limit + 1)
        if distance <= limit + 1:
            for rid in ids:
                best[rid] = min(best.get(rid, distance), distance)
    close = [rid for rid, d in best.items() if d <= limit]
    if len(close) == 1 and not any(d <= limit + 1 for r, d in best.items() if r != close[0]):
        return close[0]
    return None


@dataclass(frozen=True)
class UnitMatch:
    """What a (name, code, country) found: ``matched`` with one unit, or why not."""

    status: str  # matched | ambiguous | unknown | conflict
    registry_id: str | None = None
    method: str = ""  # code | name | skeleton | fuzzy
    candidates: tuple[str, ...] = ()
    detail: str = ""


class UnitNameIndex:
    """Registry lookups by code and name tiers, for rows of a table (no geometry).

    Tiers: code (registry id or official code) → exact name key → loose key →
    one unit within typo distance. A code that disagrees with the name is a
    conflict; several units sharing a name stay ambiguous unless a qualifier
    ("Trnovo (RS)") or the row's country separates them.
    """

    def __init__(self, units: Sequence[Municipality]) -> None:
        self.units = {u.registry_id: u for u in units}
        self.exact = key_index(units, name_keys)
        self.loose = key_index(units, loose_keys)
        self.codes = code_index(units)
        for unit in units:
            self.codes.setdefault(unit.registry_id.upper(), set()).add(unit.registry_id)
        self._cache: dict[tuple[str, str, str], UnitMatch] = {}

    def find(self, name: str = "", code: str = "", country: str | None = None) -> UnitMatch:
        key = (name, code, country or "")
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._find(name, code, country)
        return found

    def _in_country(self, ids: set[str], country: str | None) -> set[str]:
        return {i for i in ids if country is None or self.units[i].country.value == country}

    def _find(self, name: str, code: str, country: str | None) -> UnitMatch:
        by_code = self._in_country(self.codes.get(code_text(code), set()), country)
        named = self._by_name(name, country) if name.strip() else None
        if named is None:
            if len(by_code) == 1:
                return UnitMatch("matched", next(iter(by_code)), "code")
            if by_code:
                return UnitMatch("ambiguous", None, "code", tuple(sorted(by_code)),
                                 f"code {code} belongs to several units")
            what = f"code {code!r}" if code.strip() else "no name or code"
            return UnitMatch("unknown", detail=f"{what} matches no municipality")
        if by_code and named.status == "ambiguous":
            agreed = set(named.candidates) & by_code
            if len(agreed) == 1:
                return UnitMatch("matched", agreed.pop(), "code")
        if by_code and named.status == "matched" and named.registry_id not in by_code:
            return UnitMatch("conflict", None, "code", tuple(sorted(by_code | {named.registry_id or ""})),
                             f"code {code} says {', '.join(sorted(by_code))} but the name says "
                             f"{named.registry_id}")
        if by_code and named.status == "unknown" and len(by_code) == 1:
            return UnitMatch("matched", next(iter(by_code)), "code")
        return named

    def _by_name(self, name: str, country: str | None) -> UnitMatch:
        qualifier = split_qualifier(name)[1]
        for method, index, keyfunc in (("name", self.exact, name_keys),
                                       ("skeleton", self.loose, loose_keys)):
            found: set[str] = set()
            for key in keyfunc(name):
                found |= index.get(key, set())
            found = self._in_country(found, country)
            if found:
                narrowed = by_qualifier(found, qualifier, self.units)
                if len(narrowed) == 1:
                    return UnitMatch("matched", next(iter(narrowed)), method)
                return UnitMatch("ambiguous", None, method, tuple(sorted(narrowed)),
                                 f"{len(narrowed)} municipalities are called {name.strip()!r}")
        for key in name_keys(name):
            unit = unique_near(key, self.exact)
            if unit and self._in_country({unit}, country):
                return UnitMatch("matched", unit, "fuzzy",
                                 detail=f"spelling close to {self.units[unit].name_latin}")
        return UnitMatch("unknown", detail=f"no municipality is called {name.strip()!r}")
