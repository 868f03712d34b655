"""The Qt-free map core: classification, colours, legend, activities filter, page assets."""

from __future__ import annotations

from datetime import date

import mapclassify
import numpy as np
import pytest

from resilience_map.domain.enums import ActivityType, Country, Polarity, StructureStatus, StructureType
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    PreventionStructure,
    StudyWave,
)
from resilience_map.maps.activities import date_label, visible_activities
from resilience_map.maps.choropleth import ChoroplethSettings, build_choropleth
from resilience_map.maps.classify import Scheme, classify_values
from resilience_map.maps.coverage import coverage_by_country
from resilience_map.maps.page import external_urls, page_file
from resilience_map.maps.palettes import choropleth_colors

VALUES = {f"u{i}": float(v) for i, v in enumerate(np.random.default_rng(3).uniform(14, 70, 200))}


@pytest.mark.parametrize("scheme, reference", [
    (Scheme.QUANTILES, lambda v: mapclassify.Quantiles(v, k=5)),
    (Scheme.EQUAL_INTERVAL, lambda v: mapclassify.EqualInterval(v, k=5)),
    (Scheme.NATURAL_BREAKS, lambda v: mapclassify.FisherJenks(v, k=5)),
])
def test_classes_match_mapclassify(scheme: Scheme, reference) -> None:
    result = classify_values(VALUES, scheme, 5)
    expected = reference(np.array(list(VALUES.values())))
    assert result.bins == pytest.approx(tuple(expected.bins))
    assert result.counts == tuple(int(c) for c in expected.counts)
    assert sum(result.counts) == len(VALUES)


def test_manual_breaks_reach_the_maximum() -> None:
    result = classify_values(VALUES, Scheme.MANUAL, manual_breaks=[30, 50])
    assert result.bins[:2] == (30, 50) and result.bins[-1] == max(VALUES.values())
    assert sum(result.counts) == 200


def test_fewer_distinct_values_than_classes() -> None:
    result = classify_values({"a": 1.0, "b": 1.0, "c": 2.0}, Scheme.QUANTILES, 5)
    assert result.k <= 2 and sum(result.counts) == 3


def test_higher_is_worse_reverses_palette() -> None:
    better = choropleth_colors("YlGnBu", 5, Polarity.HIGHER_IS_BETTER)
    worse = choropleth_colors("YlGnBu", 5, Polarity.HIGHER_IS_WORSE)
    assert worse == better[::-1]


def _setup(polarity=Polarity.HIGHER_IS_BETTER):
    ind = IndicatorDefinition(code="x", name="Trust", scale_min=0, scale_max=10, unit="score", polarity=polarity)
    w1 = StudyWave(name="W1", start_date=date(2020, 1, 1))
    w2 = StudyWave(name="W2", start_date=date(2023, 1, 1))
    values = [IndicatorValue(municipality_uuid=f"u{i}", indicator_uuid=ind.uuid, wave_uuid=w.uuid, value=v)
              for i in range(20) for w, v in ((w1, i / 4), (w2, i / 4 + (1 if i % 2 else -1) * 0.5))
              if 0 <= v <= 10]
    return ind, [w1, w2], values


def test_legend_counts_units_and_no_data() -> None:
    ind, waves, values = _setup()
    ids = [f"u{i}" for i in range(25)]  # u20..u24 have no value
    style = build_choropleth(ChoroplethSettings(ind.uuid, waves[0].uuid), ind, waves, values, ids, "Demo")
    assert style.legend.no_data_count == 5
    assert sum(c.count for c in style.legend.classes) == 20
    assert set(style.styles) == {f"u{i}" for i in range(20)}
    colors = [c.color for c in style.legend.classes]
    assert all(style.styles[u]["c"] == colors[style.styles[u]["k"]] for u in style.styles)
    assert style.legend.synthetic_label == "Demo"
    assert "darker = more resilient" in style.legend.note


def test_higher_is_worse_legend_says_so() -> None:
    ind, waves, values = _setup(Polarity.HIGHER_IS_WORSE)
    style = build_choropleth(ChoroplethSettings(ind.uuid, waves[0].uuid), ind, waves, values, VALUES)
    assert "reversed" in style.legend.note
    colors = choropleth_colors("YlGnBu", style.legend.classes.__len__(), Polarity.HIGHER_IS_WORSE)
    assert style.legend.classes[0].color == colors[0]


def test_activity_dates_and_filter() -> None:
    a = HubActivity(title="A", activity_type=ActivityType.WORKSHOP, start_date=date(2017, 9, 12),
                    end_date=date(2017, 9, 13))
    b = HubActivity(title="B", activity_type=ActivityType.LAUNCH, start_date=date(2019, 9, 1), date_precision="month")
    c = HubActivity(title="C", activity_type=ActivityType.GRANT, start_date=date(2018, 1, 1), date_precision="year")
    assert [date_label(x) for x in (a, b, c)] == ["12–13 Sep 2017", "Sep 2019", "2018"]
    assert visible_activities([a, b, c], date(2018, 6, 1), date(2019, 9, 30)) == [b.uuid, c.uuid]
    assert visible_activities([a, b, c], date(2019, 9, 30), None) == [b.uuid]
    assert visible_activities([a, b, c], None, date(2017, 9, 12)) == [a.uuid]


def test_coverage_summary_is_honest_about_population() -> None:
    units = [Municipality(registry_id=f"mk-{i}", country=Country.MK, name_local="x", name_latin="x", name_en="x",
                          population=1000 if i < 2 else None, population_year=2021 if i < 2 else None)
             for i in range(4)]
    structures = [PreventionStructure(municipality_uuid=units[0].uuid, structure_type=StructureType.CAT,
                                      status=StructureStatus.ACTIVE)]
    (mk,) = coverage_by_country(units, structures)
    assert (mk.covered, mk.total, mk.population_covered, mk.population_known) == (1, 4, 1000, 2000)
    assert "1 of 4 municipalities (25%)" in mk.text() and "2 of 4 with a census figure" in mk.text()


def test_page_loads_nothing_from_the_network() -> None:
    html = page_file("index.html").read_text(encoding="utf-8")
    assert external_urls(html) == []
    assert "qwebchannel.js" in html and "leaflet/leaflet.js" in html and "cdn" not in html.lower()
    for name in ("index.html", "map.js", "map.css", "leaflet/leaflet.js", "leaflet/leaflet.css",
                 "leaflet/images/layers.png"):
        assert page_file(name) is not None and page_file(name).is_file(), name


@pytest.mark.parametrize("name", ["../../../etc/passwd", "leaflet/../../../../etc/passwd", "leaflet/",
                                  "map.py", "/etc/passwd", "leaflet/leaflet.js.map", "anything.html"])
def test_page_serves_only_its_own_files(name: str) -> None:
    assert page_file(name) is None
