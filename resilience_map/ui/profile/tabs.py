"""The profile's record tabs: prevention structures, hub activities and notes of one unit.

Each tab shows a short table with Add / Edit / Delete under it and, for the selected
row, every detail wrapped below (a dock is narrow). A tab is filled from records the
profile hands it; it never reads the project itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from resilience_map.domain.enums import ParticipationRole
from resilience_map.domain.records import HubActivity, MunicipalityNote, PreventionStructure, Record
from resilience_map.maps.activities import date_label
from resilience_map.ui.forms import ActivityForm, NoteForm, RecordForm, StructureForm
from resilience_map.ui.profile.widgets import UNKNOWN, day_text, plain_label, record_table, text_item, yes_no

if TYPE_CHECKING:
    from resilience_map.ui.profile.view import MunicipalityProfile

#: Widest a column may grow before it is cut (long names would push the others away).
MAX_COLUMN = 240


class ProfileTab(QWidget):
    """A tab with Add / Edit / Delete buttons under its content."""

    record_type: type[Record]

    def __init__(self, profile: MunicipalityProfile) -> None:
        super().__init__(profile)
        self.profile = profile
        self.add_button = QPushButton("Add…")
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton("Delete")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.delete_button.clicked.connect(self.delete)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(4, 4, 4, 4)

    def add_buttons(self, *extra: QPushButton) -> None:
        row = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button, *extra):
            row.addWidget(button)
        row.addStretch(1)
        self.layout_.addLayout(row)

    def update_buttons(self) -> None:
        chosen = self.selected_records()
        writable = self.profile.writable()
        self.add_button.setEnabled(self.profile.unit is not None and writable)
        self.edit_button.setEnabled(len(chosen) == 1 and writable)
        self.delete_button.setEnabled(bool(chosen) and writable)

    # subclasses
    def selected_records(self) -> list[Record]:
        raise NotImplementedError

    def new_form(self) -> RecordForm:
        raise NotImplementedError

    def edit_form(self, record: Record) -> RecordForm:
        raise NotImplementedError

    # actions
    def add(self) -> None:
        if self.profile.unit is not None:
            self.profile.show_form(self.new_form())

    def edit(self) -> None:
        chosen = self.selected_records()
        if len(chosen) == 1:
            self.profile.show_form(self.edit_form(chosen[0]))

    def delete(self) -> None:
        chosen = self.selected_records()
        if chosen:
            self.profile.delete_records(chosen)


class TableTab(ProfileTab):
    """A tab listing records of one type in a table, one row per record."""

    headers: Sequence[str] = ()

    def __init__(self, profile: MunicipalityProfile) -> None:
        super().__init__(profile)
        self.table = record_table(self.headers)
        self.table.itemSelectionChanged.connect(self.update_buttons)
        self.table.doubleClicked.connect(lambda _: self.edit())
        self.detail = plain_label(style="color: #333;")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()  # long outcomes or notes scroll instead of stretching the dock
        scroll.setWidget(self.detail)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.layout_.addWidget(self.table, 3)
        self.layout_.addWidget(scroll, 2)
        self.add_buttons()
        self.records: list[Record] = []

    def load(self, records: list[Record]) -> None:
        """Fill the table, keeping the rows that were selected (by record id)."""
        keep = {r.uuid for r in self.selected_records()}
        self.records = records
        self.table.setRowCount(0)
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            for column, text in enumerate(self.cells(record)):
                self.table.setItem(row, column, text_item(text, record.uuid))
            if record.uuid in keep:
                self.table.selectRow(row)
        if records and not keep & {r.uuid for r in records}:
            self.table.selectRow(0)  # the details below the table are never empty without reason
        self.table.resizeColumnsToContents()
        for column in range(len(self.headers) - 1):
            if self.table.columnWidth(column) > MAX_COLUMN:
                self.table.setColumnWidth(column, MAX_COLUMN)
        self.update_buttons()

    def cells(self, record: Record) -> list[str]:
        raise NotImplementedError

    def describe(self, record: Record) -> list[str]:
        """Lines shown, wrapped, under the table for the selected record."""
        return [f"{h}: {c}" for h, c in zip(self.headers, self.cells(record), strict=False) if c]

    def update_buttons(self) -> None:
        super().update_buttons()
        chosen = self.selected_records()
        self.detail.setText("\n".join(self.describe(chosen[0])) if len(chosen) == 1 else
                            f"{len(chosen)} selected." if chosen else self.empty_text())

    def empty_text(self) -> str:
        if self.records or self.profile.unit is None:
            return "Select a row to see all its details."
        return f"None recorded for {self.profile.unit.name_latin} yet: Add… records one."

    def selected_records(self) -> list[Record]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.records[row] for row in rows if row < len(self.records)]

    def select_uuids(self, uuids: Sequence[str]) -> None:
        """Select rows by record id (tests and the main window use it to point at records)."""
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row, record in enumerate(self.records):
            if record.uuid in uuids:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)


class StructuresTab(TableTab):
    record_type = PreventionStructure
    headers = ("Type", "Status", "Established", "Member sectors", "Referral role", "Action plan",
               "Budget", "Name")

    def cells(self, s: PreventionStructure) -> list[str]:  # type: ignore[override]
        sectors = ", ".join(m.label for m in s.member_sectors) or UNKNOWN
        return [s.structure_type.label, s.status.label, day_text(s.established), sectors,
                yes_no(s.referral_role), yes_no(s.action_plan), yes_no(s.dedicated_budget), s.name]

    def describe(self, s: PreventionStructure) -> list[str]:  # type: ignore[override]
        lines = super().describe(s)
        if s.legal_basis:
            lines.append(f"Legal basis: {s.legal_basis}")
        if s.member_count is not None:
            lines.append(f"Members: {s.member_count}")
        return lines + ([s.notes] if s.notes else [])

    def new_form(self) -> RecordForm:
        return StructureForm(self.profile.session, municipality_uuid=self.profile.uuid, parent=self.profile)

    def edit_form(self, record: Record) -> RecordForm:
        return StructureForm(self.profile.session, record, parent=self.profile)  # type: ignore[arg-type]


class ActivitiesTab(TableTab):
    record_type = HubActivity
    headers = ("Date", "Title", "Type", "Role", "Host place")

    def add_buttons(self, *extra: QPushButton) -> None:
        self.briefing_button = QPushButton("Briefing…")
        self.briefing_button.setObjectName("activityBriefing")
        self.briefing_button.setToolTip("A briefing (PDF) on the selected activity's participating "
                                        "municipalities")
        self.briefing_button.clicked.connect(self.briefing)
        super().add_buttons(*extra, self.briefing_button)

    def update_buttons(self) -> None:
        super().update_buttons()
        self.briefing_button.setEnabled(len(self.selected_records()) == 1)

    def briefing(self) -> None:
        chosen = self.selected_records()
        if len(chosen) == 1:
            self.profile.activity_briefing_requested.emit(chosen[0].uuid)

    def cells(self, a: HubActivity) -> list[str]:  # type: ignore[override]
        role = next((p.role for p in a.participants if p.municipality_uuid == self.profile.uuid), None)
        return [date_label(a), a.title, a.activity_type.label,
                "Host" if role is ParticipationRole.HOST else "Participant", a.host_place]

    def describe(self, a: HubActivity) -> list[str]:  # type: ignore[override]
        lines = super().describe(a)
        names = self.profile.session.indexes
        others = [names.municipality_name(p.municipality_uuid) for p in a.participants
                  if p.municipality_uuid != self.profile.uuid]
        for label, items in (("With", others), ("Topics", a.topics), ("Partners", a.partners)):
            if any(items):
                lines.append(f"{label}: {', '.join(i for i in items if i)}")
        return lines + ([a.outcomes] if a.outcomes else [])

    def new_form(self) -> RecordForm:
        uuids = [self.profile.uuid] if self.profile.uuid else []
        return ActivityForm(self.profile.session, participant_uuids=uuids, parent=self.profile)

    def edit_form(self, record: Record) -> RecordForm:
        return ActivityForm(self.profile.session, record, parent=self.profile)  # type: ignore[arg-type]


class NotesTab(TableTab):
    record_type = MunicipalityNote
    headers = ("Category", "Noted on", "Source activity", "Restricted", "Text")

    def cells(self, n: MunicipalityNote) -> list[str]:  # type: ignore[override]
        source = self.profile.session.indexes.activities.get(n.source_activity_uuid)
        first_line = n.text.splitlines()[0] if n.text else ""
        return [n.category.label, day_text(n.noted_on),
                f"{date_label(source)} – {source.title}" if source else "",
                "Restricted" if n.restricted else "", first_line]

    def describe(self, n: MunicipalityNote) -> list[str]:  # type: ignore[override]
        return super().describe(n)[:-1] + [n.text]

    def new_form(self) -> RecordForm:
        return NoteForm(self.profile.session, municipality_uuid=self.profile.uuid, parent=self.profile)

    def edit_form(self, record: Record) -> RecordForm:
        return NoteForm(self.profile.session, record, parent=self.profile)  # type: ignore[arg-type]
