"""Which registry units a boundary feature's names and codes point to (no geometry here).

A boundary file's columns are whatever its author had: ``shapeName``, ``wof:name``,
``localname`` in Cyrillic, ``name:sq``, an ISO 3166-2 column. This module finds the
columns that hold names or registry codes and turns each feature's cells into
*candidate* units, from strict to loose: exact name keys, loose keys (Albanian
skeleton, ch/sh/zh, compass words), former units merged since, typo tolerance.
Candidates are only proposals; :mod:`resilience_map.io.seat_check` decides with
the geometry. A cell may hold several names ("Bosanski Novi/Novi Grad",
``|``-joined lists): each is read as an alternative form of the same place.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

import geopandas as gpd
import pandas as pd

from resilience_map.domain.names import loose_keys, name_keys, split_qualifier
from resilience_map.domain.records import Municipality
from resilience_map.io.former_units import FormerUnit
from resilience_map.io.unit_names import by_qualifier, code_index, code_text, unique_near

# Columns whose text names the feature, best first (compared case-insensitively).
NAME_PRIORITY = (
    "meso:name_loc", "name_local", "localname", "name_latin", "shapename", "wof:name",
    "name", "official_name", "name:en", "name:sr", "name:sr-latn", "name:mk", "name:sq",
    "eurostat:name_local", "name_3", "name_2", "name_1", "naziv", "emri",
)
LABEL_PRIORITY = ("meso:name_loc", "shapename", "name_latin", "name", "wof:name", "name:en",
                  "name_local", "localname", "official_name", "eurostat:name_local")
# Columns that hold other places' names or bookkeeping (meso:gadm_adm2 holds a
# GADM neighbour's name for some Serbian features, e.g. Leskovac → Vladičin Han).
_NOT_NAME_PARTS = ("gadm", "iscgm", "adm1", "parent", "hierarchy", "concordance",
                   "source", "placetype", "shapeid", "shapegroup", "shapetype",
                   "lastmodified", "geom", "country", "hasc", "gisco", "lau", "wikidata",
                   "osm_id", "admin_level", "iso", "id")
_ALTERNATIVES = re.compile(r"\s*[|/]\s*")

MAX_LABEL = 120  # a label is shown in tables and messages: a 1 MB "name" is cut
KeyFunc = Callable[[str | None], set[str]]


class NameLookup:
    """Registry lookups for one country's units against one layer's columns."""

    def __init__(self, features: gpd.GeoDataFrame, units: Sequence[Municipality],
                 former: Sequence[FormerUnit] = ()) -> None:
        self.features = features
        self.units = {u.registry_id: u for u in units}
        self.exact = _key_index(((u.registry_id, n) for u in units for n in u.all_names()),
                                name_keys)
        self.loose = _key_index(((u.registry_id, n) for u in units for n in u.all_names()),
                                loose_keys)
        in_scope = [f for f in former if f.successor_id in self.units]
        self.former = {f.name: f for f in in_scope}
        self.former_exact = _key_index(((f.name, f.name) for f in in_scope), name_keys)
        self.former_loose = _key_index(((f.name, f.name) for f in in_scope), loose_keys)
        self.codes = code_index(units)
        self.name_columns = self._name_columns()
        self.code_columns = self._code_columns()

    # columns
    def _name_columns(self) -> list[str]:
        """Text columns that look like names, trusted ones first."""
        geometry = self.features.geometry.name
        text_columns = [c for c in self.features.columns
                        if c != geometry and _is_text_column(self.features[c])
                        and not _is_bookkeeping(str(c))]
        priority = {name: i for i, name in enumerate(NAME_PRIORITY)}
        hits = {c: self._column_hits(c) for c in text_columns}
        useful = [c for c in text_columns if hits[c] > 0 or str(c).lower() in priority]
        return sorted(useful, key=lambda c: (priority.get(str(c).lower(), len(priority)),
                                             -hits[c]))

    def _column_hits(self, column: str) -> int:
        return sum(bool(_cell_candidates(v, name_keys, self.exact)[0])
                   for v in self.features[column])

    def _code_columns(self) -> list[str]:
        """Columns where most values are registry codes of this country."""
        found = []
        for column in self.features.columns:
            if column == self.features.geometry.name:
                continue
            values = [code_text(v) for v in self.features[column] if code_text(v)]
            if values and sum(v in self.codes for v in values) >= len(values) / 2:
                found.append(column)
        return found

    # lookups
    def label(self, i: int) -> str:
        """Latin-script display name when the file has one (readable to every user)."""
        rank = {name: n for n, name in enumerate(LABEL_PRIORITY)}
        columns = sorted(self.name_columns, key=lambda c: rank.get(str(c).lower(), len(rank)))
        for column in columns:
            value = self.features[column].iloc[i]
            if isinstance(value, str) and value.strip():
                label = " ".join(value.split("|")[0].split())
                return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…"
        return f"feature {i}"

    def name_candidates(self, i: int, keyfunc: KeyFunc) -> tuple[set[str], str | None, str | None]:
        """First name column (by trust) giving candidates with this key function."""
        index = self.exact if keyfunc is name_keys else self.loose
        return self._first_hit(i, keyfunc, index)

    def former_candidates(self, i: int) -> tuple[FormerUnit | None, str | None]:
        """A merged unit the feature is named after (exact, then loose keys)."""
        for keyfunc, index in ((name_keys, self.former_exact), (loose_keys, self.former_loose)):
            names, _qualifier, column = self._first_hit(i, keyfunc, index)
            if len(names) == 1:
                return self.former[next(iter(names))], column
        return None, None

    def _first_hit(self, i: int, keyfunc: KeyFunc, index: dict[str, set[str]]
                   ) -> tuple[set[str], str | None, str | None]:
        for column in self.name_columns:
            found, qualifier = _cell_candidates(self.features[column].iloc[i], keyfunc, index)
            if found:
                return found, qualifier, str(column)
        return set(), None, None

    def fuzzy_candidates(self, i: int) -> tuple[set[str], str | None, str | None]:
        """A unique unit within typo distance, with nothing else close."""
        for column in self.name_columns:
            for name in cell_names(self.features[column].iloc[i]):
                for key in name_keys(name):
                    unit = unique_near(key, self.exact)
                    if unit:
                        return {unit}, split_qualifier(name)[1], str(column)
        return set(), None, None

    def code_candidates(self, i: int) -> tuple[set[str], str]:
        found: set[str] = set()
        used = ""
        for column in self.code_columns:
            code = code_text(self.features[column].iloc[i])
            if code in self.codes:
                found |= self.codes[code]
                used = f"{column}={code}"
        return found, used

    def by_qualifier(self, candidates: set[str], qualifier: str | None) -> set[str]:
        """Candidates of the entity (or region) a qualifier such as "(RS)" names."""
        return by_qualifier(candidates, qualifier, self.units)


def cell_names(value: object) -> list[str]:
    """The alternative names in one cell ("a|b", "Bosanski Novi/Novi Grad")."""
    if not isinstance(value, str) or not value.strip():
        return []
    return [part for part in _ALTERNATIVES.split(value.strip()) if part]


def _cell_candidates(value: object, keyfunc: KeyFunc, index: dict[str, set[str]]
                     ) -> tuple[set[str], str | None]:
    """Units sharing a key with any name in the cell, and the cell's qualifier."""
    found: set[str] = set()
    qualifier = None
    for name in cell_names(value):
        qualifier = qualifier or split_qualifier(name)[1]
        for key in keyfunc(name):
            found |= index.get(key, set())
    return found, qualifier


def _key_index(named: Iterable[tuple[str, str]], keyfunc: KeyFunc) -> dict[str, set[str]]:
    index: dict[str, set[str]] = defaultdict(set)
    for ident, name in named:
        for key in keyfunc(name):
            index[key].add(ident)
    return dict(index)


def _is_text_column(series: pd.Series) -> bool:
    values = [v for v in series if isinstance(v, str) and v.strip()]
    if not values:
        return False
    letters = sum(any(ch.isalpha() for ch in v) and not v.lstrip().startswith(("{", "["))
                  for v in values)
    return letters >= len(values) / 2


def _is_bookkeeping(column: str) -> bool:
    lowered = column.lower()
    if lowered in NAME_PRIORITY:
        return False
    parts = lowered.replace(":", "_").replace("-", "_").split("_")
    return any(bad in lowered for bad in _NOT_NAME_PARTS if len(bad) > 3) or \
        any(p in ("id", "iso") for p in parts)
