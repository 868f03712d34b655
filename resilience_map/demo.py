"""Build the demo project from the bundled data.

The demo holds the full municipality registry, the hub activities, prevention
structures, SCN memberships and officials' statements that public Strong Cities
pages state as facts (``data/demo_facts.json``, each record citing its pages),
the indicator framework (``data/indicators.json``) and SYNTHETIC indicator
values for two study waves. The synthetic flag is set
on the waves, on every value and on the project, so every view and export can
say "Demo data – not study results".
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from resilience_map.assets import data_file
from resilience_map.domain.enums import (
    ActivityType,
    NoteCategory,
    ParticipationRole,
    Polarity,
    StructureStatus,
    StructureType,
    UnitKind,
)
from resilience_map.domain.names import fold
from resilience_map.domain.records import (
    ActivityParticipant,
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    MunicipalityNote,
    PreventionStructure,
    StudyWave,
)
from resilience_map.io.boundary_import import apply_plan, plan_for_project
from resilience_map.io.registry import load_registry
from resilience_map.store import ProjectError, ProjectStore

DEMO_AUTHOR = "Resilience Map demo builder"
SYNTHETIC_LABEL = "Demo data – not study results"


@dataclass(frozen=True)
class DemoSummary:
    """What the demo builder did, for the CLI to print."""

    path: Path
    municipalities: int
    boundaries: int
    boundary_reports: tuple[str, ...]
    activities: int
    structures: int
    indicator_values: int
    notes: int = 0


def load_json(name: str) -> dict:
    with data_file(name).open(encoding="utf-8") as fh:
        return json.load(fh)


class UnitFinder:
    """Find a registry unit by country and any of its name forms."""

    def __init__(self, units: Sequence[Municipality]) -> None:
        self._index: dict[tuple[str, str], list[Municipality]] = {}
        for unit in units:
            for name in unit.all_names():
                bucket = self._index.setdefault((unit.country.value, fold(name)), [])
                if unit not in bucket:
                    bucket.append(unit)

    def find(self, country: str, name: str) -> Municipality:
        found = self._index.get((country, fold(name)), [])
        if len(found) > 1:  # "Sarajevo": prefer the city over units named after it
            found = [u for u in found if u.kind is UnitKind.CITY] or found
        if len(found) != 1:
            raise ProjectError(f"Demo facts name {name!r} ({country}), which the registry "
                               f"{'does not know' if not found else 'has more than once'}.")
        return found[0]


def build_demo(out: Path, boundary_paths: Sequence[Path] = (), *, overwrite: bool = False,
               progress: Callable[[str], None] = lambda message: None) -> DemoSummary:
    """Write a complete demo project to ``out`` (built aside, then renamed into place)."""
    out = Path(out)
    if out.exists() and not overwrite:
        raise ProjectError(f"{out} already exists; pass --force to replace it.")
    tmp = out.with_name(f".{out.name}.{os.getpid()}.demo")
    tmp.unlink(missing_ok=True)
    facts = load_json("demo_facts.json")
    units = [_with_membership(u, facts) for u in load_registry()]
    finder = UnitFinder(units)
    store = ProjectStore.create(tmp, title="Resilience Map demo", author=DEMO_AUTHOR)
    try:
        progress(f"Adding {len(units)} municipalities from the registry")
        store.add_many(units, DEMO_AUTHOR)
        boundaries, reports = _import_boundaries(store, boundary_paths, progress)
        progress("Adding indicator framework and synthetic values")
        n_values = _add_indicators(store, units)
        progress("Adding hub activities and prevention structures")
        activities = _add_activities(store, facts, finder)
        n_structs = _add_structures(store, facts, finder)
        n_notes = _add_notes(store, facts, finder, activities)
        store.set_meta("synthetic_data", "1", DEMO_AUTHOR)
        store.set_meta("synthetic_label", SYNTHETIC_LABEL, DEMO_AUTHOR)
    except BaseException:
        store.close()
        tmp.unlink(missing_ok=True)
        raise
    store.close()
    os.replace(tmp, out)
    return DemoSummary(out, len(units), boundaries, tuple(reports), len(activities), n_structs,
                       n_values, n_notes)


def _with_membership(unit: Municipality, facts: dict) -> Municipality:
    """Set ``scn_member_since``; only month- or day-precise dates fit that field."""
    for m in facts["scn_memberships"]:
        if m["country"] == unit.country.value and fold(m["name"]) in {fold(n) for n in unit.all_names()}:
            since, _, precision = _dates(m["member_since"])
            if precision not in ("day", "month"):
                raise ProjectError(f"Demo facts: membership of {m['name']} is only known to the {precision}.")
            return replace(unit, scn_member_since=since)
    return unit


def _import_boundaries(store: ProjectStore, paths: Sequence[Path],
                       progress: Callable[[str], None]) -> tuple[int, list[str]]:
    """Apply only automatic, unambiguous matches; everything else is reported."""
    total, reports = 0, []
    for path in paths:
        progress(f"Importing boundaries from {path}")
        plan = plan_for_project(store, Path(path))
        total += apply_plan(store, plan, DEMO_AUTHOR, Path(path).name)
        reports.append(f"{Path(path).name}: {plan.summary()}")
    return total, reports


def _add_indicators(store: ProjectStore, units: Sequence[Municipality]) -> int:
    spec = load_json("indicators.json")
    indicators = [IndicatorDefinition(
        code=i["code"], name=i["name"], framework=i["framework"], dimension=i["dimension"],
        unit=i["unit"], scale_min=i["min"], scale_max=i["max"], polarity=Polarity(i["polarity"]),
        description="Demo indicator; its values in this project are synthetic.")
        for i in spec["indicators"]]
    waves = [StudyWave(name=w["name"], start_date=date.fromisoformat(w["start"]),
                       end_date=date.fromisoformat(w["end"]), sample_size=w["sample_size"],
                       conducted_by="Synthetic demo data", synthetic=True,
                       notes=SYNTHETIC_LABEL) for w in spec["demo_waves"]]
    values = [IndicatorValue(municipality_uuid=u.uuid, indicator_uuid=ind.uuid, wave_uuid=wave.uuid,
                             value=synthetic_value(u, ind, k), synthetic=True)
              for u in units if u.kind is not UnitKind.CITY_MUNICIPALITY
              for ind in indicators for k, wave in enumerate(waves)]
    with store.transaction():
        store.add_many([*indicators, *waves], DEMO_AUTHOR)
        store.add_many(values, DEMO_AUTHOR)
    return len(values)


def synthetic_value(unit: Municipality, indicator: IndicatorDefinition, wave_index: int) -> float:
    """A plausible-looking but invented value: smooth over space plus noise, drifting by wave.

    Deterministic per (unit, indicator), so rebuilding the demo gives the same map.
    """
    rng = random.Random(f"{unit.registry_id}:{indicator.code}")
    lon, lat = unit.seat_lon or 20.5, unit.seat_lat or 42.5
    span = indicator.scale_max - indicator.scale_min
    smooth = 0.5 * math.sin(lon * 1.7 + len(indicator.code)) + 0.5 * math.cos(lat * 2.3)
    base = 0.5 + 0.22 * smooth + rng.gauss(0, 0.08)
    drift = rng.gauss(0.03, 0.04) * (1 if indicator.polarity is Polarity.HIGHER_IS_BETTER else -1)
    share = min(0.98, max(0.02, base + wave_index * drift))
    value = indicator.scale_min + share * span
    return round(value) if span > 20 else round(value, 1)


def source_text(facts: dict, keys: Sequence[str]) -> str:
    """The citation of one or more pages from ``facts["sources"]``: publisher, title, date, address."""
    parts = []
    for key in keys:
        src = facts["sources"][key]
        published = f" ({src['published']})" if src.get("published") else ""
        parts.append(f"{src['publisher']}, '{src['title']}'{published}, {src['address']}")
    return "; ".join(parts)


def _dates(spec: dict) -> tuple[date, date | None, str]:
    start = date.fromisoformat(spec["start"])
    end = date.fromisoformat(spec["end"]) if spec.get("end") else None
    return start, end, spec["precision"]


def _add_activities(store: ProjectStore, facts: dict, finder: UnitFinder) -> dict[str, str]:
    """Add the hub activities; returns their uuids by the facts file's ``key``."""
    activities = {}
    for a in facts["activities"]:
        host = finder.find(a["host"]["country"], a["host"]["name"]) if a["host"] else None
        participants = [ActivityParticipant(municipality_uuid=host.uuid, role=ParticipationRole.HOST)] if host else []
        participants += [ActivityParticipant(municipality_uuid=finder.find(p["country"], p["name"]).uuid)
                         for p in a["participants"]]
        start, end, precision = _dates(a["date"])
        activities[a["key"]] = HubActivity(
            title=a["title"], activity_type=ActivityType(a["type"]),
            start_date=start, end_date=end, date_precision=precision,
            host_place=host.name_latin if host else a["place"],
            host_lon=host.seat_lon if host else None, host_lat=host.seat_lat if host else None,
            topics=tuple(a["topics"]), partners=tuple(a["partners"]), outcomes=a["outcomes"],
            source=source_text(facts, a["sources"]), participants=tuple(participants))
    store.add_many(list(activities.values()), DEMO_AUTHOR)
    return {key: activity.uuid for key, activity in activities.items()}


def _add_structures(store: ProjectStore, facts: dict, finder: UnitFinder) -> int:
    structures = [PreventionStructure(
        municipality_uuid=finder.find(s["country"], s["name"]).uuid,
        structure_type=StructureType(s["type"]), status=StructureStatus(s["status"]),
        established=date.fromisoformat(s["established"]) if s["established"] else None,
        notes=f"{s['notes']} Source: {source_text(facts, s['sources'])}.") for s in facts["structures"]]
    store.add_many(structures, DEMO_AUTHOR)
    return len(structures)


def _add_notes(store: ProjectStore, facts: dict, finder: UnitFinder, activities: dict[str, str]) -> int:
    """Needs, priorities and officials' statements, linked to the activity they came from."""
    notes = [MunicipalityNote(
        municipality_uuid=finder.find(n["country"], n["name"]).uuid,
        category=NoteCategory(n["category"]),
        text=f"{n['text']} Source: {source_text(facts, n['sources'])}.",
        source_activity_uuid=activities[n["activity"]] if n["activity"] else None)
        for n in facts["notes"]]
    store.add_many(notes, DEMO_AUTHOR)
    return len(notes)
