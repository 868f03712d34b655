"""The window's municipality search box and municipality table: one search, one selection.

Typing filters the table and drops down the matching names (any script); a name only
one unit has selects it. The selection itself lives in the session: a row clicked here,
a unit clicked on the map, a search — each calls ``session.select`` and every view
follows the one :class:`SelectionChanged`. A keystroke therefore changes the selection
only when the search names a different unit, never once per row the filter hides.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from resilience_map.domain.records import Municipality
from resilience_map.session import (
    BoundariesChanged,
    ProjectClosed,
    ProjectOpened,
    ProjectSession,
    RecordsChanged,
    SelectionChanged,
)
from resilience_map.ui.events import follow
from resilience_map.ui.municipalities.model import UUID_ROLE, MunicipalitySearchProxy, MunicipalityTableModel
from resilience_map.ui.widgets.picker import MunicipalityPicker

SEARCH_HINT = "Find a municipality: Prishtinë, Priština, Приштина, Çair…"


class MunicipalityFinder(QObject):
    """Owns the search box (:attr:`search`), the table (:attr:`table`) and their model."""

    #: rows shown or their count changed (the status bar says "12 of 530 shown")
    counts_changed = Signal()

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._syncing = False
        self.model = MunicipalityTableModel(self)
        self.proxy = MunicipalitySearchProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search = MunicipalityPicker(popup=True, parent=parent)
        self.search.setObjectName("municipalitySearch")
        self.search.filter.setPlaceholderText(SEARCH_HINT)
        self.search.filter.textChanged.connect(self._on_text)
        self.search.chosen.connect(self._on_chosen)
        self.table = self._build_table(parent)
        follow(self, session, {ProjectOpened: self._on_project, ProjectClosed: self._on_project,
                               RecordsChanged: self._on_records, BoundariesChanged: self._on_boundaries,
                               SelectionChanged: self._on_selection})
        self._on_project(None)

    def _build_table(self, parent: QWidget | None) -> QTableView:
        table = QTableView(parent)
        table.setObjectName("municipalityTable")
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.horizontalHeader().setStretchLastSection(True)
        table.selectionModel().selectionChanged.connect(self._on_table_selection)
        return table

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        """Selection changes made here (filtering, following the session) are not the user's."""
        self._syncing, before = True, self._syncing
        try:
            yield
        finally:
            self._syncing = before

    # --- what the user does ---------------------------------------------------------------
    def _on_text(self, text: str) -> None:
        with self._quietly():
            self.proxy.set_query(text)
        self._show_selection(scroll=False)
        self.counts_changed.emit()

    def _on_chosen(self, uuid: str | None) -> None:
        if uuid is not None:  # typing on releases the choice quietly: the selection stays
            self.session.select(uuid, source="search", zoom=True)

    def _on_table_selection(self) -> None:
        if self._syncing:
            return
        uuid = self.selected_uuid()
        if uuid is not None:
            self.session.select(uuid, source="table", zoom=True)

    def selected_uuid(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(UUID_ROLE) if rows else None

    # --- following the session -------------------------------------------------------------
    def _on_project(self, _event: ProjectOpened | ProjectClosed | None) -> None:
        store = self.session.store
        units = self.session.indexes.municipalities.all()
        with self._quietly():
            self.model.set_municipalities(units, store.boundaries().keys() if store else ())
        self.search.set_municipalities(units)
        self.search.hold(None)
        self.counts_changed.emit()

    def _on_records(self, event: RecordsChanged) -> None:
        if event.record_type is not Municipality:
            return
        with self._quietly():
            updated = [a for _b, a in event.updated if isinstance(a, Municipality)]
            self.model.patch([r for r in event.added if isinstance(r, Municipality)], updated,
                             [r for r in event.removed if isinstance(r, Municipality)])
        self.search.set_municipalities(self.session.indexes.municipalities.all())
        self.counts_changed.emit()

    def _on_boundaries(self, event: BoundariesChanged) -> None:
        self.model.set_boundaries({uuid: geom is not None for uuid, geom in event.after.items()})
        self.counts_changed.emit()

    def _on_selection(self, event: SelectionChanged) -> None:
        if event.source != "search":
            self.search.hold(event.uuid)
        row = self.model.row_of(event.uuid)
        if row >= 0 and not self.proxy.mapFromSource(self.model.index(row, 0)).isValid():
            self.search.filter.clear()  # the search hides the chosen unit: show it again
        self._show_selection(scroll=True)

    def _show_selection(self, scroll: bool) -> None:
        """Highlight the session's selected unit if the filter shows it (never re-selects)."""
        uuid = self.session.selection
        row = self.model.row_of(uuid)
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else None
        with self._quietly():
            selection = self.table.selectionModel()
            if index is None or not index.isValid():
                selection.clearSelection()
                return
            if self.selected_uuid() != uuid:
                selection.select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                 | QItemSelectionModel.SelectionFlag.Rows)
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        if scroll:
            self.table.scrollTo(index)
