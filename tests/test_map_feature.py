"""MapFeature follows the session: each change patches only what it touched (real page, headless)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import mapclassify
import numpy as np
import pytest
from shapely.geometry import box
from tests_helpers import page_eval as js
from tests_helpers import show_project

from resilience_map.domain.enums import ActivityType, StructureType
from resilience_map.domain.records import HubActivity, IndicatorValue, Municipality, PreventionStructure
from resilience_map.maps import protocol as p
from resilience_map.maps.classify import Scheme
from resilience_map.maps.map_data import drawn_units
from resilience_map.session import SelectionChanged, SetBoundaries, add_records, update_records


@pytest.fixture
def sent(map_host, monkeypatch) -> list:
    """Every message the feature sends to the page from now on (they still reach it)."""
    messages: list = []
    original = map_host.view.send

    def spy(message: p.ToPage) -> None:
        messages.append(message)
        original(message)
    monkeypatch.setattr(map_host.view, "send", spy)
    return messages


@pytest.fixture
def bounded(map_host, qtbot, demo_bounded: Path):
    show_project(qtbot, map_host, demo_bounded)
    yield map_host
    map_host.session.close()


def kinds(messages: list) -> list[str]:
    return [type(m).__name__ for m in messages]


def shown_value(host, registry_id: str) -> IndicatorValue:
    settings = host.feature.panel.choropleth_settings()
    unit = host.session.require_store().municipality_by_registry_id(registry_id)
    return next(v for v in host.session.require_store().list(IndicatorValue, municipality_uuid=unit.uuid)
                if (v.indicator_uuid, v.wave_uuid) == (settings.indicator_uuid, settings.wave_uuid))


def test_value_edit_restyles_only_when_the_shown_values_change(bounded, qtbot, sent) -> None:
    session, feature = bounded.session, bounded.feature
    value = shown_value(bounded, "mk-kumanovo")
    session.do(update_records([(value, dataclasses.replace(value, value=70))]))  # top of the BRAVE-14 scale
    assert kinds(sent) == ["ApplyStyle"]  # no reload, no geometry
    top = feature.style.legend.classes[-1].color
    assert feature.style.styles[value.municipality_uuid]["c"] == top
    qtbot.waitUntil(lambda: js(qtbot, bounded, f"RMProbe.fillOf('{value.municipality_uuid}')") == top,
                    timeout=5000)

    sent.clear()
    of_unit = session.require_store().list(IndicatorValue, municipality_uuid=value.municipality_uuid)
    other = next(v for v in of_unit
                 if v.indicator_uuid != value.indicator_uuid and v.wave_uuid == value.wave_uuid)
    session.do(update_records([(other, dataclasses.replace(other, value=other.value + 1))]))
    assert sent == []  # another indicator: the map stays as it is

    feature.panel.change.setChecked(True)  # change since the previous wave: that wave now counts
    earlier = next(v for v in of_unit
                   if v.indicator_uuid == value.indicator_uuid and v.wave_uuid != value.wave_uuid)
    sent.clear()
    session.do(update_records([(earlier, dataclasses.replace(earlier, value=earlier.value - 1))]))
    assert kinds(sent) == ["ApplyStyle"]
    change = feature.style.styles[value.municipality_uuid]["v"]
    assert change == pytest.approx(70 - (earlier.value - 1))


def test_selection_made_elsewhere_is_outlined_and_zoomed(bounded, qtbot) -> None:
    unit = bounded.session.require_store().municipality_by_registry_id("xk-prishtine")
    start_zoom = js(qtbot, bounded, "RMProbe.zoom()")
    bounded.session.select(unit.uuid, source="table")
    qtbot.waitUntil(lambda: js(qtbot, bounded, "RMProbe.selected()") == unit.uuid, timeout=5000)
    qtbot.waitUntil(lambda: js(qtbot, bounded, f"RMProbe.zoom() > {start_zoom + 1} && RMProbe.idle()"),
                    timeout=10000)
    lat, lon = js(qtbot, bounded, "RMProbe.center()")
    assert abs(lat - 42.66) < 0.3 and abs(lon - 21.16) < 0.3
    assert js(qtbot, bounded, f"RMProbe.strokeOf('{unit.uuid}')") == ["#e6550d", 3.5]


def test_a_click_on_the_map_selects_through_the_session_without_zooming(bounded, qtbot) -> None:
    session, panel = bounded.session, bounded.feature.panel
    kumanovo = session.require_store().municipality_by_registry_id("mk-kumanovo").uuid
    session.select(kumanovo, source="table")  # bring it into view
    qtbot.waitUntil(lambda: js(qtbot, bounded, "RMProbe.zoom() >= 9 && RMProbe.idle()"), timeout=10000)
    session.select(None, source="table")
    for name in ("activities", "coverage", "scn", "labels"):  # so the click lands on the area itself
        panel.set_layer_visible(name, False)
    heard: list[SelectionChanged] = []
    unsubscribe = session.events.subscribe(SelectionChanged, heard.append)
    zoom = js(qtbot, bounded, "RMProbe.zoom()")
    try:
        assert js(qtbot, bounded, f"RMProbe.clickAt('{kumanovo}')") == "CANVAS"
        qtbot.waitUntil(lambda: session.selection == kumanovo, timeout=5000)
    finally:
        unsubscribe()
    assert [(e.uuid, e.source, e.zoom) for e in heard] == [(kumanovo, "map", False)]
    qtbot.waitUntil(lambda: js(qtbot, bounded, "RMProbe.selected()") == kumanovo, timeout=5000)
    assert js(qtbot, bounded, "RMProbe.zoom()") == zoom


def test_structure_edit_patches_that_municipality_only(bounded, qtbot, sent) -> None:
    session = bounded.session
    kumanovo = session.require_store().municipality_by_registry_id("mk-kumanovo").uuid
    markers = js(qtbot, bounded, "RMProbe.coverageMarkerCount()")
    before = js(qtbot, bounded, f"RMProbe.coverageOf('{kumanovo}')")
    assert before  # the demo's CAT
    session.do(add_records([PreventionStructure(municipality_uuid=kumanovo, structure_type=StructureType.CAT,
                                                name="Kumanovo schools CAT")]))
    assert kinds(sent) == ["PatchCoverage"] and list(sent[0].coverage) == [kumanovo]
    qtbot.waitUntil(lambda: sorted(js(qtbot, bounded, f"RMProbe.coverageOf('{kumanovo}')"))
                    == sorted([*before, "community_action_team:active"]), timeout=5000)
    assert js(qtbot, bounded, "RMProbe.coverageMarkerCount()") == markers


def test_name_edit_patches_the_label(bounded, qtbot, sent) -> None:
    session = bounded.session
    unit = session.require_store().municipality_by_registry_id("mk-kumanovo")
    session.do(update_records([(unit, dataclasses.replace(unit, name_latin="Kumanovo (renamed)"))]))
    assert kinds(sent) == ["PatchNames"]
    qtbot.waitUntil(lambda: js(qtbot, bounded, f"RMProbe.nameOf('{unit.uuid}')") == "Kumanovo (renamed)",
                    timeout=5000)


def test_new_activity_hidden_by_the_dates_says_so(bounded, qtbot, sent) -> None:
    session, feature = bounded.session, bounded.feature
    seat = session.require_store().municipality_by_registry_id("me-podgorica")
    old = HubActivity(title="Early roundtable", activity_type=ActivityType.ROUNDTABLE,
                      start_date=date(2010, 5, 4), host_place="Podgorica", host_lon=seat.seat_lon,
                      host_lat=seat.seat_lat)
    with qtbot.waitSignal(feature.notice, timeout=5000) as notice:
        session.do(add_records([old]))
    text = notice.args[0]
    assert "“Early roundtable” (4 May 2010) is not shown" in text and "Widen the dates" in text
    assert feature.panel.activity_note.isVisibleTo(feature.panel)
    assert kinds(sent) == ["PatchActivities"]
    qtbot.waitUntil(lambda: old.uuid in js(qtbot, bounded, "RMProbe.activityIds()"), timeout=5000)
    assert old.uuid not in js(qtbot, bounded, "RMProbe.visibleActivities()")
    feature.panel.date_from.setDate(date(2010, 1, 1))
    qtbot.waitUntil(lambda: old.uuid in js(qtbot, bounded, "RMProbe.visibleActivities()"), timeout=5000)
    assert not feature.panel.activity_note.isVisibleTo(feature.panel)


def test_change_view_in_the_page_honours_classes_and_bad_breaks_keep_the_colours(bounded, qtbot) -> None:
    panel, feature = bounded.feature.panel, bounded.feature
    panel.change.setChecked(True)
    panel.scheme.setCurrentIndex(panel.scheme.findData(Scheme.NATURAL_BREAKS))
    panel.classes.setValue(4)
    qtbot.waitUntil(lambda: len(js(qtbot, bounded, "RMProbe.legendRows()")) == 5, timeout=5000)  # 4 + no data
    rows = js(qtbot, bounded, "RMProbe.legendRows()")
    assert "Natural breaks (Fisher-Jenks), 4 classes" in js(qtbot, bounded, "RMProbe.legendText()")
    assert [r[1] for r in rows[:-1]] == [c.label for c in reversed(feature.style.legend.classes)]
    sample = next(iter(feature.style.styles))
    fill = js(qtbot, bounded, f"RMProbe.fillOf('{sample}')")
    panel.scheme.setCurrentIndex(panel.scheme.findData(Scheme.MANUAL))
    qtbot.keyClicks(panel.breaks, "-2, 0, 0, 2")
    qtbot.waitUntil(lambda: "given twice" in panel.message.text(), timeout=5000)
    assert panel.message.isVisibleTo(panel)
    assert js(qtbot, bounded, f"RMProbe.fillOf('{sample}')") == fill  # not greyed out


def test_layout_keeps_the_legend_and_summary_off_the_region(bounded, qtbot) -> None:
    """At laptop sizes the side column stacks its boxes and the region is fitted beside it."""
    for width, height in ((760, 470), (1000, 640)):
        bounded.window.resize(width, height)
        qtbot.waitUntil(lambda w=width: js(qtbot, bounded, "RMProbe.mapSize()[0]") == bounded.view.width(),
                        timeout=5000)
        bounded.view.send(p.ShowArea(None))
        js(qtbot, bounded, "document.querySelector('.rm-summary .rm-toggle').click()")  # unfold the summary
        units = bounded.feature.content().drawn_ids()
        rects = js(qtbot, bounded, f"{units!r}.map((id) => RMProbe.unitRect(id))")
        region = [min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects),
                  max(r[3] for r in rects)]
        legend = js(qtbot, bounded, "RMProbe.boxRect('legend')")
        summary = js(qtbot, bounded, "RMProbe.boxRect('summary')")
        assert not _overlap(legend, summary), (width, legend, summary)
        assert not _overlap(legend, region), (width, legend, region)
        assert not _overlap(summary, region), (width, summary, region)
        assert region[3] - region[1] > 0.8 * height  # the (tall) region still fills the map's height
        js(qtbot, bounded, "document.querySelector('.rm-summary .rm-toggle').click()")


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_a_project_without_boundaries_says_where_they_come_from(map_host, qtbot, demo_project: Path) -> None:
    show_project(qtbot, map_host, demo_project)
    try:
        guide = js(qtbot, map_host, "RMProbe.guideText()")
        assert "No municipal boundaries yet" in guide and "File → Import boundaries…" in guide
        assert "geoBoundaries" in guide and "OpenStreetMap" in guide
        kumanovo = map_host.session.require_store().municipality_by_registry_id("mk-kumanovo").uuid
        with qtbot.waitSignal(map_host.feature.view.style_applied, timeout=5000):
            map_host.session.do(SetBoundaries({kumanovo: box(21.6, 42.05, 21.85, 42.25)}, source="test"))
        assert js(qtbot, map_host, f"RMProbe.unitRect('{kumanovo}')")[2] > js(
            qtbot, map_host, f"RMProbe.unitRect('{kumanovo}')")[0] + 5  # a polygon now, not a seat circle
        assert js(qtbot, map_host, "RMProbe.guideText()") == ""  # boundaries exist: the guide is gone
    finally:
        map_host.session.close()


def test_an_empty_project_says_where_boundaries_come_from(map_host, qtbot, tmp_path: Path) -> None:
    from resilience_map.io.project_setup import create_registry_project

    create_registry_project(tmp_path / "new.gpkg", title="New", author="Tester").close()
    show_project(qtbot, map_host, tmp_path / "new.gpkg")
    try:
        guide = js(qtbot, map_host, "RMProbe.guideText()")
        assert "File → Import boundaries…" in guide
        assert "New indicator" not in guide  # the window's card says that, with a button
        assert isinstance(map_host.session.indexes.municipalities.get(
            next(iter(map_host.session.indexes.municipalities.by_uuid))), Municipality)
    finally:
        map_host.session.close()


def test_legend_and_page_colours_match_the_classes(bounded, qtbot, sent) -> None:
    panel, feature = bounded.feature.panel, bounded.feature
    js(qtbot, bounded, "window.__marker = 42")
    for i in range(panel.indicator.count()):  # restyles only: the page is never reloaded
        panel.indicator.setCurrentIndex(i)
    panel.indicator.setCurrentIndex(panel.indicator.findText("Trust in institutions"))
    assert "LoadProject" not in kinds(sent)
    style = feature.style
    values = np.array([s["v"] for s in style.styles.values()])
    expected = mapclassify.Quantiles(values, k=5)
    assert [c.count for c in style.legend.classes] == [int(c) for c in expected.counts]
    qtbot.waitUntil(lambda: "Trust in institutions" in js(qtbot, bounded, "RMProbe.legendText()"),
                    timeout=5000)
    rows = js(qtbot, bounded, "RMProbe.legendRows()")
    counts = [c.count for c in reversed(style.legend.classes)]
    assert [r[2] for r in rows] == [*counts, style.legend.no_data_count]
    sample = list(style.styles)[::25]
    fills = js(qtbot, bounded, f"{sample!r}.map((id) => RMProbe.fillOf(id))")
    assert fills == [style.styles[u]["c"] for u in sample]
    assert js(qtbot, bounded, "window.__marker") == 42


def test_date_filter_hides_activities_outside_the_range(bounded, qtbot) -> None:
    panel, activities = bounded.feature.panel, bounded.session.indexes.activities.all()
    placed = [a for a in activities if a.host_lat is not None]
    # only activities whose page names the host have a place; online or unnamed venues have none
    assert len(placed) == 5
    assert len(js(qtbot, bounded, "RMProbe.visibleActivities()")) == len(placed)
    panel.date_from.setDate(date(2023, 1, 1))
    panel.date_to.setDate(date(2023, 6, 30))
    titles = {a.uuid: a.title for a in activities}
    qtbot.waitUntil(lambda: len(js(qtbot, bounded, "RMProbe.visibleActivities()")) < len(placed),
                    timeout=5000)
    shown = sorted(titles[v] for v in js(qtbot, bounded, "RMProbe.visibleActivities()"))
    assert "National exchange of Community Action Teams in North Macedonia" in shown
    assert "Western Balkans Regional Hub Inaugural Workshop" in shown
    assert not any("2017" in t or "Durrës" in t for t in shown)
    assert "SCN Regional Practitioners' Workshop for the Western Balkans" not in shown
    assert "Strong Cities exchange in Elbasan" not in shown  # 2021


def test_selecting_an_activity_highlights_its_participants(bounded, qtbot) -> None:
    activities = bounded.session.indexes.activities.all()
    workshop = next(a for a in activities if a.title.endswith("Inaugural Workshop"))
    drawn = set(bounded.feature.content().drawn_ids())
    participants = [p.municipality_uuid for p in workshop.participants if p.municipality_uuid in drawn]
    assert len(participants) >= 3
    bounded.feature.highlight_activity(workshop.uuid)
    qtbot.waitUntil(lambda: js(qtbot, bounded, f"{participants!r}.map((id) => RMProbe.strokeOf(id)[0])")
                    == ["#c51b8a"] * len(participants), timeout=5000)


def test_points_mode_without_boundaries(map_host, qtbot, demo_project: Path) -> None:
    show_project(qtbot, map_host, demo_project)
    try:
        feature = map_host.feature
        seats = feature.content().drawn_ids()
        assert feature.geometry.boundaries == {} and len(seats) >= 490
        styles = feature.style.styles
        sample = seats[::40]
        fills = js(qtbot, map_host, f"{sample!r}.map((id) => RMProbe.fillOf(id))")
        assert fills == [styles[u]["c"] if u in styles else "#d9d9d9" for u in sample]
        assert sum(u in styles for u in sample) >= len(sample) - 2
    finally:
        map_host.session.close()


def test_city_outline_country_borders_seats_and_credits_on_the_real_demo(bounded, qtbot) -> None:
    """Skopje's ten are areas, the City of Skopje a dashed line over them; the six country
    borders are drawn; the units without a polygon are named; the boundaries are credited."""
    store = bounded.session.require_store()
    skopje, cair = (store.municipality_by_registry_id(r).uuid for r in ("mk-skopje", "mk-cair"))
    qtbot.waitUntil(lambda: len(js(qtbot, bounded, "RMProbe.borderIds()")) == 6, timeout=10000)
    assert sorted(js(qtbot, bounded, "RMProbe.borderIds()")) == ["AL", "BA", "ME", "MK", "RS", "XK"]
    assert skopje in js(qtbot, bounded, "RMProbe.outlineIds()")
    assert skopje not in bounded.feature.style.styles  # a line has no colour, and no legend count
    seats = js(qtbot, bounded, "RMProbe.seatsText()")
    content = bounded.feature.content()
    at_seat = drawn_units(content.units, content.geometry).seats  # Tuzi, Zeta, Stanari and review cases
    assert f"Without a boundary polygon ({len(at_seat)})" in seats
    assert all(n in seats for n in ("Tuzi", "Zeta", "Stanari")) and len(at_seat) < 10
    credits = js(qtbot, bounded, "RMProbe.creditsText()")
    assert "Boundaries: © OpenStreetMap contributors" in credits and "ODbL 1.0" in credits
    lines = bounded.feature.credits.lines  # one per source and licence, each once
    assert len(lines) == len(set(lines)) >= 5 and all(line in credits for line in lines)
    assert credits.startswith("Boundaries: ") and "geoBoundaries" in credits.split("▸")[0]  # the short line
    assert not _overlap(js(qtbot, bounded, "RMProbe.creditsRect()"),
                        js(qtbot, bounded, "RMProbe.columnRect()"))
    # a click inside Čair selects Čair: the city's line takes clicks only on itself
    for name in ("activities", "coverage", "scn", "labels"):
        bounded.feature.panel.set_layer_visible(name, False)
    bounded.session.select(cair, source="table")
    qtbot.waitUntil(lambda: js(qtbot, bounded, "RMProbe.zoom() >= 9 && RMProbe.idle()"), timeout=10000)
    bounded.session.select(None, source="table")
    assert js(qtbot, bounded, f"RMProbe.clickAt('{cair}')") == "CANVAS"
    qtbot.waitUntil(lambda: bounded.session.selection == cair, timeout=5000)
    bounded.session.select(skopje, source="table")  # the city itself: its line is outlined
    qtbot.waitUntil(lambda: js(qtbot, bounded, f"RMProbe.strokeOf('{skopje}')") == ["#e6550d", 3.5],
                    timeout=5000)


def test_boundary_import_brings_outline_borders_and_credits(map_host, qtbot, demo_project: Path,
                                                            shared_boundaries: Path) -> None:
    """The import guidance on an empty map; after an import (as the window's adapter reports
    it: BoundariesChanged) the outline, the borders and the import's credit follow."""
    from resilience_map.io.attribution import BoundaryCredit
    from resilience_map.io.boundary_import import apply_boundary_plan, plan_for_project
    from resilience_map.session import BoundariesChanged

    show_project(qtbot, map_host, demo_project)
    try:
        guide = js(qtbot, map_host, "RMProbe.guideText()")
        assert "No municipality has a boundary yet" in guide and "source and licence" in guide
        assert "File → Import boundaries…" in guide.split("More")[0]  # shown, not folded
        assert js(qtbot, map_host, "RMProbe.creditsText()") == ""
        assert js(qtbot, map_host, "RMProbe.borderIds()") == []
        assert js(qtbot, map_host, "RMProbe.seatsText()") == ""
        store = map_host.session.require_store()
        plan = plan_for_project(store, shared_boundaries / "MK_skopje_adm2.geojson")
        hostile = BoundaryCredit('<img src=x onerror="window.__pwned=1">Atlas', "CC BY 4.0")  # as typed
        change = apply_boundary_plan(store, plan, hostile, "Tester")
        with qtbot.waitSignal(map_host.feature.view.style_applied, timeout=10000):
            map_host.session.events.emit(BoundariesChanged(change.before, change.after))
        skopje = store.municipality_by_registry_id("mk-skopje").uuid
        qtbot.waitUntil(lambda: js(qtbot, map_host, "RMProbe.borderIds()") == ["MK"], timeout=10000)
        assert js(qtbot, map_host, "RMProbe.outlineIds()") == [skopje]
        credits = js(qtbot, map_host, "RMProbe.creditsText()")
        assert f"Boundaries: {hostile.source} (CC BY 4.0)" in credits  # shown as text, never run
        assert js(qtbot, map_host, "document.querySelectorAll('.rm-credits img').length") == 0
        assert js(qtbot, map_host, "window.__pwned === undefined")
        assert js(qtbot, map_host, "RMProbe.guideText()") == ""  # boundaries exist
        seats = js(qtbot, map_host, "RMProbe.seatsText()")  # the other ~480: counted, with the advice
        assert "Without a boundary polygon (" in seats and "File → Import boundaries…" in seats
    finally:
        map_host.session.close()
