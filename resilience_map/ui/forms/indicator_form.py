"""Form for an indicator definition: what is measured, on which scale, which way is better."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from resilience_map.domain.enums import Polarity
from resilience_map.domain.records import IndicatorDefinition, Record
from resilience_map.domain.validation import ValidationError
from resilience_map.session import ProjectSession
from resilience_map.ui.forms.base import RecordForm
from resilience_map.ui.widgets.not_known import EnumChoice, NumberEdit


class IndicatorForm(RecordForm):
    """Add or edit an indicator; the code must be unique in the project."""

    record_type = IndicatorDefinition

    def __init__(self, session: ProjectSession, record: IndicatorDefinition | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(session, record, parent)
        r = record
        self.code = self.add_field("code", "Code", QLineEdit(r.code if r else ""))
        self.code.setPlaceholderText("short and unique, e.g. SCORE_TRUST")
        self.name = self.add_field("name", "Name", QLineEdit(r.name if r else ""))
        self.dimension = self.add_field("dimension", "Dimension", QLineEdit(r.dimension if r else ""))
        self.framework = self.add_field("framework", "Framework", QLineEdit(r.framework if r else ""))
        self.unit = self.add_field("unit", "Unit", QLineEdit(r.unit if r else ""))
        self.unit.setPlaceholderText("e.g. % of respondents, score, points")
        self.scale_min = self.add_field("scale_min", "Scale minimum",
                                        NumberEdit(r.scale_min if r else 0, field="scale_min"))
        self.scale_max = self.add_field("scale_max", "Scale maximum",
                                        NumberEdit(r.scale_max if r else 10, field="scale_max"))
        self.polarity = self.add_field("polarity", "Direction",
                                       EnumChoice(Polarity, r.polarity if r else Polarity.HIGHER_IS_BETTER))
        self.description = self.add_field("description", "Description",
                                          QPlainTextEdit(r.description if r else ""))
        self.description.setMinimumHeight(70)

    def read_fields(self) -> dict[str, Any]:
        return {
            "code": self.code.text().strip(),
            "name": self.name.text().strip(),
            "dimension": self.dimension.text().strip(),
            "framework": self.framework.text().strip(),
            "unit": self.unit.text().strip(),
            "scale_min": self.scale_min.read(),
            "scale_max": self.scale_max.read(),
            "polarity": self.polarity.value(),
            "description": self.description.toPlainText().strip(),
        }

    def check(self, record: Record) -> None:
        """Besides the record's rules: the store's unique code, said before it refuses."""
        record.validate()
        assert isinstance(record, IndicatorDefinition)
        clash = [i for i in self.indexes.indicators.all() if i.code == record.code and i.uuid != record.uuid]
        if clash:
            raise ValidationError("code", f"{record.code} is already the code of “{clash[0].name}”")
