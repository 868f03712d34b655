"""The exported HTML map: one file, drawn in QtWebEngine with every request recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_exports import HOSTILE, add_hostile_text
from tests_helpers import PROBE_JS

from resilience_map.exporting import ExportOptions, export_project

MAX_BYTES = 3 * 1024 * 1024


class Page:
    """A QWebEngineView on its own profile whose interceptor records every request."""

    def __init__(self, qtbot) -> None:
        from PySide6.QtWebEngineCore import (
            QWebEnginePage,
            QWebEngineProfile,
            QWebEngineUrlRequestInterceptor,
        )
        from PySide6.QtWebEngineWidgets import QWebEngineView

        class Recorder(QWebEngineUrlRequestInterceptor):
            def __init__(self) -> None:
                super().__init__()
                self.urls: list[str] = []

            def interceptRequest(self, info) -> None:
                self.urls.append(info.requestUrl().toString())

        self.qtbot = qtbot
        self.recorder = Recorder()
        self.profile = QWebEngineProfile()
        self.profile.setUrlRequestInterceptor(self.recorder)
        self.page = QWebEnginePage(self.profile)
        self.view = QWebEngineView()
        self.view.setPage(self.page)
        self.view.resize(1200, 800)
        qtbot.addWidget(self.view)
        self.view.show()

    def load(self, path: Path) -> None:
        from PySide6.QtCore import QUrl

        with self.qtbot.waitSignal(self.page.loadFinished, timeout=30000) as blocker:
            self.page.load(QUrl.fromLocalFile(str(path)))
        assert blocker.args == [True]

    def eval(self, script: str):
        """A JavaScript expression's value; ``RMProbe`` (tests/map_probe.js) is defined."""
        with self.qtbot.waitCallback(timeout=10000) as callback:
            self.page.runJavaScript(f"{PROBE_JS}\n;JSON.stringify({script})", 0, callback)
        text = callback.args[0]
        return json.loads(text) if text else None

    def close(self) -> None:
        self.view.setPage(None)
        self.page.deleteLater()
        self.page = None


def test_offline_map_draws_with_no_request_and_keeps_text_inert(qtbot, demo_bounded: Path,
                                                                 tmp_path: Path) -> None:
    add_hostile_text(demo_bounded)
    out = tmp_path / "map.html"
    export_project(demo_bounded, out, ExportOptions("html", names="local"))
    assert out.stat().st_size <= MAX_BYTES
    html = out.read_text(encoding="utf-8")
    assert "http://" not in html.split('id="rm-data"')[0].lower().replace("http://www.w3.org", "")
    page = Page(qtbot)
    try:
        page.load(out)
        qtbot.waitUntil(lambda: bool(page.eval("RMProbe.ready() && RMProbe.drawnCount() > 400")),
                        timeout=20000)
        assert page.eval("RMProbe.polygonCount()") >= 450
        legend = page.eval("RMProbe.legendText()")
        assert HOSTILE[4] in legend  # shown as text
        assert page.eval("window.pwned === undefined")
        assert page.eval("document.querySelectorAll('img[onerror]').length") == 0
        assert page.eval("document.querySelectorAll('script:not([type])').length") == 2  # Leaflet, ours
        body = page.eval("document.body.innerText")
        assert "Demo data – not study results" in body and "Boundaries: " in body and "OpenStreetMap" in body
        assert HOSTILE[4] in page.eval("document.querySelector('.leaflet-control-layers').textContent")
        # the app's own messages drew it: city outline, country borders, units at their seat
        skopje = _uuid(demo_bounded, "mk-skopje")
        assert skopje in page.eval("RMProbe.outlineIds()")
        assert sorted(page.eval("RMProbe.borderIds()")) == ["AL", "BA", "ME", "MK", "RS", "XK"]
        seats = page.eval("RMProbe.seatsText()")
        assert all(name in seats for name in ("Tuzi", "Zeta", "Stanari"))  # their local forms too
        assert "OpenStreetMap" in page.eval("RMProbe.creditsText()")
        kumanovo = _uuid(demo_bounded, "mk-kumanovo")
        popup = page.eval(f"RMProbe.popupText('{kumanovo}')")
        assert popup.startswith("Куманово") and "Demo data" in popup  # the chosen name form
        page.eval("document.querySelectorAll('.leaflet-control-layers-base input')[1].click()")
        qtbot.waitUntil(lambda: page.eval("RMProbe.indicator()") == "SCORE_CIVIC", timeout=5000)
        assert "Civic life satisfaction" in page.eval("RMProbe.legendText()")
    finally:
        page.close()
    schemes = {url.split(":", 1)[0] for url in page.recorder.urls}
    assert schemes <= {"file", "data"}, page.recorder.urls  # nothing left the file
    assert any(u.startswith("file:") for u in page.recorder.urls)


def _uuid(project: Path, registry_id: str) -> str:
    from resilience_map.store import ProjectStore

    with ProjectStore.open(project, read_only=True) as store:
        return store.municipality_by_registry_id(registry_id).uuid


def test_simplification_keeps_shared_borders(demo_bounded_template: Path) -> None:
    import shapely

    from resilience_map.maps.offline_page import simplified_boundaries
    from resilience_map.store import ProjectStore

    with ProjectStore.open(demo_bounded_template, read_only=True) as store:
        units, boundaries = store.municipalities(), store.boundaries()
    simple = simplified_boundaries(units, boundaries)
    before = sum(shapely.get_num_coordinates(list(boundaries.values())))
    after = sum(shapely.get_num_coordinates(list(simple.values())))
    assert after < 0.85 * before
    for country in ("AL", "RS", "XK"):  # coverages in the source stay coverages: no gaps, no overlaps
        ids = [u.uuid for u in units if u.country.value == country and u.uuid in simple
               and not any(v.parent_id == u.registry_id and v.uuid in simple for v in units)]
        assert shapely.coverage_is_valid([boundaries[i] for i in ids])
        assert shapely.coverage_is_valid([simple[i] for i in ids]), country


@pytest.mark.parametrize("names, expected",
                         [("latin", "Kumanovo"), ("en", "Kumanovo"), ("local", "Куманово")])
def test_payload_name_forms(demo_project: Path, names: str, expected: str) -> None:
    from resilience_map.io.exports.snapshot import ExportData
    from resilience_map.maps.offline_page import build_payload
    from resilience_map.store import ProjectStore

    with ProjectStore.open(demo_project, read_only=True) as store:
        data = ExportData.read(store, names=names, boundaries=True)
        uuid = store.municipality_by_registry_id("mk-kumanovo").uuid
    payload = json.loads(build_payload(data))
    by_op = {m["op"]: m for m in payload["messages"]}
    assert by_op["name_form"]["form"] == names and by_op["load"]["names"][uuid][names] == expected
    assert payload["offline"]["initial"] == "BRAVE14"
    assert len(by_op["load"]["seats"]) > 400 and by_op["load"]["seat_only"] == []  # no boundaries: seats
    assert by_op["borders"]["borders"]["features"] == [] and by_op["credits"]["lines"][-1].startswith("Map:")
    assert all(style["op"] == "style" for style in payload["styles"].values())
