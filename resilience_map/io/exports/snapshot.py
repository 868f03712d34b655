"""Everything an export needs from a project, read once, with names for references.

Exports show municipalities, indicators and waves by name (in the name form the
user chose), never by uuid; :class:`ExportData` resolves references and applies
the wave / indicator filters the same way for every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from resilience_map import __version__
from resilience_map.domain.names import fold
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    MunicipalityNote,
    PreventionStructure,
    Record,
    StudyWave,
)
from resilience_map.io.exports.credits import project_credits
from resilience_map.store import ProjectStore
from resilience_map.store.credits import boundary_credits, short_credit_line

NAME_FORMS = ("latin", "local", "en")
SYNTHETIC_DEFAULT = "Demo data – not study results"


class ExportError(ValueError):
    """The export cannot be made as asked (unknown wave or indicator…); nothing was written."""


@dataclass
class ExportData:
    title: str
    path: Path
    units: list[Municipality]
    indicators: list[IndicatorDefinition]
    waves: list[StudyWave]
    values: list[IndicatorValue]
    structures: list[PreventionStructure]
    activities: list[HubActivity]
    notes: list[MunicipalityNote]
    synthetic_label: str
    credits: list[str]
    names: str = "latin"
    #: One line naming the boundary providers (the offline map shows it, its credits folded).
    credit_short: str = ""
    boundaries: dict[str, BaseGeometry] = field(default_factory=dict)
    wave: StudyWave | None = None
    indicator: IndicatorDefinition | None = None
    restricted_notes: int = 0
    exported_at: str = field(
        default_factory=lambda: datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))

    @classmethod
    def read(cls, store: ProjectStore, *, names: str = "latin", wave: str | None = None,
             indicator: str | None = None, boundaries: bool = False) -> ExportData:
        if names not in NAME_FORMS:
            raise ExportError(f"name form {names!r} is not one of {', '.join(NAME_FORMS)}")
        info = store.info()
        label = (store.meta("synthetic_label") or SYNTHETIC_DEFAULT) if info.synthetic_data else ""
        notes = store.list(MunicipalityNote)
        in_use = boundary_credits(store)
        data = cls(
            title=info.title, path=store.path, units=store.municipalities(),
            indicators=store.list(IndicatorDefinition), waves=store.list(StudyWave),
            values=store.list(IndicatorValue), structures=store.list(PreventionStructure),
            activities=store.list(HubActivity), notes=[n for n in notes if not n.restricted],
            synthetic_label=label, credits=project_credits(store, in_use), names=names,
            credit_short=short_credit_line(c.credit for c in in_use),
            boundaries=store.boundaries() if boundaries else {},
            restricted_notes=sum(n.restricted for n in notes))
        data.wave = data._find_wave(wave) if wave else None
        data.indicator = data._find_indicator(indicator) if indicator else None
        return data

    # -- filters ---------------------------------------------------------------------
    def _find_wave(self, name: str) -> StudyWave:
        found = [w for w in self.waves if fold(w.name) == fold(name)]
        if not found:
            choices = ", ".join(w.name for w in self.waves) or "none"
            raise ExportError(f"the project has no study wave {name!r}; its waves: {choices}")
        return found[0]

    def _find_indicator(self, code: str) -> IndicatorDefinition:
        found = [i for i in self.indicators if fold(i.code) == fold(code) or fold(i.name) == fold(code)]
        if not found:
            choices = ", ".join(i.code for i in self.indicators) or "none"
            raise ExportError(f"the project has no indicator {code!r}; its indicators: {choices}")
        return found[0]

    def map_wave(self) -> StudyWave | None:
        """The chosen wave, else the latest one that has values."""
        if self.wave is not None:
            return self.wave
        with_values = {v.wave_uuid for v in self.values}
        waves = sorted((w for w in self.waves if w.uuid in with_values), key=lambda w: w.start_date)
        return waves[-1] if waves else None

    def map_indicators(self) -> list[IndicatorDefinition]:
        return [self.indicator] if self.indicator else list(self.indicators)

    def selected_values(self) -> list[IndicatorValue]:
        return [v for v in self.values
                if (self.wave is None or v.wave_uuid == self.wave.uuid)
                and (self.indicator is None or v.indicator_uuid == self.indicator.uuid)]

    def records_of(self, record_type: type[Record]) -> list[Record]:
        """The records of one kind an export shows (values filtered by wave/indicator)."""
        lists: dict[type, list] = {
            Municipality: self.units, StudyWave: self.waves, IndicatorDefinition: self.indicators,
            IndicatorValue: self.selected_values(), PreventionStructure: self.structures,
            HubActivity: self.activities, MunicipalityNote: self.notes}
        return lists[record_type]

    # -- names ---------------------------------------------------------------------------
    def unit_name(self, unit: Municipality) -> str:
        return {"latin": unit.name_latin, "local": unit.name_local, "en": unit.name_en}[self.names]

    def about_rows(self) -> list[tuple[str, str]]:
        """The first sheet of a workbook: what this file is and where its data come from."""
        rows = [("Project", self.title), ("Project file", self.path.name),
                ("Exported", self.exported_at), ("Exported with", f"Resilience Map {__version__}"),
                ("Data status", self.synthetic_label or "Study data as recorded in the project"),
                ("Study wave", self.wave.name if self.wave else "all waves"),
                ("Indicator", f"{self.indicator.code} – {self.indicator.name}" if self.indicator
                 else "all indicators"),
                ("Municipality names", {"latin": "Latin script", "local": "official local form",
                                        "en": "English"}[self.names])]
        if self.restricted_notes:
            rows.append(("Restricted notes", f"{self.restricted_notes} restricted note(s) are not exported"))
        rows += [("Source", line) for line in self.credits]
        return rows
