"""The window's File → Export… action: opens the dialog on the window's session."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow

from resilience_map.session import ProjectSession
from resilience_map.ui.shell.reporter import STATUS_MS


class ProjectExporter(QObject):
    """Opens :class:`~resilience_map.ui.exports.dialog.ExportDialog` (window-modal) and says
    in the status bar where the export was written."""

    def __init__(self, session: ProjectSession, window: QMainWindow) -> None:
        super().__init__(window)
        self.session, self.window = session, window
        self.dialog = None

    def export_dialog(self):
        from resilience_map.ui.exports.dialog import ExportDialog

        if self.session.store is None:
            return None
        self.dialog = ExportDialog(self.session, self.window)
        self.dialog.exported.connect(lambda text: self.window.statusBar().showMessage(text, STATUS_MS))
        self.dialog.open()
        return self.dialog
