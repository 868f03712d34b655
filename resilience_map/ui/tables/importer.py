"""The window's File → Import table… action: opens the wizard on the window's session."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from resilience_map.ui.tables.wizard import ImportTableWizard

from resilience_map.session import ProjectSession
from resilience_map.ui.shell.reporter import STATUS_MS


class TableImporter(QObject):
    """Opens :class:`~resilience_map.ui.tables.wizard.ImportTableWizard` (window-modal, so the
    map stays drawn) and reports the applied import in the status bar."""

    def __init__(self, session: ProjectSession, window: QMainWindow) -> None:
        super().__init__(window)
        self.session, self.window = session, window
        self.wizard: ImportTableWizard | None = None

    def import_dialog(self) -> None:
        """The menu action: the wizard, with the file chooser over it."""
        wizard = self.open_wizard()
        if wizard is not None:
            QTimer.singleShot(0, wizard.file_page.browse_dialog)

    def open_wizard(self, path: Path | None = None) -> ImportTableWizard | None:
        """The wizard on ``path`` (or on no file yet); None without a writable project."""
        from resilience_map.ui.tables.wizard import ImportTableWizard

        store = self.session.store
        if store is None or store.read_only:
            return None
        wizard = self.wizard = ImportTableWizard(self.session, self.window)
        wizard.imported.connect(lambda text: self.window.statusBar().showMessage(text, STATUS_MS))
        wizard.open()
        if path is not None:
            wizard.choose_file(path)
        return wizard
