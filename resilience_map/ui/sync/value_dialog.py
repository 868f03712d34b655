""""Another value…" for a conflict: typed in, checked like any edit of the field, refused in place.

The dialog stays open with the reason under the field when the value is refused ("Value 15
is outside the scale of Trust (0 to 10)"), so the user corrects it without starting again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

#: Decides with the typed text: None when done, else the sentence saying why not.
Decide = Callable[[str], "str | None"]


class AnotherValueDialog(QDialog):
    def __init__(self, record: str, field: str, hint: str, initial: str, decide: Decide,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("anotherValueDialog")
        self.setWindowTitle("Decide with another value")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._decide = decide
        intro = QLabel(f"{record}\n{field}: neither mine nor theirs — type the value to keep everywhere.",
                       self)
        intro.setWordWrap(True)
        self.edit = QLineEdit(initial, self)
        self.edit.selectAll()
        note = QLabel(hint, self)
        note.setStyleSheet("color: #555")
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #a40000; font-weight: bold")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.edit, note, self.error_label, buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(460)

    def accept(self) -> None:
        refused = self._decide(self.edit.text())
        if refused:
            self.error_label.setText(refused)
            return
        super().accept()
