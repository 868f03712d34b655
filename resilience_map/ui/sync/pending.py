"""Pending changes: this copy's changes not sent yet, each revertable before it leaves.

A change is pending until it went out in a package or a hub accepted it; one the hub refused
(outside the account's rights) stays pending, marked with the hub's reason. Reverting the
selected changes is one undoable step (Edit → Undo puts them back). The list is read when it
is shown and after each step while it is open — not after every edit while it is closed.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QShowEvent
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

from resilience_map.session import ProjectClosed, ProjectSession
from resilience_map.session.synchronise import Synchronisation, SyncStatusChanged
from resilience_map.sync.review import PendingChange
from resilience_map.ui.errors import USER_ERRORS, sentence
from resilience_map.ui.events import follow
from resilience_map.ui.history.describe import HistoryDescriber
from resilience_map.ui.history.model import ACTIONS
from resilience_map.ui.sync.words import pending_entry
from resilience_map.ui.widgets.values import timestamp_label

Index = QModelIndex | QPersistentModelIndex
HEADERS = ["When", "Who", "Action", "Record type", "Record", "Field", "Change", "Hub's answer"]
REFUSED_COLOUR = "#a40000"
#: A change already sent (ValueError) or a project that cannot be written.
REFUSALS: tuple[type[BaseException], ...] = (ValueError, *USER_ERRORS)


class PendingModel(QAbstractTableModel):
    """Pending changes, oldest first, described when first shown."""

    def __init__(self, session: ProjectSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.changes: list[PendingChange] = []
        self._texts: dict[int, tuple[list[str], str]] = {}
        self._describer = HistoryDescriber(session)

    def set_changes(self, changes: list[PendingChange]) -> None:
        self.beginResetModel()
        self.changes, self._texts = changes, {}
        self._describer = HistoryDescriber(self.session)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.changes)

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
        texts, detail = self.texts(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return texts[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return texts[index.column()] if index.column() in (4, 7) else detail
        if role == Qt.ItemDataRole.ForegroundRole and self.changes[index.row()].refused:
            return QBrush(QColor(REFUSED_COLOUR))
        return None

    def texts(self, row: int) -> tuple[list[str], str]:
        if row not in self._texts:
            change = self.changes[row]
            described = self._describer.row(pending_entry(change))
            answer = f"Refused: {change.refused}" if change.refused else ""
            texts = [timestamp_label(change.changed_at), change.author,
                     ACTIONS.get(change.operation, change.operation), described.record_type,
                     described.record, described.field, described.change, answer]
            self._texts[row] = (texts, described.detail)
        return self._texts[row]


class PendingView(QWidget):
    """The list, "Revert selected", and a line saying what happened."""

    def __init__(self, sync: Synchronisation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pendingView")
        self.sync = sync
        self._stale = True
        self.title_label = QLabel(self)
        self.title_label.setWordWrap(True)
        self.model = PendingModel(sync.session, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((115, 110, 60, 105, 260, 70, 180)):
            header.resizeSection(column, width)
        self.table.selectionModel().selectionChanged.connect(self._update_button)
        self.revert_button = QPushButton("Revert selected", self)
        self.revert_button.setToolTip("Take the selected changes back before they are sent, as one step "
                                      "(Edit → Undo puts them back)")
        self.revert_button.clicked.connect(self.revert_selected)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        buttons.addWidget(self.revert_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        follow(self, sync.session, {SyncStatusChanged: lambda _e: self._changed(),
                                    ProjectClosed: lambda _e: self._changed()})
        self._update_button()

    # --- reading -------------------------------------------------------------------------------
    def _changed(self) -> None:
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        store = self.sync.session.store
        changes = self.sync.pending() if store is not None and not store.read_only else []
        self._stale = False
        self.model.set_changes(changes)
        refused = sum(1 for c in changes if c.refused)
        if store is None:
            self.title_label.setText("No project open")
        elif not changes:
            self.title_label.setText("Every change of this copy has been sent (in a package or to a hub).")
        else:
            note = f"; {refused:,} refused by the hub (marked in red) stay here" if refused else ""
            self.title_label.setText(f"{len(changes):,} changes of this copy not sent yet — they go with the "
                                     f"next package or hub sync{note}. Oldest first.")
        self._update_button()

    # --- reverting -----------------------------------------------------------------------------
    def selected_changes(self) -> list[PendingChange]:
        return [self.model.changes[i.row()] for i in sorted(self.table.selectionModel().selectedRows())]

    def select_rows(self, rows: list[int]) -> None:
        self.table.clearSelection()
        for row in rows:
            self.table.selectionModel().select(
                self.model.index(row, 0), self.table.selectionModel().SelectionFlag.Select
                | self.table.selectionModel().SelectionFlag.Rows)

    def revert_selected(self) -> bool:
        changes = self.selected_changes()
        if not changes:
            return False
        try:
            self.sync.revert(changes)
        except REFUSALS as exc:
            self._say(f"Not reverted: {sentence(exc)}", error=True)
            return False
        what = "1 change" if len(changes) == 1 else f"{len(changes):,} changes"
        self._say(f"Reverted {what}. Edit → Undo puts {'it' if len(changes) == 1 else 'them'} back.")
        return True

    def _update_button(self, *_args: object) -> None:
        self.revert_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def _say(self, text: str, error: bool = False) -> None:
        self.message_label.setStyleSheet(f"color: {REFUSED_COLOUR}; font-weight: bold" if error else "")
        self.message_label.setText(text)
