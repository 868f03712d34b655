"""Form for a hub activity: what, when, where, and which municipalities took part."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

from resilience_map.domain.enums import ActivityType, ParticipationRole
from resilience_map.domain.records import ActivityParticipant, HubActivity, Municipality
from resilience_map.session import ProjectSession
from resilience_map.ui.forms.base import ListLineEdit, RecordForm
from resilience_map.ui.widgets.not_known import DateField, EnumChoice, NumberEdit, set_combo_data
from resilience_map.ui.widgets.picker import MunicipalityMultiPicker, MunicipalityPicker

PRECISIONS = (("day", "Exact day(s)"), ("month", "Month only"), ("year", "Year only"))
NO_HOST = "No host municipality (online or elsewhere)"


def host_of(activity: HubActivity | None) -> str | None:
    """The participant with the host role, if any."""
    if activity is None:
        return None
    return next((p.municipality_uuid for p in activity.participants
                 if p.role is ParticipationRole.HOST), None)


class ActivityForm(RecordForm):
    """Add or edit a hub activity; the host municipality also places it on the map."""

    record_type = HubActivity

    def __init__(self, session: ProjectSession, record: HubActivity | None = None,
                 participant_uuids: Iterable[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(session, record, parent)
        self.setMinimumWidth(1040)
        units = self.indexes.municipalities.all()
        self.units = {u.uuid: u for u in units}
        self._build_general(record)
        self.new_column()
        self._build_places(record, units, participant_uuids)

    def _build_general(self, r: HubActivity | None) -> None:
        self.title = self.add_field("title", "Title", QLineEdit(r.title if r else ""))
        self.activity_type = self.add_field("activity_type", "Type",
                                            EnumChoice(ActivityType, r.activity_type if r else None))
        self.start = self.add_field("start_date", "Start", DateField(r.start_date if r else None,
                                                                     optional=False))
        self.end = self.add_field("end_date", "End", DateField(r.end_date if r else None,
                                                               unknown_text="single day / not known"))
        self.precision = self.add_field("date_precision", "Date known to", QComboBox())
        for value, text in PRECISIONS:
            self.precision.addItem(text, value)
        set_combo_data(self.precision, r.date_precision if r else "day")
        self.participant_count = self.add_field("participant_count", "People taking part",
                                                NumberEdit(r.participant_count if r else None,
                                                           field="participant_count", integer=True,
                                                           optional=True))
        self.topics = self.add_field("topics", "Topics", ListLineEdit(r.topics if r else ()))
        self.partners = self.add_field("partners", "Partners", ListLineEdit(r.partners if r else ()))
        self.outcomes = self.add_field("outcomes", "Outcomes", QPlainTextEdit(r.outcomes if r else ""))
        self.outcomes.setMinimumHeight(80)
        self.source = self.add_field("source", "Source", QLineEdit(r.source if r else ""))
        self.source.setPlaceholderText("where this is documented (page, report, e-mail)")

    def _build_places(self, r: HubActivity | None, units: list[Municipality],
                      participant_uuids: Iterable[str]) -> None:
        host = host_of(r)
        self.host = self.add_field("host_municipality", "Host municipality",
                                   MunicipalityPicker(units, host, none_label=NO_HOST))
        self.host.list.setMaximumHeight(130)
        self.host_place = self.add_field(("host_place", "host_lon", "host_lat"), "Host place",
                                         QLineEdit(r.host_place if r else ""))
        self.host_place.setPlaceholderText("e.g. online, or a town that is not a municipality seat")
        self._auto_place = self.host_place.text() if host else ""
        self.host.chosen.connect(self._on_host_chosen)
        taking_part = [p.municipality_uuid for p in r.participants if p.municipality_uuid != host] if r \
            else list(participant_uuids)
        self.participants = self.add_field("participants", "Participating municipalities",
                                           MunicipalityMultiPicker(units, taking_part))
        self.participants.list.setMinimumHeight(190)

    def _on_host_chosen(self, uuid: str | None) -> None:
        """Fill the host place with the municipality's name unless the user typed another."""
        current = self.host_place.text()
        if current and current != self._auto_place:
            return
        self._auto_place = self.units[uuid].name_latin if uuid else ""
        self.host_place.setText(self._auto_place)

    def _host_fields(self) -> dict[str, Any]:
        """Host place and map position: the seat of the host municipality, if there is one."""
        place = self.host_place.text().strip()
        host = self.host.selected()
        if host is not None:
            unit = self.units[host]
            return {"host_place": place or unit.name_latin, "host_lon": unit.seat_lon,
                    "host_lat": unit.seat_lat}
        r = self.original
        if isinstance(r, HubActivity) and host_of(r) is None and r.host_place == place:
            return {"host_place": place, "host_lon": r.host_lon, "host_lat": r.host_lat}
        return {"host_place": place, "host_lon": None, "host_lat": None}

    def _participants(self) -> tuple[ActivityParticipant, ...]:
        host = self.host.selected()
        listed = [ActivityParticipant(municipality_uuid=host, role=ParticipationRole.HOST)] if host else []
        listed += [ActivityParticipant(municipality_uuid=u)
                   for u in self.participants.selected() if u != host]
        return tuple(listed)

    def read_fields(self) -> dict[str, Any]:
        return {
            "title": self.title.text().strip(),
            "activity_type": self.activity_type.value(),
            "start_date": self.start.value(),
            "end_date": self.end.value(),
            "date_precision": self.precision.currentData(),
            **self._host_fields(),
            "participant_count": self.participant_count.read(),
            "topics": self.topics.values(),
            "partners": self.partners.values(),
            "outcomes": self.outcomes.toPlainText().strip(),
            "source": self.source.text().strip(),
            "participants": self._participants(),
        }
