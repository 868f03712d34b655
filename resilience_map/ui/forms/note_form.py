"""Form for a need, priority or observation noted for a municipality."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QPlainTextEdit, QWidget

from resilience_map.domain.enums import NoteCategory
from resilience_map.domain.records import MunicipalityNote
from resilience_map.maps.activities import date_label
from resilience_map.session import ProjectSession
from resilience_map.ui.forms.base import RecordForm
from resilience_map.ui.widgets.not_known import DateField, EnumChoice, set_combo_data


class NoteForm(RecordForm):
    """Add or edit a note; "restricted" keeps it out of anything shared outside the hub."""

    record_type = MunicipalityNote

    def __init__(self, session: ProjectSession, record: MunicipalityNote | None = None,
                 municipality_uuid: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(session, record, parent)
        r = record
        self.add_municipality_field(r.municipality_uuid if r else municipality_uuid)
        self.category = self.add_field("category", "Category",
                                       EnumChoice(NoteCategory, r.category if r else NoteCategory.NEED))
        self.text = self.add_field("text", "Text", QPlainTextEdit(r.text if r else ""))
        self.text.setMinimumHeight(90)
        self.noted_on = self.add_field("noted_on", "Noted on", DateField(r.noted_on if r else None))
        if r is None:
            self.noted_on.set_value(date.today())
        self.source = self.add_field("source_activity_uuid", "Source activity", self._activities())
        set_combo_data(self.source, r.source_activity_uuid if r else None)
        self.restricted = self.add_field("restricted", "", QCheckBox("Restricted: for the hub team only"))
        self.restricted.setChecked(bool(r and r.restricted))

    def _activities(self) -> QComboBox:
        """Hub activities, newest first; a note need not come from one."""
        combo = QComboBox()
        combo.addItem("None", None)
        for activity in sorted(self.indexes.activities.all(), key=lambda a: a.start_date, reverse=True):
            combo.addItem(f"{date_label(activity)} – {activity.title}", activity.uuid)
        return combo

    def read_fields(self) -> dict[str, Any]:
        return {
            "municipality_uuid": self.municipality_uuid(),
            "category": self.category.value(),
            "text": self.text.toPlainText().strip(),
            "noted_on": self.noted_on.value(),
            "source_activity_uuid": self.source.currentData(),
            "restricted": self.restricted.isChecked(),
        }
