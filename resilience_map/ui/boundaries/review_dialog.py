"""Dialog where the user decides on boundary features the matcher would not guess."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from resilience_map.domain.names import fold
from resilience_map.domain.records import Municipality
from resilience_map.io.attribution import BoundaryCredit
from resilience_map.io.matching import BoundaryImportPlan, FeatureMatch
from resilience_map.ui.boundaries.credit_fields import CreditFields

SKIP = ""  # item data of the "do not import" choice

STATUS_WORDS = {
    "ambiguous": "Several municipalities have this name",
    "unmatched": "No municipality has this name",
    "conflict": "Another feature claims the same municipality",
    "suspect": "Name matches, but the place is far from that municipality",
}


def unit_label(unit: Municipality) -> str:
    """How a registry unit appears in the choice list: names plus where it is."""
    names = " · ".join(dict.fromkeys([unit.name_latin, unit.name_local]))
    where = ", ".join(p for p in (unit.region, unit.country.label) if p)
    return f"{names} — {where}"


def search_text(unit: Municipality) -> str:
    """Label plus folded name forms, so typing "visegrad" or "Вишеград" both complete."""
    folded = " ".join(dict.fromkeys(fold(n) for n in unit.all_names()))
    return f"{unit_label(unit)}   [{folded}]"


class UnitChooser(QComboBox):
    """Editable combo listing registry units; typing filters by any name form."""

    def __init__(self, match: FeatureMatch, units: Sequence[Municipality],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItem("— do not import this feature —", SKIP)
        by_id = {u.registry_id: u for u in units}
        first = [rid for rid in (*match.suggestions, *match.candidates) if rid in by_id]
        for rid in dict.fromkeys(first):
            hint = " (its seat lies inside this feature)" if rid in match.suggestions else ""
            self.addItem(unit_label(by_id[rid]) + hint, rid)
        for unit in sorted(units, key=lambda u: fold(u.name_latin)):
            self.addItem(search_text(unit), unit.registry_id)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(completer)
        self.setCurrentIndex(0)

    def chosen_id(self) -> str:
        return self.currentData() or SKIP

    def choose(self, registry_id: str) -> None:
        self.setCurrentIndex(max(0, self.findData(registry_id)))


class BoundaryReviewDialog(QDialog):
    """One row per feature needing a decision: assign it to a unit or skip it."""

    def __init__(self, plan: BoundaryImportPlan, units: Sequence[Municipality], source: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle(f"Review boundary matches — {source}")
        self.resize(980, 600)
        pending = plan.pending()
        country_units = [u for u in units if plan.country is None or u.country.value == plan.country]
        intro = QLabel(
            f"{plan.summary()}\n\nThe features below were not matched automatically, because "
            "guessing could put a boundary on the wrong municipality. Choose the municipality "
            "for each, or leave it as “do not import”.")
        intro.setWordWrap(True)
        self.table = QTableWidget(len(pending), 3, self)
        self.table.setHorizontalHeaderLabels(["Feature in the file", "Why it needs you", "Municipality"])
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.choosers: list[UnitChooser] = []
        by_id = {u.registry_id: u for u in units}
        for row, match in enumerate(pending):
            self.table.setItem(row, 0, _readonly_item(match.label))
            self.table.setItem(row, 1, _readonly_item(explain(match, by_id)))
            chooser = UnitChooser(match, country_units, self.table)
            self.table.setCellWidget(row, 2, chooser)
            self.choosers.append(chooser)
        self._pending = pending
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import boundaries")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.fields = CreditFields(plan.credit, source, self)
        self.fields.enable_when_complete(buttons.button(QDialogButtonBox.StandardButton.Ok))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.fields)
        layout.addWidget(buttons)

    def accept(self) -> None:
        """Write the user's choices into the plan before closing."""
        for match, chooser in zip(self._pending, self.choosers, strict=True):
            chosen = chooser.chosen_id()
            if chosen == SKIP:
                self.plan.skip(match.feature_index)
            else:
                self.plan.assign(match.feature_index, chosen)
        super().accept()

    def credit(self) -> BoundaryCredit | None:
        return self.fields.credit()


def explain(match: FeatureMatch, units: dict[str, Municipality]) -> str:
    """Why the feature needs the user, plus what the seats suggest (never applied unasked)."""
    why = STATUS_WORDS.get(match.status, match.status)
    text = f"{why}: {match.detail}" if match.detail else why
    hints = [units[rid].name_latin for rid in match.suggestions if rid in units]
    if hints:
        text += f". The seat of {' and '.join(hints)} lies inside this feature."
    return text


def _readonly_item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    item.setToolTip(text)
    return item
