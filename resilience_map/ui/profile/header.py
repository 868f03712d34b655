"""The profile's header: names in every form, where the unit lies, its size, SCN membership."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from resilience_map.domain.records import Municipality
from resilience_map.ui.profile.widgets import DEMO_BADGE, plain_label


class ProfileHeader(QWidget):
    """Title, other name forms, place, facts, the demo-data badge and the Briefing… button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = plain_label(style="font-size: 15pt; font-weight: bold;")
        self.names = plain_label(style="color: #444;")
        self.place = plain_label()
        self.facts = plain_label()
        self.badge = plain_label(DEMO_BADGE, "background: #fff1c2; color: #7a4b00; border: 1px solid #e0b040;"
                                             " border-radius: 3px; padding: 2px 6px; font-weight: bold;")
        self.badge.setWordWrap(False)
        self.briefing_button = QPushButton("Briefing…")
        self.briefing_button.setObjectName("municipalityBriefing")
        self.briefing_button.setToolTip("A consultation briefing (PDF) on this municipality")
        self.briefing_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for widget in (self.title, self.names, self.place, self.facts):
            layout.addWidget(widget)
        row = QHBoxLayout()
        row.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignLeft)
        row.addStretch(1)
        row.addWidget(self.briefing_button)
        layout.addLayout(row)

    def show_unit(self, unit: Municipality | None, parent: Municipality | None, badge: str) -> None:
        self.badge.setText(badge)
        self.badge.setVisible(bool(badge))
        self.briefing_button.setEnabled(unit is not None)
        if unit is None:
            self.title.setText("No municipality selected")
            self.names.setText("Click a municipality on the map, or type its name in the search box at the top right.")
            self.place.clear()
            self.facts.clear()
            return
        self.title.setText(unit.name_latin)
        self.names.setText(" · ".join(n for n in unit.all_names() if n != unit.name_latin))
        self.place.setText(" · ".join(self._place_parts(unit, parent)))
        self.facts.setText("\n".join(self._facts(unit)))

    @staticmethod
    def _place_parts(unit: Municipality, parent: Municipality | None) -> list[str]:
        parts = [unit.country.label]
        if unit.entity:
            parts.append(unit.entity)
        if unit.region:
            parts.append(f"{unit.region} region")
        if parent is not None:
            parts.append(f"part of {parent.name_latin}")
        parts.append(unit.kind.label)
        return parts

    @staticmethod
    def _facts(unit: Municipality) -> list[str]:
        facts = []
        if unit.population is not None:
            year = f" ({unit.population_year} census)" if unit.population_year else ""
            facts.append(f"Population {unit.population:,}{year}")
        else:
            facts.append("Population not recorded")
        if unit.scn_member_since:
            facts.append(f"Strong Cities Network member since {unit.scn_member_since:%B %Y}")
        else:
            facts.append("Not recorded as a Strong Cities Network member")
        return facts
