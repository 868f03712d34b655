"""What a briefing says about a municipality, computed without Qt or layout (Qt-free).

Medians are over whole-municipality values of one indicator in one wave: the region's
(every unit with a value) and the unit's country's, computed once per document.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from functools import cached_property

from resilience_map.domain.enums import Country, Polarity, UnitKind
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    Municipality,
    MunicipalityNote,
    PreventionStructure,
    StudyWave,
)
from resilience_map.maps.project_data import ProjectData

#: Where the registry's facts come from (data/README.md): printed in every briefing's sources.
REGISTRY_SOURCES = (
    "Municipality registry: names, codes and parent units as in data/municipalities.csv of Resilience Map; "
    "seats from GeoNames (CC BY 4.0); ISO 3166-2 codes via iso-codes/pycountry; populations from the "
    "national census publications named in data/README.md",
)


def polarity_words(polarity: Polarity) -> str:
    if polarity is Polarity.HIGHER_IS_WORSE:
        return "Higher values are worse for resilience (a fall is an improvement)."
    return "Higher values are better for resilience (a rise is an improvement)."


def yes_no(value: bool | None) -> str:
    return "not recorded" if value is None else ("yes" if value else "no")


@dataclass(frozen=True)
class IndicatorRow:
    wave: StudyWave
    value: float | None
    country_median: float | None
    regional_median: float | None
    synthetic: bool


class BriefingFacts:
    """Lookups shared by every section of one document."""

    def __init__(self, data: ProjectData, include_restricted: bool = False) -> None:
        self.data = data
        self.include_restricted = include_restricted

    @cached_property
    def _medians(self) -> dict[tuple[str, str, str], float]:
        """(indicator, wave, country code or "") → median."""
        groups: dict[tuple[str, str, str], list[float]] = {}
        by_uuid = self.data.by_uuid
        for (indicator, wave), values in self.data.value_index.items():
            for uuid, value in values.items():
                unit = by_uuid.get(uuid)
                if unit is None:
                    continue
                groups.setdefault((indicator, wave, ""), []).append(value)
                groups.setdefault((indicator, wave, unit.country.value), []).append(value)
        return {key: statistics.median(vals) for key, vals in groups.items()}

    @cached_property
    def _synthetic_values(self) -> set[tuple[str, str, str]]:
        return {(v.municipality_uuid, v.indicator_uuid, v.wave_uuid) for v in self.data.values if v.synthetic}

    def indicator_rows(self, unit: Municipality, indicator: IndicatorDefinition) -> list[IndicatorRow]:
        rows = []
        for wave in self.data.waves_in_order:
            value = self.data.value_index.get((indicator.uuid, wave.uuid), {}).get(unit.uuid)
            rows.append(
                IndicatorRow(
                    wave,
                    value,
                    self._medians.get((indicator.uuid, wave.uuid, unit.country.value)),
                    self._medians.get((indicator.uuid, wave.uuid, "")),
                    wave.synthetic or (unit.uuid, indicator.uuid, wave.uuid) in self._synthetic_values,
                )
            )
        return rows

    def parents(self, unit: Municipality) -> list[str]:
        """Parent units in words: city, region/canton/district, entity, country."""
        out = []
        parent = self.data.by_registry_id.get(unit.parent_id or "")
        if parent is not None:
            out.append(f"{parent.name_latin} ({parent.kind.label.lower()})")
        if unit.region:
            out.append(unit.region)
        if unit.entity:
            out.append(
                {
                    "FBiH": "Federation of Bosnia and Herzegovina",
                    "RS": "Republika Srpska",
                    "BD": "Brčko District",
                }.get(unit.entity, unit.entity)
            )
        return out

    def structures(self, unit: Municipality) -> list[PreventionStructure]:
        return [s for s in self.data.structures if s.municipality_uuid == unit.uuid]

    def activities(self, unit: Municipality) -> list[tuple[HubActivity, str]]:
        """Activities the unit hosted or joined, newest first, with its role."""
        out = []
        for a in self.data.activities:
            role = next((p.role for p in a.participants if p.municipality_uuid == unit.uuid), None)
            if role is not None:
                out.append((a, role.label))
        return sorted(out, key=lambda item: item[0].start_date, reverse=True)

    def notes(self, unit: Municipality) -> list[MunicipalityNote]:
        notes = [
            n
            for n in self.data.notes
            if n.municipality_uuid == unit.uuid and (self.include_restricted or not n.restricted)
        ]
        return sorted(notes, key=lambda n: (n.category.value, n.noted_on or n.created_at[:10]))

    def units_of(self, country: Country) -> list[Municipality]:
        """A country's units: cities and municipalities by name, a city's municipalities after it."""
        mine = [u for u in self.data.units if u.country is country]
        top = sorted(
            (u for u in mine if u.kind is not UnitKind.CITY_MUNICIPALITY), key=lambda u: u.name_latin
        )
        ordered = []
        children = {c.uuid for u in top for c in self.data.children_of(u)}
        for u in top:
            if u.uuid in children:
                continue
            ordered.append(u)
            ordered += sorted(self.data.children_of(u), key=lambda c: c.name_latin)
        seen = {u.uuid for u in ordered}
        return ordered + sorted((u for u in mine if u.uuid not in seen), key=lambda u: u.name_latin)

    def any_synthetic(self, units: list[Municipality]) -> bool:
        if self.data.synthetic_label and any(w.synthetic for w in self.data.waves):
            return True
        ids = {u.uuid for u in units}
        return any(v.synthetic for v in self.data.values if v.municipality_uuid in ids)
