"""What the views look up again and again, kept in memory and patched from change events.

Built once when a project opens (from plain tuples for the 100,000-row value table),
then kept current by :meth:`ProjectIndexes.apply` with each :class:`RecordsChanged`
event: an edit changes one entry and drops one cached median, instead of every view
re-reading the tables.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    PreventionStructure,
    Record,
    StudyWave,
)
from resilience_map.session.events import RecordsChanged
from resilience_map.store.project import ProjectStore

R = TypeVar("R", bound=Record)
Key = tuple[str, str]  # (indicator uuid, wave uuid)


class RecordTable(Generic[R]):
    """All records of one small table (municipalities, waves, activities…) by uuid."""

    def __init__(self, records: Iterable[R] = ()) -> None:
        self.by_uuid: dict[str, R] = {r.uuid: r for r in records}

    def apply(self, event: RecordsChanged) -> None:
        for record in event.removed:
            self.by_uuid.pop(record.uuid, None)
        for record in event.current():
            self.by_uuid[record.uuid] = record  # type: ignore[assignment]

    def get(self, uuid: str | None) -> R | None:
        return self.by_uuid.get(uuid or "")

    def all(self) -> list[R]:
        return list(self.by_uuid.values())

    def __len__(self) -> int:
        return len(self.by_uuid)


class ValueIndex:
    """Whole-municipality indicator values by (indicator, wave) and by municipality.

    ``by_key`` has the shape the choropleth classifier takes; ``by_unit`` serves the
    profile. Medians are computed on first use and forgotten when a value of theirs
    changes.
    """

    def __init__(self, rows: Iterable[tuple[str, str, str, str, float]] = ()) -> None:
        self.by_key: dict[Key, dict[str, float]] = {}
        self.by_unit: dict[str, dict[Key, tuple[str, float]]] = {}
        self._medians: dict[tuple[str, str, str | None], float | None] = {}
        # 100,000 rows name only a few hundred units, indicators and waves: one string and one
        # key per distinct id, not one per row (about 30 MiB less for 100,000 values)
        units: dict[str, str] = {}
        keys: dict[Key, Key] = {}
        for uuid, unit, indicator, wave, value in rows:
            key = (indicator, wave)
            self._put(uuid, units.setdefault(unit, unit), keys.setdefault(key, key), value)

    def _put(self, uuid: str, unit: str, key: Key, value: float) -> None:
        self.by_key.setdefault(key, {})[unit] = value
        self.by_unit.setdefault(unit, {})[key] = (uuid, value)

    def _drop(self, unit: str, key: Key) -> None:
        self.by_key.get(key, {}).pop(unit, None)
        self.by_unit.get(unit, {}).pop(key, None)

    def apply(self, event: RecordsChanged) -> set[Key]:
        """Patch from an event; returns the (indicator, wave) pairs whose values changed."""
        touched: set[Key] = set()
        olds = [*event.removed, *(before for before, _after in event.updated)]
        for old in olds:
            assert isinstance(old, IndicatorValue)
            if not old.neighbourhood:
                key = (old.indicator_uuid, old.wave_uuid)
                self._drop(old.municipality_uuid, key)
                touched.add(key)
        for new in event.current():
            assert isinstance(new, IndicatorValue)
            if not new.neighbourhood:
                key = (new.indicator_uuid, new.wave_uuid)
                self._put(new.uuid, new.municipality_uuid, key, new.value)
                touched.add(key)
        for key in touched:
            for cached in [k for k in self._medians if k[:2] == key]:
                del self._medians[cached]
        return touched

    def values(self, indicator_uuid: str, wave_uuid: str) -> dict[str, float]:
        """Municipality → value for one indicator and wave (a live view: do not modify)."""
        return self.by_key.get((indicator_uuid, wave_uuid), {})

    def of_unit(self, unit_uuid: str) -> dict[Key, tuple[str, float]]:
        """(indicator, wave) → (value uuid, value) for one municipality."""
        return self.by_unit.get(unit_uuid, {})

    def median(self, indicator_uuid: str, wave_uuid: str,
               units: dict[str, Municipality] | None = None, country: str | None = None) -> float | None:
        """Median over every municipality with a value (or over one country's, given ``units``)."""
        cache_key = (indicator_uuid, wave_uuid, country)
        if cache_key not in self._medians:
            values = self.values(indicator_uuid, wave_uuid)
            if country is not None:
                assert units is not None, "a country median needs the municipalities"
                values = {u: v for u, v in values.items() if (m := units.get(u)) and m.country == country}
            self._medians[cache_key] = statistics.median(values.values()) if values else None
        return self._medians[cache_key]

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_key.values())


class ProjectIndexes:
    """Everything the views look up, for one open project."""

    def __init__(self, store: ProjectStore | None = None) -> None:
        if store is None:
            self._empty()
            return
        self.municipalities = RecordTable(store.list(Municipality))
        self.indicators = RecordTable(store.list(IndicatorDefinition))
        self.waves = RecordTable(store.list(StudyWave))
        self.structures = RecordTable(store.list(PreventionStructure))
        self.activities = RecordTable(store.list(HubActivity))
        self.values = ValueIndex(store.value_rows())
        self._index_participation()

    def _empty(self) -> None:
        self.municipalities = RecordTable[Municipality]()
        self.indicators = RecordTable[IndicatorDefinition]()
        self.waves = RecordTable[StudyWave]()
        self.structures = RecordTable[PreventionStructure]()
        self.activities = RecordTable[HubActivity]()
        self.values = ValueIndex()
        self.activities_by_unit: dict[str, set[str]] = {}

    def _index_participation(self) -> None:
        self.activities_by_unit = {}
        for activity in self.activities.all():
            for p in activity.participants:
                self.activities_by_unit.setdefault(p.municipality_uuid, set()).add(activity.uuid)

    def apply(self, event: RecordsChanged) -> None:
        tables: dict[type[Record], RecordTable[Any]] = {
            Municipality: self.municipalities, IndicatorDefinition: self.indicators,
            StudyWave: self.waves, PreventionStructure: self.structures, HubActivity: self.activities}
        if event.record_type is IndicatorValue:
            self.values.apply(event)
        elif event.record_type in tables:
            tables[event.record_type].apply(event)
            if event.record_type is HubActivity:
                self._patch_participation(event)

    def _patch_participation(self, event: RecordsChanged) -> None:
        for old in [*event.removed, *(b for b, _a in event.updated)]:
            assert isinstance(old, HubActivity)
            for p in old.participants:
                self.activities_by_unit.get(p.municipality_uuid, set()).discard(old.uuid)
        for new in event.current():
            assert isinstance(new, HubActivity)
            for p in new.participants:
                self.activities_by_unit.setdefault(p.municipality_uuid, set()).add(new.uuid)

    # --- names (the NameLookup protocol of domain.kinds) ----------------------------------

    def municipality_name(self, uuid: str | None) -> str:
        unit = self.municipalities.get(uuid)
        return unit.name_latin if unit else ""

    def indicator_name(self, uuid: str) -> str:
        found = self.indicators.get(uuid)
        return found.name if found else "(unknown indicator)"

    def wave_name(self, uuid: str) -> str:
        found = self.waves.get(uuid)
        return found.name if found else "(unknown wave)"

    def waves_in_order(self) -> list[StudyWave]:
        """Study waves oldest first (by start date, then name)."""
        return sorted(self.waves.all(), key=lambda w: (w.start_date, w.name))
