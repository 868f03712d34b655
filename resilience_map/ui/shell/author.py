"""Who is editing: asked once, then kept in the user's preferences.

The project's history names the author of every edit so that changes from different
laptops can be told apart. The session asks its author policy the first time an edit
needs a name; this policy answers from preferences, or asks the user once.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QInputDialog, QWidget

from resilience_map.ui.shell.settings import save_author, saved_author

QUESTION = ("Your name is recorded with each edit in the project's history\n"
            "(so edits from different laptops can be told apart):")


class AuthorPrompt:
    """The session's author policy for the window (``ask`` is replaceable in tests)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent
        self.ask: Callable[[], str | None] = self._dialog

    def __call__(self) -> str | None:
        name = saved_author()
        if not name:
            name = (self.ask() or "").strip()
            if name:
                save_author(name)
        return name or None

    def _dialog(self) -> str | None:
        name, ok = QInputDialog.getText(self.parent, "Your name", QUESTION)
        return name if ok else None
