"""Qt item model of the project's municipalities, patched from events, and its search filter."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from resilience_map.domain.names import fold, forms_match, search_forms
from resilience_map.domain.records import Municipality

Index = QModelIndex | QPersistentModelIndex

#: (header, how to read the cell) — one place to add or reorder columns.
COLUMNS: list[tuple[str, str]] = [
    ("Country", "country"),
    ("Name", "name_latin"),
    ("Local name", "name_local"),
    ("English", "name_en"),
    ("Kind", "kind"),
    ("Region", "region"),
    ("Boundary", "boundary"),
    ("Population", "population"),
]
BOUNDARY_COLUMN = 6
UUID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


class MunicipalityTableModel(QAbstractTableModel):
    """Rows are municipalities (read-only here); edits and boundary imports patch single rows."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Municipality] = []
        self._row_of: dict[str, int] = {}
        self._forms: list[tuple[str, ...]] = []
        self._with_boundary: set[str] = set()

    def set_municipalities(self, rows: Sequence[Municipality], with_boundary: Iterable[str]) -> None:
        """A project opened (or closed): the one full read."""
        self.beginResetModel()
        self._rows = list(rows)
        self._index()
        self._with_boundary = set(with_boundary)
        self.endResetModel()

    def _index(self) -> None:
        self._row_of = {m.uuid: i for i, m in enumerate(self._rows)}
        self._forms = [search_forms(m.all_names()) for m in self._rows]

    def patch(self, added: Sequence[Municipality], updated: Sequence[Municipality],
              removed: Sequence[Municipality]) -> None:
        """Records changed: repaint updated rows, append added ones, drop removed ones."""
        for unit in updated:
            row = self._row_of.get(unit.uuid, -1)
            if row >= 0:
                self._rows[row] = unit
                self._forms[row] = search_forms(unit.all_names())
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        for unit in removed:
            row = self._row_of.get(unit.uuid, -1)
            if row >= 0:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self._index()
                self.endRemoveRows()
        if added:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(added) - 1)
            self._rows.extend(added)
            self._index()
            self.endInsertRows()

    def set_boundaries(self, uuids: dict[str, bool]) -> None:
        """Boundaries were set (True) or removed (False): repaint those rows' Boundary cell."""
        for uuid, present in uuids.items():
            (self._with_boundary.add if present else self._with_boundary.discard)(uuid)
            row = self._row_of.get(uuid, -1)
            if row >= 0:
                cell = self.index(row, BOUNDARY_COLUMN)
                self.dataChanged.emit(cell, cell)

    @property
    def with_boundary(self) -> int:
        return len(self._with_boundary)

    def municipality(self, row: int) -> Municipality:
        return self._rows[row]

    def search_forms(self, row: int) -> tuple[str, ...]:
        return self._forms[row]

    def row_of(self, uuid: str | None) -> int:
        return self._row_of.get(uuid or "", -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        m = self._rows[index.row()]
        key = COLUMNS[index.column()][1]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(m, key)
        if role == SORT_ROLE:
            return self._sort_value(m, key)
        if role == UUID_ROLE:
            return m.uuid
        if role == Qt.ItemDataRole.ToolTipRole and key.startswith("name"):
            return "\n".join(m.all_names())
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "population":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, m: Municipality, key: str) -> str:
        if key == "country":
            return m.country.label
        if key == "kind":
            return m.kind.label
        if key == "boundary":
            return "yes" if m.uuid in self._with_boundary else "seat only"
        if key == "population":
            return f"{m.population:,} ({m.population_year})" if m.population is not None else ""
        return str(getattr(m, key) or "")

    def _sort_value(self, m: Municipality, key: str) -> object:
        if key == "population":
            return m.population if m.population is not None else -1
        return fold(self._display(m, key))


class MunicipalitySearchProxy(QSortFilterProxyModel):
    """Filters rows by a query matched against every name form, in any script."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self.setSortRole(SORT_ROLE)

    def set_query(self, text: str) -> None:
        needle = fold(text)
        if needle == self._needle:
            return
        self.beginFilterChange()
        self._needle = needle
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        assert isinstance(model, MunicipalityTableModel)
        return forms_match(self._needle, model.search_forms(source_row))
