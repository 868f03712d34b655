"""History rows, newest first, for a Qt table (read-only; new rows are prepended).

Also the base of the tables that name records the way the history does (pending changes,
a sync's report).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QObject, Qt

from resilience_map.session import HistoryEntry, ProjectSession
from resilience_map.ui.history.describe import HistoryDescriber, HistoryRow
from resilience_map.ui.widgets.table_model import DescribedRowsModel, RowsTableModel, RowT, TextsT
from resilience_map.ui.widgets.values import timestamp_label

ACTIONS = {"insert": "Created", "update": "Edited", "delete": "Deleted", "restore": "Restored",
           "boundary": "Boundary"}
HEADERS = ["When", "Who", "Action", "Record type", "Record", "Field", "Change"]
RECORD_COLUMN = 4


@dataclass
class ShownEntry:
    """A history entry in the table; its words are worked out when Qt first draws the row."""

    entry: HistoryEntry
    described: HistoryRow | None = None


class HistoryModel(RowsTableModel[ShownEntry]):
    """The rows one history view shows.

    An undo of a 100-row delete writes 100 history rows: naming each record costs a
    lookup, so only the rows Qt draws are described (and then kept with the row)."""

    headers = HEADERS

    def __init__(self, describer: HistoryDescriber, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.describer = describer

    def prepend(self, rows: list[ShownEntry]) -> None:
        """Rows just written (newest first) go on top; the rest keep their selection."""
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
        self.rows[0:0] = rows
        self.endInsertRows()

    def shown(self, row: int) -> HistoryRow:
        item = self.rows[row]
        if item.described is None:
            item.described = self.describer.row(item.entry)
        return item.described

    def cell(self, row: int, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            shown = self.shown(row)
            e = shown.entry
            return [timestamp_label(e.changed_at), e.author, ACTIONS.get(e.operation, e.operation),
                    shown.record_type, shown.record, shown.field, shown.change][column]
        if role == Qt.ItemDataRole.ToolTipRole:
            shown = self.shown(row)
            return shown.record if column == RECORD_COLUMN else shown.detail
        return None


class DescribedChangesModel(DescribedRowsModel[RowT, TextsT]):
    """Rows of changes named through the history's :class:`HistoryDescriber`.

    The describer remembers names; a fresh one for each new set of rows means a record
    renamed since the last reading shows its new name.
    """

    def __init__(self, session: ProjectSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.describer = HistoryDescriber(session)

    def rows_replaced(self) -> None:
        super().rows_replaced()
        self.describer = HistoryDescriber(self.session)
