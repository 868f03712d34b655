"""TEMPORARY seam: today's map classes behind the interface of the coming ``ui.map.MapFeature``.

The map is being rebuilt (``resilience_map/ui/map/``) as a feature that subscribes to
the session itself. Until it lands, this adapter gives the window the same shape —
``view``, ``panel``, ``ready``, image export, the activity date range — and feeds the
current :class:`MapController` from the session's events and indexes instead of
re-reading the store. Switching to the new feature is a one-line change in
``main_window`` (``map_feature = MapFeature(session, self)``); then delete this file.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from platformdirs import user_cache_path
from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMainWindow

from resilience_map.domain.records import IndicatorValue
from resilience_map.maps.activities import activity_period
from resilience_map.maps.features import build_features
from resilience_map.maps.map_data import load_message
from resilience_map.session import (
    BoundariesChanged,
    ProjectClosed,
    ProjectOpened,
    ProjectSession,
    RecordsChanged,
    SelectionChanged,
)
from resilience_map.ui.errors import USER_ERRORS, sentence
from resilience_map.ui.events import follow
from resilience_map.ui.export_dialog import ExportImageDialog
from resilience_map.ui.layer_panel import LayerPanel
from resilience_map.ui.map_controller import MapController, ProjectSnapshot
from resilience_map.ui.map_export import export_map_image
from resilience_map.ui.map_snapshot import SnapshotError
from resilience_map.ui.map_view import MapView

SYNTHETIC_LABEL = "Demo data – not study results"


class LegacyMapFeature(QObject):
    """The map view and layer panel, following the session."""

    #: the first choropleth of a project is on screen
    ready = Signal()
    #: a restyle reached the page (the map shows the values as they are now)
    style_shown = Signal()
    #: an image export failed or succeeded: (title, sentence) for the window to show
    message = Signal(str, str)

    def __init__(self, session: ProjectSession, parent: QMainWindow) -> None:
        super().__init__(parent)
        self.session = session
        self.window = parent
        self._page_dir = tempfile.TemporaryDirectory(prefix="resilience-map-page-")
        self.view = MapView(Path(self._page_dir.name), parent,
                            cache_dir=user_cache_path("ResilienceMap", "StrongCitiesNetwork"))
        self.panel = LayerPanel()
        self.controller = MapController(self.view, self.panel, self)
        self.controller.municipality_selected.connect(
            lambda uuid: session.select(uuid, source="map", zoom=False))
        self._waiting_for_first_style = False
        self.view.bridge.style_applied.connect(self._on_style_applied)
        follow(self, session, {ProjectOpened: lambda _e: self._load(keep_view=False),
                               ProjectClosed: lambda _e: self._load(keep_view=False),
                               RecordsChanged: self._on_records,
                               BoundariesChanged: lambda _e: self._load(keep_view=True),
                               SelectionChanged: self._on_selection})

    # --- following the session -------------------------------------------------------------
    def _snapshot(self) -> ProjectSnapshot:
        store, ix = self.session.store, self.session.indexes
        if store is None:
            return ProjectSnapshot()
        synthetic = store.meta("synthetic_data") == "1"
        label = (store.meta("synthetic_label") or SYNTHETIC_LABEL) if synthetic else ""
        return ProjectSnapshot(ix.municipalities.all(), store.boundaries(), ix.indicators.all(),
                               ix.waves.all(),
                               ix.values.by_key, ix.structures.all(), ix.activities.all(), label)  # type: ignore[arg-type]

    def _load(self, keep_view: bool) -> None:
        """What ``MapController.set_project`` does, from the session instead of the store."""
        c = self.controller
        c.snapshot = s = self._snapshot()
        c.features = build_features(s.units, s.boundaries)
        c.drawn_ids = [f["id"] for f in c.features.polygons["features"]] + [x["id"] for x in c.features.seats]
        c.value_index = s.values  # type: ignore[assignment]  # the session's live index, patched per edit
        self.panel.set_indicators(s.indicators, s.waves)
        periods = [activity_period(a) for a in s.activities]
        if periods and not keep_view:  # a new project: show all of its activities
            self.panel.set_date_span(min(p[0] for p in periods), max(p[1] for p in periods))
        message = load_message(s.units, s.boundaries, s.structures, s.activities, s.synthetic_label,
                               c.features)
        message["fit"] = not keep_view
        message["hidden"] = [n for n in self.panel.layer_order() if not self.panel.is_layer_visible(n)]
        self.view.send(message)
        self._waiting_for_first_style = not keep_view and self.session.store is not None
        c.restyle()
        if keep_view:
            c.filter_activities(*self.panel.date_range())

    def _on_records(self, event: RecordsChanged) -> None:
        if event.record_type is IndicatorValue:
            settings = self.panel.choropleth_settings()
            touched = {getattr(v, "indicator_uuid", None) for v in (*event.removed, *event.current())}
            if settings is not None and settings.indicator_uuid in touched:
                self.controller.restyle()
            return
        self._load(keep_view=True)

    def _on_selection(self, event: SelectionChanged) -> None:
        if event.source != "map":  # a click on the map outlined the unit already
            self.controller.select(event.uuid, zoom=event.zoom)

    def _on_style_applied(self, _token: str) -> None:
        self.style_shown.emit()
        if self._waiting_for_first_style:
            self._waiting_for_first_style = False
            self.ready.emit()

    # --- what the window asks ----------------------------------------------------------------
    def activity_date_range(self) -> tuple[date, date] | None:
        """The dates between which hub activities are drawn (None: no project)."""
        return self.panel.date_range() if self.session.store is not None else None

    def export_image_dialog(self) -> None:
        store = self.session.store
        if store is None:
            return
        dialog = ExportImageDialog(store.path.with_suffix(".png"), self.window)
        if dialog.exec() == ExportImageDialog.DialogCode.Accepted:
            self.export_image(dialog.chosen_path(), scale=dialog.scale(),
                              whole_region=dialog.whole_region.isChecked())

    def export_image(self, path: Path, *, scale: int = 1, whole_region: bool = False) -> Path | None:
        """Save a PNG of the map as shown (current view, layers, names) or of the whole region."""
        settings = self.panel.choropleth_settings()
        store = self.session.store
        if store is None or settings is None:
            return None
        bounds = None if whole_region else self._current_bounds()
        hidden = tuple(n for n in self.panel.layer_order() if not self.panel.is_layer_visible(n))
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            out = export_map_image(self.controller.snapshot, settings, path, project_title=store.info().title,
                                   scale=scale, size=self.view.size(), bounds=bounds, hidden_layers=hidden,
                                   name_form=self.panel.name_form.currentData())
        except (SnapshotError, ValueError) as exc:
            self.message.emit("Map image not saved", str(exc))
            return None
        except USER_ERRORS as exc:
            self.message.emit("Map image not saved", sentence(exc))
            return None
        finally:
            QApplication.restoreOverrideCursor()
        self.window.statusBar().showMessage(f"Map image saved to {out}", 10_000)
        return out

    def _current_bounds(self) -> tuple[float, float, float, float] | None:
        result: list = []
        loop = QEventLoop()

        def answered(value: object) -> None:
            result.append(value)
            loop.quit()

        self.view.evaluate("RM.bounds()", answered)
        QTimer.singleShot(5000, loop.quit)
        if not result:  # an answer may already be there (page not ready: None at once)
            loop.exec()
        return tuple(result[0]) if result and result[0] else None

    def close(self) -> None:
        self.view.close()
