"""What the map shows of the open project, taken from the session's indexes.

The session already holds every record the map needs, patched after each change, so
the map never reads the project file again after opening it — except boundaries,
which the session does not index: they are read once per project and then patched
from BoundariesChanged events (see :class:`maps.map_data.MapGeometry`), and the
boundary credits, read from the project's import records (:mod:`store.credits`) when
it opens and after its boundaries change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    Municipality,
    PreventionStructure,
    StudyWave,
)
from resilience_map.maps import protocol as p
from resilience_map.maps.map_data import MapGeometry, drawn_units
from resilience_map.session import ProjectSession
from resilience_map.store.credits import (
    IMPORT_KEY_PREFIX,
    credit_lines,
    credits_in_use,
    import_records,
    short_credit_line,
)

DEFAULT_SYNTHETIC_LABEL = "Demo data – not study results"


def synthetic_label(session: ProjectSession, synthetic: bool) -> str:
    """The badge text for a project with demo values (empty for real data)."""
    if not synthetic:
        return ""
    return session.require_store().meta("synthetic_label") or DEFAULT_SYNTHETIC_LABEL


def boundary_credits(session: ProjectSession, geometry: MapGeometry) -> p.ShowCredits:
    """The credits of the polygons the map draws: each "Boundaries: SOURCE (LICENCE)" line
    once, and a short line naming the providers.

    The import records are a few settings rows; which units have a polygon the map's
    geometry already knows, so no geometry is read again."""
    records = import_records(session.require_store().meta_items(IMPORT_KEY_PREFIX))
    units = session.indexes.municipalities.all()
    in_use = credits_in_use(records, units, geometry.boundaries.keys())
    return p.ShowCredits(credit_lines(in_use), short_credit_line(c.credit for c in in_use))


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
    credits: p.ShowCredits = field(default_factory=lambda: p.ShowCredits([]))  # of the boundaries

    @classmethod
    def of(cls, session: ProjectSession, geometry: MapGeometry | None = None,
           label: str | None = None, credits: p.ShowCredits | None = None) -> MapContent:
        """From an open session; ``geometry``, ``label`` and ``credits`` when the caller
        already has them."""
        store = session.require_store()
        indexes = session.indexes
        info = store.info() if label is None else None
        geometry = geometry if geometry is not None else MapGeometry(store.boundaries())
        return cls(
            title=(info.title if info else store.meta("title", "")) or store.path.stem,
            units=indexes.municipalities.all(),
            geometry=geometry,
            indicators=indexes.indicators.all(),
            waves=indexes.waves_in_order(),
            values=indexes.values.by_key,
            structures=indexes.structures.all(),
            activities=indexes.activities.all(),
            synthetic_label=label if label is not None
            else synthetic_label(session, bool(info and info.synthetic_data)),
            credits=credits if credits is not None else boundary_credits(session, geometry),
        )

    def drawn_ids(self) -> list[str]:
        """The units the choropleth colours and counts (areas and seat circles)."""
        return drawn_units(self.units, self.geometry).choropleth_ids()

    def indicator(self, uuid: str) -> IndicatorDefinition | None:
        return next((i for i in self.indicators if i.uuid == uuid), None)
