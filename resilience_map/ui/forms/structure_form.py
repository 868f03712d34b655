"""Form for a prevention structure (CAT, prevention or safety council)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QGridLayout, QLineEdit, QPlainTextEdit, QWidget

from resilience_map.domain.enums import MemberSector, StructureStatus, StructureType
from resilience_map.domain.records import PreventionStructure
from resilience_map.session import ProjectSession
from resilience_map.ui.forms.base import RecordForm
from resilience_map.ui.widgets.not_known import DateField, EnumChoice, NumberEdit, YesNoUnknown


class SectorChecks(QWidget):
    """One box per member sector, in two columns so all ten fit without scrolling."""

    def __init__(self, chosen: tuple[MemberSector, ...] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        self.boxes: dict[MemberSector, QCheckBox] = {}
        for index, sector in enumerate(MemberSector):
            box = QCheckBox(sector.label)
            box.setChecked(sector in chosen)
            grid.addWidget(box, index // 2, index % 2)
            self.boxes[sector] = box

    def sectors(self) -> tuple[MemberSector, ...]:
        return tuple(s for s, box in self.boxes.items() if box.isChecked())


class StructureForm(RecordForm):
    """Add or edit one municipality's prevention structure."""

    record_type = PreventionStructure

    def __init__(self, session: ProjectSession, record: PreventionStructure | None = None,
                 municipality_uuid: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(session, record, parent)
        r = record or PreventionStructure(municipality_uuid=municipality_uuid or "",
                                          structure_type=StructureType.CAT)
        self.add_municipality_field(record.municipality_uuid if record else municipality_uuid)
        self.structure_type = self.add_field("structure_type", "Type", EnumChoice(StructureType,
                                                                                  r.structure_type))
        self.name = self.add_field("name", "Name", QLineEdit(r.name))
        self.name.setPlaceholderText("optional, e.g. the council's official name")
        self.status = self.add_field("status", "Status", EnumChoice(StructureStatus, r.status))
        self.established = self.add_field("established", "Established", DateField(r.established))
        self.legal_basis = self.add_field("legal_basis", "Legal basis", QLineEdit(r.legal_basis))
        self.sectors = self.add_field("member_sectors", "Member sectors", SectorChecks(r.member_sectors))
        self.member_count = self.add_field("member_count", "Members", NumberEdit(r.member_count,
                                                                                 field="member_count",
                                                                    integer=True, optional=True))
        self.referral_role = self.add_field("referral_role", "Referral role", YesNoUnknown(r.referral_role))
        self.action_plan = self.add_field("action_plan", "Action plan", YesNoUnknown(r.action_plan))
        self.dedicated_budget = self.add_field("dedicated_budget", "Dedicated budget",
                                               YesNoUnknown(r.dedicated_budget))
        self.notes = self.add_field("notes", "Notes", QPlainTextEdit(r.notes))
        self.notes.setMinimumHeight(90)

    def read_fields(self) -> dict[str, Any]:
        return {
            "municipality_uuid": self.municipality_uuid(),
            "structure_type": self.structure_type.value(),
            "name": self.name.text().strip(),
            "status": self.status.value(),
            "established": self.established.value(),
            "legal_basis": self.legal_basis.text().strip(),
            "member_sectors": self.sectors.sectors(),
            "member_count": self.member_count.read(),
            "referral_role": self.referral_role.value(),
            "action_plan": self.action_plan.value(),
            "dedicated_budget": self.dedicated_budget.value(),
            "notes": self.notes.toPlainText().strip(),
        }
