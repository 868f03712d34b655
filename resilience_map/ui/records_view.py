"""The Records view: one editable table per record type, a filter bar, bulk delete.

Practitioners correct values where they see them: a cell edit is saved at
once (with its history, undoable), a refused edit says why next to the table.
The filter bar narrows every table to a country, a municipality (typed in any
script or spelling and picked from a list) and a free text.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from resilience_map.domain.enums import Country
from resilience_map.domain.names import fold, search_matches
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    MunicipalityNote,
    PreventionStructure,
    Record,
    StudyWave,
)
from resilience_map.domain.validation import ValidationError
from resilience_map.store import ProjectError
from resilience_map.ui.delegates import RecordDelegate
from resilience_map.ui.editing import ProjectEditor
from resilience_map.ui.records_model import NOUNS, Lookups, RecordTableModel, record_title

#: Tabs in the order practitioners use them most.
TABS: list[tuple[type[Record], str]] = [
    (IndicatorValue, "Indicator values"),
    (StudyWave, "Study waves"),
    (IndicatorDefinition, "Indicators"),
    (PreventionStructure, "Prevention structures"),
    (HubActivity, "Hub activities"),
    (MunicipalityNote, "Notes"),
]
#: Record types other tables show by name; a change to them renames cells elsewhere.
REFERENCED = (Municipality, IndicatorDefinition, StudyWave)
UUID_ROLE = Qt.ItemDataRole.UserRole + 1
MAX_SUGGESTIONS = 30
MAX_COLUMN_WIDTH = 320
#: Above this many rows a text search takes seconds, so it waits for Return instead of each pause.
LIVE_SEARCH_LIMIT = 20_000
SEARCH_HINT = "Press Return to search this large table."


class MunicipalityFilterEdit(QLineEdit):
    """Type a municipality in any script or spelling, then pick it from the list.

    "Приштина", "Pristina" and "Prishtinë" all offer Prishtinë; Return takes
    the first suggestion. Emits :attr:`chosen` with the uuid, or None when cleared.
    """

    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("Municipality (any script)…")
        self.setClearButtonEnabled(True)
        self.uuid: str | None = None
        self._units: list[Municipality] = []
        self._country: str | None = None
        self._suggestions = QStandardItemModel(self)
        self.suggester = QCompleter(self._suggestions, self)
        self.suggester.setWidget(self)  # not setCompleter: we filter with search_matches ourselves
        self.suggester.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.suggester.activated[QModelIndex].connect(self._on_activated)
        self.textEdited.connect(self._on_edited)
        self.returnPressed.connect(self._take_first)

    def set_municipalities(self, units: list[Municipality]) -> None:
        self._units = sorted(units, key=lambda u: fold(u.name_latin))
        if self.uuid and all(u.uuid != self.uuid for u in units):
            self.choose(None)

    def set_country(self, country: str | None) -> None:
        """Suggest only units of this country; drops a chosen unit of another country."""
        self._country = country
        unit = self._unit(self.uuid)
        if unit is not None and country and unit.country.value != country:
            self.choose(None)

    def suggestions(self, text: str) -> list[Municipality]:
        """Units whose names match the text in any script; names starting with it first."""
        found = [u for u in self._units if (not self._country or u.country.value == self._country)
                 and search_matches(text, u.all_names())]
        needle = fold(text)
        found.sort(key=lambda u: not any(fold(n).startswith(needle) for n in u.all_names()))
        return found[:MAX_SUGGESTIONS]

    def choose(self, uuid: str | None) -> None:
        unit = self._unit(uuid)
        self.uuid = unit.uuid if unit else None
        self.setText(f"{unit.name_latin}" if unit else "")
        self.suggester.popup().hide()
        self.chosen.emit(self.uuid)

    def _unit(self, uuid: str | None) -> Municipality | None:
        return next((u for u in self._units if u.uuid == uuid), None) if uuid else None

    def _on_edited(self, text: str) -> None:
        if self.uuid is not None:  # typing again releases the chosen unit
            self.uuid = None
            self.chosen.emit(None)
        self._suggestions.clear()
        if not text.strip():
            self.suggester.popup().hide()
            return
        for unit in self.suggestions(text):
            local = f" ({unit.name_local})" if unit.name_local != unit.name_latin else ""
            item = QStandardItem(f"{unit.name_latin}{local} — {unit.country.label}")
            item.setData(unit.uuid, UUID_ROLE)
            self._suggestions.appendRow(item)
        if self._suggestions.rowCount():
            self.suggester.complete()
        else:
            self.suggester.popup().hide()

    def _on_activated(self, index: QModelIndex) -> None:
        self.choose(index.data(UUID_ROLE))

    def _take_first(self) -> None:
        if self.uuid is None and self._suggestions.rowCount():
            self.choose(self._suggestions.item(0).data(UUID_ROLE))


class RecordsView(QWidget):
    """Tables of all record types over the editor's open project."""

    def __init__(self, editor: ProjectEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordsView")
        self.editor = editor
        self.lookups = Lookups()
        #: asked before deleting; tests replace it with ``lambda text: True``
        self.confirm: Callable[[str], bool] = self._ask_confirmation
        self.models: dict[type[Record], RecordTableModel] = {}
        self.tables: dict[type[Record], QTableView] = {}
        self._sized: set[type[Record]] = set()
        self._build()
        editor.changed.connect(self._on_changed)
        editor.failed.connect(lambda text: self.show_message(text, error=True))

    # --- building -----------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self._build_filter_bar())
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        for record_type, title in TABS:
            self.tabs.addTab(self._build_table(record_type), title)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self._build_bottom_bar())
        for model in self.models.values():  # only now: the count label exists
            model.counts_changed.connect(self._update_count)

    def _build_filter_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.country_combo = QComboBox(self)
        self.country_combo.addItem("All countries", None)
        for country in sorted(Country, key=lambda c: c.label):
            self.country_combo.addItem(country.label, country.value)
        self.country_combo.currentIndexChanged.connect(self._on_country_changed)
        self.municipality_edit = MunicipalityFilterEdit(self)
        self.municipality_edit.chosen.connect(lambda _uuid: self.apply_filters())
        self.text_edit = QLineEdit(self)
        self.text_edit.setPlaceholderText("Search text (any script)…")
        self.text_edit.setClearButtonEnabled(True)
        self._text_timer = QTimer(self, singleShot=True, interval=300, timeout=self.apply_filters)
        self.text_edit.textChanged.connect(self._on_text_changed)
        self.text_edit.returnPressed.connect(self.apply_filters)
        bar.addWidget(QLabel("Country:", self))
        bar.addWidget(self.country_combo)
        bar.addWidget(QLabel("Municipality:", self))
        bar.addWidget(self.municipality_edit, 2)
        bar.addWidget(QLabel("Text:", self))
        bar.addWidget(self.text_edit, 3)
        return bar

    def _build_table(self, record_type: type[Record]) -> QTableView:
        model = RecordTableModel(self.editor, record_type, self.lookups, self)
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
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.delete_button = QPushButton("Delete selected…", self)
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.delete_selected)
        bar.addWidget(self.count_label)
        bar.addSpacing(12)
        bar.addWidget(self.message_label, 1)
        bar.addWidget(self.delete_button)
        return bar

    # --- current tab ------------------------------------------------------------------
    def current_type(self) -> type[Record]:
        return TABS[self.tabs.currentIndex()][0]

    def current_model(self) -> RecordTableModel:
        return self.models[self.current_type()]

    def current_table(self) -> QTableView:
        return self.tables[self.current_type()]

    def show_type(self, record_type: type[Record]) -> None:
        self.tabs.setCurrentIndex([t for t, _ in TABS].index(record_type))

    # --- project and filters -----------------------------------------------------------
    def refresh(self) -> None:
        """Read the editor's (newly opened) project: names, then the first page of every table."""
        self.lookups.load(self.editor.store)
        self.municipality_edit.set_municipalities(list(self.lookups.municipalities.values()))
        for model in self.models.values():
            if not self._filter(model):
                model.refresh()
        self._size_columns(self.current_type())
        self._on_tab_changed(self.tabs.currentIndex())
        self.show_message("")

    def apply_filters(self) -> None:
        """Apply the filter bar to the visible table (others follow when shown)."""
        self._text_timer.stop()
        if self.message_label.text() == SEARCH_HINT:
            self.show_message("")
        self._filter(self.current_model())
        self._update_count()

    def _filter(self, model: RecordTableModel) -> bool:
        return model.set_filter(country=self.country_combo.currentData(),
                         municipality_uuid=self.municipality_edit.uuid,
                         text=self.text_edit.text())

    def _on_text_changed(self, text: str) -> None:
        """Search while typing on small tables; on large ones only on Return (or when cleared)."""
        if not text.strip() or self.current_model().total() <= LIVE_SEARCH_LIMIT:
            self._text_timer.start()
        else:
            self.show_message(SEARCH_HINT)

    def _on_country_changed(self, _index: int) -> None:
        self.municipality_edit.set_country(self.country_combo.currentData())
        self.apply_filters()

    def _on_tab_changed(self, _index: int) -> None:
        model = self.current_model()
        place = model.has_place
        why = "" if place else f"{self.tabs.tabText(self.tabs.currentIndex())} do not belong to one municipality"
        for widget in (self.country_combo, self.municipality_edit):
            widget.setEnabled(place)
            widget.setToolTip(why)
        if self.editor.store is not None:
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
        if self.editor.store is None:
            self.count_label.setText("No project open")
            return
        noun = NOUNS[model.record_type]
        self.count_label.setText(f"{model.matching:,} of {model.total():,} {noun}")

    def show_message(self, text: str, error: bool = False) -> None:
        """Say what happened (or why an edit was refused) below the table."""
        self.message_label.setStyleSheet("color: #a40000; font-weight: bold" if error else "color: #333")
        self.message_label.setText(text)

    def _update_buttons(self, *_args: object) -> None:
        store = self.editor.store
        selected = self.current_table().selectionModel().hasSelection()
        self.delete_button.setEnabled(bool(store and not store.read_only and selected))

    # --- actions ----------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.current_table().selectionModel().selectedRows()})

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
            self.editor.delete(model.record_type, [r.uuid for r in records])
        except (ValidationError, ProjectError, PermissionError, RuntimeError) as exc:
            self.show_message(f"Nothing deleted — {exc}", error=True)
            return
        self.show_message(f"Deleted {len(records):,} {NOUNS[model.record_type] if len(records) != 1 else 'record'}."
                          " Edit → Undo brings them back.")

    def _delete_question(self, records: list[Record]) -> str:
        names = [f"• {record_title(r, self.lookups)}" for r in records[:5]]
        more = [f"… and {len(records) - 5:,} more"] if len(records) > 5 else []
        noun = NOUNS[type(records[0])] if len(records) != 1 else "record"
        return "\n".join([f"Delete {len(records):,} {noun}?", *names, *more,
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

    def _on_changed(self, record_type: type, _uuids: list) -> None:
        """Names of municipalities, indicators or waves changed: re-read them for every table."""
        self.show_message("")  # an earlier refusal no longer applies
        if record_type in REFERENCED and self.editor.store is not None:
            self.lookups.load(self.editor.store)
            self.municipality_edit.set_municipalities(list(self.lookups.municipalities.values()))
            for other_type, model in self.models.items():
                if other_type is not record_type:
                    model.reload()
        self._update_count()
        self._update_buttons()
