"""Every demo fact (data/demo_facts.json) names its page and dates only as precisely as the page.

The seed pages (shared/seeds) are the source texts the product was specified
from; where a record cites only seed pages, its figures and days must appear in
them. Pages found elsewhere are cited by title and address.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from conftest import SHARED_ROOT

from resilience_map.demo import UnitFinder, source_text
from resilience_map.domain.records import (
    HubActivity,
    MunicipalityNote,
    PreventionStructure,
)
from resilience_map.io.registry import load_registry
from resilience_map.store import ProjectStore

FACTS = json.loads((Path(__file__).resolve().parents[1] / "data" / "demo_facts.json")
                   .read_text(encoding="utf-8"))
SEEDS = SHARED_ROOT / "seeds"
PRECISIONS = {"day", "month", "year"}
#: Names of officials on the pages: records name people by role and municipality only.
PERSONAL_NAMES = ("Dimitrievski", "Zekovic", "Gashi", "Seferovic", "Bejta", "Haskuka", "Ganiu",
                  "Dogani", "Dukic")


def records() -> list[tuple[str, dict]]:
    return [(kind, record) for kind in ("scn_memberships", "activities", "structures", "notes")
            for record in FACTS[kind]]


def record_id(item: tuple[str, dict]) -> str:
    kind, record = item
    return f"{kind}:{record.get('key') or record.get('name')}"


def dated_details(kind: str, record: dict) -> list[dict]:
    """Every date spec of a record (activity dates, membership dates)."""
    return [record[f] for f in ("date", "member_since") if f in record]


def seed_text(key: str) -> str | None:
    seed = FACTS["sources"][key].get("seed")
    if seed is None or not (SEEDS / seed).is_file():
        return None
    return (SEEDS / seed).read_text(encoding="utf-8")


def test_every_source_has_publisher_title_and_address():
    assert FACTS["sources"]
    for key, src in FACTS["sources"].items():
        assert src["title"].strip() and src["publisher"].strip(), key
        assert re.fullmatch(r"https://[^\s]+", src["address"]), key
        if "published" in src:
            date.fromisoformat(src["published"])


@pytest.mark.parametrize("item", records(), ids=record_id)
def test_every_record_names_a_known_source(item):
    _, record = item
    assert record["sources"], "no source"
    assert set(record["sources"]) <= set(FACTS["sources"]), record["sources"]


@pytest.mark.parametrize("item", records(), ids=record_id)
def test_every_dated_detail_carries_its_precision(item):
    kind, record = item
    for spec in dated_details(kind, record):
        assert spec["precision"] in PRECISIONS, spec
        start = date.fromisoformat(spec["start"])
        if spec["precision"] != "day":  # a month or a year is stored as its first day, no end
            assert start.day == 1 and "end" not in spec, spec
        if spec["precision"] == "year":
            assert start.month == 1, spec
        if spec.get("end"):
            assert date.fromisoformat(spec["end"]) >= start
    if kind == "structures":  # no founding date without its precision
        assert record["established"] is None or record.get("established_precision") in PRECISIONS


def test_activities_have_a_date_and_every_note_links_a_known_activity():
    keys = {a["key"] for a in FACTS["activities"]}
    assert len(keys) == len(FACTS["activities"])
    assert all("date" in a for a in FACTS["activities"])
    for note in FACTS["notes"]:
        assert note["activity"] is None or note["activity"] in keys, note


def test_every_place_is_a_registry_unit():
    finder = UnitFinder(load_registry())
    for _, record in records():
        places = [record] if "country" in record else []
        places += [p for p in [record.get("host")] if p] + record.get("participants", [])
        for place in places:
            finder.find(place["country"], place["name"])  # raises if unknown or ambiguous


def test_people_are_named_by_role_only():
    text = json.dumps({k: FACTS[k] for k in ("activities", "structures", "notes")}, ensure_ascii=False)
    assert [n for n in PERSONAL_NAMES if n in text] == []


@pytest.mark.parametrize("item", records(), ids=record_id)
def test_seed_only_records_state_only_what_their_pages_say(item):
    """Figures and days of a record citing only seed pages appear in those pages."""
    kind, record = item
    texts = [seed_text(k) for k in record["sources"]]
    if not texts or None in texts:
        pytest.skip("cites a page outside the seeds (or the seeds are absent)")
    page = " ".join(texts)
    words = " ".join(str(record.get(f, "")) for f in ("outcomes", "text", "notes"))
    for number in re.findall(r"\d+", words):
        assert number in page, (number, record_id(item))
    for spec in dated_details(kind, record):
        start = date.fromisoformat(spec["start"])
        assert str(start.year) in page
        if spec["precision"] == "day":
            end = date.fromisoformat(spec.get("end") or spec["start"])
            day_range = f"{start.day}-{end.day}" if end != start else str(start.day)
            assert day_range in page, (day_range, record_id(item))


def test_every_fact_reaches_the_demo_project_with_its_citation(demo_project: Path):
    with ProjectStore.open(demo_project) as store:
        activities = store.list(HubActivity)
        structures = store.list(PreventionStructure)
        notes = store.list(MunicipalityNote)
    assert len(activities) == len(FACTS["activities"])
    assert len(structures) == len(FACTS["structures"])
    assert len(notes) == len(FACTS["notes"])
    by_title = {a.title: a for a in activities}
    for spec in FACTS["activities"]:
        stored = by_title[spec["title"]]
        assert stored.source == source_text(FACTS, spec["sources"])
        assert stored.date_precision == spec["date"]["precision"]
        assert stored.start_date.isoformat() == spec["date"]["start"]
    for note in notes:
        assert "https://" in note.text
    linked = [n for n in notes if n.source_activity_uuid]
    assert {n.source_activity_uuid for n in linked} <= {a.uuid for a in activities}
    assert len(linked) == sum(1 for n in FACTS["notes"] if n["activity"])
    assert all("Source: Strong Cities Network" in s.notes for s in structures)
