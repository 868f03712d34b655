"""File menu work on whole projects: new, open, recent, and restoring a backup copy.

Opening goes through the session, which takes a backup copy each time a project is
opened for editing (the newest few are kept). A project that cannot be opened is
reported in one sentence and the open project stays open. Restoring offers only copies
that pass a check, verifies the chosen one before anything is closed, and reopens the
current project if the restore fails, so a bad copy never costs the user their work.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMenu

from resilience_map.io.project_setup import create_registry_project
from resilience_map.session import Backup, ProjectSession, restore_into, verified_backups
from resilience_map.ui.shell.reporter import ErrorReporter
from resilience_map.ui.shell.settings import RecentProjects, backup_root

PROJECT_FILTER = "Resilience Map projects (*.gpkg);;All files (*)"


class ProjectFiles(QObject):
    """Opens, creates and restores projects for the window's session."""

    def __init__(self, session: ProjectSession, reporter: ErrorReporter, window: QMainWindow) -> None:
        super().__init__(window)
        self.session = session
        self.reporter = reporter
        self.window = window
        self.recent = RecentProjects()

    # --- operations ---------------------------------------------------------------------------
    def open_project(self, path: Path) -> bool:
        """Open ``path`` in place of the current project; False (with a message) on failure."""
        with self.reporter.guard("Cannot open project") as outcome:
            self.session.open(path)
        if not outcome.ok:
            return False
        self.recent.add(Path(path))
        store = self.session.require_store()
        if store.migration_backup:
            self.window.statusBar().showMessage(
                f"Project upgraded; the original was kept as {store.migration_backup.name}", 10_000)
        return True

    def new_project(self, path: Path) -> bool:
        """A new project holding the region's municipality registry (and nothing else yet)."""
        with self.reporter.guard("Cannot create project") as outcome:
            author = self.session.author
            store = create_registry_project(path, title=path.stem, author=author, overwrite=True)
            self.session.adopt(store)
        if outcome.ok:
            self.recent.add(path)
        return outcome.ok

    def backups(self) -> list[Backup]:
        """Copies of the open project that can be restored, newest first."""
        store = self.session.store
        if store is None:
            return []
        self.session.wait_for_backup()  # the copy taken on opening belongs in the list
        return verified_backups(store.path, backup_root())

    def restore_backup(self, backup: Backup) -> bool:
        """Swap the open project for a verified backup copy; on failure the project stays open."""
        with self.reporter.guard("Backup not restored") as outcome:
            restore_into(self.session, backup, backup_root())
        if outcome.ok:
            self.window.statusBar().showMessage(
                f"Restored the copy taken on {backup.taken_at:%Y-%m-%d %H:%M}; the state before it was "
                "itself kept as a backup copy.", 15_000)
        return outcome.ok

    # --- dialogs -------------------------------------------------------------------------------
    def new_project_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self.window, "New project", "project.gpkg", PROJECT_FILTER)
        if name:
            self.new_project(Path(name).with_suffix(".gpkg"))

    def open_project_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self.window, "Open project", "", PROJECT_FILTER)
        if name:
            self.open_project(Path(name))

    def restore_backup_dialog(self) -> None:
        if self.session.store is None:
            return
        with self.reporter.guard("Backup copies not listed") as outcome:
            backups = self.backups()
        if not outcome.ok:
            return
        if not backups:
            self.reporter.show("No backup copies", "No backup copy of this project that could be restored "
                                                   "exists yet; one is taken each time it is opened.")
            return
        labels = [b.label for b in backups]
        label, ok = QInputDialog.getItem(self.window, "Restore a backup copy",
                                         "Replace the project with the checked copy taken on:", labels,
                                         0, False)
        if ok:
            self.restore_backup(backups[labels.index(label)])

    def fill_recent_menu(self, menu: QMenu) -> None:
        menu.clear()
        paths = self.recent.paths()
        if not paths:
            menu.addAction("(no recent projects)").setEnabled(False)
        for path in paths:
            action = menu.addAction(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_project(p))



