"""Connects the project, the layer panel and the map page.

It reads the project once per change (through :class:`ProjectStore`), lets the
Qt-free ``maps`` package compute what to draw, and sends it to the page.
Restyles send only colours and the legend; the page is never reloaded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import QObject, QSettings, Signal

from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    PreventionStructure,
    StudyWave,
)
from resilience_map.maps.activities import activity_period, visible_activities
from resilience_map.maps.choropleth import ChoroplethStyle, build_choropleth, index_values
from resilience_map.maps.features import MapFeatures, build_features
from resilience_map.maps.map_data import load_message
from resilience_map.store import ProjectStore
from resilience_map.ui.layer_panel import LayerPanel
from resilience_map.ui.map_view import MapView


@dataclass
class ProjectSnapshot:
    """What the map needs from the project, read in one go."""

    units: list[Municipality] = field(default_factory=list)
    boundaries: dict = field(default_factory=dict)
    indicators: list[IndicatorDefinition] = field(default_factory=list)
    waves: list[StudyWave] = field(default_factory=list)
    values: list[IndicatorValue] = field(default_factory=list)
    structures: list[PreventionStructure] = field(default_factory=list)
    activities: list[HubActivity] = field(default_factory=list)
    synthetic_label: str = ""

    @classmethod
    def read(cls, store: ProjectStore) -> ProjectSnapshot:
        info = store.info()
        label = (store.meta("synthetic_label") or "Demo data – not study results") if info.synthetic_data else ""
        return cls(store.municipalities(), store.boundaries(), store.list(IndicatorDefinition),
                   store.list(StudyWave), store.list(IndicatorValue), store.list(PreventionStructure),
                   store.list(HubActivity), label)


class MapController(QObject):
    municipality_selected = Signal(str)
    activity_selected = Signal(str)
    restyled = Signal(float)  # milliseconds spent in Python for the last restyle

    def __init__(self, view: MapView, panel: LayerPanel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view, self.panel = view, panel
        self.snapshot = ProjectSnapshot()
        self.features: MapFeatures | None = None
        self.drawn_ids: list[str] = []
        self.value_index: dict = {}
        self.style: ChoroplethStyle | None = None
        self._restyles = 0
        self._connect()
        self._restore_preferences()

    def _connect(self) -> None:
        p, v = self.panel, self.view
        p.choropleth_changed.connect(self.restyle)
        p.visibility_changed.connect(lambda name, on: v.send({"op": "visibility", "layer": name, "visible": on}))
        p.order_changed.connect(lambda names: v.send({"op": "order", "layers": names}))
        p.opacity_changed.connect(lambda name, o: v.send({"op": "opacity", "layer": name, "opacity": o}))
        p.date_range_changed.connect(self.filter_activities)
        p.name_form_changed.connect(self._set_name_form)
        p.online_basemap_changed.connect(v.set_online_basemap)
        v.bridge.municipality_clicked.connect(self._on_map_click)
        v.bridge.activity_clicked.connect(self.highlight_activity)

    def _restore_preferences(self) -> None:
        form = QSettings().value("map/name_form", "latin")
        index = self.panel.name_form.findData(form)
        if index >= 0:
            self.panel.name_form.setCurrentIndex(index)
        self.view.send({"op": "nameForm", "form": self.panel.name_form.currentData()})

    def _set_name_form(self, form: str) -> None:
        QSettings().setValue("map/name_form", form)
        self.view.send({"op": "nameForm", "form": form})

    # --- project -----------------------------------------------------------------------------
    def set_project(self, store: ProjectStore | None, keep_view: bool = False) -> None:
        """Read everything the map shows and (re)load it into the page (data only: the
        page itself is never reloaded). ``keep_view`` keeps the user's zoom after an edit."""
        self.snapshot = ProjectSnapshot.read(store) if store is not None else ProjectSnapshot()
        s = self.snapshot
        self.features = build_features(s.units, s.boundaries)
        self.drawn_ids = [f["id"] for f in self.features.polygons["features"]] + [x["id"] for x in self.features.seats]
        self.value_index = index_values(s.values)
        self.panel.set_indicators(s.indicators, s.waves)
        periods = [activity_period(a) for a in s.activities]
        if periods and not keep_view:  # a new project: show all of its activities
            self.panel.set_date_span(min(p[0] for p in periods), max(p[1] for p in periods))
        message = load_message(s.units, s.boundaries, s.structures, s.activities, s.synthetic_label, self.features)
        message["fit"] = not keep_view
        message["hidden"] = [name for name in self.panel.layer_order() if not self.panel.is_layer_visible(name)]
        self.view.send(message)
        self.restyle()
        if keep_view:  # after an edit: keep the user's date filter
            self.filter_activities(*self.panel.date_range())

    def restyle(self) -> None:
        """Recompute colours and legend and send them: no page reload."""
        started = time.perf_counter()
        settings = self.panel.choropleth_settings()
        s = self.snapshot
        if settings is None:
            self.view.send({"op": "style", "styles": {}, "legend": None})
            return
        indicator = next((i for i in s.indicators if i.uuid == settings.indicator_uuid), None)
        if indicator is None:
            return
        try:
            self.style = build_choropleth(settings, indicator, s.waves, self.value_index, self.drawn_ids,
                                          s.synthetic_label)
        except ValueError as exc:
            self.panel.show_message(str(exc))
            return
        self._restyles += 1
        self.view.send({"op": "style", "token": f"style-{self._restyles}", **self.style.to_json()})
        self.restyled.emit((time.perf_counter() - started) * 1000)

    def update_values(self, values: list[IndicatorValue]) -> None:
        """After an edit: new values, same geometry — restyle only."""
        self.snapshot.values = values
        self.value_index = index_values(values)
        self.restyle()

    # --- selection and filters ----------------------------------------------------------------------
    def select(self, uuid: str | None, zoom: bool = True) -> None:
        self.view.send({"op": "select", "id": uuid, "zoom": zoom})

    def _on_map_click(self, uuid: str) -> None:
        self.view.send({"op": "select", "id": uuid, "zoom": False})
        self.municipality_selected.emit(uuid)

    def filter_activities(self, start: date | None, end: date | None) -> list[str]:
        visible = visible_activities(self.snapshot.activities, start, end)
        self.view.send({"op": "activities", "visible": visible})
        return visible

    def highlight_activity(self, uuid: str) -> None:
        activity = next((a for a in self.snapshot.activities if a.uuid == uuid), None)
        ids = [p.municipality_uuid for p in activity.participants] if activity else []
        self.view.send({"op": "participants", "ids": ids, "activity": uuid})
        self.activity_selected.emit(uuid)
