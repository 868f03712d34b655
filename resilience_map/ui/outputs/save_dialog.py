"""What the dialogs that write a file (Export map…, Briefing…) share: the file row, Save, and why not.

Both end the same way — the file to write with Browse… beside it, a line saying what is
wrong, Save and Cancel — and both refuse Save with a sentence, never a crash, when the
name is empty or the folder is missing. Written once so the two keep the same habits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton


def error_label() -> QLabel:
    """A red line, hidden until there is something to say."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #a40000;")
    label.hide()
    return label


def path_problem(typed: str, path: Path) -> str:
    """Why ``path`` (as ``typed`` in the file row) cannot be written ("" when it can)."""
    if not path.name or not typed.strip():
        return "Name the file to write."
    if not path.parent.is_dir():
        return f"The folder {path.parent} does not exist."
    return ""


class SaveFileDialog(QDialog):
    """A dialog whose Save writes a file: a subclass adds its rows and says :meth:`problem`."""

    path: QLineEdit
    message: QLabel
    save_button: QPushButton

    def add_file_row(self, form: QFormLayout, suggested: Path, browse: Callable[[], None],
                     edited: Callable[[str], object]) -> None:
        """The "File" row: ``suggested`` to start with, ``edited`` told of typing, Browse… calls ``browse``."""
        self.path = QLineEdit(str(suggested))
        self.path.textEdited.connect(edited)
        button = QPushButton("Browse…")
        button.clicked.connect(browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(button)
        form.addRow("File", row)

    def add_save_buttons(self, form: QFormLayout) -> None:
        """The line saying why not, then Save and Cancel."""
        self.message = error_label()
        form.addRow(self.message)
        standard = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(standard.Save | standard.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(standard.Save)
        form.addRow(buttons)

    def problem(self) -> str:
        """Why the dialog cannot save as filled in ("" when it can)."""
        raise NotImplementedError

    def accept(self) -> None:
        problem = self.problem()
        self.message.setText(problem)
        self.message.setVisible(bool(problem))
        if not problem:
            super().accept()
