"""The municipality profile: header plus Indicators / Structures / Activities / Notes tabs.

It shows the session's selected municipality (:class:`SelectionChanged`) and reads it
from the session's indexes — no query per keystroke or click. After a change it patches
one section, and only when the change concerns the unit on screen (a value of another
unit changes just the regional medians).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox, QTabWidget, QVBoxLayout, QWidget

from resilience_map.domain.kinds import kind_of
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    MunicipalityNote,
    PreventionStructure,
    Record,
    StudyWave,
)
from resilience_map.session import (
    ProjectClosed,
    ProjectOpened,
    ProjectSession,
    RecordsChanged,
    SelectionChanged,
    delete_records,
)
from resilience_map.ui.errors import STEP_REFUSALS, refusal
from resilience_map.ui.events import follow
from resilience_map.ui.forms import RecordForm
from resilience_map.ui.profile.header import ProfileHeader
from resilience_map.ui.profile.indicators import IndicatorsTab
from resilience_map.ui.profile.tabs import ActivitiesTab, NotesTab, StructuresTab, TableTab
from resilience_map.ui.profile.widgets import DEMO_BADGE, plain_label


class MunicipalityProfile(QWidget):
    """Everything the hub knows about the session's selected municipality."""

    #: Briefing… was asked for: the municipality's id, or an activity's (its Activities tab).
    briefing_requested = Signal(str)
    activity_briefing_requested = Signal(str)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("municipalityProfile")
        self.session = session
        self.uuid: str | None = None
        self.unit: Municipality | None = None
        self.badge = ""
        self.notes_by_uuid: dict[str, MunicipalityNote] = {}
        self.active_form: RecordForm | None = None
        #: Asks before deleting; tests replace it with ``lambda text: True``.
        self.confirm: Callable[[str], bool] = self._ask_confirmation
        #: Shows a form; window-modal and non-blocking, so the rest of the app stays drawn.
        self.open_form: Callable[[RecordForm], None] = lambda form: form.open()
        self._build()
        follow(self, session, {SelectionChanged: lambda e: self.show_municipality(e.uuid),
                               RecordsChanged: self._on_records, ProjectOpened: self._on_opened,
                               ProjectClosed: lambda _e: self._on_opened(None)})
        if session.store is not None:
            self.badge = DEMO_BADGE if session.store.info().synthetic_data else ""
        self.show_municipality(session.selection)

    def _build(self) -> None:
        self.header = ProfileHeader()
        self.header.briefing_button.clicked.connect(self._ask_briefing)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)  # slimmer tabs: all four fit a laptop-width dock
        self.indicators = IndicatorsTab(self)
        self.structures = StructuresTab(self)
        self.activities = ActivitiesTab(self)
        self.notes = NotesTab(self)
        for tab, title in ((self.indicators, "Indicators"), (self.structures, "Structures"),
                           (self.activities, "Activities"), (self.notes, "Notes")):
            self.tabs.addTab(tab, title)
        self.message = plain_label(style="color: #b00020;")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)

    # --- what is shown ------------------------------------------------------------------------
    def writable(self) -> bool:
        store = self.session.store
        return store is not None and not store.read_only

    def show_municipality(self, uuid: str | None) -> None:
        """Show one unit (None: the "nothing selected" state), read from the indexes."""
        self.message.hide()
        self.uuid = uuid
        self.unit = self.session.indexes.municipalities.get(uuid)
        self._show_header()
        self.tabs.setEnabled(self.unit is not None)
        self.tabs.setVisible(self.unit is not None)  # no empty tables and charts before a choice
        self.indicators.load()
        self._load_structures()
        self._load_activities()
        self._read_notes()
        self._load_notes()

    def _show_header(self) -> None:
        parent = None
        if self.unit is not None and self.unit.parent_id:
            parent = next((u for u in self.session.indexes.municipalities.all()
                           if u.registry_id == self.unit.parent_id), None)
        self.header.show_unit(self.unit, parent, self.badge)

    def _load_structures(self) -> None:
        mine = [s for s in self.session.indexes.structures.all() if s.municipality_uuid == self.uuid]
        self._load(self.structures, mine, 1)

    def _load_activities(self) -> None:
        indexes = self.session.indexes
        ids = indexes.activities_by_unit.get(self.uuid or "", set())
        mine: list[HubActivity] = []
        for uuid in ids:
            activity = indexes.activities.get(uuid)
            if isinstance(activity, HubActivity):
                mine.append(activity)
        mine.sort(key=lambda a: a.start_date, reverse=True)
        self._load(self.activities, mine, 2)

    def _read_notes(self) -> None:
        store = self.session.store
        found = store.list(MunicipalityNote, municipality_uuid=self.uuid) if store and self.uuid else []
        self.notes_by_uuid = {n.uuid: n for n in found}

    def _load_notes(self) -> None:
        notes = sorted(self.notes_by_uuid.values(), key=lambda n: n.noted_on or date.min, reverse=True)
        self._load(self.notes, notes, 3)

    def _load(self, tab: TableTab, records: Sequence[Record], index: int) -> None:
        tab.load(list(records) if self.unit is not None else [])
        base = self.tabs.tabText(index).split(" (")[0]
        self.tabs.setTabText(index, f"{base} ({len(tab.records)})" if self.unit is not None else base)

    # --- patching from events -------------------------------------------------------------------
    def _on_opened(self, event: ProjectOpened | None) -> None:
        self.badge = DEMO_BADGE if event is not None and event.info.synthetic_data else ""
        self.show_municipality(self.session.selection)

    def _on_records(self, event: RecordsChanged) -> None:
        kind = event.record_type
        if kind is IndicatorValue:
            self._patch_values(event)
        elif kind in (IndicatorDefinition, StudyWave):
            self.indicators.load()
        elif self.unit is None:
            return
        elif kind is Municipality and self.uuid in event.uuids():
            self.unit = self.session.indexes.municipalities.get(self.uuid)
            self._show_header()
        elif kind is PreventionStructure and self.uuid in _owners(event):
            self._load_structures()
        elif kind is HubActivity:
            self._patch_activities(event)
        elif kind is MunicipalityNote and self.uuid in _owners(event):
            self._patch_notes(event)

    def _patch_values(self, event: RecordsChanged) -> None:
        if self.unit is None:
            return
        changed = [v for v in _touched(event) if isinstance(v, IndicatorValue) and not v.neighbourhood]
        keys = {(v.indicator_uuid, v.wave_uuid) for v in changed}
        own = {(v.indicator_uuid, v.wave_uuid) for v in changed if v.municipality_uuid == self.uuid}
        if keys:
            self.indicators.patch(keys, own)

    def _patch_activities(self, event: RecordsChanged) -> None:
        takes_part = any(p.municipality_uuid == self.uuid for a in _touched(event)
                         for p in getattr(a, "participants", ()))
        if takes_part:
            self._load_activities()
        if self.notes.records and event.updated:
            self._load_notes()  # a note names its source activity

    def _patch_notes(self, event: RecordsChanged) -> None:
        for note in event.removed:
            self.notes_by_uuid.pop(note.uuid, None)
        for note in event.current():
            if getattr(note, "municipality_uuid", None) == self.uuid:
                self.notes_by_uuid[note.uuid] = note  # type: ignore[assignment]
            else:
                self.notes_by_uuid.pop(note.uuid, None)
        self._load_notes()

    # --- actions ----------------------------------------------------------------------------------
    def _ask_briefing(self) -> None:
        if self.uuid:
            self.briefing_requested.emit(self.uuid)

    def show_form(self, form: RecordForm) -> None:
        self.active_form = form
        self.open_form(form)

    def delete_records(self, records: Sequence[Record]) -> bool:
        """Delete after confirmation; a refusal (records still referring to it) is shown here."""
        what = kind_of(records[0]).count_label(len(records))
        if not self.confirm(f"Delete {what}? You can undo this with Edit → Undo."):
            return False
        try:
            self.session.do(delete_records(records))
        except STEP_REFUSALS as exc:
            self._say(f"Could not delete {what}: {refusal(exc)}")
            return False
        return True

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _ask_confirmation(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Delete", text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes


def _touched(event: RecordsChanged) -> Iterable[Record]:
    """Every state the event mentions: what was removed, and both sides of each update."""
    yield from event.removed
    for before, after in event.updated:
        yield before
        yield after
    yield from event.added


def _owners(event: RecordsChanged) -> set[str | None]:
    return {getattr(r, "municipality_uuid", None) for r in _touched(event)}
