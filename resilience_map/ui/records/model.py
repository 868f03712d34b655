"""Qt table model over ONE record type: read page by page, patched from change events.

Tables such as the indicator values can hold 100,000 rows, so the model never loads a
table whole: it reads one page of the store's filtered, sorted result and Qt's
``canFetchMore``/``fetchMore`` pull the next when the user scrolls down.

After a change — an edit here or in a form, an undo, an import — the model never reads
the table again: the session's :class:`RecordsChanged` event carries the records, and
the model patches exactly what changed: one row's cells (``dataChanged`` for that row
only), rows inserted for added records that match the filter, rows removed for removed
ones. Rows shown out of the store's order (a new record, a row brought back by undo,
which goes back where it was) are "pinned": when paging later reaches them in the
store's order they are recognised and not shown twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from resilience_map.domain.records import IndicatorValue, Record
from resilience_map.domain.validation import ValidationError
from resilience_map.session import ProjectSession, RecordsChanged, update_records
from resilience_map.ui.errors import USER_ERRORS, field_sentence, sentence
from resilience_map.ui.events import follow
from resilience_map.ui.records.cells import REFERENCES, CellText
from resilience_map.ui.records.columns import COLUMNS, EditSpec, coerce, edit_spec
from resilience_map.ui.records.row_filter import RowFilter

Index = QModelIndex | QPersistentModelIndex

#: Rows per query; big enough to fill any screen, small enough to arrive at once.
PAGE_SIZE = 200
UUID_ROLE = Qt.ItemDataRole.UserRole + 1
#: How many removed rows' places are remembered, so undoing a delete puts them back.
REMEMBERED_PLACES = 10_000


class RecordTableModel(QAbstractTableModel):
    """Rows of one record type; edits go to ``session.do``, changes come back as events."""

    #: the reason an edit was not saved (validation, stale record, read-only project…)
    edit_refused = Signal(str)
    #: rows or totals changed (for "1,234 of 17,820 indicator values")
    counts_changed = Signal()

    def __init__(self, session: ProjectSession, record_type: type[Record],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.record_type = record_type
        self.columns = COLUMNS[record_type]
        self.cells = CellText(session)
        self.row_filter = RowFilter(record_type)
        self.loaded = False  # rows read for the current project and filter
        self._rows: list[Record] = []
        self._positions: dict[str, int] | None = {}
        self._pinned: set[str] = set()
        self._fetched = 0  # rows of the store's ordered result read so far
        self._total = 0  # rows matching the filter
        self._all = 0  # rows of this type
        self._order = ("fid", False)
        self._sort = (-1, Qt.SortOrder.AscendingOrder)
        self._removed_at: dict[str, int] = {}
        follow(self, session, {RecordsChanged: self._on_records})

    # --- what is shown ----------------------------------------------------------------------
    @property
    def has_place(self) -> bool:
        """Whether records of this type belong to a municipality (country/municipality filters apply)."""
        return self.row_filter.has_place

    @property
    def matching(self) -> int:
        """Rows that match the current filter (loaded or not)."""
        return self._total

    def total(self) -> int:
        """All rows of this record type, ignoring the filter."""
        return self._all

    def record(self, row: int) -> Record:
        return self._rows[row]

    def uuids(self, rows: Iterable[int]) -> list[str]:
        return [self._rows[r].uuid for r in rows]

    def row_of(self, uuid: str) -> int:
        if self._positions is None:
            self._positions = {r.uuid: i for i, r in enumerate(self._rows)}
        return self._positions.get(uuid, -1)

    # --- reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Start over from the first page (project opened, filter or sort changed)."""
        self.beginResetModel()
        self._rows, self._positions, self._pinned, self._removed_at = [], {}, set(), {}
        self._fetched = self._total = self._all = 0
        store = self.session.store
        self.loaded = store is not None
        if store is not None:
            query = self.row_filter.query(*self._order)
            self._total = store.count_query(query)
            self._all = store.count(self.record_type)
            self._append_page(store.query(replace(query, offset=0, limit=PAGE_SIZE)))
        self.endResetModel()
        self.counts_changed.emit()

    def set_filter(self, row_filter: RowFilter) -> bool:
        """Show only matching rows; returns whether the filter changed (and rows were read)."""
        row_filter = replace(row_filter, record_type=self.record_type).normalised()
        if row_filter == self.row_filter and self.loaded:
            return False
        self.row_filter = row_filter
        self.refresh()
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL: a new query from the first page (column -1 = order of entry)."""
        key = self.columns[column].sort_key if 0 <= column < len(self.columns) else "fid"
        if key is None:
            return
        self._sort = (column, order)
        self._order = (key, order == Qt.SortOrder.DescendingOrder)
        self.refresh()

    def sort_state(self) -> tuple[int, Qt.SortOrder]:
        return self._sort

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self.loaded and self._fetched < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        store = self.session.store
        if parent.isValid() or store is None:
            return
        query = replace(self.row_filter.query(*self._order), offset=self._fetched, limit=PAGE_SIZE)
        page = store.query(query)
        if not page:
            self._total = self._fetched + len(self._pinned)
            self.counts_changed.emit()
            return
        fresh = self._append_page(page, announce=True)
        if fresh:
            self.counts_changed.emit()

    def _append_page(self, page: list[Record], announce: bool = False) -> int:
        """Rows of the store's order; a row already shown (pinned) is now in its place."""
        self._fetched += len(page)
        fresh = [r for r in page if self.row_of(r.uuid) < 0]
        self._pinned.difference_update(r.uuid for r in page)
        if fresh:
            first = len(self._rows)
            if announce:
                self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._rows.extend(fresh)
            if self._positions is not None:
                self._positions.update({r.uuid: first + i for i, r in enumerate(fresh)})
            if announce:
                self.endInsertRows()
        return len(fresh)

    # --- patching from events -------------------------------------------------------------------
    def _on_records(self, event: RecordsChanged) -> None:
        if not self.loaded:
            return
        if event.record_type in REFERENCES.get(self.record_type, ()):
            self._repaint_references(event.uuids())
        if event.record_type is not self.record_type:
            return
        self._remove(event.removed)
        for before, after in event.updated:
            self._update(before, after)
        self._add(event.added)
        self._all += len(event.added) - len(event.removed)
        self.counts_changed.emit()

    def _update(self, before: Record, after: Record) -> None:
        row, indexes = self.row_of(after.uuid), self.session.indexes
        now = self.row_filter.matches(after, indexes)
        if row >= 0 and now:
            self._rows[row] = after
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))
        elif row >= 0:
            self._remove([before])
        elif now and not self.row_filter.matches(before, indexes):
            self._add([after])
        elif not now and self.row_filter.matches(before, indexes):
            self._total -= 1  # it left the filter from a page not read yet

    def _remove(self, records: Iterable[Record]) -> None:
        rows = []
        for record in records:
            row = self.row_of(record.uuid)
            if row >= 0:
                rows.append(row)
            elif self.row_filter.matches(record, self.session.indexes):
                self._total -= 1  # a row of a page not read yet
        for first, last in reversed(_runs(sorted(rows))):
            self._remove_rows(first, last)

    def _remove_rows(self, first: int, last: int) -> None:
        self.beginRemoveRows(QModelIndex(), first, last)
        for row in range(first, last + 1):
            uuid = self._rows[row].uuid
            if uuid in self._pinned:
                self._pinned.discard(uuid)
            else:
                self._fetched -= 1  # the store's later rows move up by one
            if len(self._removed_at) < REMEMBERED_PLACES:
                self._removed_at[uuid] = row
        del self._rows[first:last + 1]
        self._total -= last - first + 1
        self._positions = None
        self.endRemoveRows()

    def _add(self, records: Iterable[Record]) -> None:
        """Matching new records: back where they were (undo), else after the loaded rows."""
        wanted = [r for r in records if self.row_of(r.uuid) < 0
                  and self.row_filter.matches(r, self.session.indexes)]
        if not wanted:
            return
        end = len(self._rows)
        placed = sorted(((min(self._removed_at.pop(r.uuid, end + i), end + i), i, r)
                         for i, r in enumerate(wanted)), key=lambda t: (t[0], t[1]))
        targets = [position for position, _i, _r in placed]
        start = 0
        for first, last in _runs(targets):
            count = last - first + 1
            batch = [r for _p, _i, r in placed[start:start + count]]
            at = min(first, len(self._rows))
            self.beginInsertRows(QModelIndex(), at, at + count - 1)
            self._rows[at:at] = batch
            self._pinned.update(r.uuid for r in batch)
            self._positions = None
            self.endInsertRows()
            start += count
        self._total += len(wanted)

    def _repaint_references(self, uuids: set[str]) -> None:
        """A municipality, indicator or wave was renamed: repaint the rows naming it."""
        rows = [i for i, r in enumerate(self._rows) if referenced_uuids(r) & uuids]
        if rows:
            self.dataChanged.emit(self.index(rows[0], 0), self.index(rows[-1], len(self.columns) - 1))

    # --- Qt model API -----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole:
            notes = [] if column.editable else ["shown for reference, not editable here"]
            if column.sort_key is None:
                notes.append("cannot be sorted")
            return f"{column.header}: {'; '.join(notes)}" if notes else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        store = self.session.store
        if index.isValid() and self.columns[index.column()].editable and store and not store.read_only:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record, column = self._rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.EditRole and column.editable \
                and isinstance(value := getattr(record, column.field), str):
            return value  # the whole text, never the shortened cell text
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.cells.display(record, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.cells.tooltip(record, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and self.cells.is_number(self.record_type, column):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == UUID_ROLE:
            return record.uuid
        return None

    # --- editing -----------------------------------------------------------------------------
    def edit_spec(self, index: Index) -> EditSpec | None:
        """The editor a cell needs; indicator values get their indicator's scale and unit."""
        column = self.columns[index.column()]
        if not column.editable:
            return None
        spec = edit_spec(self.record_type, column.field)
        record = self._rows[index.row()]
        if isinstance(record, IndicatorValue) and column.field == "value":
            ind = self.session.indexes.indicators.get(record.indicator_uuid)
            if ind is not None:
                spec = replace(spec, minimum=ind.scale_min, maximum=ind.scale_max, unit=ind.unit,
                               scale_name=ind.name)
        return spec

    def raw_value(self, index: Index) -> object:
        """The field's Python value (what the delegate puts into its editor)."""
        return getattr(self._rows[index.row()], self.columns[index.column()].field)

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Save one cell as one undoable step; on refusal say why and write nothing."""
        spec = self.edit_spec(index) if index.isValid() else None
        if role != Qt.ItemDataRole.EditRole or spec is None:
            return False
        record, column = self._rows[index.row()], self.columns[index.column()]
        try:
            new = coerce(value, spec, column.field)
            if new == getattr(record, column.field):
                return True
            changes: dict[str, Any] = {column.field: new}
            edited = replace(record, **changes)
            self._validate(edited)
            self.session.do(update_records([(record, edited)]))
        except ValidationError as exc:
            self.edit_refused.emit(f"Not saved: {field_sentence(exc, column.header)}")
            return False
        except USER_ERRORS as exc:
            self.edit_refused.emit(f"Not saved: {sentence(exc)}")
            return False
        return True

    def _validate(self, record: Record) -> None:
        """The store's rules, checked first so the sentence names the column."""
        if isinstance(record, IndicatorValue):
            indicator = self.session.indexes.indicators.get(record.indicator_uuid)
            if indicator is not None:
                record.validate_against(indicator)
                return
        record.validate()


def referenced_uuids(record: Record) -> set[str]:
    """Uuids of the records whose names this row shows."""
    found = {getattr(record, name, None) for name in ("municipality_uuid", "indicator_uuid", "wave_uuid")}
    found.update(p.municipality_uuid for p in getattr(record, "participants", ()))
    found.discard(None)
    return found  # type: ignore[return-value]


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted numbers: [1, 2, 3, 7] → [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs
