"""What every step of the import wizard has: a title, a refresh from the state, a message line."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def message_label() -> QLabel:
    """A page's line for what stops it: red, wrapped, plain text (file text is never markup)."""
    label = QLabel()
    label.setObjectName("pageMessage")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("color: #a40000;")
    return label


class WizardPage(QWidget):
    title = ""

    def __init__(self) -> None:
        super().__init__()
        self.message = message_label()

    def refresh(self) -> None:
        """Show the wizard's current state."""
