"""The map feature: the map widget and its layer panel, kept in step with the session.

:class:`MapFeature` subscribes to the session's events itself and patches only what an
event touched: a value edit restyles only if the shown indicator and wave (or, in the
change view, its previous wave) changed; a structure edit replaces that municipality's
symbols; a name edit its label; a boundary import reloads geometry, keeping the view, and
sends the new country borders and boundary credits. The page is never reloaded. A
click on the map selects through the session, so the table and the profile follow;
the map outlines every selection and zooms to those made elsewhere.

The main window only places ``feature.view`` (central widget) and ``feature.panel``
(Layers dock). Print maps (File → Export map…) are drawn by the native renderer from
the panel's choices (:meth:`print_choices`), not grabbed from this page.

What the map says when it has little to show is split with the window: the map's own
guide speaks about boundaries (where they come from, how to import and credit them);
an empty or missing project is the window's to guide, with buttons (``ui.shell.guide``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QWidget

from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    PreventionStructure,
    Record,
    StudyWave,
)
from resilience_map.io.attribution import import_guidance_lines
from resilience_map.maps import map_data
from resilience_map.maps import protocol as p
from resilience_map.maps.activities import activity_period, date_label, visible_activities
from resilience_map.maps.choropleth import ChoroplethSettings, ChoroplethStyle, build_choropleth, shown_keys
from resilience_map.maps.guide import guide_for
from resilience_map.maps.map_data import MapGeometry, drawn_units
from resilience_map.session import (
    BoundariesChanged,
    MetaChanged,
    ProjectClosed,
    ProjectOpened,
    ProjectSession,
    RecordsChanged,
    SelectionChanged,
)
from resilience_map.store.credits import IMPORT_KEY_PREFIX
from resilience_map.ui.map.content import MapContent, boundary_credits, synthetic_label
from resilience_map.ui.map.panel import LayerPanel
from resilience_map.ui.map.view import MapView

log = logging.getLogger(__name__)
SOURCE = "map"  # how this feature names itself in SelectionChanged
#: After a project's first frame is acknowledged, time for the window to show it before
#: the borders (up to a second of work the first time) hold the event loop.
BORDERS_DELAY_MS = 50


class MapFeature(QObject):
    """The map of the session's project: ``view`` for the window's centre, ``panel`` for a dock."""

    #: The opened project is on screen: its first choropleth (or its guide) was drawn.
    ready = Signal()
    #: Something to tell the user in the status bar (e.g. a new activity hidden by the dates).
    notice = Signal(str)
    activity_selected = Signal(str)
    restyled = Signal(float)  # milliseconds Python spent on the last restyle
    #: The page applied a style: the map now shows the values as they are (any restyle, not
    #: only the first; benchmarks and tests wait on it).
    style_shown = Signal()

    def __init__(self, session: ProjectSession, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.view = MapView(parent)
        self.panel = LayerPanel()
        self.geometry = MapGeometry()
        self.label = ""
        self.credits = p.ShowCredits([])  # "Boundaries: SOURCE (LICENCE)" of the polygons drawn
        self.style: ChoroplethStyle | None = None
        self._restyles = 0
        self._ready_token: str | None = None
        self._borders_when_drawn = False
        #: True from a (re)load until its country borders are sent.
        self.borders_pending = False
        events = session.events
        self._unsubscribe: list[Callable[[], None]] = [
            events.subscribe(ProjectOpened, lambda e: self._open(e.info.synthetic_data)),
            events.subscribe(ProjectClosed, lambda _e: self._close()),
            events.subscribe(RecordsChanged, self._on_records),
            events.subscribe(BoundariesChanged, self._on_boundaries),
            events.subscribe(MetaChanged, self._on_meta),
            events.subscribe(SelectionChanged, self._on_selection),
        ]
        self._connect()
        self._restore_preferences()
        if session.store is not None:  # made for a session that is already open
            self._open(session.store.info().synthetic_data)
        else:
            self._close()

    def _connect(self) -> None:
        panel, view = self.panel, self.view
        panel.choropleth_changed.connect(self.restyle)
        panel.visibility_changed.connect(lambda name, on: view.send(p.SetLayerVisible(name, on)))
        panel.order_changed.connect(lambda names: view.send(p.SetLayerOrder(names)))
        panel.opacity_changed.connect(lambda name, o: view.send(p.SetLayerOpacity(name, o)))
        panel.date_range_changed.connect(self.filter_activities)
        panel.name_form_changed.connect(self._set_name_form)
        panel.online_basemap_changed.connect(view.set_online_basemap)
        view.unit_clicked.connect(lambda uuid: self.session.select(uuid, source=SOURCE, zoom=False))
        view.activity_clicked.connect(self.highlight_activity)
        view.style_applied.connect(self._on_style_applied)

    def _restore_preferences(self) -> None:
        index = self.panel.name_form.findData(QSettings().value("map/name_form", "latin"))
        if index >= 0:
            self.panel.name_form.setCurrentIndex(index)
        self.view.send(p.SetNameForm(self.panel.name_form.currentData()))

    def _set_name_form(self, form: str) -> None:
        QSettings().setValue("map/name_form", form)
        self.view.send(p.SetNameForm(form))

    def dispose(self) -> None:
        """Stop listening to the session (the window is closing)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    # --- what is shown ------------------------------------------------------------------------
    def content(self) -> MapContent:
        return MapContent.of(self.session, self.geometry, self.label, self.credits)

    def _open(self, synthetic: bool) -> None:
        store = self.session.require_store()
        self.label = synthetic_label(self.session, synthetic)
        self.geometry = MapGeometry(store.boundaries())
        self._update_credits()
        indexes = self.session.indexes
        self.panel.set_indicators(indexes.indicators.all(), indexes.waves_in_order())
        periods = [activity_period(a) for a in indexes.activities.all()]
        if periods:  # a new project: show all of its activities
            self.panel.set_date_span(min(s for s, _e in periods), max(e for _s, e in periods))
        self.panel.show_activity_note("")
        self.style = None
        self._ready_token = self._reload(fit=True, after_open=True)

    def _close(self) -> None:
        self.geometry = MapGeometry()
        self.style = None
        self.credits = p.ShowCredits([])
        self.panel.set_indicators([], [])
        self.view.send(map_data.load_project([], self.geometry, [], []))
        self.view.send(map_data.borders([], self.geometry))
        self.view.send(self.credits)
        self.view.send(p.ApplyStyle({}, None))
        self.view.send(p.ShowGuide())  # no project: the window's guide says what to do

    def _reload(self, fit: bool, after_open: bool = False) -> str | None:
        """Send geometry, names, symbols and colours in one message, so the page draws the
        coloured map in one go; returns the colours' token (None: they could not be made and
        the page keeps its previous ones)."""
        indexes = self.session.indexes
        style = self._style_message(after_open)
        units = indexes.municipalities.all()
        self.view.send(map_data.load_project(
            units, self.geometry, indexes.structures.all(), indexes.activities.all(),
            self.label, hidden=self.panel.hidden_layers(), fit=fit, style=style,
            seat_note=" ".join(self._boundary_advice(units))))
        # the borders after the coloured areas: their union takes about a second the first time
        # a set of boundaries is seen (then it is cached), so a project's first frame never waits
        self.borders_pending = True
        self._borders_when_drawn = after_open and style is not None
        if not self._borders_when_drawn:
            QTimer.singleShot(0, self._send_borders)
        self.filter_activities(*self.panel.date_range())
        self._update_guide()
        if self.session.selection:  # the page forgets the selection with the old geometry
            self.view.send(p.Select(self.session.selection, zoom=False))
        return style.token if style else None

    def _send_borders(self) -> None:
        self.borders_pending = False
        units = self.session.indexes.municipalities.all() if self.session.store is not None else []
        self.view.send(map_data.borders(units, self.geometry))

    def _update_credits(self) -> None:
        """Read the boundary credits (a few settings rows) and show them in the attribution."""
        self.credits = boundary_credits(self.session, self.geometry)
        self.view.send(self.credits)

    def _boundary_advice(self, units: list[Municipality]) -> tuple[str, ...]:
        """The boundary import's advice while units are drawn at their seat (none when all
        have a polygon)."""
        seats = len(drawn_units(units, self.geometry).seats)
        with_polygon = sum(u.uuid in self.geometry.boundaries for u in units)
        return import_guidance_lines(with_polygon, with_polygon + seats) if seats else ()

    def _update_guide(self) -> None:
        indexes = self.session.indexes
        units = indexes.municipalities.all()
        guide = guide_for(len(units), len(self.geometry.boundaries),
                          boundary_advice=self._boundary_advice(units))
        self.view.send(p.ShowGuide(guide.title, list(guide.lines)) if guide else p.ShowGuide())

    def restyle(self) -> str | None:
        """Recompute colours and legend and send them (no page reload); returns the style's token."""
        message = self._style_message()
        if message is not None:
            self.view.send(message)
        return message.token if message else None

    def _style_message(self, after_open: bool = False) -> p.ApplyStyle | None:
        """Colours and legend for the panel's choice.

        A choice that cannot be drawn (bad manual breaks, a first wave in the change view)
        is explained in the panel and None returned: the map keeps its colours — except
        right after opening, where the old project's colours would be wrong: the map is
        then plain.
        """
        if self.session.store is None:
            return None
        started = time.perf_counter()
        choice = self.panel.choropleth_choice()
        content = self.content()
        try:
            if isinstance(choice, str):
                raise ValueError(choice)
            indicator = content.indicator(choice.indicator_uuid) if choice is not None else None
            if choice is None or indicator is None:
                style = ChoroplethStyle()
            else:
                style = build_choropleth(choice, indicator, content.waves, content.values,
                                         content.drawn_ids(), content.synthetic_label)
        except ValueError as exc:
            self.panel.show_message(_sentence(str(exc)))
            if not after_open:
                return None
            style = ChoroplethStyle()
        else:
            self.panel.show_message("")
        self.style = style
        self._restyles += 1
        message = p.ApplyStyle(token=f"style-{self._restyles}", **style.to_json())
        self.restyled.emit((time.perf_counter() - started) * 1000)
        return message

    def _on_style_applied(self, token: str) -> None:
        self.style_shown.emit()
        if token == self._ready_token:
            self._ready_token = None
            self.ready.emit()
        if self._borders_when_drawn:  # once the coloured map can be on screen
            self._borders_when_drawn = False
            QTimer.singleShot(BORDERS_DELAY_MS, self._send_borders)

    # --- changes from the session ----------------------------------------------------------------
    def _on_records(self, event: RecordsChanged) -> None:
        handlers: dict[type[Record], Callable[[RecordsChanged], None]] = {
            IndicatorValue: self._values_changed, IndicatorDefinition: self._framework_changed,
            StudyWave: self._framework_changed, PreventionStructure: self._structures_changed,
            HubActivity: self._activities_changed, Municipality: self._units_changed,
        }
        handler = handlers.get(event.record_type)
        if handler is not None and self.session.store is not None:
            handler(event)

    def _values_changed(self, event: RecordsChanged) -> None:
        touched = {(v.indicator_uuid, v.wave_uuid) for v in _all_states(event)
                   if isinstance(v, IndicatorValue) and not v.neighbourhood}
        settings = self.panel.choropleth_settings()
        if settings is not None and touched & shown_keys(settings, self.session.indexes.waves_in_order()):
            self.restyle()

    def _framework_changed(self, event: RecordsChanged) -> None:
        indexes = self.session.indexes
        self.panel.set_indicators(indexes.indicators.all(), indexes.waves_in_order())
        self.restyle()

    def _structures_changed(self, event: RecordsChanged) -> None:
        affected = {s.municipality_uuid for s in _all_states(event) if isinstance(s, PreventionStructure)}
        indexes = self.session.indexes
        units, structures = indexes.municipalities.all(), indexes.structures.all()
        self.view.send(map_data.patch_coverage(units, structures, affected))

    def _activities_changed(self, event: RecordsChanged) -> None:
        changed = [a for a in event.current() if isinstance(a, HubActivity)]
        visible = visible_activities(self.session.indexes.activities.all(), *self.panel.date_range())
        self.view.send(map_data.patch_activities(self.session.indexes.municipalities.all(), changed,
                                                 [a.uuid for a in event.removed], visible))
        if event.origin != "do":  # an undo or a synchronisation: the user did not just add it
            return
        hidden = [a for a in event.added if isinstance(a, HubActivity) and a.uuid not in visible]
        if hidden:
            self._say_hidden(hidden[0])

    def _say_hidden(self, activity: HubActivity) -> None:
        """A new activity the map does not draw says why, so nobody thinks it was not saved."""
        if activity.host_lat is None or activity.host_lon is None:
            text = (f"“{activity.title}” was saved but has no place on the map (no host municipality or "
                    f"position); it is listed in the profiles of its municipalities and under Records.")
        else:
            start, end = self.panel.date_range()
            text = (f"“{activity.title}” ({date_label(activity)}) is not shown: the map shows hub "
                    f"activities between {_day(start)} and {_day(end)}. Widen the dates under Layers "
                    f"to see it.")
        self.panel.show_activity_note(text)
        self.notice.emit(text)

    def _units_changed(self, event: RecordsChanged) -> None:
        pairs = [(b, a) for b, a in event.updated
                 if isinstance(b, Municipality) and isinstance(a, Municipality)]
        if event.added or event.removed or any(map_data.needs_reload(b, a) for b, a in pairs):
            self._reload(fit=False)
            return
        indexes = self.session.indexes
        self.view.send(map_data.patch_names(indexes.municipalities.all(), self.geometry,
                                            [a for _b, a in pairs],
                                            indexes.structures.all()))

    def _on_boundaries(self, event: BoundariesChanged) -> None:
        if self.session.store is None:
            return
        self.geometry.update(event.after)
        self._update_credits()  # an import records its source: the credits follow the polygons
        self._reload(fit=False)  # with colours: units may have moved between polygons and seats

    def _on_meta(self, event: MetaChanged) -> None:
        if event.key.startswith(IMPORT_KEY_PREFIX) and self.session.store is not None:
            self._update_credits()

    def _on_selection(self, event: SelectionChanged) -> None:
        """Outline every selection; zoom only to one made elsewhere (a click is already in view)."""
        self.view.send(p.Select(event.uuid, zoom=event.zoom and event.source != SOURCE))

    # --- activities ---------------------------------------------------------------------------------
    def filter_activities(self, start: date | None, end: date | None) -> list[str]:
        visible = visible_activities(self.session.indexes.activities.all(), start, end)
        self.view.send(p.ShowActivities(visible))
        return visible

    def highlight_activity(self, uuid: str) -> None:
        activity = self.session.indexes.activities.get(uuid)
        ids = [part.municipality_uuid for part in activity.participants] if activity else []
        self.view.send(p.HighlightParticipants(ids, uuid))
        self.activity_selected.emit(uuid)

    # --- what a print map shows (File → Export map…) ---------------------------------------------
    def can_export(self) -> bool:
        return self.session.store is not None and self.panel.choropleth_settings() is not None

    def print_choices(self) -> PrintChoices:
        """The panel's choices a print map starts from: colours, the layers shown, the name form."""
        return PrintChoices(self.panel.choropleth_settings(),
                            tuple(n for n in self.panel.layer_order() if self.panel.is_layer_visible(n)),
                            self.panel.name_form.currentData())


@dataclass(frozen=True)
class PrintChoices:
    """The map as the user set it up: ``settings`` None when no indicator map can be drawn."""

    settings: ChoroplethSettings | None
    layers: tuple[str, ...]  # page layer names shown, bottom → top
    name_form: str


def _all_states(event: RecordsChanged) -> list[Record]:
    """Every record state the event mentions: added, removed, and both sides of each update."""
    return [*event.added, *event.removed, *(r for pair in event.updated for r in pair)]


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")
