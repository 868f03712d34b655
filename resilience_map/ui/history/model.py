"""History rows, newest first, for a Qt table (read-only; new rows are prepended)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from resilience_map.ui.history.describe import HistoryRow
from resilience_map.ui.widgets.values import timestamp_label

Index = QModelIndex | QPersistentModelIndex

ACTIONS = {"insert": "Created", "update": "Edited", "delete": "Deleted", "restore": "Restored",
           "boundary": "Boundary"}
HEADERS = ["When", "Who", "Action", "Record type", "Record", "Field", "Change"]
RECORD_COLUMN = 4


class HistoryModel(QAbstractTableModel):
    """The rows one history view shows."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[HistoryRow] = []

    def set_rows(self, rows: list[HistoryRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def prepend(self, rows: list[HistoryRow]) -> None:
        """Rows just written (newest first) go on top; the rest keep their selection."""
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
        self.rows[0:0] = rows
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            e = row.entry
            return [timestamp_label(e.changed_at), e.author, ACTIONS.get(e.operation, e.operation),
                    row.record_type, row.record, row.field, row.change][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.record if index.column() == RECORD_COLUMN else row.detail
        return None
