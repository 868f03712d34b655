"""Qt item model of the project's municipalities, and the search filter over it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from resilience_map.domain.names import fold, search_matches
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
UUID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


class MunicipalityTableModel(QAbstractTableModel):
    """Rows are municipalities (read-only in this view); the store stays the source of truth."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Municipality] = []
        self._with_boundary: set[str] = set()

    def set_municipalities(self, rows: Sequence[Municipality], with_boundary: set[str]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._with_boundary = set(with_boundary)
        self.endResetModel()

    def municipality(self, row: int) -> Municipality:
        return self._rows[row]

    def row_of(self, uuid: str) -> int:
        return next((i for i, m in enumerate(self._rows) if m.uuid == uuid), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
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

    def _sort_value(self, m: Municipality, key: str):
        if key == "population":
            return m.population if m.population is not None else -1
        return fold(self._display(m, key))


class MunicipalitySearchProxy(QSortFilterProxyModel):
    """Filters rows by a query matched against every name form, in any script."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._query = ""
        self.setSortRole(SORT_ROLE)

    def set_query(self, text: str) -> None:
        self.beginFilterChange()
        self._query = text.strip()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        if not self._query:
            return True
        model = self.sourceModel()
        assert isinstance(model, MunicipalityTableModel)
        return search_matches(self._query, model.municipality(source_row).all_names())
