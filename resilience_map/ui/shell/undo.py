"""Edit → Undo / Redo for the session's command stack.

The stack lives in the session (Qt-free, shared with the command line); these actions
only mirror it: their texts follow :class:`UndoStateChanged`, and triggering one asks
the session to undo or redo. A step the session refuses (its records were changed by
another writer since) is reported in one sentence and stays where it was, so the menu
keeps telling the truth. Each shortcut is registered exactly once — a key bound twice
makes Qt treat it as ambiguous and do nothing, which is how redo once failed from the
keyboard.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from resilience_map.session import ProjectSession, UndoStateChanged
from resilience_map.ui.events import follow
from resilience_map.ui.shell.reporter import ErrorReporter

UNDO_KEYS = ("Ctrl+Z",)
REDO_KEYS = ("Ctrl+Shift+Z", "Ctrl+Y")


def shortcuts(keys: tuple[str, ...]) -> list[QKeySequence]:
    """Key sequences, each once (platform defaults may list one twice)."""
    unique = dict.fromkeys(QKeySequence(k).toString() for k in keys)
    return [QKeySequence(k) for k in unique]


class UndoRedo(QObject):
    """The two actions, kept in step with the session's stack."""

    def __init__(self, session: ProjectSession, reporter: ErrorReporter, window: QWidget) -> None:
        super().__init__(window)
        self.session = session
        self.reporter = reporter
        self.undo_action = self._action(window, "&Undo", UNDO_KEYS, self.undo)
        self.redo_action = self._action(window, "&Redo", REDO_KEYS, self.redo)
        follow(self, session, {UndoStateChanged: self._on_state})
        self._on_state(UndoStateChanged(session.stack.undo_text, session.stack.redo_text))

    def _action(self, window: QWidget, text: str, keys: tuple[str, ...], slot: object) -> QAction:
        action = QAction(text, self)
        action.setShortcuts(shortcuts(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        window.addAction(action)  # the keys work wherever the focus is in the window
        return action

    def _on_state(self, event: UndoStateChanged) -> None:
        self.undo_action.setText(f"&Undo {event.undo_text}".rstrip())
        self.redo_action.setText(f"&Redo {event.redo_text}".rstrip())
        self.undo_action.setEnabled(bool(event.undo_text))
        self.redo_action.setEnabled(bool(event.redo_text))

    def undo(self) -> None:
        with self.reporter.guard("Undo not applied"):
            self.session.undo()

    def redo(self) -> None:
        with self.reporter.guard("Redo not applied"):
            self.session.redo()
