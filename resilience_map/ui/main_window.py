"""The main window: project menu, municipality table with search, status bar."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_path
from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from resilience_map.io.project_setup import create_registry_project
from resilience_map.store import ProjectError, ProjectStore
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    PreventionStructure,
    StudyWave,
)
from resilience_map.store.backups import list_backups, make_backup, restore_backup
from resilience_map.ui.editing import AUTHOR_KEY, ProjectEditor
from resilience_map.ui.forms import ActivityForm, IndicatorForm, WaveForm
from resilience_map.ui.history_view import HistoryView
from resilience_map.ui.profile_dock import MunicipalityProfile
from resilience_map.ui.records_view import RecordsView
from resilience_map.session import BoundariesChanged, ProjectSession, RecordsChanged, SelectionChanged
from resilience_map.ui.map import MapFeature
from resilience_map.ui.map.snapshot import SnapshotError
from resilience_map.ui.municipality_model import UUID_ROLE, MunicipalitySearchProxy, MunicipalityTableModel
from resilience_map.ui.settings import RecentProjects, author_name

if TYPE_CHECKING:  # geopandas and the matcher load only when boundaries are imported
    from resilience_map.io.matching import BoundaryImportPlan
    from resilience_map.ui.boundary_review import BoundaryReviewDialog

def backup_root() -> Path:
    """Where backup copies of projects live (the user's data folder, not beside the project)."""
    return user_data_path("ResilienceMap", "StrongCitiesNetwork") / "backups"


PROJECT_FILTER = "Resilience Map projects (*.gpkg);;All files (*)"
BOUNDARY_FILTER = ("Boundary files (*.gpkg *.geojson *.json *.shp *.zip *.fgb);;"
                   "All files (*)")


class MainWindow(QMainWindow):
    """Holds the open project; every change goes through :class:`ProjectStore`."""

    project_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.store: ProjectStore | None = None
        self.recent = RecentProjects()
        self.review_dialog: "BoundaryReviewDialog | None" = None
        self.active_form = None  # the record form opened from the Records menu, if any
        self.setWindowTitle("Resilience Map")
        self.model = MunicipalityTableModel(self)
        self.proxy = MunicipalitySearchProxy(self)
        self.proxy.setSourceModel(self.model)
        # Adapter until the rebuilt window (ui-shell) edits through the session: the window
        # opens the store, the session adopts it, and the editor's changes are published as
        # the session's events (see _publish_editor_change), which the map follows.
        self.session = ProjectSession(author=author_name)
        self.map = MapFeature(self.session, self)
        self.map_view = self.map.view
        self.layer_panel = self.map.panel
        self.setCentralWidget(self.map_view)
        self.session.events.subscribe(SelectionChanged, self._on_selection_changed)
        self.editor = ProjectEditor(self)
        self.profile = MunicipalityProfile(self.editor)
        self.records_view = RecordsView(self.editor)
        self.history_view = HistoryView(self.editor)
        self.editor.changed.connect(self._on_records_changed)
        self.editor.failed.connect(lambda message: self._error("Undo/redo not applied", message))
        self._build_docks()
        self._build_menus()
        self.map.notice.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.count_label = QLabel()
        self.statusBar().addPermanentWidget(self.count_label)
        self._restore_state()
        self._refresh()

    # --- construction ---------------------------------------------------------------

    def _build_docks(self) -> None:
        self.search = QLineEdit()
        self.search.setObjectName("municipalitySearch")
        self.search.setPlaceholderText("Find a municipality in any script or form: Prishtinë, Priština, Приштина, Çair…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        self.table = QTableView()
        self.table.setObjectName("municipalityTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection)
        table_box = QWidget()
        layout = QVBoxLayout(table_box)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        scroll = QScrollArea()
        scroll.setWidget(self.layer_panel)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # combos shrink instead
        self.layers_dock = self._dock("Layers", "layersDock", scroll, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.layers_dock.setMinimumWidth(self.layer_panel.minimumSizeHint().width() + 24)
        self.table_dock = self._dock("Municipalities", "municipalitiesDock", table_box, Qt.DockWidgetArea.BottomDockWidgetArea)
        profile_scroll = QScrollArea()  # small laptop screens: scroll rather than force a tall window
        profile_scroll.setWidget(self.profile)
        profile_scroll.setWidgetResizable(True)
        self.profile_dock = self._dock("Municipality profile", "profileDock", profile_scroll,
                                       Qt.DockWidgetArea.RightDockWidgetArea)
        self.records_dock = self._dock("Records", "recordsDock", self.records_view, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.history_dock = self._dock("History", "historyDock", self.history_view, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.table_dock, self.records_dock)
        self.tabifyDockWidget(self.records_dock, self.history_dock)
        self.table_dock.raise_()
        self.resizeDocks([self.table_dock], [230], Qt.Orientation.Vertical)  # the map gets the room
        self.resizeDocks([self.layers_dock, self.profile_dock], [345, 460], Qt.Orientation.Horizontal)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action(file_menu, "&New project…", self.new_project_dialog, QKeySequence.StandardKey.New)
        self._action(file_menu, "&Open…", self.open_project_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        self.import_action = self._action(file_menu, "&Import boundaries…", self.import_boundaries_dialog)
        self.export_image_action = self._action(file_menu, "&Export map image…", self.export_image_dialog)
        self.restore_backup_action = self._action(file_menu, "Restore a &backup copy…", self.restore_backup_dialog)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = self.editor.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
        self.redo_action = self.editor.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), *QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)])
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
        self._action(records_menu, "&History of the selected municipality", self.show_selected_history)
        self._action(records_menu, "History of the whole &project", self.show_project_history)
        view_menu = self.menuBar().addMenu("&View")
        for dock in (self.layers_dock, self.table_dock, self.profile_dock, self.records_dock, self.history_dock):
            view_menu.addAction(dock.toggleViewAction())
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About Resilience Map", self._about)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # --- project lifecycle ------------------------------------------------------------

    def open_project(self, path: Path) -> bool:
        """Open ``path``, replacing the current project; False (with a message) on failure.

        A backup copy is taken each time a project is opened for editing (the newest few
        are kept), so File → Restore a backup copy… can always go back to an earlier day.
        """
        store = None
        try:
            store = ProjectStore.open(path)
            if not store.read_only:
                make_backup(store.path, backup_root())
        except ProjectError as exc:
            if store is not None:  # opened, but no backup copy could be made (e.g. disk full)
                store.close()
            self._error("Cannot open project", str(exc))
            return False
        except OSError as exc:
            store.close()
            self._error("Cannot open project", f"No backup copy could be made ({exc}); the project was not opened.")
            return False
        self._set_store(store)
        if store.migration_backup:
            self.statusBar().showMessage(
                f"Project upgraded; the original was kept as {store.migration_backup.name}", 10000)
        return True

    def new_project(self, path: Path) -> bool:
        try:
            store = create_registry_project(path, title=path.stem, author=author_name(), overwrite=True)
        except (ProjectError, OSError) as exc:
            self._error("Cannot create project", str(exc))
            return False
        self._set_store(store)
        return True

    def _set_store(self, store: ProjectStore) -> None:
        old, self.store = self.store, store
        self.editor.set_store(store)  # views read through the editor: point them away first
        if old is not None and old is not self.session.store:
            old.close()
        self.recent.add(store.path)
        self._refresh()
        self.session.adopt(store)  # the map loads the project from the session's event
        self.profile.show_municipality(None)
        self.records_view.refresh()
        self.history_view.show_project()
        self.project_changed.emit()

    def _refresh(self) -> None:
        has_project = self.store is not None
        self.import_action.setEnabled(has_project and not self.store.read_only)
        self.export_image_action.setEnabled(has_project)
        self.restore_backup_action.setEnabled(has_project and not self.store.read_only)
        for action in self.new_record_actions:
            action.setEnabled(has_project and not self.store.read_only)
        if self.store is None:
            self.model.set_municipalities([], set())
            self.setWindowTitle("Resilience Map")
            self._update_counts()
            return
        self.model.set_municipalities(self.store.municipalities(), set(self.store.boundaries()))
        info = self.store.info()
        suffix = " [read-only]" if info.read_only else ""
        self.setWindowTitle(f"{info.title} — Resilience Map{suffix}")
        self._update_counts()

    def _on_records_changed(self, record_type: type, uuids: list) -> None:
        """After any edit (or undo/redo): refresh the views; the map restyles in place."""
        if self.store is None:
            return
        self._publish_editor_change(record_type, uuids)
        if record_type is Municipality:
            self.model.set_municipalities(self.store.municipalities(), set(self.store.boundaries()))
        self.profile.refresh()
        self._update_counts()

    def _publish_editor_change(self, record_type: type, uuids: list) -> None:
        """Tell the session's subscribers what the editor changed, as a session command would."""
        store = self.store
        after = {r.uuid: r for r in (store.find(record_type, u) for u in uuids) if r is not None}
        before = self._indexed_states(record_type, uuids)
        event = RecordsChanged(record_type,
                               added=tuple(r for u, r in after.items() if u not in before),
                               updated=tuple((before[u], r) for u, r in after.items() if u in before),
                               removed=tuple(r for u, r in before.items() if u not in after))
        self.session.indexes.apply(event)
        self.session.events.emit(event)

    def _indexed_states(self, record_type: type, uuids: list) -> dict:
        """The records as the session's indexes still hold them (before the editor's change)."""
        indexes = self.session.indexes
        if record_type is IndicatorValue:
            wanted = set(uuids)
            return {uuid: IndicatorValue(uuid=uuid, municipality_uuid=unit, indicator_uuid=key[0],
                                         wave_uuid=key[1], value=value)
                    for unit, cells in indexes.values.by_unit.items()
                    for key, (uuid, value) in cells.items() if uuid in wanted}
        tables = {Municipality: indexes.municipalities, PreventionStructure: indexes.structures,
                  HubActivity: indexes.activities, IndicatorDefinition: indexes.indicators,
                  StudyWave: indexes.waves}
        table = tables.get(record_type)
        return {u: r for u in uuids if table is not None and (r := table.get(u)) is not None}

    def _update_counts(self) -> None:
        if self.store is None:
            self.count_label.setText("No project open — File → New or Open")
            return
        info = self.store.info()
        parts = [f"{self.proxy.rowCount()} of {self.model.rowCount()} municipalities shown",
                 f"{info.boundaries} with a boundary",
                 f"{info.counts['hub_activities']} hub activities",
                 f"{info.counts['prevention_structures']} prevention structures"]
        if info.synthetic_data:
            parts.append("Demo data – not study results")
        self.count_label.setText("  ·  ".join(parts))

    # --- search ---------------------------------------------------------------------------

    def _on_search(self, text: str) -> None:
        self.proxy.set_query(text)
        self._update_counts()
        if self.proxy.rowCount() == 1:
            self.table.selectRow(0)

    def _on_table_selection(self) -> None:
        uuid = self.selected_municipality_uuid()
        self.session.select(uuid, source="table")
        self.profile.show_municipality(uuid)

    def _on_selection_changed(self, event: SelectionChanged) -> None:
        """A selection made elsewhere (a click on the map): the table follows."""
        if event.source == "table" or event.uuid is None:
            return
        uuid = event.uuid
        row = self.model.row_of(uuid)
        if row < 0:
            return
        proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not proxy_index.isValid():  # filtered out by the search: clear the search first
            self.search.clear()
            proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().select(
            proxy_index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(proxy_index)

    def selected_municipality_uuid(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(UUID_ROLE) if rows else None

    # --- boundary import -------------------------------------------------------------------

    def import_boundaries(self, path: Path, country: str | None = None) -> "BoundaryImportPlan | None":
        """Match a file; apply at once if nothing needs review, else open the review dialog."""
        from resilience_map.io.boundaries import BoundaryFileError
        from resilience_map.io.boundary_import import plan_for_project
        from resilience_map.ui.boundary_review import BoundaryReviewDialog

        if self.store is None:
            return None
        try:
            plan = plan_for_project(self.store, path, country)
        except (BoundaryFileError, ProjectError, OSError) as exc:
            self._error("Cannot import boundaries", str(exc))
            return None
        if not plan.pending():
            self._apply_plan(plan, path)
            return plan
        self.review_dialog = BoundaryReviewDialog(plan, self.store.municipalities(), path.name, self)
        self.review_dialog.accepted.connect(lambda: self._apply_plan(plan, path))
        self.review_dialog.open()
        return plan

    def _apply_plan(self, plan: "BoundaryImportPlan", path: Path) -> None:
        from resilience_map.io.boundary_import import apply_plan

        before = self.store.boundaries()
        try:
            saved = apply_plan(self.store, plan, author_name(), path.name)
        except ProjectError as exc:
            self._error("Boundaries not saved", str(exc))
            return
        after = self.store.boundaries()
        changed = [u for u, g in after.items() if u not in before or before[u].wkb != g.wkb]
        changed += [u for u in before if u not in after]
        self.session.events.emit(BoundariesChanged({u: before.get(u) for u in changed},
                                                   {u: after.get(u) for u in changed}))
        self._refresh()
        self.project_changed.emit()
        self.statusBar().showMessage(f"{saved} boundaries saved from {path.name}. {plan.summary()}", 15000)

    # --- dialogs ----------------------------------------------------------------------------

    def new_project_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "New project", "project.gpkg", PROJECT_FILTER)
        if name:
            self.new_project(Path(name).with_suffix(".gpkg"))

    def open_project_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open project", "", PROJECT_FILTER)
        if name:
            self.open_project(Path(name))

    def import_boundaries_dialog(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Import municipality boundaries", "", BOUNDARY_FILTER)
        for name in names:
            self.import_boundaries(Path(name))

    def export_image_dialog(self) -> None:
        self.map.export_image_dialog()

    def export_image(self, path: Path, *, scale: int = 1, whole_region: bool = False) -> Path | None:
        """Save a PNG of the map as shown (current view, layers, names) or of the whole region."""
        try:
            out = self.map.export_image(path, scale=scale, whole_region=whole_region)
        except (SnapshotError, ValueError, OSError) as exc:
            self._error("Map image not saved", str(exc))
            return None
        self.statusBar().showMessage(f"Map image saved to {out}", 10000)
        return out

    def show_selected_history(self) -> None:
        uuid = self.selected_municipality_uuid()
        if uuid:
            self.history_view.show_record(Municipality, uuid)
            self.history_dock.raise_()

    def show_project_history(self) -> None:
        self.history_view.show_project()
        self.history_dock.raise_()

    def open_form(self, form_type: type) -> None:
        """Open a record form for a new record (window-modal, so the map stays drawn)."""
        if self.store is None or self.store.read_only:
            return
        self.active_form = form_type(self.editor, parent=self)
        self.active_form.open()

    def restore_backup_dialog(self) -> None:
        if self.store is None:
            return
        backups = list_backups(self.store.path, backup_root())
        if not backups:
            self._error("No backup copies", "No backup copy of this project exists yet.")
            return
        labels = [b.label for b in backups]
        label, ok = QInputDialog.getItem(self, "Restore a backup copy",
                                         "Replace the project with the copy taken on:", labels, 0, False)
        if ok:
            self.restore_backup(backups[labels.index(label)])

    def restore_backup(self, backup) -> bool:
        """Swap the open project for a backup copy; the current state is backed up first."""
        path = self.store.path
        self.editor.set_store(None)
        self.store.close()
        self.store = None
        try:
            restore_backup(backup, path, backup_root())
        except (ProjectError, OSError) as exc:
            self._error("Backup not restored", str(exc))
        return self.open_project(path)

    def change_author_dialog(self) -> None:
        current = str(QSettings().value(AUTHOR_KEY, "") or "")
        name, ok = QInputDialog.getText(self, "Your name", "Name recorded with your edits:", text=current)
        if ok and name.strip():
            QSettings().setValue(AUTHOR_KEY, name.strip())

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent.paths()
        if not paths:
            self.recent_menu.addAction("(no recent projects)").setEnabled(False)
        for path in paths:
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_project(p))

    def _about(self) -> None:
        QMessageBox.about(self, "About Resilience Map",
                          "Resilience Map — municipalities, community-resilience indicators, "
                          "prevention structures and hub activities of the Strong Cities Network "
                          "Western Balkans Regional Hub. Works fully offline.")

    def _error(self, title: str, message: str) -> None:
        self.statusBar().showMessage(message, 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("errorBox")
        box.open()  # non-blocking, so scripted use and tests are never stuck

    # --- window state -------------------------------------------------------------------------

    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 760)
        state = settings.value("main_window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        header = settings.value("main_window/table_header")
        if isinstance(header, QByteArray):
            self.table.horizontalHeader().restoreState(header)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/state", self.saveState())
        settings.setValue("main_window/table_header", self.table.horizontalHeader().saveState())
        self.map.dispose()
        if self.store is not None:
            self.editor.set_store(None)
            self.store.close()
            self.store = None
        self.session.close()
        super().closeEvent(event)
        self.map_view.close()
