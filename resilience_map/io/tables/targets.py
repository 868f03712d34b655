"""Row handlers per import target: indicator values, prevention structures, notes.

Each handler turns one data row into proposals (see :mod:`planning`) and says,
through :class:`~planning.TargetRules`, how records of its kind are keyed,
compared and validated. Indicator values also create what they need: the study
wave named in the table (if the project lacks it) and, when the table or the
mapping gives a scale, the indicator definition.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from resilience_map.domain.enums import (
    MemberSector,
    NoteCategory,
    Polarity,
    StructureStatus,
    StructureType,
)
from resilience_map.domain.names import fold
from resilience_map.domain.records import (
    IndicatorDefinition,
    IndicatorValue,
    MunicipalityNote,
    PreventionStructure,
    Record,
    StudyWave,
)
from resilience_map.domain.validation import ValidationError
from resilience_map.io.tables.cells import CellError
from resilience_map.io.tables.columns import ColumnReader
from resilience_map.io.tables.errors import TableError
from resilience_map.io.tables.layout import DataRow
from resilience_map.io.tables.mapping import ColumnMapping
from resilience_map.io.tables.planning import (
    PlanningState,
    Proposal,
    RecordSource,
    TargetRules,
    UnitColumns,
)
from resilience_map.io.tables.vocabulary import enum_value

DEFINITION_FIELDS = ("indicator_name", "unit", "scale_min", "scale_max", "polarity", "dimension",
                     "framework")


def handler_for(mapping: ColumnMapping, cells: ColumnReader, units: UnitColumns,
                project: RecordSource, state: PlanningState, source: str):
    kind = {"indicator_values": ValuesHandler, "prevention_structures": StructuresHandler,
            "municipality_notes": NotesHandler}[mapping.target]
    return kind(mapping, cells, units, project, state, source)


class _Handler:
    def __init__(self, mapping: ColumnMapping, cells: ColumnReader, units: UnitColumns,
                 project: RecordSource, state: PlanningState, source: str) -> None:
        self.mapping, self.cells, self.units = mapping, cells, units
        self.project, self.state, self.source = project, state, source
        self.check_columns()

    def check_columns(self) -> None:
        """Raise TableError when a column the target cannot do without is not mapped."""

    def read(self, row: DataRow, name: str, parse, place: str = "") -> tuple[bool, object]:
        """(ok, value) of one mapped cell; a bad cell refuses the row with its column."""
        if not self.cells.has(name):
            return True, None
        try:
            return True, parse(row, name)
        except (CellError, ValueError) as error:
            self.state.refuse(row.file_row, str(error), self.cells.label(name), place)
            return False, None


# -- indicator values ------------------------------------------------------------------------
class ValuesHandler(_Handler):
    def check_columns(self) -> None:
        self.wide = self.mapping.indicator_columns()
        #: (value column, its indicator code — None: the row's 'indicator' cell names it)
        self.pairs: list[tuple[str, str | None]] = list(self.wide.items()) if self.wide else [("value", None)]
        if not self.wide and not (self.cells.has("indicator") and self.cells.has("value")):
            raise TableError(f"{self.source}: map an 'indicator' and a 'value' column (a long "
                             "table), or one column per indicator (a wide table)")
        if not self.cells.has("wave") and not self.mapping.wave:
            raise TableError(f"{self.source} has no wave column; name the study wave of its "
                             "values (--wave NAME)")
        self.indicators = {fold(i.code): i for i in self.project.list(IndicatorDefinition)}
        self.by_name = {fold(i.name): i for i in self.indicators.values()}
        self.waves = {fold(w.name): w for w in self.project.list(StudyWave)}
        self._by_uuid: dict[str, IndicatorDefinition] = {}
        self._scales_checked: set[str] = set()
        self._by_text: dict[str, IndicatorDefinition] = {}
        self._wave_by_text: dict[str, StudyWave] = {}
        for header in self.wide:
            self.cells.decimal(header)  # mixed separators are refused before any row
        if self.cells.has("value"):
            self.cells.decimal("value")
        for code, spec in self.mapping.new_indicators.items():
            if fold(code) not in self.indicators:
                self._define(code, spec, row=None)

    def rules(self) -> TargetRules:
        return TargetRules(IndicatorValue, self._existing, self._validate,
                           ("value", "synthetic"))

    def _validate(self, record: Record) -> None:
        assert isinstance(record, IndicatorValue)
        if record.indicator_uuid not in self._by_uuid:
            self._by_uuid = {i.uuid: i for i in self.indicators.values()}
        indicator = self._by_uuid[record.indicator_uuid]
        record.validate_against(indicator, scale_checked=indicator.uuid in self._scales_checked)
        self._scales_checked.add(indicator.uuid)  # reached only when the scale is valid

    def _existing(self, keys: set[tuple]) -> dict[tuple, Record]:
        known_waves = {w.uuid for w in self.project.list(StudyWave)}
        out: dict[tuple, Record] = {}
        for wave_uuid in {k[2] for k in keys} & known_waves:
            for v in self.project.list(IndicatorValue, wave_uuid=wave_uuid):
                out[(v.municipality_uuid, v.indicator_uuid, v.wave_uuid, v.neighbourhood)] = v
        return out

    def proposals(self, row: DataRow) -> Iterator[Proposal]:
        unit = self.units.unit_of(row, self.state)
        if unit is None:
            return
        wave = self._wave(row, unit.name_latin)
        if wave is None:
            return
        neighbourhood = self.cells.text(row, "neighbourhood") if self.cells.has("neighbourhood") else ""
        place = unit.name_latin
        for column, code in self.pairs:
            label = self.cells.label(column)
            if code is None:
                code = self.cells.text(row, "indicator")
                if not code:
                    self.state.refuse(row.file_row, "no indicator given", self.cells.label("indicator"), place)
                    continue
            indicator = self._indicator(code, row)
            record = f"{indicator.code if indicator else code}, {wave.name}"
            try:
                value = self.cells.number(row, column)  # None: the cell is missing
            except CellError as error:
                self.state.refuse(row.file_row, str(error), label, place, record)
                continue
            if value is None:
                self.state.skip(row.file_row, "no value", label, place)
                continue
            if indicator is None:
                self.state.refuse(row.file_row, f"indicator {code!r} is not in the project; give "
                                  "its scale (scale_min and scale_max columns, or new_indicators "
                                  "in the mapping) to create it", label, place, record)
                continue
            key = (unit.uuid, indicator.uuid, wave.uuid, neighbourhood)
            yield Proposal(key, row.file_row, label, place, record, {
                "municipality_uuid": unit.uuid, "indicator_uuid": indicator.uuid, "wave_uuid": wave.uuid,
                "neighbourhood": neighbourhood, "value": value, "synthetic": False})

    def _indicator(self, code: str, row: DataRow) -> IndicatorDefinition | None:
        found = self._by_text.get(code)
        if found is not None:
            return found
        found = self.indicators.get(fold(code)) or self.by_name.get(fold(code))
        if found is None and self.cells.has("scale_min") and self.cells.has("scale_max"):
            found = self._define_from_row(code, row)
        if found is not None:
            self._by_text[code] = found  # the same text again: no folding per row
        return found

    def _define_from_row(self, code: str, row: DataRow) -> IndicatorDefinition | None:
        spec: dict[str, object] = {}
        for name in DEFINITION_FIELDS:
            if not self.cells.has(name):
                continue
            try:
                spec[name] = (self.cells.number(row, name) if name.startswith("scale")
                              else self.cells.text(row, name))
            except CellError as error:
                self.state.refuse(row.file_row, str(error), self.cells.label(name))
                return None
        if spec.get("scale_min") is None or spec.get("scale_max") is None:
            return None
        return self._define(code, spec, row)

    def _define(self, code: str, spec: dict, row: DataRow | None) -> IndicatorDefinition | None:
        where = f"row {row.file_row}" if row else "the mapping's new_indicators"
        try:
            definition = IndicatorDefinition(
                code=code.strip(), name=str(spec.get("indicator_name") or spec.get("name") or code).strip(),
                unit=str(spec.get("unit") or ""), dimension=str(spec.get("dimension") or ""),
                framework=str(spec.get("framework") or ""),
                scale_min=float(spec["scale_min"]), scale_max=float(spec["scale_max"]),
                polarity=enum_value(Polarity, spec["polarity"]) if spec.get("polarity")
                else Polarity.HIGHER_IS_BETTER,
                description=f"Created by importing {self.source}.",
                created_at=self.state.now, modified_at=self.state.now)
            definition.validate()
        except (KeyError, TypeError, ValueError, ValidationError) as error:
            message = f"indicator {code!r} ({where}) cannot be created: {error}"
            if row is None:
                raise TableError(message) from None
            self.state.refuse(row.file_row, message)
            return None
        self.indicators[fold(code)] = definition
        self.state.created.append(definition)
        return definition

    def _wave(self, row: DataRow, place: str) -> StudyWave | None:
        name = self.cells.text(row, "wave") if self.cells.has("wave") else ""
        name = name or self.mapping.wave or ""
        known = self._wave_by_text.get(name)
        if known is not None:
            return known
        if not name:
            self.state.refuse(row.file_row, "no study wave given", self.cells.label("wave"), place)
            return None
        wave = self.waves.get(fold(name))
        if wave is None:
            ok, start = self.read(row, "wave_start", self.cells.date, place)
            ok2, end = self.read(row, "wave_end", self.cells.date, place)
            if not (ok and ok2):
                return None
            wave = self._new_wave(name, start or self.mapping.wave_start, end)
            if wave is None:
                self.state.refuse(row.file_row, f"study wave {name!r} cannot be created: its end "
                                  "is before its start", self.cells.label("wave_end"), place)
                return None
            self.waves[fold(name)] = wave
            self.state.created.append(wave)
        self._wave_by_text[name] = wave
        return wave

    def _new_wave(self, name: str, start: date | None, end: date | None) -> StudyWave | None:
        notes = f"Created by importing {self.source}."
        if start is None:
            year = re.search(r"\b(19|20)\d{2}\b", name)
            start = date(int(year.group()), 1, 1) if year else date.today()
            notes += (" The table gives no start date: set to 1 January of the year in the "
                      "wave's name." if year else " The table gives no start date: set to the "
                      "import date.")
        wave = StudyWave(name=name.strip(), start_date=start, end_date=end, notes=notes,
                         created_at=self.state.now, modified_at=self.state.now)
        try:
            wave.validate()
        except ValidationError:
            return None
        return wave


# -- prevention structures ---------------------------------------------------------------------
class StructuresHandler(_Handler):
    FLAGS = ("referral_role", "action_plan", "dedicated_budget")

    def check_columns(self) -> None:
        if not self.cells.has("structure_type"):
            raise TableError(f"{self.source}: map the column giving each structure's type "
                             "('structure_type')")
        self.all = self.project.list(PreventionStructure)

    def rules(self) -> TargetRules:
        fields = tuple(f for f in PreventionStructure.content_fields() if f != "municipality_uuid")
        return TargetRules(PreventionStructure, self._existing, lambda r: r.validate(), fields)

    def _existing(self, keys: set[tuple]) -> dict[tuple, Record]:
        return {(s.municipality_uuid, s.structure_type, fold(s.name)): s for s in self.all}

    def proposals(self, row: DataRow) -> Iterator[Proposal]:
        unit = self.units.unit_of(row, self.state)
        if unit is None:
            return
        readers = {
            "structure_type": lambda r, n: enum_value(StructureType, self.cells.text(r, n)),
            "name": self.cells.text, "legal_basis": self.cells.text, "notes": self.cells.text,
            "status": lambda r, n: (enum_value(StructureStatus, self.cells.text(r, n))
                                    if self.cells.text(r, n) else StructureStatus.UNKNOWN),
            "established": self.cells.date, "member_count": self._count,
            "member_sectors": self._sectors,
            **{flag: self.cells.flag for flag in self.FLAGS},
        }
        fields: dict[str, object] = {"municipality_uuid": unit.uuid}
        for name, parse in readers.items():
            if self.cells.has(name):
                ok, value = self.read(row, name, parse, unit.name_latin)
                if not ok:
                    return
                fields[name] = value
        kind: StructureType = fields["structure_type"]  # type: ignore[assignment]
        record = ", ".join(p for p in (str(fields.get("name") or ""), kind.label) if p)
        key = (unit.uuid, kind, fold(str(fields.get("name") or "")))
        yield Proposal(key, row.file_row, "", unit.name_latin, record, fields)

    def _count(self, row: DataRow, name: str) -> int | None:
        value = self.cells.number(row, name)
        if value is None:
            return None
        if not float(value).is_integer():
            raise CellError(f"{value:g} is not a whole number of members")
        return int(value)

    def _sectors(self, row: DataRow, name: str) -> tuple[MemberSector, ...]:
        text = self.cells.text(row, name)
        parts = [p.strip() for p in re.split(r"[;,|/\n]", text) if p.strip()]
        return tuple(dict.fromkeys(enum_value(MemberSector, p) for p in parts))  # type: ignore[misc]


# -- municipality notes ------------------------------------------------------------------------
class NotesHandler(_Handler):
    def check_columns(self) -> None:
        if not (self.cells.has("text") and self.cells.has("category")):
            raise TableError(f"{self.source}: map the note's 'text' and 'category' columns")
        self.all = self.project.list(MunicipalityNote)

    def rules(self) -> TargetRules:
        return TargetRules(MunicipalityNote, self._existing, lambda r: r.validate(),
                           ("noted_on", "restricted"))

    def _existing(self, keys: set[tuple]) -> dict[tuple, Record]:
        return {(n.municipality_uuid, n.category, fold(n.text)): n for n in self.all}

    def proposals(self, row: DataRow) -> Iterator[Proposal]:
        unit = self.units.unit_of(row, self.state)
        if unit is None:
            return
        text = self.cells.text(row, "text")
        if not text:
            self.state.refuse(row.file_row, "the note has no text", self.cells.label("text"),
                              unit.name_latin)
            return
        place = unit.name_latin
        ok, category = self.read(row, "category",
                                 lambda r, n: enum_value(NoteCategory, self.cells.text(r, n)), place)
        ok2, noted_on = self.read(row, "noted_on", self.cells.date, place)
        ok3, restricted = self.read(row, "restricted", self.cells.flag, place)
        if not (ok and ok2 and ok3):
            return
        fields: dict[str, object] = {"municipality_uuid": unit.uuid, "category": category,
                                     "text": text}
        if self.cells.has("noted_on"):
            fields["noted_on"] = noted_on
        if self.cells.has("restricted"):
            fields["restricted"] = bool(restricted)
        key = (unit.uuid, category, fold(text))
        yield Proposal(key, row.file_row, "", unit.name_latin,
                       f"{category.label}: {text[:40]}", fields)  # type: ignore[union-attr]
