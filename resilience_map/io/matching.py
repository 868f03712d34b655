"""Matching boundary features to registry municipalities, never guessing.

A boundary file's names are whatever its author typed ("Minicipality of
Kavadarci", "Republika Srpska" for Višegrad, two "Novi Grad", one "Palilula" for
two towns 200 km apart); a wrong match silently paints one town's indicators onto
another, which is worse than no match. So names only *propose* units (codes,
exact keys, loose keys, former units merged since, typos —
:mod:`~resilience_map.io.name_lookup`) and the geometry decides
(:mod:`~resilience_map.io.seat_check`): a feature is matched automatically only
when the seats confirm exactly one proposed unit, or — for a feature whose parts
lie in different places — one unit per part. Everything else is left for the
user to review, with candidates and seat-based suggestions, and only the user's
choice is applied.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely

from resilience_map.domain.names import loose_keys, name_keys
from resilience_map.domain.records import Municipality
from resilience_map.io.attribution import BoundaryCredit
from resilience_map.io.boundary_plan import (
    REVIEW_STATUSES,
    BoundaryImportPlan,
    FeatureMatch,
)
from resilience_map.io.former_units import (
    FormerUnit,
    former_parts_of,
    load_former_units,
)
from resilience_map.io.name_lookup import NameLookup
from resilience_map.io.seat_check import METRIC_CRS, SeatCheck
from resilience_map.io.unit_names import COUNTRY_ALIASES

__all__ = [
    "COUNTRY_ALIASES",
    "METRIC_CRS",
    "REVIEW_STATUSES",
    "BoundaryImportPlan",
    "FeatureMatch",
    "plan_boundary_import",
]

_COUNTRY_COLUMNS = ("country", "iso:country", "wof:country", "iso_a2", "iso_a3",
                    "shapegroup", "country_code", "iso2_country", "gid_0", "adm0_a3")
_JOIN_GAP_M = 500.0  # pieces of one unit closer than this count as touching


@dataclass
class _Proposal:
    """What the names and codes of one feature point to, before the geometry speaks."""

    method: str = ""
    candidates: set[str] = field(default_factory=set)
    column: str | None = None
    qualifier: str | None = None
    code_ids: set[str] = field(default_factory=set)
    code_used: str = ""
    former: FormerUnit | None = None

    def source(self) -> str:
        return f"{self.method} match on {self.column}" if self.column else self.method


def plan_boundary_import(features: gpd.GeoDataFrame, registry: Sequence[Municipality],
                         country: str | None = None, *,
                         former: Sequence[FormerUnit] | None = None,
                         credit: BoundaryCredit | None = None,
                         source_name: str = "") -> BoundaryImportPlan:
    """Propose a unit for every feature; see the module docstring for the rules."""
    features = features.reset_index(drop=True)
    by_id = {u.registry_id: u for u in registry}
    target = _normalise_country(country) or _declared_country(features) \
        or _detect_country(features, registry)
    scope = [u for u in registry if target is None or str(u.country) == target]
    former = [f for f in (load_former_units() if former is None else former)
              if target is None or f.country == target]
    lookup = NameLookup(features, scope, former)
    resolver = _Resolver(lookup, SeatCheck(scope),
                         features.geometry.to_crs(METRIC_CRS) if len(features)
                         else features.geometry)
    proposals = [resolver.propose(i) for i in range(len(features))]
    resolver.check.use_layer(list(resolver.metric), [p.candidates for p in proposals],
                             [lookup.label(i) for i in range(len(features))])
    matches = [resolver.resolve(i, p) for i, p in enumerate(proposals)]
    _flag_foreign_features(features, matches, target)
    resolver.eliminate(matches, proposals)
    resolver.group_former_parts(matches, proposals, former)
    _flag_duplicates(matches)
    resolver.suggest(matches)
    return BoundaryImportPlan(features=features, matches=matches, country=target,
                              registry=by_id, credit=credit, source_name=source_name)


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
        lookup = NameLookup(features, [u for u in registry if str(u.country) == code])
        hits = sum(bool(lookup.name_candidates(i, name_keys)[0]) for i in range(len(features)))
        if hits > best_hits:
            best, best_hits = code, hits
    return best if best_hits >= len(features) / 2 else None


# -- proposing and confirming ------------------------------------------------------
class _Resolver:
    """Names propose, seats confirm: one feature at a time, then across features."""

    def __init__(self, lookup: NameLookup, check: SeatCheck, metric: gpd.GeoSeries) -> None:
        self.lookup = lookup
        self.check = check
        self.metric = metric

    def propose(self, i: int) -> _Proposal:
        """Candidate units from codes and names, strict tiers first."""
        lookup = self.lookup
        code_ids, code_used = lookup.code_candidates(i)
        for method, keyfunc in (("name", name_keys), ("skeleton", loose_keys)):
            found, qualifier, column = lookup.name_candidates(i, keyfunc)
            if found:
                return _Proposal(method, lookup.by_qualifier(found, qualifier), column,
                                 qualifier, code_ids, code_used)
        former, column = lookup.former_candidates(i)
        if former is not None:
            return _Proposal("former unit", {former.successor_id}, column, former=former)
        found, qualifier, column = lookup.fuzzy_candidates(i)
        if found:
            return _Proposal("fuzzy", found, column, qualifier, code_ids, code_used)
        if code_ids:
            return _Proposal("code", set(code_ids), None, None, code_ids, code_used)
        return _Proposal()

    def resolve(self, i: int, proposal: _Proposal,
                candidates: set[str] | None = None) -> FeatureMatch:
        """The unit (or units, per part) the geometry confirms among the candidates."""
        label = self.lookup.label(i)
        candidates = set(proposal.candidates if candidates is None else candidates)
        if not candidates:
            return FeatureMatch(i, label, "unmatched", detail="no registry name or code matches")
        source = proposal.source()
        if proposal.former is not None:
            return FeatureMatch(i, label, "ambiguous", None, proposal.method,
                                tuple(sorted(candidates)), detail=source)
        if proposal.code_ids and proposal.method != "code":
            agreed = candidates & proposal.code_ids
            if not agreed:
                return FeatureMatch(
                    i, label, "conflict", None, proposal.method,
                    tuple(sorted(candidates | proposal.code_ids)),
                    detail=f"code {proposal.code_used} says "
                           f"{', '.join(sorted(proposal.code_ids))} but the name says "
                           f"{', '.join(sorted(candidates))}")
            return self._confirm(i, label, "code", f"code {proposal.code_used} and {source}",
                                 sorted(agreed))
        return self._confirm(i, label, proposal.method, source, sorted(candidates))

    def _confirm(self, i: int, label: str, method: str, source: str,
                 candidates: list[str]) -> FeatureMatch:
        geom = self.metric.iloc[i]
        parts = list(shapely.get_parts(geom))
        many = len(candidates) > 1
        if len(parts) == 1:
            verdicts = {c: self.check.confirm(geom, c, i) for c in candidates}
            ok = [c for c in candidates if verdicts[c].ok]
            if len(ok) == 1:
                return FeatureMatch(i, label, "matched", ok[0], "seat" if many else method,
                                    tuple(candidates),
                                    detail=f"{source}; {verdicts[ok[0]].reason}")
            if ok:
                return FeatureMatch(i, label, "ambiguous", None, method, tuple(ok),
                                    detail=f"{source}; {len(ok)} units share the name and "
                                           f"the polygon holds all their seats")
            reasons = "; ".join(verdicts[c].reason for c in candidates)
            return FeatureMatch(i, label, "ambiguous" if many else "suspect", None, method,
                                tuple(candidates), detail=f"{source}; {reasons}")
        assignment, reason = self.check.assign_parts(parts, candidates, i)
        if assignment is None:
            return FeatureMatch(i, label, "ambiguous" if many else "suspect", None, method,
                                tuple(candidates), detail=f"{source}; {reason}")
        units = list(dict.fromkeys(assignment))
        if len(units) == 1:
            return FeatureMatch(i, label, "matched", units[0], "seat" if many else method,
                                tuple(candidates), detail=f"{source}; every part lies at the "
                                                          f"seat of {units[0]} or close to it")
        names = ", ".join(f"part {k + 1} → {u}" for k, u in enumerate(assignment))
        return FeatureMatch(i, label, "matched", None, "split", tuple(candidates),
                            detail=f"{source}; the parts lie at different seats ({names})",
                            part_units=tuple(assignment))

    # -- across features ----------------------------------------------------------------
    def eliminate(self, matches: list[FeatureMatch], proposals: list[_Proposal]) -> None:
        """Same-name ambiguities settled by what the other features matched.

        "Pale" fits Pale and Pale-Prača ("Pale (FBiH)"); when Pale-Prača is matched
        by its own feature, Pale is left — and still has to be confirmed by its seat.
        """
        taken = {u for m in matches for u in m.unit_ids()}
        for k, m in enumerate(matches):
            if m.status != "ambiguous" or proposals[k].former is not None:
                continue
            left = set(m.candidates) - taken
            if left and left != set(m.candidates):
                again = self.resolve(m.feature_index, proposals[k], left)
                if again.status == "matched":
                    again.detail += "; the other same-named units are matched to other features"
                    matches[k] = again
                    taken.update(again.unit_ids())

    def group_former_parts(self, matches: list[FeatureMatch], proposals: list[_Proposal],
                           former: Sequence[FormerUnit]) -> None:
        """Features of units merged since become parts of their successor, when complete.

        All the former units of a successor must be in the file, next to a feature
        matched to the successor itself, none holding another unit's seat; otherwise
        each stays in review, offered as a part of its successor.
        """
        groups: dict[str, list[int]] = defaultdict(list)
        for k, proposal in enumerate(proposals):
            if proposal.former is not None and matches[k].status == "ambiguous":
                groups[proposal.former.successor_id].append(k)
        for successor, members in groups.items():
            reason = self._former_group_problem(successor, members, matches, proposals, former)
            for k in members:
                f = proposals[k].former
                assert f is not None
                m = matches[k]
                m.candidates = m.suggestions = (successor,)
                merged = (f"{f.name} was merged into "
                          f"{self.check.units[successor].name_latin} in {f.merged_year}")
                if reason:
                    m.detail = f"{merged}: offered as a part of it, but {reason}"
                    continue
                m.status, m.registry_id, m.is_part = "matched", successor, True
                m.detail = f"{merged}; the file has all its former parts, side by side"

    def _former_group_problem(self, successor: str, members: list[int],
                              matches: list[FeatureMatch], proposals: list[_Proposal],
                              former: Sequence[FormerUnit]) -> str:
        """Why the former parts cannot be joined to their successor automatically ('' if they can)."""
        expected = {f.name for f in former_parts_of(successor, tuple(former))}
        present = {proposals[k].former.name for k in members}  # type: ignore[union-attr]
        name = self.check.units[successor].name_latin
        if len(present) != len(members):
            return "the file has the same former unit twice"
        if present != expected:
            missing = ", ".join(sorted(expected - present))
            return f"the file lacks {missing}, so {name} would be incomplete"
        own = [m.feature_index for m in matches if successor in m.unit_ids() and not m.is_part]
        if len(own) != 1:
            return f"no single feature of the file is matched to {name} itself"
        for k in members:
            owner, why = self.check.nearest_owner(self.metric.iloc[matches[k].feature_index],
                                                   [successor])
            if owner is None:
                return f"it {why}"
        pieces = [self.metric.iloc[i] for i in own + [matches[k].feature_index for k in members]]
        joined = shapely.union_all([shapely.buffer(p, _JOIN_GAP_M / 2) for p in pieces])
        if len(shapely.get_parts(joined)) != 1:
            return f"the pieces do not join into one area around {name}"
        return ""

    def suggest(self, matches: list[FeatureMatch]) -> None:
        """Unmatched units whose seat lies inside a feature that needs review."""
        taken = {u for m in matches for u in m.unit_ids()}
        free = [u for u in self.check.units if u not in taken]
        for m in matches:
            if m.status in REVIEW_STATUSES and not m.suggestions:
                m.suggestions = tuple(self.check.seats_inside(self.metric.iloc[m.feature_index],
                                                              free))


# -- post-processing ------------------------------------------------------------
def _flag_foreign_features(features: gpd.GeoDataFrame, matches: list[FeatureMatch],
                           target: str | None) -> None:
    """A feature declaring another country is never matched."""
    if target is None:
        return
    for match, declared in zip(matches, _feature_countries(features), strict=True):
        if declared and declared != target:
            match.to_review("unmatched", f"the feature belongs to {declared}, the import is "
                                         f"for {target}")
            match.method, match.candidates = "", ()


def _flag_duplicates(matches: list[FeatureMatch]) -> None:
    """Two features matched to one unit: neither is trusted (parts of a whole excepted)."""
    holders: dict[str, list[FeatureMatch]] = defaultdict(list)
    for m in matches:
        if m.status == "matched" and not m.is_part:
            for unit_id in m.unit_ids():
                holders[unit_id].append(m)
    for rid, group in holders.items():
        if len(group) < 2:
            continue
        for m in group:
            others = ", ".join(o.label for o in group if o is not m)
            m.to_review("conflict", f"{rid} is also matched by {others}", (rid,))
