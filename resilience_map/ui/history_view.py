"""The History view: who changed what and when, and "Restore this version".

Every edit, delete, restore and undo is in the project's change history; this
view reads it newest first, names each record the way practitioners know it
(not by uuid), and can put a record back into the state it had right after any
history row. Restoring is itself an edit: undoable and recorded. A deleted
record is re-created from the snapshot its deletion kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from resilience_map.domain.records import Record
from resilience_map.domain.validation import ValidationError
from resilience_map.store import ProjectError, ProjectStore
from resilience_map.store.errors import RecordNotFoundError
from resilience_map.store.project import HistoryEntry, changed_fields
from resilience_map.store.schema import RECORD_TABLES, field_types, record_from_json
from resilience_map.ui.editing import ProjectEditor
from resilience_map.ui.records_model import Lookups, display_value, record_title, timestamp_label

Index = QModelIndex | QPersistentModelIndex

#: Rows read at once for the whole project's history; "Show older changes" reads more.
PROJECT_PAGE = 1000
MAX_TEXT = 60
TYPES_BY_TABLE: dict[str, type[Record]] = {t.name: rt for rt, t in RECORD_TABLES.items()}
ACTIONS = {"insert": "Created", "update": "Edited", "delete": "Deleted", "restore": "Restored",
           "boundary": "Boundary"}
HEADERS = ["When", "Who", "Action", "Record type", "Record", "Field", "Change"]
#: Snapshot fields that say little in a one-line summary.
QUIET_FIELDS = set(Record.META_FIELDS) | {"municipality_uuid", "indicator_uuid", "wave_uuid", "host_lon",
                                          "host_lat", "date_precision", "source_activity_uuid",
                                          "title", "name"}  # title and name are in the Record column


def type_label(table_name: str) -> str:
    """"prevention_structures" → "Prevention structure"."""
    name = table_name.replace("_", " ")
    if table_name not in TYPES_BY_TABLE:
        return "Project setting" if table_name == "rm_meta" else name.capitalize()
    singular = name[:-3] + "y" if name.endswith("ies") else name[:-1]
    return singular.capitalize()


def shorten(text: str, limit: int = MAX_TEXT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class HistoryRow:
    """One history entry with the words the table shows."""

    entry: HistoryEntry
    record_type: str
    record: str
    field: str
    change: str
    detail: str  # tooltip: full values or the snapshot


class HistoryDescriber:
    """Turns raw history entries into readable rows; caches record names per refresh."""

    def __init__(self, store: ProjectStore) -> None:
        self.store = store
        self.lookups = Lookups()
        self.lookups.load(store)
        self._titles: dict[tuple[str, str], str] = {}

    def row(self, entry: HistoryEntry) -> HistoryRow:
        field = entry.field.replace("_", " ").capitalize() if entry.field else ""
        if entry.field is None and entry.operation in ("insert", "restore", "delete"):
            snapshot = entry.old_value if entry.operation == "delete" else entry.new_value
            change, detail = self._snapshot(entry.table_name, snapshot)
        else:
            old = self._value(entry, entry.old_value)
            new = self._value(entry, entry.new_value)
            change = f"{shorten(old, 28)} → {shorten(new, 28)}"
            detail = f"Before: {old}\nAfter: {new}"
        return HistoryRow(entry, type_label(entry.table_name), self.title(entry.table_name, entry.record_uuid),
                          field, change, detail)

    def title(self, table_name: str, uuid: str) -> str:
        """"Community Action Team (CAT), Kumanovo"; "(deleted)" when the record is gone."""
        key = (table_name, uuid)
        if key not in self._titles:
            self._titles[key] = self._name(table_name, uuid)
        return self._titles[key]

    def _name(self, table_name: str, uuid: str) -> str:
        record_type = TYPES_BY_TABLE.get(table_name)
        if record_type is None:
            return uuid
        try:
            return record_title(self.store.get(record_type, uuid), self.lookups)
        except RecordNotFoundError:
            snapshot = self._last_snapshot(record_type, uuid)
            return f"(deleted) {record_title(snapshot, self.lookups) if snapshot else uuid}"

    def _last_snapshot(self, record_type: type[Record], uuid: str) -> Record | None:
        for entry in self.store.history(uuid):
            text = entry.old_value if entry.operation == "delete" else entry.new_value
            if entry.field is None and text:
                try:
                    return record_from_json(record_type, json.loads(text))
                except (ValueError, TypeError, KeyError):
                    return None
        return None

    def _value(self, entry: HistoryEntry, text: str | None) -> str:
        """A stored history value in words: enumeration labels, yes/no, lists joined."""
        if text is None:
            return "—"
        record_type = TYPES_BY_TABLE.get(entry.table_name)
        hints = field_types(record_type) if record_type else {}
        base = _enum_of(hints.get(entry.field or ""))
        if base is not None:
            try:
                return display_value(base(text))
            except ValueError:
                return text
        if text[:1] in "[{" or text in ("true", "false"):
            try:
                return display_value(_tuple(json.loads(text))) or "—"
            except ValueError:
                return text
        return text

    def _snapshot(self, table_name: str, text: str | None) -> tuple[str, str]:
        """A whole-record snapshot summarised to its first filled-in fields."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return shorten(text or ""), text or ""
        record_type = TYPES_BY_TABLE.get(table_name)
        order = list(field_types(record_type)) if record_type else sorted(data)
        filled = [(k, data[k]) for k in order
                  if k in data and k not in QUIET_FIELDS and data[k] not in (None, "", [], {})]
        summary = ", ".join(f"{k.replace('_', ' ')}: {shorten(self._snapshot_value(record_type, k, v), 24)}"
                            for k, v in filled[:3])
        more = f" (+{len(filled) - 3} more)" if len(filled) > 3 else ""
        detail = "\n".join(f"{k.replace('_', ' ')}: {shorten(self._snapshot_value(record_type, k, v), 200)}"
                           for k, v in filled)
        return summary + more, detail

    def _snapshot_value(self, record_type: type[Record] | None, name: str, value: object) -> str:
        if name == "participants" and isinstance(value, list):
            return ", ".join(self.lookups.municipality_name(p.get("municipality_uuid")) for p in value)
        enum = _enum_of(field_types(record_type).get(name)) if record_type else None
        if enum is not None and isinstance(value, str):
            try:
                return display_value(enum(value))
            except ValueError:
                return value
        return display_value(_tuple(value))


def _tuple(value: object) -> object:
    return tuple(_tuple(v) for v in value) if isinstance(value, list) else value


def _enum_of(annotation: object) -> type[Enum] | None:
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return candidate
    return None


class HistoryModel(QAbstractTableModel):
    """History rows, newest first (read-only)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[HistoryRow] = []

    def set_rows(self, rows: list[HistoryRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            e = row.entry
            return [timestamp_label(e.changed_at), e.author, ACTIONS.get(e.operation, e.operation),
                    row.record_type, row.record, row.field, row.change][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.record if index.column() == 4 else row.detail
        return None


class HistoryView(QWidget):
    """The project's (or one record's) change history with "Restore this version"."""

    def __init__(self, editor: ProjectEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyView")
        self.editor = editor
        self._record: tuple[type[Record], str] | None = None  # None = whole project
        self._limit = PROJECT_PAGE
        self._build()
        editor.changed.connect(lambda *_: self.reload())

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.title_label = QLabel(self)
        self.title_label.setStyleSheet("font-weight: bold")
        self.model = HistoryModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((125, 140, 70, 140, 330, 110)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.selectionModel().selectionChanged.connect(self._update_restore)
        self.restore_button = QPushButton("Restore this version", self)
        self.restore_button.clicked.connect(self.restore_selected)
        self.more_button = QPushButton("Show older changes", self)
        self.more_button.clicked.connect(self._show_more)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        buttons.addWidget(self.more_button)
        buttons.addWidget(self.restore_button)
        layout.addWidget(self.title_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._update_restore()

    # --- what to show ----------------------------------------------------------------------
    def show_project(self) -> None:
        """Everything that happened in the project, newest first."""
        self._record, self._limit = None, PROJECT_PAGE
        self.reload()

    def show_record(self, record_type: type[Record], uuid: str) -> None:
        """The history of one record (also works for a deleted one)."""
        self._record = (record_type, uuid)
        self.reload()

    def reload(self) -> None:
        """Re-read the history (after any edit), keeping the selected row where it still is."""
        store = self.editor.store
        selected = self.selected_entry()
        if store is None:
            self.model.set_rows([])
            self.title_label.setText("No project open")
        else:
            describer = HistoryDescriber(store)
            uuid = self._record[1] if self._record else None
            entries = store.history(uuid, limit=None if uuid else self._limit + 1)
            self.more_button.setVisible(uuid is None and len(entries) > self._limit)
            entries = entries if uuid else entries[: self._limit]
            self.model.set_rows([describer.row(e) for e in entries])
            self.title_label.setText(self._title(describer, len(entries)))
        if selected is not None:
            self.select_fid(selected.fid)
        self._update_restore()

    def _title(self, describer: HistoryDescriber, shown: int) -> str:
        if self._record is None:
            return f"Project history — latest {shown:,} changes, newest first"
        table = RECORD_TABLES[self._record[0]].name
        return (f"History of {type_label(table).lower()} {describer.title(table, self._record[1])}"
                f" — {shown:,} changes, newest first")

    def _show_more(self) -> None:
        self._limit += PROJECT_PAGE
        self.reload()

    # --- selection and restoring --------------------------------------------------------
    def selected_entry(self) -> HistoryEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()].entry if rows else None

    def select_fid(self, fid: int) -> None:
        """Select the history row with this fid (tests and "show in history" use it)."""
        for i, row in enumerate(self.model.rows):
            if row.entry.fid == fid:
                self.table.selectRow(i)
                return
        self.table.clearSelection()

    def state_to_restore(self) -> Record | None:
        """The record as it was right after the selected change (before it, for a deletion).

        None when there is nothing sensible to restore (see :meth:`_restorable`).
        """
        return self._restorable()[0]

    def _restorable(self) -> tuple[Record | None, str]:
        """The state to restore, or None and the reason the button is disabled."""
        entry, store = self.selected_entry(), self.editor.store
        if entry is None or store is None:
            return None, "Select a change to restore the record as it was after it."
        record_type = TYPES_BY_TABLE.get(entry.table_name)
        if record_type is None or entry.operation == "boundary":
            return None, "Only records can be restored here (boundaries: re-import or use a backup)."
        if store.read_only:
            return None, "The project is read-only."
        at = entry.fid - 1 if entry.operation == "delete" else entry.fid
        state = store.state_at(record_type, entry.record_uuid, at)
        current = store.list(record_type, uuid=entry.record_uuid)
        if state is None:
            return None, "The record did not exist at that point."
        if current and not changed_fields(current[0], state):
            return None, "The record is already in this state."
        if not current:
            return state, "Re-create the deleted record as it was."
        return state, "Put the record back into its state right after the selected change."

    def _update_restore(self, *_args: object) -> None:
        state, reason = self._restorable()
        self.restore_button.setEnabled(state is not None)
        self.restore_button.setToolTip(reason)
        gone = reason.startswith("Re-create")
        self.restore_button.setText("Re-create this record" if gone else "Restore this version")

    def restore_selected(self) -> None:
        """Put the selected version back (undoable; re-creates a deleted record)."""
        state = self.state_to_restore()
        if state is None:
            return
        try:
            self.editor.restore(state)
        except (ValidationError, ProjectError, PermissionError, RuntimeError) as exc:
            self._say(f"Not restored — {exc}", error=True)
            return
        self._say("Restored. Edit → Undo takes the restore back.")

    def _say(self, text: str, error: bool = False) -> None:
        self.message_label.setStyleSheet("color: #a40000; font-weight: bold" if error else "color: #333")
        self.message_label.setText(text)
