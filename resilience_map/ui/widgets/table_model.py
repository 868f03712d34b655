"""Read-only tables over a list of rows: the history, the sync docks and the report share it.

Each of those lists says the same things to Qt — how many rows, which headers, nothing under
a row — and differs only in what a cell shows. Writing that once keeps the views alike (a
reset drops everything worked out for the old rows in the same step Qt forgets them) and
leaves each model with just its cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
RowT = TypeVar("RowT")
TextsT = TypeVar("TextsT")


class RowsTableModel(QAbstractTableModel, Generic[RowT]):
    """A flat, read-only table: one row a :attr:`rows` item, one column a :attr:`headers` entry."""

    #: The column headers, left to right (a subclass sets them).
    headers: ClassVar[Sequence[str]] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[RowT] = []

    def set_rows(self, rows: list[RowT]) -> None:
        """Show these rows instead (one reset: selections and scrolling start again)."""
        self.beginResetModel()
        self.rows = rows
        self.rows_replaced()
        self.endResetModel()

    def rows_replaced(self) -> None:
        """Forget what was worked out for the old rows (called inside the reset)."""

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        return self.cell(index.row(), index.column(), role)

    def cell(self, row: int, column: int, role: int) -> object:
        """What the cell shows in this role (None: Qt's default)."""
        raise NotImplementedError


class DescribedRowsModel(RowsTableModel[RowT], Generic[RowT, TextsT]):
    """Rows whose texts are worked out when first shown, then kept until the rows change.

    Naming a record costs a lookup, and an import or sync can bring 10,000 rows: only the
    rows Qt draws are described, once each.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._texts: dict[int, TextsT] = {}

    def rows_replaced(self) -> None:
        self._texts = {}

    def texts(self, row: int) -> TextsT:
        """The row's texts, described on first use."""
        if row not in self._texts:
            self._texts[row] = self.describe(row)
        return self._texts[row]

    def describe(self, row: int) -> TextsT:
        """The texts of row number ``row`` (a subclass says how)."""
        raise NotImplementedError
