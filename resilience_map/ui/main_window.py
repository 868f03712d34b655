"""The main window: assembles the features around the map — docks, menus, status bar.

Nothing here wires one view to another. Every view talks to the window's
:class:`ProjectSession`: it asks for changes (``session.do``), for the selection
(``session.select``), and follows the session's events. This module only creates the
features, places them (:class:`WindowLayout`) and puts their actions into menus.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMainWindow, QMenu, QMessageBox

from resilience_map.domain.records import Municipality
from resilience_map.session import Backup, ProjectSession
from resilience_map.ui.boundaries.importer import BoundaryImporter
from resilience_map.ui.exports.feature import ProjectExporter
from resilience_map.ui.forms import ActivityForm, IndicatorForm, IndicatorValueForm, RecordForm, WaveForm
from resilience_map.ui.history.view import HistoryView
from resilience_map.ui.map import MapFeature
from resilience_map.ui.municipalities.finder import MunicipalityFinder
from resilience_map.ui.outputs.feature import Outputs
from resilience_map.ui.profile.view import MunicipalityProfile
from resilience_map.ui.records.view import RecordsView
from resilience_map.ui.shell.author import AuthorPrompt
from resilience_map.ui.shell.guide import GuideActions, GuideCard
from resilience_map.ui.shell.layout import WindowLayout, scrolling
from resilience_map.ui.shell.project_files import ProjectFiles
from resilience_map.ui.shell.reporter import ErrorReporter
from resilience_map.ui.shell.settings import backup_root, save_author, saved_author
from resilience_map.ui.shell.status import APP_TITLE, StatusSummary
from resilience_map.ui.shell.undo import UndoRedo
from resilience_map.ui.sync import SyncFeature
from resilience_map.ui.tables.importer import TableImporter

#: Width of the search box in the menu bar (room for "Prishtinë (Приштина) – Kosovo").
SEARCH_WIDTH = 420


class MainWindow(QMainWindow):
    """The map in the middle; profile and layers on the right; tables at the bottom, on demand."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(APP_TITLE)
        self.author_prompt = AuthorPrompt(self)
        self.session = ProjectSession(author=self.author_prompt, backup_root=backup_root())
        self.reporter = ErrorReporter(self)
        self.files = ProjectFiles(self.session, self.reporter, self)
        self.boundaries = BoundaryImporter(self.session, self.reporter, self)
        self.tables = TableImporter(self.session, self)
        self.exports = ProjectExporter(self.session, self)
        self.undo_redo = UndoRedo(self.session, self.reporter, self)
        self.active_form: RecordForm | None = None
        self._build_features()
        self._build_central()
        self._build_docks()
        self._build_menus()
        self.status = StatusSummary(self.session, self.finder, self)
        self.count_label = self.status.label
        self.layout_.finish()

    # --- construction ---------------------------------------------------------------------
    def _build_features(self) -> None:
        self.map_feature = MapFeature(self.session, self)
        self.map_feature.notice.connect(lambda text: self.statusBar().showMessage(text, 20_000))
        self.finder = MunicipalityFinder(self.session, self)
        self.search, self.table = self.finder.search.filter, self.finder.table
        self.model, self.proxy = self.finder.model, self.finder.proxy
        self.profile = MunicipalityProfile(self.session)
        self.records_view = RecordsView(self.session)
        self.history_view = HistoryView(self.session)
        self.outputs = Outputs(self.session, self.map_feature, self.reporter, self)
        self.profile.briefing_requested.connect(self.outputs.municipality_briefing_dialog)
        self.profile.activity_briefing_requested.connect(self.outputs.activity_briefing_dialog)
        self.records_view.activity_briefing_requested.connect(self.outputs.activity_briefing_dialog)

    def _build_central(self) -> None:
        actions = GuideActions(self.files.new_project_dialog, self.files.open_project_dialog,
                               lambda: self.open_form(WaveForm), lambda: self.open_form(IndicatorForm),
                               self.add_value)
        self.setCentralWidget(self.map_feature.view)
        self.guide = GuideCard(self.session, self.map_feature.view, actions)
        # the search box sits beside the menus: on a 768-pixel-high screen every row counts
        self.finder.search.filter.setMinimumWidth(SEARCH_WIDTH)
        self.menuBar().setCornerWidget(self.finder.search, Qt.Corner.TopRightCorner)

    def _build_docks(self) -> None:
        self.layout_ = layout = WindowLayout(self)
        self.profile_dock = layout.add_side("Municipality", "profileDock", scrolling(self.profile))
        self.layers_dock = layout.add_side("Map layers", "layersDock", scrolling(self.map_feature.panel))
        self.table_dock = layout.add_bottom("Municipalities", "municipalitiesDock", self.finder.table)
        self.records_dock = layout.add_bottom("Records", "recordsDock", self.records_view)
        self.history_dock = layout.add_bottom("History", "historyDock", self.history_view)
        self.sync = SyncFeature(self.session, self.reporter, layout)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action(file_menu, "&New project…", self.files.new_project_dialog,
                                       QKeySequence.StandardKey.New)
        self._action(file_menu, "&Open…", self.files.open_project_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(lambda: self.files.fill_recent_menu(self.recent_menu))
        file_menu.addSeparator()
        self.import_action = self._action(file_menu, "&Import boundaries…", self.boundaries.import_dialog)
        self.import_table_action = self._action(file_menu, "Import &table…", self.tables.import_dialog)
        self.export_action = self._action(file_menu, "E&xport…", self.exports.export_dialog)
        self.export_map_action = self._action(file_menu, "Export &map…", self.outputs.export_map_dialog)
        self.restore_backup_action = self._action(file_menu, "Restore a &backup copy…",
                                                  self.files.restore_backup_dialog)
        file_menu.addSeparator()
        file_menu.addAction(self.sync.action)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action, self.redo_action = self.undo_redo.undo_action, self.undo_redo.redo_action
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        self._action(edit_menu, "Your &name in the history…", self.change_author_dialog)
        records_menu = self.menuBar().addMenu("&Records")
        self.new_record_actions = [
            self._action(records_menu, "New hub &activity…", lambda: self.open_form(ActivityForm)),
            self._action(records_menu, "New study &wave…", lambda: self.open_form(WaveForm)),
            self._action(records_menu, "New &indicator…", lambda: self.open_form(IndicatorForm)),
        ]
        records_menu.addSeparator()
        self.country_briefing_action = self._action(records_menu, "&Country briefing…",
                                                    self.outputs.country_briefing_dialog)
        records_menu.addSeparator()
        self._action(records_menu, "&History of the selected municipality", self.show_selected_history)
        self._action(records_menu, "History of the whole &project", self.show_project_history)
        view_menu = self.menuBar().addMenu("&View")
        for dock in (*self.layout_.side, *self.layout_.bottom):
            view_menu.addAction(dock.toggleViewAction())
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About Resilience Map", self._about)
        for menu in (file_menu, records_menu):
            menu.aboutToShow.connect(self._update_actions)
        self._update_actions()

    def _action(self, menu: QMenu, text: str, slot: Any, shortcut: Any = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _update_actions(self) -> None:
        store = self.session.store
        writable = store is not None and not store.read_only
        for action in (self.import_action, self.import_table_action, self.restore_backup_action,
                       *self.new_record_actions):
            action.setEnabled(writable)
        for action in (self.export_action, self.export_map_action, self.country_briefing_action):
            action.setEnabled(store is not None)

    # --- what tests, scripts and the command line call --------------------------------------
    @property
    def store(self) -> Any:
        """The open project's store (None when no project is open)."""
        return self.session.store

    def open_project(self, path: Path) -> bool:
        return self.files.open_project(path)

    def new_project(self, path: Path) -> bool:
        return self.files.new_project(path)

    def restore_backup(self, backup: Backup) -> bool:
        return self.files.restore_backup(backup)

    def import_boundaries(self, path: Path, country: str | None = None) -> Any:
        return self.boundaries.import_file(path, country)

    def selected_municipality_uuid(self) -> str | None:
        return self.session.selection

    # --- actions ------------------------------------------------------------------------------
    def open_form(self, form_type: type[RecordForm], **kwargs: Any) -> RecordForm | None:
        """A record form for a new record (window-modal, so the map stays drawn)."""
        store = self.session.store
        if store is None or store.read_only:
            return None
        self.active_form = form_type(self.session, parent=self, **kwargs)
        self.active_form.open()
        return self.active_form

    def add_value(self) -> None:
        self.open_form(IndicatorValueForm, municipality_uuid=self.session.selection)

    def show_selected_history(self) -> None:
        if self.session.selection:
            self.history_view.show_record(Municipality, self.session.selection)
            self.layout_.show_bottom(self.history_dock)
        else:
            self.statusBar().showMessage("Select a municipality first (on the map or with the search box).",
                                         8000)

    def show_project_history(self) -> None:
        self.history_view.show_project()
        self.layout_.show_bottom(self.history_dock)

    def change_author_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "Your name", "Name recorded with your edits:",
                                        text=saved_author())
        if ok and name.strip():
            save_author(name)
            self.session.set_author(name)

    def _about(self) -> None:
        QMessageBox.about(self, "About Resilience Map",
                          "Resilience Map — municipalities, community-resilience indicators, "
                          "prevention structures and hub activities of the Strong Cities Network "
                          "Western Balkans Regional Hub. Works fully offline.")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.layout_.save()
        self.outputs.cancel()
        self.map_feature.dispose()
        self.session.close()
        super().closeEvent(event)
        self.map_feature.view.close()
