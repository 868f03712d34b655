"""Prevention-structure coverage: symbols per municipality and a summary per country."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from resilience_map.domain.enums import Country, StructureType, UnitKind
from resilience_map.domain.records import Municipality, PreventionStructure


@dataclass(frozen=True)
class CountryCoverage:
    country: Country
    covered: int
    total: int
    population_covered: int
    population_known: int
    units_with_population: int

    def text(self) -> str:
        """E.g. "North Macedonia: 6 of 81 municipalities (7%); 16% of known population
        (3 of 81 with a census figure)" — honest about missing population figures."""
        share = 100 * self.covered / self.total if self.total else 0
        text = f"{self.country.label}: {self.covered} of {self.total} municipalities ({share:.0f}%)"
        if self.units_with_population == 0:
            return text + "; population covered: unknown (no census figures)"
        pop_share = 100 * self.population_covered / self.population_known
        text += f"; {pop_share:.0f}% of known population"
        if self.units_with_population < self.total:
            text += f" ({self.units_with_population} of {self.total} with a census figure)"
        return text


def counted_units(units: Iterable[Municipality]) -> list[Municipality]:
    """Local self-government units (city sub-units are not counted separately)."""
    return [u for u in units if u.kind is not UnitKind.CITY_MUNICIPALITY]


def coverage_symbols(structures: Iterable[PreventionStructure],
                     types: Collection[StructureType] | None = None) -> dict[str, list[dict[str, str]]]:
    """Municipality uuid → the structures to draw there: type, status, name."""
    out: dict[str, list[dict[str, str]]] = {}
    for s in structures:
        if types is None or s.structure_type in types:
            out.setdefault(s.municipality_uuid, []).append(
                {"t": s.structure_type.value, "s": s.status.value, "label": s.structure_type.label,
                 "status": s.status.label, "name": s.name})
    return out


def coverage_by_country(units: Sequence[Municipality], structures: Iterable[PreventionStructure],
                        types: Collection[StructureType] | None = None) -> list[CountryCoverage]:
    covered_ids = set(coverage_symbols(structures, types))
    result = []
    for country in Country:
        mine = [u for u in counted_units(units) if u.country is country]
        if not mine:
            continue
        with_pop = [u for u in mine if u.population is not None]
        covered = [u for u in mine if u.uuid in covered_ids]
        result.append(CountryCoverage(
            country, len(covered), len(mine),
            sum(u.population or 0 for u in covered if u.population is not None),
            sum(u.population or 0 for u in with_pop), len(with_pop)))
    return result
