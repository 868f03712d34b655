"""Form for a study wave (one round of a resilience study)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QLineEdit, QPlainTextEdit, QWidget

from resilience_map.domain.records import StudyWave
from resilience_map.session import ProjectSession
from resilience_map.ui.forms.base import RecordForm
from resilience_map.ui.widgets.not_known import DateField, NumberEdit


class WaveForm(RecordForm):
    """Add or edit a study wave; "synthetic" marks invented data so views can say so."""

    record_type = StudyWave

    def __init__(self, session: ProjectSession, record: StudyWave | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(session, record, parent)
        self.name = self.add_field("name", "Name", QLineEdit(record.name if record else ""))
        self.name.setPlaceholderText("e.g. Kumanovo baseline, February 2020")
        self.start = self.add_field("start_date", "Fieldwork start",
                                    DateField(record.start_date if record else None,
                                                                             optional=False))
        self.end = self.add_field("end_date", "Fieldwork end",
                                  DateField(record.end_date if record else None))
        self.sample_size = self.add_field("sample_size", "Respondents",
                                          NumberEdit(record.sample_size if record else None,
                                                     field="sample_size", integer=True, optional=True))
        self.conducted_by = self.add_field("conducted_by", "Conducted by",
                                           QLineEdit(record.conducted_by if record else ""))
        self.synthetic = self.add_field("synthetic", "",
                                        QCheckBox("Synthetic (demo) data, not study results"))
        self.synthetic.setChecked(bool(record and record.synthetic))
        self.notes = self.add_field("notes", "Notes", QPlainTextEdit(record.notes if record else ""))
        self.notes.setMinimumHeight(70)

    def read_fields(self) -> dict[str, Any]:
        return {
            "name": self.name.text().strip(),
            "start_date": self.start.value(),
            "end_date": self.end.value(),
            "sample_size": self.sample_size.read(),
            "conducted_by": self.conducted_by.text().strip(),
            "synthetic": self.synthetic.isChecked(),
            "notes": self.notes.toPlainText().strip(),
        }
