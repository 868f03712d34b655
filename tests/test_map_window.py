"""The map in the main window, driven as a user would (real QWebEngineView, headless)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from tests_helpers import page_eval as js
from tests_helpers import page_run as run
from tests_helpers import wait_until_drawn

from resilience_map.domain.enums import ActivityType
from resilience_map.domain.records import HubActivity
from resilience_map.store import ProjectStore
from resilience_map.ui.main_window import MainWindow

XSS_NAME = '<img src=x onerror="window.__xss=1">'
XSS_TITLE = 'Workshop </script><script>window.__xss=2</script>'


def test_search_then_a_click_on_the_map_moves_one_selection(window: MainWindow, qtbot,
                                                            demo_bounded: Path) -> None:
    """Search "Kumanovo", then click Lipkovo on the map: table row, profile and outline all
    show Lipkovo (the outline used to stay on Kumanovo)."""
    window.open_project(demo_bounded)
    wait_until_drawn(qtbot, window)
    store = window.store
    kumanovo = store.municipality_by_registry_id("mk-kumanovo").uuid
    lipkovo = store.municipality_by_registry_id("mk-lipkovo").uuid
    window.search.setText("Kumanovo")
    assert window.selected_municipality_uuid() == kumanovo
    qtbot.waitUntil(lambda: js(qtbot, window, "RMProbe.selected()") == kumanovo, timeout=5000)
    qtbot.waitUntil(lambda: js(qtbot, window, "RMProbe.zoom() >= 9 && RMProbe.idle()"), timeout=10000)
    for name in ("activities", "coverage", "scn", "labels"):  # so the click lands on the area itself
        window.map_feature.panel.set_layer_visible(name, False)
    assert js(qtbot, window, f"RMProbe.clickAt('{lipkovo}')") == "CANVAS"
    qtbot.waitUntil(lambda: window.selected_municipality_uuid() == lipkovo, timeout=5000)
    assert window.session.selection == lipkovo
    assert window.profile.header.title.text() == "Lipkovo"
    qtbot.waitUntil(lambda: js(qtbot, window, "RMProbe.selected()") == lipkovo, timeout=5000)
    assert js(qtbot, window, f"RMProbe.strokeOf('{kumanovo}')")[0] != "#e6550d"


def test_hostile_text_never_executes(window: MainWindow, qtbot, demo_bounded: Path) -> None:
    with ProjectStore.open(demo_bounded) as store:
        unit = store.municipality_by_registry_id("mk-kumanovo")
        store.update(dataclasses.replace(unit, name_latin=XSS_NAME), "tester")
        store.add(HubActivity(title=XSS_TITLE, activity_type=ActivityType.WORKSHOP,
                              start_date=date(2023, 3, 1), host_place=XSS_NAME, host_lon=unit.seat_lon,
                              host_lat=unit.seat_lat), "tester")
    window.open_project(demo_bounded)
    wait_until_drawn(qtbot, window)
    window.session.select(unit.uuid, source="test")
    # shown literally
    qtbot.waitUntil(lambda: XSS_NAME in js(qtbot, window, "RMProbe.labels()"), timeout=10000)
    # click every activity marker as a user would; a popup opens for each
    run(qtbot, window, "window.__popups = Array.from(document.querySelectorAll('.rm-activity')).map((e) => {"
                       " e.click(); const t = document.querySelectorAll('.rm-popup-title');"
                       " return t.length ? t[t.length - 1].textContent : null; })")
    assert XSS_TITLE in js(qtbot, window, "window.__popups")
    assert js(qtbot, window, "typeof window.__xss") == "undefined"
    assert js(qtbot, window, "document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert window.profile.header.title.text() == XSS_NAME  # plain text, shown literally


def test_boundary_import_in_the_window_brings_outline_borders_and_credits(
        window: MainWindow, qtbot, demo_project: Path, shared_boundaries: Path) -> None:
    """File → Import boundaries (the window's adapter reports BoundariesChanged): the map
    draws Skopje's ten under the city's outline, North Macedonia's border, and credits the file."""
    window.open_project(demo_project)
    wait_until_drawn(qtbot, window)
    assert js(qtbot, window, "RMProbe.creditsText()") == ""
    plan = window.import_boundaries(shared_boundaries / "MK_skopje_adm2.geojson")
    dialog = window.boundaries.review_dialog if plan.pending() else window.boundaries.credit_dialog
    assert "Who's On First" in dialog.fields.source.text()  # the file's own credit, pre-filled
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    skopje = window.store.municipality_by_registry_id("mk-skopje").uuid
    qtbot.waitUntil(lambda: js(qtbot, window, "RMProbe.borderIds()") == ["MK"], timeout=20000)
    assert js(qtbot, window, "RMProbe.outlineIds()") == [skopje]
    assert "Who's On First" in js(qtbot, window, "RMProbe.creditsText()")
    assert js(qtbot, window, "RMProbe.guideText()") == ""
