"""Errors at the window's boundary: one sentence, in a dialog and in the status bar."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox

from resilience_map.domain.validation import ValidationError
from resilience_map.ui.errors import USER_ERRORS, field_sentence, sentence

#: How long a message stays in the status bar (ms).
STATUS_MS = 15_000


class Outcome:
    """Whether a guarded action went through (False: its error was shown)."""

    ok = True


class ErrorReporter(QObject):
    """Shows what went wrong; :meth:`guard` is the one ``except`` for menu actions."""

    shown = Signal(str, str)  # title, sentence

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.last: tuple[str, str] | None = None

    def show(self, title: str, message: str) -> None:
        self.last = (title, message)
        self.window.statusBar().showMessage(message, STATUS_MS)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok,
                          self.window)
        box.setObjectName("errorBox")
        box.setTextFormat(Qt.TextFormat.PlainText)  # sentences quote names and titles users typed
        box.open()  # non-blocking, so scripted use and tests are never stuck
        self.shown.emit(title, message)

    @contextmanager
    def guard(self, title: str) -> Iterator[Outcome]:
        """Run a user's action; a failure the user can meet becomes a sentence, not a crash."""
        outcome = Outcome()
        try:
            yield outcome
        except ValidationError as exc:
            outcome.ok = False
            self.show(title, field_sentence(exc, ""))
        except USER_ERRORS as exc:
            outcome.ok = False
            self.show(title, sentence(exc))
