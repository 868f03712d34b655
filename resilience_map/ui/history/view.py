"""The History view: the project's (or one record's) changes, and "Restore this version".

Every edit, delete, restore and undo is in the project's change history. The view
reads it newest first when asked what to show; afterwards each step's
:class:`HistoryWritten` event adds its rows on top — only those that belong to what is
shown — so the history never re-reads the table after an edit. Restoring puts a record
back into its state right after the selected change; it is itself an undoable edit.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from resilience_map.domain.kinds import kind_of
from resilience_map.domain.records import Record
from resilience_map.session import (
    HistoryEntry,
    HistoryWritten,
    ProjectClosed,
    ProjectOpened,
    ProjectSession,
    restore_record,
)
from resilience_map.ui.errors import STEP_REFUSALS, refusal
from resilience_map.ui.events import follow
from resilience_map.ui.history.describe import HistoryDescriber, record_type_of
from resilience_map.ui.history.model import HistoryModel, ShownEntry
from resilience_map.ui.widgets.table_view import rows_table, table_page

#: Rows read at once for the whole project's history; "Show older changes" reads more.
PROJECT_PAGE = 1000


class HistoryView(QWidget):
    """The project's (or one record's) change history with "Restore this version"."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyView")
        self.session = session
        self._record: tuple[type[Record], str] | None = None  # None = whole project
        self._limit = PROJECT_PAGE
        self._build()
        follow(self, session, {HistoryWritten: self._on_written,
                               ProjectOpened: lambda _e: self.show_project(),
                               ProjectClosed: lambda _e: self.show_project()})
        self.show_project()

    def _build(self) -> None:
        self.title_label = QLabel(self)
        self.title_label.setStyleSheet("font-weight: bold")
        self.model = HistoryModel(HistoryDescriber(self.session), self)
        self.table = rows_table(self.model, self, (125, 140, 70, 140, 330, 110), single=True)
        self.table.selectionModel().selectionChanged.connect(self._update_restore)
        self.restore_button = QPushButton("Restore this version", self)
        self.restore_button.clicked.connect(self.restore_selected)
        self.more_button = QPushButton("Show older changes", self)
        self.more_button.clicked.connect(self._show_more)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        table_page(self, self.title_label, self.table, self.message_label, [self.more_button, self.restore_button])

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
        """Read what is asked for (a project opened, another record or page chosen)."""
        store = self.session.store
        self.model.describer = HistoryDescriber(self.session)  # names as they are now
        if store is None:
            self.model.set_rows([])
            self.more_button.hide()
        else:
            uuid = self._record[1] if self._record else None
            entries: list[HistoryEntry] = [*store.history(uuid, limit=None if uuid else self._limit + 1)]
            self.more_button.setVisible(uuid is None and len(entries) > self._limit)
            if uuid is None:
                del entries[self._limit:]
            self.model.set_rows([ShownEntry(e) for e in entries])
        self._update_title()
        self._update_restore()

    def _on_written(self, event: HistoryWritten) -> None:
        """A step wrote history: its rows that belong here go on top, newest first."""
        self.model.describer.forget({e.record_uuid for e in event.entries})
        wanted = [e for e in reversed(event.entries) if self._shows(e)]
        if len(wanted) > PROJECT_PAGE:  # a big import or sync: the newest page, as when opening
            self.reload()
            return
        self.model.prepend([ShownEntry(e) for e in wanted])
        if wanted:
            self._update_title()
            self._update_restore()

    def _shows(self, entry: HistoryEntry) -> bool:
        return self._record is None or entry.record_uuid == self._record[1]

    def _update_title(self) -> None:
        shown = self.model.rowCount()
        if self.session.store is None:
            self.title_label.setText("No project open")
        elif self._record is None:
            self.title_label.setText(f"Project history — latest {shown:,} changes, newest first")
        else:
            kind = kind_of(self._record[0])
            name = self.model.describer.title(kind.table, self._record[1])
            self.title_label.setText(f"History of {kind.label} {name} — {shown:,} changes, newest first")

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
        """The record as it was right after the selected change (before it, for a deletion)."""
        return self._restorable()[0]

    def _restorable(self) -> tuple[Record | None, str]:
        """The state to restore, or None and the reason the button is disabled."""
        entry, store = self.selected_entry(), self.session.store
        if entry is None or store is None:
            return None, "Select a change to restore the record as it was after it."
        record_type = record_type_of(entry.table_name)
        if record_type is None or entry.operation == "boundary":
            return None, "Only records can be restored here (boundaries: Edit → Undo, or a backup copy)."
        if store.read_only:
            return None, "The project is read-only."
        at = entry.fid - 1 if entry.operation == "delete" else entry.fid
        state = store.state_at(record_type, entry.record_uuid, at)
        current = store.find(record_type, entry.record_uuid)
        if state is None:
            return None, "The record did not exist at that point."
        if current is not None and _same_content(current, state):
            return None, "The record is already in this state."
        if current is None:
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
            current = self.session.require_store().find(type(state), state.uuid)
            self.session.do(restore_record(current, state))
        except STEP_REFUSALS as exc:
            self._say(f"Not restored: {refusal(exc)}", error=True)
            return
        self._say("Restored. Edit → Undo takes the restore back.")

    def _say(self, text: str, error: bool = False) -> None:
        self.message_label.setStyleSheet("color: #a40000; font-weight: bold" if error else "color: #333")
        self.message_label.setText(text)


def _same_content(a: Record, b: Record) -> bool:
    return all(getattr(a, name) == getattr(b, name) for name in type(a).content_fields())
