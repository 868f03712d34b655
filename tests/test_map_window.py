"""The map in the main window, driven as a user would (real QWebEngineView, headless)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import mapclassify
import numpy as np
import pytest
from PySide6.QtCore import QDate

from resilience_map.domain.enums import ActivityType
from resilience_map.domain.records import HubActivity
from resilience_map.store import ProjectStore
from resilience_map.ui.main_window import MainWindow
from tests_helpers import page_eval as js, wait_until_drawn

XSS_NAME = '<img src=x onerror="window.__xss=1">'
XSS_TITLE = 'Workshop </script><script>window.__xss=2</script>'








@pytest.fixture
def opened(window: MainWindow, qtbot, demo_bounded: Path) -> MainWindow:
    assert window.open_project(demo_bounded)
    wait_until_drawn(qtbot, window)
    return window


def test_legend_matches_mapclassify_and_page_colours_match_legend(opened: MainWindow, qtbot) -> None:
    panel = opened.layer_panel
    panel.indicator.setCurrentIndex(panel.indicator.findText("Trust in institutions"))
    style = opened.map.style
    values = np.array([s["v"] for s in style.styles.values()])
    expected = mapclassify.Quantiles(values, k=5)
    assert [c.count for c in style.legend.classes] == [int(c) for c in expected.counts]
    assert [c.upper for c in style.legend.classes] == pytest.approx(list(expected.bins))
    legend_text = js(qtbot, opened, "RM.probe.legendText()")
    assert "Trust in institutions" in legend_text
    for c in style.legend.classes:
        assert f"({c.count})" in legend_text
    sample = list(style.styles)[::25]
    fills = js(qtbot, opened, f"{sample!r}.map(id => RM.probe.fillOf(id))")
    assert fills == [style.styles[u]["c"] for u in sample]


def test_restyle_does_not_reload_the_page(opened: MainWindow, qtbot) -> None:
    js(qtbot, opened, "window.__marker = 42")
    loads = []
    opened.map_view.loadFinished.connect(loads.append)
    panel = opened.layer_panel
    for i in range(panel.indicator.count()):
        panel.indicator.setCurrentIndex(i)
    panel.classes.setValue(7)
    qtbot.wait(200)
    assert js(qtbot, opened, "window.__marker") == 42 and loads == []
    assert len(opened.map.style.legend.classes) == 7


def test_clicking_a_municipality_on_the_map_selects_its_row(opened: MainWindow, qtbot) -> None:
    kumanovo = opened.store.municipality_by_registry_id("mk-kumanovo").uuid
    opened.map.select(kumanovo, zoom=True)  # bring it into view first
    qtbot.wait(600)
    opened.table.clearSelection()
    # hide the symbol layers so the click lands on the municipality itself
    for name in ("activities", "coverage", "scn", "labels"):
        opened.layer_panel.set_layer_visible(name, False)
    with qtbot.waitSignal(opened.map.municipality_selected, timeout=5000) as blocker:
        assert js(qtbot, opened, f"RM.probe.clickAt('{kumanovo}')") == "CANVAS"
    assert blocker.args == [kumanovo]
    assert opened.selected_municipality_uuid() == kumanovo
    assert opened.profile.header.title.text() == "Kumanovo"


def test_search_selects_and_zooms_the_map(opened: MainWindow, qtbot) -> None:
    start_zoom = js(qtbot, opened, "RM.probe.zoom()")
    opened.search.setText("Приштина")
    pristina = opened.store.municipality_by_registry_id("xk-prishtine").uuid
    assert opened.selected_municipality_uuid() == pristina
    qtbot.waitUntil(lambda: js(qtbot, opened, "RM.probe.selected()") == pristina, timeout=5000)
    qtbot.waitUntil(lambda: js(qtbot, opened, "RM.probe.zoom()") > start_zoom + 1, timeout=5000)
    lat, lon = js(qtbot, opened, "RM.probe.center()")
    assert abs(lat - 42.66) < 0.3 and abs(lon - 21.16) < 0.3


def test_date_filter_hides_activities_outside_the_range(opened: MainWindow, qtbot) -> None:
    panel = opened.layer_panel
    placed = [a for a in opened.map.snapshot.activities if a.host_lat is not None]
    # only activities whose page names the host have a place; online or unnamed venues have none
    assert len(placed) == 5
    assert len(js(qtbot, opened, "RM.probe.visibleActivities()")) == len(placed)
    panel.date_from.setDate(QDate(2023, 1, 1))
    panel.date_to.setDate(QDate(2023, 6, 30))
    visible = js(qtbot, opened, "RM.probe.visibleActivities()")
    titles = {a.uuid: a.title for a in opened.map.snapshot.activities}
    shown = sorted(titles[v] for v in visible)
    assert "National exchange of Community Action Teams in North Macedonia" in shown
    assert "Western Balkans Regional Hub Inaugural Workshop" in shown
    assert not any("2017" in t or "Durrës" in t for t in shown)
    assert "SCN Regional Practitioners' Workshop for the Western Balkans" not in shown
    assert "Strong Cities exchange in Elbasan" not in shown  # 2021


def test_selecting_an_activity_highlights_participants(opened: MainWindow, qtbot) -> None:
    workshop = next(a for a in opened.map.snapshot.activities if a.title.endswith("Inaugural Workshop"))
    opened.map.highlight_activity(workshop.uuid)
    qtbot.wait(100)
    participant = workshop.participants[1].municipality_uuid
    weight = js(qtbot, opened, f"(RM.probe.fillOf('{participant}'), 1)")
    assert weight == 1


def test_points_mode_without_boundaries(window: MainWindow, qtbot, demo_project: Path) -> None:
    window.open_project(demo_project)
    wait_until_drawn(qtbot, window)
    features = window.map.features
    assert features.polygons["features"] == [] and len(features.seats) >= 490
    styles = window.map.style.styles
    sample = [s["id"] for s in features.seats[::40]]
    fills = js(qtbot, window, f"{sample!r}.map(id => RM.probe.fillOf(id))")
    assert fills == [styles[u]["c"] if u in styles else "#d9d9d9" for u in sample]
    assert sum(u in styles for u in sample) >= len(sample) - 2


def test_interceptor_blocks_network_requests(opened: MainWindow, qtbot) -> None:
    js(qtbot, opened, "fetch('http://example.com/x.js').catch(() => 0); "
                      "var i = new Image(); i.src = 'https://tile.openstreetmap.org/1/1/1.png'; 1")
    qtbot.waitUntil(lambda: len(opened.map_view.interceptor.blocked) >= 2, timeout=5000)
    assert any("example.com" in u for u in opened.map_view.interceptor.blocked)
    assert any("openstreetmap" in u for u in opened.map_view.interceptor.blocked)


def test_online_basemap_lets_only_osm_tiles_through(opened: MainWindow, qtbot) -> None:
    opened.layer_panel.online.setChecked(True)
    interceptor = opened.map_view.interceptor
    interceptor.blocked.clear()
    js(qtbot, opened, "fetch('https://example.org/t').catch(() => 0); 1")
    qtbot.waitUntil(lambda: any("example.org" in u for u in interceptor.blocked), timeout=5000)
    assert not any("tile.openstreetmap.org" in u for u in interceptor.blocked)


def test_hostile_text_never_executes(window: MainWindow, qtbot, demo_bounded: Path) -> None:
    with ProjectStore.open(demo_bounded) as store:
        unit = store.municipality_by_registry_id("mk-kumanovo")
        store.update(dataclasses.replace(unit, name_latin=XSS_NAME), "tester")
        store.add(HubActivity(title=XSS_TITLE, activity_type=ActivityType.WORKSHOP, start_date=date(2023, 3, 1),
                              host_place=XSS_NAME, host_lon=unit.seat_lon, host_lat=unit.seat_lat), "tester")
    window.open_project(demo_bounded)
    wait_until_drawn(qtbot, window)
    window.map.select(unit.uuid, zoom=True)
    qtbot.wait(800)
    labels = js(qtbot, window, "Array.from(document.querySelectorAll('.rm-label')).map(e => e.textContent)")
    assert XSS_NAME in labels  # shown literally
    # click every activity marker as a user would; a popup opens for each
    popups = js(qtbot, window, "Array.from(document.querySelectorAll('.rm-activity')).map(e => {"
                               " e.click(); const t = document.querySelectorAll('.rm-popup-title');"
                               " return t.length ? t[t.length - 1].textContent : null; })")
    assert XSS_TITLE in popups
    assert js(qtbot, window, "typeof window.__xss") == "undefined"
    assert js(qtbot, window, "document.querySelectorAll('img[src=\"x\"]').length") == 0
    window.map.municipality_selected.emit(unit.uuid)
    assert window.profile.header.title.text() == XSS_NAME  # plain text, shown literally
