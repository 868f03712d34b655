"""Briefing…: a consultation briefing (PDF) for a municipality, a country or an activity.

One dialog for the three: which country (for a country briefing), where to save — the
user's Documents folder is suggested — and whether restricted notes go in. They stay
out unless the box is ticked, and ticking it says what that means before anything is
written: each page that shows one is marked "Restricted".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QWidget,
)

from resilience_map.domain.enums import Country
from resilience_map.render.paths import suggested_path
from resilience_map.ui.outputs.save_dialog import SaveFileDialog, path_problem

RESTRICTED_WARNING = ("Restricted notes will be printed in full, and every page that shows one is marked "
                      "“Restricted”. Share this document only with people allowed to read them.")


@dataclass(frozen=True)
class BriefingChoice:
    """What to brief on and where: ``target`` municipality / country / activity; ``key`` the
    unit's registry id, the country code or the activity's id."""

    target: str
    key: str
    path: Path
    include_restricted: bool = False

    def request(self, project: Path) -> dict[str, object]:
        return {"kind": "briefing", "target": self.target, "key": self.key, "project": str(project),
                "include_restricted": self.include_restricted}


def briefing_name(subject: str) -> str:
    return f"Briefing {subject}"


class BriefingDialog(SaveFileDialog):
    """Subject (fixed, or a country to choose), file and the restricted-notes choice."""

    def __init__(self, target: str, key: str, subject: str, parent: QWidget | None = None,
                 countries: list[Country] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("briefingDialog")
        self.setWindowTitle("Country briefing" if target == "country" else f"Briefing: {subject}")
        self.target, self.key = target, key
        self._custom_path = False
        form = QFormLayout(self)
        self.country: QComboBox | None = None
        if target == "country":
            self.country = QComboBox()
            for country in countries or list(Country):
                self.country.addItem(country.label, country.value)
            self.country.setCurrentIndex(max(0, self.country.findData(key)))
            self.country.currentIndexChanged.connect(self._country_changed)
            subject = self.country.currentText()
            form.addRow("Country", self.country)
        else:
            self.subject = QLabel(subject)
            self.subject.setTextFormat(Qt.TextFormat.PlainText)  # titles are typed by users
            self.subject.setWordWrap(True)
            form.addRow("Briefing on", self.subject)
        self.add_file_row(form, suggested_path(briefing_name(subject), ".pdf", kind="briefing"), self._browse,
                          lambda _t: setattr(self, "_custom_path", True))
        self.restricted = QCheckBox("Include restricted notes")
        self.warning = QLabel(RESTRICTED_WARNING)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #8a1c00;")
        self.warning.hide()
        self.restricted.toggled.connect(self.warning.setVisible)
        form.addRow(self.restricted)
        form.addRow(self.warning)
        self.add_save_buttons(form)
        self.setMinimumWidth(460)

    def _country_changed(self) -> None:
        assert self.country is not None
        self.key = str(self.country.currentData())
        if not self._custom_path:
            self.path.setText(str(suggested_path(briefing_name(self.country.currentText()), ".pdf",
                                                 kind="briefing")))

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save briefing", self.path.text(),
                                              "PDF documents (*.pdf)")
        if name:
            self._custom_path = True
            self.path.setText(str(Path(name).with_suffix(".pdf")))

    def choice(self) -> BriefingChoice:
        path = Path(self.path.text().strip()).expanduser()
        return BriefingChoice(self.target, self.key, path.with_suffix(".pdf"), self.restricted.isChecked())

    def problem(self) -> str:
        return path_problem(self.path.text(), self.choice().path)
