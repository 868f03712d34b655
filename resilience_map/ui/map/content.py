"""What the map shows of the open project, taken from the session's indexes.

The session already holds every record the map needs, patched after each change, so
the map never reads the project file again after opening it — except boundaries,
which the session does not index: they are read once per project and then patched
from BoundariesChanged events (see :class:`maps.map_data.MapGeometry`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    Municipality,
    PreventionStructure,
    StudyWave,
)
from resilience_map.maps.map_data import MapGeometry, drawn_units
from resilience_map.session import ProjectSession

DEFAULT_SYNTHETIC_LABEL = "Demo data – not study results"


def synthetic_label(session: ProjectSession, synthetic: bool) -> str:
    """The badge text for a project with demo values (empty for real data)."""
    if not synthetic:
        return ""
    return session.require_store().meta("synthetic_label") or DEFAULT_SYNTHETIC_LABEL


@dataclass
class MapContent:
    """Everything a map (on screen or exported) draws of a project."""

    title: str
    units: list[Municipality]
    geometry: MapGeometry
    indicators: list[IndicatorDefinition]
    waves: list[StudyWave]
    values: Mapping[tuple[str, str], Mapping[str, float]]
    structures: list[PreventionStructure]
    activities: list[HubActivity]
    synthetic_label: str = ""

    @classmethod
    def of(cls, session: ProjectSession, geometry: MapGeometry | None = None,
           label: str | None = None) -> MapContent:
        """From an open session; ``geometry`` and ``label`` when the caller already has them."""
        store = session.require_store()
        indexes = session.indexes
        info = store.info() if label is None else None
        return cls(
            title=(info.title if info else store.meta("title", "")) or store.path.stem,
            units=indexes.municipalities.all(),
            geometry=geometry if geometry is not None else MapGeometry(store.boundaries()),
            indicators=indexes.indicators.all(),
            waves=indexes.waves_in_order(),
            values=indexes.values.by_key,
            structures=indexes.structures.all(),
            activities=indexes.activities.all(),
            synthetic_label=label if label is not None
            else synthetic_label(session, bool(info and info.synthetic_data)),
        )

    def drawn_ids(self) -> list[str]:
        polygons, seats = drawn_units(self.units, self.geometry)
        return [u.uuid for u in polygons] + [u.uuid for u in seats]

    def indicator(self, uuid: str) -> IndicatorDefinition | None:
        return next((i for i in self.indicators if i.uuid == uuid), None)
