"""The Records view: one editable table per record type, a filter bar, bulk delete.

Practitioners correct values where they see them: a cell edit is one undoable step
(``session.do``), saved with its history; a refused edit says why under the table and
leaves the file as it was. Tables patch themselves from the session's events, so a
change made anywhere — a form, an undo, an import — shows here without a reload.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from resilience_map.domain.kinds import kind_of
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    MunicipalityNote,
    PreventionStructure,
    Record,
    StudyWave,
)
from resilience_map.session import (
    ProjectClosed,
    ProjectOpened,
    ProjectSession,
    RecordsChanged,
    delete_records,
)
from resilience_map.ui.errors import STEP_REFUSALS, refusal
from resilience_map.ui.events import follow
from resilience_map.ui.records.delegate import RecordDelegate
from resilience_map.ui.records.filter_bar import FilterBar
from resilience_map.ui.records.model import RecordTableModel

#: Tabs in the order practitioners use them most.
TABS: list[type[Record]] = [IndicatorValue, StudyWave, IndicatorDefinition, PreventionStructure, HubActivity,
                            MunicipalityNote]
MAX_COLUMN_WIDTH = 320
#: Above this many rows a text search takes seconds, so it waits for Return instead of each pause.
LIVE_SEARCH_LIMIT = 20_000
SEARCH_HINT = "Press Return to search this large table."


def tab_title(record_type: type[Record]) -> str:
    plural = kind_of(record_type).plural
    return plural[:1].upper() + plural[1:]


class RecordsView(QWidget):
    """Tables of all record types over the session's open project."""

    #: Briefing… on the selected hub activity (its id).
    activity_briefing_requested = Signal(str)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordsView")
        self.session = session
        #: asked before deleting; tests replace it with ``lambda text: True``
        self.confirm: Callable[[str], bool] = self._ask_confirmation
        self.models: dict[type[Record], RecordTableModel] = {}
        self.tables: dict[type[Record], QTableView] = {}
        self._sized: set[type[Record]] = set()
        self._build()
        follow(self, session, {ProjectOpened: lambda _e: self.refresh(),
                               ProjectClosed: lambda _e: self.refresh(),
                               RecordsChanged: self._on_records})
        if session.store is not None:
            self.refresh()

    # --- building -----------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.filter_bar = FilterBar(self)
        self.filter_bar.changed.connect(self.apply_filters)
        self.filter_bar.typed.connect(self._on_text_typed)
        self.country_combo = self.filter_bar.country_combo
        self.municipality_edit = self.filter_bar.municipality_edit
        self.text_edit = self.filter_bar.text_edit
        layout.addWidget(self.filter_bar)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        for record_type in TABS:
            self.tabs.addTab(self._build_table(record_type), tab_title(record_type))
        self.tabs.currentChanged.connect(self._on_tab_changed)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self._build_bottom_bar())
        for model in self.models.values():  # only now: the count label exists
            model.counts_changed.connect(self._update_count)

    def _build_table(self, record_type: type[Record]) -> QTableView:
        model = RecordTableModel(self.session, record_type, self)
        model.edit_refused.connect(lambda text: self.show_message(text, error=True))
        table = QTableView(self)
        table.setObjectName(f"records_{record_type.__name__}")
        table.setModel(model)
        table.setItemDelegate(RecordDelegate(table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                              | QAbstractItemView.EditTrigger.EditKeyPressed
                              | QAbstractItemView.EditTrigger.AnyKeyPressed)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(lambda col, _o, rt=record_type: self._check_sortable(rt, col))
        table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._add_table_actions(table)
        self.models[record_type], self.tables[record_type] = model, table
        return table

    def _add_table_actions(self, table: QTableView) -> None:
        """Delete key deletes the selected rows; Ctrl+V pastes into the current cell."""
        for keys, slot in ((QKeySequence.StandardKey.Delete, self.delete_selected),
                           (QKeySequence.StandardKey.Paste, self.paste)):
            action = QAction(table)
            action.setShortcut(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            table.addAction(action)

    def _build_bottom_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.count_label = QLabel(self)
        self.count_label.setObjectName("recordCount")
        self.message_label = QLabel(self)
        self.message_label.setObjectName("recordsMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.delete_button = QPushButton("Delete selected…", self)
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.delete_selected)
        self.briefing_button = QPushButton("Briefing…", self)
        self.briefing_button.setObjectName("recordsActivityBriefing")
        self.briefing_button.setToolTip("A briefing (PDF) on the selected activity's participating "
                                        "municipalities")
        self.briefing_button.clicked.connect(self.activity_briefing)
        bar.addWidget(self.count_label)
        bar.addSpacing(12)
        bar.addWidget(self.message_label, 1)
        bar.addWidget(self.briefing_button)
        bar.addWidget(self.delete_button)
        return bar

    # --- current tab ------------------------------------------------------------------
    def current_type(self) -> type[Record]:
        return TABS[self.tabs.currentIndex()]

    def current_model(self) -> RecordTableModel:
        return self.models[self.current_type()]

    def current_table(self) -> QTableView:
        return self.tables[self.current_type()]

    def show_type(self, record_type: type[Record]) -> None:
        self.tabs.setCurrentIndex(TABS.index(record_type))

    # --- project and filters -----------------------------------------------------------
    def refresh(self) -> None:
        """A project was opened or closed: read the visible table; the others when shown."""
        self.filter_bar.set_municipalities(self.session.indexes.municipalities.all())
        for model in self.models.values():
            model.loaded = False
        self._on_tab_changed(self.tabs.currentIndex())
        self.show_message("")

    def apply_filters(self) -> None:
        """Apply the filter bar to the visible table (others follow when shown)."""
        self.filter_bar.timer.stop()
        if self.message_label.text() == SEARCH_HINT:
            self.show_message("")
        self._filter(self.current_model())
        self._update_count()

    def _filter(self, model: RecordTableModel) -> None:
        if self.session.store is None:
            if model.loaded or model.rowCount():
                model.refresh()
            return
        model.set_filter(self.filter_bar.row_filter(model.record_type))

    def _on_text_typed(self, text: str) -> None:
        """Search while typing on small tables; on large ones only on Return (or when cleared)."""
        if not text.strip() or self.current_model().total() <= LIVE_SEARCH_LIMIT:
            self.filter_bar.timer.start()
        else:
            self.show_message(SEARCH_HINT)

    def _on_tab_changed(self, _index: int) -> None:
        model = self.current_model()
        why = "" if model.has_place else \
            f"{self.tabs.tabText(self.tabs.currentIndex())} do not belong to one municipality"
        self.filter_bar.enable_place(model.has_place, why)
        self._filter(model)
        self._size_columns(self.current_type())
        self._update_count()
        self._update_buttons()

    def _size_columns(self, record_type: type[Record]) -> None:
        """Fit columns to the first page once, capped so long notes do not push others away."""
        table = self.tables[record_type]
        if record_type in self._sized or not self.models[record_type].rowCount():
            return
        self._sized.add(record_type)
        table.resizeColumnsToContents()
        header = table.horizontalHeader()
        for section in range(header.count()):
            header.resizeSection(section, min(header.sectionSize(section) + 12, MAX_COLUMN_WIDTH))

    def _check_sortable(self, record_type: type[Record], column: int) -> None:
        """Columns SQL cannot sort (names of referenced records) keep the previous order."""
        model = self.models[record_type]
        if 0 <= column < len(model.columns) and model.columns[column].sort_key is None:
            header = self.tables[record_type].horizontalHeader()
            previous, order = model.sort_state()
            header.blockSignals(True)
            header.setSortIndicator(previous, order)
            header.blockSignals(False)
            self.show_message(f"The table cannot be sorted by {model.columns[column].header}.")

    # --- status -----------------------------------------------------------------------
    def _update_count(self) -> None:
        model = self.current_model()
        if self.session.store is None:
            self.count_label.setText("No project open")
            return
        plural = kind_of(model.record_type).plural
        self.count_label.setText(f"{model.matching:,} of {model.total():,} {plural}")

    def show_message(self, text: str, error: bool = False) -> None:
        """Say what happened (or why an edit was refused) below the table."""
        style = "color: #a40000; font-weight: bold" if error else "color: #333"
        if self.message_label.styleSheet() != style:  # restyling a widget costs milliseconds
            self.message_label.setStyleSheet(style)
        if self.message_label.text() != text:
            self.message_label.setText(text)

    def _update_buttons(self, *_args: object) -> None:
        store = self.session.store
        selected = self.current_table().selectionModel().hasSelection()
        self.delete_button.setEnabled(bool(store and not store.read_only and selected))
        on_activities = self.current_type() is HubActivity
        self.briefing_button.setVisible(on_activities)
        self.briefing_button.setEnabled(on_activities and len(self.selected_rows()) == 1)

    def _on_records(self, event: RecordsChanged) -> None:
        if event.record_type is self.current_type() and self.message_label.text() != SEARCH_HINT:
            self.show_message("")  # an earlier refusal no longer applies
        if event.record_type in (IndicatorDefinition, StudyWave) or event.record_type is self.current_type():
            self._update_buttons()

    # --- actions ----------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.current_table().selectionModel().selectedRows()})

    def activity_briefing(self) -> None:
        rows = self.selected_rows()
        if self.current_type() is HubActivity and len(rows) == 1:
            self.activity_briefing_requested.emit(self.current_model().record(rows[0]).uuid)

    def delete_selected(self) -> None:
        """Delete every selected row in one undoable step, after asking."""
        model, rows = self.current_model(), self.selected_rows()
        if not rows:
            self.show_message("Select the rows to delete first.")
            return
        records = [model.record(r) for r in rows]
        if not self.confirm(self._delete_question(records)):
            return
        try:
            self.session.do(delete_records(records))
        except STEP_REFUSALS as exc:
            self.show_message(f"Nothing deleted: {refusal(exc)}", error=True)
            return
        what = kind_of(model.record_type).count_label(len(records))
        self.show_message(f"Deleted {what}. Edit → Undo brings them back.")

    def _delete_question(self, records: list[Record]) -> str:
        kind = kind_of(records[0])
        names = [f"• {kind.title(r, self.session.indexes)}" for r in records[:5]]
        more = [f"… and {len(records) - 5:,} more"] if len(records) > 5 else []
        return "\n".join([f"Delete {kind.count_label(len(records))}?", *names, *more,
                          "", "The deletion is kept in the history and can be undone."])

    def _ask_confirmation(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Delete records", text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def paste(self) -> None:
        """Paste the clipboard's text into the current cell (validated like any edit)."""
        index = self.current_table().currentIndex()
        text = QGuiApplication.clipboard().text().strip()
        if not index.isValid() or not text:
            return
        if not index.flags() & Qt.ItemFlag.ItemIsEditable:
            self.show_message("This column cannot be edited here.", error=True)
            return
        if self.current_model().setData(index, text, Qt.ItemDataRole.EditRole):
            self.show_message("")
