"""What maps and documents need from a project, read in one go (Qt-free).

The window's map follows the session's indexes; the print renderer, the command line
and briefings read this, in a process of their own when the window asks for a print
map or a briefing (``cli.job``), so nothing here needs Qt.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from shapely.geometry.base import BaseGeometry

from resilience_map.domain.names import fold, search_matches
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    MunicipalityNote,
    PreventionStructure,
    StudyWave,
)
from resilience_map.maps.choropleth import index_values
from resilience_map.store.credits import boundary_credits, credit_lines

if TYPE_CHECKING:
    from resilience_map.store import ProjectStore

DEFAULT_SYNTHETIC_LABEL = "Demo data – not study results"


@dataclass
class ProjectData:
    """Every record a map or briefing draws from, plus the project's title and credits."""

    title: str = ""
    units: list[Municipality] = field(default_factory=list)
    boundaries: dict[str, BaseGeometry] = field(default_factory=dict)
    indicators: list[IndicatorDefinition] = field(default_factory=list)
    waves: list[StudyWave] = field(default_factory=list)
    values: list[IndicatorValue] = field(default_factory=list)
    structures: list[PreventionStructure] = field(default_factory=list)
    activities: list[HubActivity] = field(default_factory=list)
    notes: list[MunicipalityNote] = field(default_factory=list)
    #: Empty unless the project holds synthetic (demo) values.
    synthetic_label: str = ""
    #: One line per boundary source in use, each once ("Boundaries: © OpenStreetMap
    #: contributors (ODbL 1.0)").
    boundary_credits: tuple[str, ...] = ()

    @classmethod
    def read(cls, store: ProjectStore) -> ProjectData:
        """Read everything from an open :class:`~resilience_map.store.ProjectStore`."""
        info = store.info()
        values = store.list(IndicatorValue)
        synthetic = info.synthetic_data or any(v.synthetic for v in values)
        label = (store.meta("synthetic_label") or DEFAULT_SYNTHETIC_LABEL) if synthetic else ""
        return cls(
            info.title,
            store.municipalities(),
            store.boundaries(),
            store.list(IndicatorDefinition),
            store.list(StudyWave),
            values,
            store.list(PreventionStructure),
            store.list(HubActivity),
            store.list(MunicipalityNote),
            label,
            tuple(credit_lines(boundary_credits(store))),
        )

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> ProjectData:
        """Read a project file without locking it (exports never write)."""
        from resilience_map.store import ProjectStore

        with ProjectStore.open(path, read_only=True) as store:
            return cls.read(store)

    # --- derived, computed once -----------------------------------------------------------
    @cached_property
    def by_uuid(self) -> dict[str, Municipality]:
        return {u.uuid: u for u in self.units}

    @cached_property
    def by_registry_id(self) -> dict[str, Municipality]:
        return {u.registry_id: u for u in self.units}

    @cached_property
    def value_index(self) -> dict[tuple[str, str], dict[str, float]]:
        return index_values(self.values)

    def country_borders(self, tolerance: float) -> dict[str, BaseGeometry]:
        """Country outlines as lines (the map's own, :mod:`maps.country_borders`), simplified
        to a tolerance for print; computed once per tolerance."""
        import shapely

        from resilience_map.maps.country_borders import country_outlines

        memo: dict[float, dict[str, BaseGeometry]] = self.__dict__.setdefault("_borders_memo", {})
        if tolerance not in memo:
            memo[tolerance] = {country: shapely.simplify(outline.boundary, tolerance)
                               for country, outline in country_outlines(self.units, self.boundaries).items()}
        return memo[tolerance]

    @property
    def waves_in_order(self) -> list[StudyWave]:
        return sorted(self.waves, key=lambda w: w.start_date)

    # --- finding things by what a user types ------------------------------------------------
    def indicator(self, text: str | None) -> IndicatorDefinition:
        """By code or name (any case, diacritics ignored); the first indicator when ``text`` is None."""
        if not self.indicators:
            raise ValueError("this project has no indicators")
        if text is None:
            return self.indicators[0]
        for ind in self.indicators:
            if fold(text) in (fold(ind.code), fold(ind.name)):
                return ind
        known = ", ".join(i.code for i in self.indicators)
        raise ValueError(f"no indicator {text!r} in this project (known codes: {known})")

    def wave(self, text: str | None) -> StudyWave:
        """By (part of its) name; the latest wave when ``text`` is None."""
        waves = self.waves_in_order
        if not waves:
            raise ValueError("this project has no study waves")
        if text is None:
            return waves[-1]
        exact = [w for w in waves if fold(w.name) == fold(text)]
        found = exact or [w for w in waves if fold(text) in fold(w.name)]
        if len(found) == 1:
            return found[0]
        known = ", ".join(w.name for w in waves)
        if not found:
            raise ValueError(f"no study wave {text!r} (known: {known})")
        raise ValueError(f"{text!r} names more than one study wave ({', '.join(w.name for w in found)})")

    def municipality(self, text: str) -> Municipality:
        """By any name form in any script (Чаир = Çair = Cair), or by registry id.

        An exact name (folded) wins; otherwise a unique partial match. Ambiguous text is an
        error listing the candidates with their country, never a guess.
        """
        key = fold(text)
        if not key:
            raise ValueError("give a municipality name")
        exact = [
            u for u in self.units if u.registry_id == text.strip() or key in {fold(n) for n in u.all_names()}
        ]
        found = exact or [u for u in self.units if search_matches(text, u.all_names())]
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValueError(f"no municipality named {text!r} in this project")
        names = "; ".join(f"{u.name_latin} ({u.country.value}, {u.registry_id})" for u in found[:8])
        more = f" and {len(found) - 8} more" if len(found) > 8 else ""
        raise ValueError(
            f"{text!r} matches several municipalities: {names}{more}; give the full name or the registry id"
        )

    def activity(self, text: str) -> HubActivity:
        """By title (folded, whole or unique part), or by its id (the window names it so: two
        activities may share a title)."""
        key = fold(text)
        exact = [a for a in self.activities if a.uuid == text] or [a for a in self.activities
                                                                   if fold(a.title) == key]
        found = exact or [a for a in self.activities if key and key in fold(a.title)]
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValueError(f"no hub activity titled {text!r} in this project")
        titles = "; ".join(a.title for a in found[:6])
        raise ValueError(f"{text!r} matches several hub activities: {titles}; give more of the title")

    def values_of(self, unit_uuid: str) -> list[IndicatorValue]:
        return [v for v in self.values if v.municipality_uuid == unit_uuid and not v.neighbourhood]

    def children_of(self, unit: Municipality) -> list[Municipality]:
        return [u for u in self.units if u.parent_id == unit.registry_id]

    def units_in(self, uuids: Sequence[str]) -> list[Municipality]:
        return [self.by_uuid[u] for u in uuids if u in self.by_uuid]
