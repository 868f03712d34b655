"""Synchronisation in the window: File → Synchronise…, the status-bar counts, Pending changes
and Conflicts.

Everything goes through :class:`Synchronisation` (Qt-free, shared with the command line):
every import, hub sync, revert and decision is one session step, and after every step —
an edit too — its :class:`SyncStatusChanged` updates the two status-bar buttons. The
buttons are the bottom docks' own toggles: "3 changes not sent" opens the Pending changes
list, "1 conflict" the Conflicts dock.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolButton

from resilience_map.session import ProjectClosed, ProjectOpened, ProjectSession
from resilience_map.session.synchronise import Synchronisation, SyncStatusChanged
from resilience_map.ui.events import follow
from resilience_map.ui.shell.layout import WindowLayout
from resilience_map.ui.shell.reporter import ErrorReporter
from resilience_map.ui.sync.conflicts import ConflictsView
from resilience_map.ui.sync.dialog import SynchroniseDialog
from resilience_map.ui.sync.pending import PendingView
from resilience_map.ui.sync.words import count

CONFLICT_STYLE = "QToolButton { color: #8a5a00; font-weight: bold; }"


class SyncFeature(QObject):
    """Creates the sync views, places them, and keeps the status-bar counts current."""

    def __init__(self, session: ProjectSession, reporter: ErrorReporter, layout: WindowLayout) -> None:
        super().__init__(layout.window)
        self.session, self.reporter, self.window = session, reporter, layout.window
        self.sync = Synchronisation(session)
        self.pending_view = PendingView(self.sync)
        self.conflicts_view = ConflictsView(self.sync)
        self.pending_dock = layout.add_bottom("Pending changes", "pendingDock", self.pending_view)
        self.conflicts_dock = layout.add_bottom("Conflicts", "conflictsDock", self.conflicts_view)
        self.pending_button: QToolButton = layout.buttons[self.pending_dock]
        self.conflicts_button: QToolButton = layout.buttons[self.conflicts_dock]
        self.pending_button.setToolTip("Changes of this copy not yet sent in a package or to a hub — "
                                       "click for the list (each can be reverted before it is sent)")
        self.conflicts_button.setToolTip("Values two copies changed differently — click to decide")
        self.conflicts_button.setStyleSheet(CONFLICT_STYLE)
        self.dialog: SynchroniseDialog | None = None
        self.status: SyncStatusChanged | None = None
        self.action = QAction("S&ynchronise…", self)  # File menu
        self.action.setToolTip("Exchange changes with a hub or through a package file")
        self.action.triggered.connect(self.open_dialog)
        follow(self, session, {SyncStatusChanged: self._on_status, ProjectOpened: self._on_opened,
                               ProjectClosed: lambda _e: self._show_counts(None)})
        self._show_counts(None)

    def open_dialog(self) -> SynchroniseDialog | None:
        """File → Synchronise… (one dialog, kept with its last result while the window lives)."""
        store = self.session.store
        if store is None or store.read_only:
            return None
        if self.dialog is None:
            self.dialog = SynchroniseDialog(self.sync, self.reporter, self.window)
        self.dialog.prepare()
        self.dialog.open()
        return self.dialog

    def _on_status(self, event: SyncStatusChanged) -> None:
        self._show_counts(event)

    def _on_opened(self, event: ProjectOpened) -> None:
        if event.info.read_only:  # a read-only copy sends nothing and decides nothing
            self._show_counts(None)

    def _show_counts(self, status: SyncStatusChanged | None) -> None:
        self.status = status
        self.action.setEnabled(status is not None)
        self.pending_button.setVisible(status is not None)
        self.conflicts_button.setVisible(status is not None and status.conflicts > 0)
        if status is None:
            return
        self.pending_button.setText(f"{count(status.pending, 'change')} not sent" if status.pending
                                    else "Nothing to send")
        self.conflicts_button.setText(count(status.conflicts, "conflict"))
