"""The proposed feature → unit assignment of one boundary file, reviewed before anything is stored.

A plan is pure data: which feature (or which part of a feature) goes to which
registry unit, why, and what needs the user. The review dialog and the command
line change it only through :meth:`BoundaryImportPlan.assign` and
:meth:`~BoundaryImportPlan.skip`; :mod:`resilience_map.io.boundary_import` turns
it into one store transaction.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon

from resilience_map.domain.enums import UnitKind
from resilience_map.domain.records import Municipality
from resilience_map.io.attribution import BoundaryCredit

REVIEW_STATUSES = ("ambiguous", "unmatched", "conflict", "suspect")
APPLIED_STATUSES = ("matched", "manual")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class FeatureMatch:
    """What one boundary feature was matched to, and why.

    ``part_units`` is set when the feature's parts belong to different units (one
    entry per polygon part, in the feature's order); ``is_part`` when the feature is
    one of several pieces of its unit (a former unit merged into it).
    """

    feature_index: int
    label: str
    status: str
    registry_id: str | None = None
    method: str = ""
    candidates: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    detail: str = ""
    part_units: tuple[str, ...] = ()
    is_part: bool = False

    def unit_ids(self) -> tuple[str, ...]:
        """Every unit this feature gives polygon area to (none unless applied)."""
        if self.status not in APPLIED_STATUSES:
            return ()
        if self.part_units:
            return tuple(dict.fromkeys(self.part_units))
        return (self.registry_id,) if self.registry_id else ()

    def to_review(self, status: str, detail: str, candidates: tuple[str, ...] = ()) -> None:
        """Hold the feature back for the user with the reason."""
        self.status, self.registry_id, self.part_units, self.is_part = status, None, (), False
        self.candidates = candidates or self.candidates
        self.detail = detail


@dataclass
class BoundaryImportPlan:
    """The proposed feature → unit assignment, reviewed before anything is stored."""

    features: gpd.GeoDataFrame
    matches: list[FeatureMatch]
    country: str | None
    registry: dict[str, Municipality] = field(default_factory=dict, repr=False)
    #: Who made the boundaries and under which licence, as read from the file (or None).
    credit: BoundaryCredit | None = None
    source_name: str = ""
    #: What reading the file repaired or dropped (heights, invalid rings, points…).
    file_notes: list[str] = field(default_factory=list)

    def assign(self, feature_index: int, registry_id: str, as_part: bool = False) -> None:
        """Apply the user's choice; another feature holding that unit goes to review.

        With ``as_part`` the feature is added to the unit's polygon (a former unit
        merged into it) and other features of the unit stay as they are.
        """
        if registry_id not in self.registry:
            raise KeyError(f"{registry_id} is not in the registry")
        if not as_part:
            for other in self.matches:
                if other.feature_index != feature_index and not other.is_part \
                        and registry_id in other.unit_ids():
                    other.to_review("conflict", f"{registry_id} was assigned by hand to "
                                                f"feature {feature_index}", (registry_id,))
        match = self._match(feature_index)
        match.status, match.registry_id, match.method = "manual", registry_id, "manual"
        match.part_units, match.is_part = (), as_part
        match.detail = "assigned by the user" + (" as a part" if as_part else "")

    def skip(self, feature_index: int) -> None:
        """The user chose not to import this feature."""
        match = self._match(feature_index)
        match.status, match.registry_id, match.method = "skipped", None, ""
        match.part_units, match.is_part = (), False
        match.detail = "skipped by the user"

    def pending(self) -> list[FeatureMatch]:
        """Features the user still has to decide on."""
        return [m for m in self.matches if m.status in REVIEW_STATUSES]

    def matched_share(self) -> float:
        """Share of features that have a unit (automatic or manual), 0..1."""
        if not self.matches:
            return 0.0
        return sum(m.status in APPLIED_STATUSES for m in self.matches) / len(self.matches)

    def automatic_share(self) -> float:
        """Share of features matched without the user, 0..1."""
        if not self.matches:
            return 0.0
        return sum(m.status == "matched" for m in self.matches) / len(self.matches)

    def own_geometries(self) -> dict[str, MultiPolygon]:
        """registry_id → union of the features (and feature parts) given to it, lon/lat."""
        pieces: dict[str, list] = defaultdict(list)
        for m in self.matches:
            geom = self.features.geometry.iloc[m.feature_index]
            if m.part_units and m.status in APPLIED_STATUSES:
                for part, unit_id in zip(shapely.get_parts(geom), m.part_units, strict=True):
                    pieces[unit_id].append(part)
            else:
                for unit_id in m.unit_ids():
                    pieces[unit_id].append(geom)
        return {rid: as_multipolygon(shapely.union_all(g)) for rid, g in pieces.items()}

    def geometries(self, include_sub_units: bool = False) -> dict[str, MultiPolygon]:
        """registry_id → geometry to store, own polygons and those derived from members.

        A city without a polygon of its own whose members are *all* in the file gets
        their union (Belgrade from its 17 city municipalities, Skopje from its 10
        municipalities; see :meth:`derived_ids`) — never a union with a hole where a
        member is missing. City municipalities are then dissolved into their city (as
        they are when the city has its own polygon) unless ``include_sub_units``;
        members of an incomplete city keep their own polygons.
        """
        own = self.own_geometries()
        members = self._members()
        complete = {city for city, kids in members.items()
                    if city not in own and kids and all(k in own for k in kids)}
        result: dict[str, MultiPolygon] = {}
        for rid, geom in own.items():
            unit = self.registry.get(rid)
            city = unit.parent_id if unit is not None else None
            dissolved = unit is not None and unit.kind is UnitKind.CITY_MUNICIPALITY \
                and (city in complete or city in own)
            if include_sub_units or not dissolved:
                result[rid] = geom
        for city in complete:
            if city in self.registry:
                result[city] = as_multipolygon(shapely.union_all([own[k] for k in members[city]]))
        return result

    def derived_ids(self) -> set[str]:
        """Units whose polygon is the union of their members', not a feature of the file."""
        return set(self.geometries(include_sub_units=True)) - set(self.own_geometries())

    def notes(self) -> list[str]:
        """Readable remarks on partial cities and units left without a boundary."""
        own = self.own_geometries()
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
        missing = self._units_without_boundary()
        if missing:
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            notes.append("not in this file: " + ", ".join(missing[:10]) + more)
        return notes

    def report_rows(self) -> list[dict]:
        """One row per feature for the review table and the CSV report."""
        rows = []
        for m in self.matches:
            ids = m.part_units or ((m.registry_id,) if m.registry_id else ())
            names = [self.registry[i].name_latin for i in ids if i in self.registry]
            rows.append({
                "feature_index": m.feature_index, "label": m.label, "status": m.status,
                "registry_id": "; ".join(ids), "registry_name": "; ".join(names),
                "method": m.method, "candidates": "; ".join(m.candidates),
                "suggestions": "; ".join(m.suggestions), "detail": m.detail,
            })
        return rows

    def write_report_csv(self, path: str | Path) -> None:
        """Write :meth:`report_rows` as UTF-8 CSV (opens in Excel/LibreOffice)."""
        write_csv_rows(path, self.report_rows())

    def summary(self) -> str:
        """One paragraph for the import dialog."""
        total = len(self.matches)
        counts = Counter(m.status for m in self.matches)
        review = sum(counts[s] for s in REVIEW_STATUSES)
        detail = ", ".join(f"{counts[s]} {s}" for s in REVIEW_STATUSES if counts[s])
        text = (f"{self.country or 'Unknown country'}: {counts['matched']} of {total} features "
                f"matched automatically ({100 * self.automatic_share():.1f}%); "
                f"{review} need review" + (f" ({detail})" if detail else ""))
        splits = sum(bool(m.part_units) and m.status == "matched" for m in self.matches)
        if splits:
            text += f"; {splits} split by part between units"
        if counts["manual"] or counts["skipped"]:
            text += f"; {counts['manual']} assigned by hand, {counts['skipped']} skipped"
        notes = [n.rstrip(".") for n in (*self.file_notes, *self.notes())]
        return text + "." + "".join(f" {note[0].upper()}{note[1:]}." for note in notes)

    # -- helpers -----------------------------------------------------------------------
    def _match(self, feature_index: int) -> FeatureMatch:
        for m in self.matches:
            if m.feature_index == feature_index:
                return m
        raise KeyError(f"no feature {feature_index}")

    def _members(self) -> dict[str, list[str]]:
        """City → its city municipalities or member municipalities (Skopje's 10)."""
        members: dict[str, list[str]] = defaultdict(list)
        for unit in self.registry.values():
            parent = self.registry.get(unit.parent_id or "")
            if parent is not None and (unit.kind is UnitKind.CITY_MUNICIPALITY or (
                    unit.kind is UnitKind.MUNICIPALITY and parent.kind is UnitKind.CITY)):
                members[parent.registry_id].append(unit.registry_id)
        return members

    def _sub_unit_coverage(self, own: dict) -> dict[str, tuple[int, int]]:
        """City without own polygon → (members present, members in registry)."""
        return {city: (found, len(kids)) for city, kids in self._members().items()
                if city not in own and (found := sum(k in own for k in kids))}

    def _units_without_boundary(self) -> list[str]:
        """Registry units of the plan's country with no polygon, not even their city's."""
        if not self.country:
            return []
        covered = set(self.geometries(include_sub_units=True))
        return sorted(u.name_latin for u in self.registry.values()
                      if str(u.country) == self.country and u.registry_id not in covered
                      and (u.parent_id or "") not in covered)


def as_multipolygon(geom) -> MultiPolygon:
    """Union results may be a Polygon or a collection; the map wants MultiPolygons."""
    if isinstance(geom, MultiPolygon):
        return geom
    polys = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    nested = [q for p in shapely.get_parts(geom) if p.geom_type == "MultiPolygon"
              for q in p.geoms]
    return MultiPolygon(polys + nested)


def spreadsheet_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv_rows(path: str | Path, rows: list[dict]) -> None:
    """CSV with a header from the union of row keys (UTF-8 with BOM so Excel reads Cyrillic).

    Labels come from the user's file, so a cell such as ``=HYPERLINK(...)`` is written
    as text, never as a formula.
    """
    keys: list[str] = []
    for row in rows:
        keys += [k for k in row if k not in keys]
    with Path(path).open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=keys or ["feature_index", "label", "status"])
        writer.writeheader()
        writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)
