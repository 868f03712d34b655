"""The last question of a boundary import that needs no review: who made these boundaries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from resilience_map.ui.boundaries.credit_fields import CreditFields

if TYPE_CHECKING:
    from resilience_map.io.attribution import BoundaryCredit
    from resilience_map.io.matching import BoundaryImportPlan


class CreditDialog(QDialog):
    """What the file gives (the match summary) and its source and licence, before applying."""

    def __init__(self, plan: BoundaryImportPlan, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boundaryCreditDialog")
        self.setWindowTitle(f"Import boundaries — {file_name}")
        intro = QLabel(plan.summary())
        intro.setWordWrap(True)
        self.fields = CreditFields(plan.credit, file_name, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Import boundaries")
        self.fields.enable_when_complete(self.ok_button)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.fields)
        layout.addWidget(buttons)
        self.resize(640, self.sizeHint().height())

    def credit(self) -> BoundaryCredit | None:
        return self.fields.credit()
