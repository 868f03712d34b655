"""Pending changes: this copy's changes not sent yet, each revertable before it leaves.

A change is pending until it went out in a package or a hub accepted it; one the hub refused
(outside the account's rights) stays pending, marked with the hub's reason. Reverting the
selected changes is one undoable step (Edit → Undo puts them back). The list is read when it
is shown and after each step while it is open — not after every edit while it is closed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from resilience_map.session import ProjectClosed
from resilience_map.session.synchronise import Synchronisation, SyncStatusChanged
from resilience_map.sync.review import PendingChange
from resilience_map.ui.errors import USER_ERRORS, sentence
from resilience_map.ui.events import follow
from resilience_map.ui.history.model import ACTIONS, DescribedChangesModel
from resilience_map.ui.sync.words import pending_entry
from resilience_map.ui.widgets.table_view import rows_table, table_page
from resilience_map.ui.widgets.values import timestamp_label

HEADERS = ["When", "Who", "Action", "Record type", "Record", "Field", "Change", "Hub's answer"]
REFUSED_COLOUR = "#a40000"
#: A change already sent (ValueError) or a project that cannot be written.
REFUSALS: tuple[type[BaseException], ...] = (ValueError, *USER_ERRORS)


class PendingModel(DescribedChangesModel[PendingChange, tuple[list[str], str]]):
    """Pending changes, oldest first, described when first shown."""

    headers = HEADERS

    def cell(self, row: int, column: int, role: int) -> object:
        texts, detail = self.texts(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return texts[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return texts[column] if column in (4, 7) else detail
        if role == Qt.ItemDataRole.ForegroundRole and self.rows[row].refused:
            return QBrush(QColor(REFUSED_COLOUR))
        return None

    def describe(self, row: int) -> tuple[list[str], str]:
        change = self.rows[row]
        described = self.describer.row(pending_entry(change))
        answer = f"Refused: {change.refused}" if change.refused else ""
        texts = [timestamp_label(change.changed_at), change.author,
                 ACTIONS.get(change.operation, change.operation), described.record_type,
                 described.record, described.field, described.change, answer]
        return texts, described.detail


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
        self.table = rows_table(self.model, self, (115, 110, 60, 105, 260, 70, 180))
        self.table.selectionModel().selectionChanged.connect(self._update_button)
        self.revert_button = QPushButton("Revert selected", self)
        self.revert_button.setToolTip("Take the selected changes back before they are sent, as one step "
                                      "(Edit → Undo puts them back)")
        self.revert_button.clicked.connect(self.revert_selected)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        table_page(self, self.title_label, self.table, self.message_label, [self.revert_button])
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
        self.model.set_rows(changes)
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
        return [self.model.rows[i.row()] for i in sorted(self.table.selectionModel().selectedRows())]

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
