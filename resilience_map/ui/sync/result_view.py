"""What an import or a sync did, record by record, and "Save report (CSV)…".

The rows are the command line's report rows (:mod:`resilience_map.sync.report`): every
applied change, every new conflict and every refusal with its reason, so the window and
``sync-import --report`` tell the same story; the CSV written here is that same report.
Names are looked up only for the rows on screen (an import can bring 10,000 changes).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton, QWidget

from resilience_map.session import ProjectSession
from resilience_map.sync.report import ReportRow, write_report
from resilience_map.ui.errors import USER_ERRORS, sentence
from resilience_map.ui.history.describe import type_label
from resilience_map.ui.history.model import DescribedChangesModel
from resilience_map.ui.sync.words import field_label, stored_text, who_when
from resilience_map.ui.widgets.table_view import rows_table, table_page

HEADERS = ["Result", "Record type", "Record", "Field", "Value", "Before / other value", "Who, when", "Why"]
STATUS_COLOURS = {"conflict": "#8a5a00", "refused": "#a40000", "warning": "#8a5a00"}
REPORT_FILTER = "CSV report (*.csv);;All files (*)"


class ReportModel(DescribedChangesModel[ReportRow, list[str]]):
    """Report rows, described when first shown."""

    headers = HEADERS

    def cell(self, row: int, column: int, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.texts(row)[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            colour = STATUS_COLOURS.get(self.rows[row].status)
            return QBrush(QColor(colour)) if colour else None
        return None

    def describe(self, row: int) -> list[str]:
        r, d = self.rows[row], self.describer
        if not r.table:
            return [r.status, "", "", "", "", "", "", r.reason]
        title = d.title(r.table, r.record_uuid) if r.record_uuid else ""
        return [r.status, type_label(r.table), title, field_label(r.field) if r.field else "",
                d.value_text(r.table, r.field or None, stored_text(r.value)) if r.field else str(r.value),
                d.value_text(r.table, r.field or None, stored_text(r.other_value)) if r.other_value else "",
                who_when(r.author, r.changed_at), r.reason if r.status != "applied" else ""]


class ResultView(QWidget):
    """The summary sentence, the rows, and the button that saves them as the CSV report."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = ReportModel(session, self)
        self.table = rows_table(self.model, self, (65, 100, 215, 60, 85, 130, 195), row_padding=6)
        # fit "who, when" to the first rows, not all 10,000
        self.table.horizontalHeader().setResizeContentsPrecision(100)
        self.save_button = QPushButton("Save report (CSV)…", self)
        self.save_button.setToolTip("Every applied change, conflict and refusal, as the command line's "
                                    "--report writes it")
        self.save_button.clicked.connect(self.save_report_dialog)
        self.saved_label = QLabel(self)
        table_page(self, self.summary_label, self.table, self.saved_label, [self.save_button], margin=0)
        self.show_result("", [])

    def show_result(self, summary: str, rows: list[ReportRow]) -> None:
        self.summary_label.setText(summary)
        self.model.set_rows(rows)
        self.table.resizeColumnToContents(6)  # who and when, whole (Qt measures the rows on screen)
        self.table.setVisible(bool(rows))
        self.save_button.setEnabled(bool(rows))
        self.saved_label.clear()

    def rows_with(self, status: str) -> list[ReportRow]:
        return [r for r in self.model.rows if r.status == status]

    def save_report_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the synchronisation report", "sync-report.csv",
                                              REPORT_FILTER)
        if name:
            try:
                self.save_report(Path(name))
            except USER_ERRORS as exc:
                self.saved_label.setText(f"Report not saved: {sentence(exc)}")

    def save_report(self, path: Path) -> int:
        """Write the CSV report (cells a spreadsheet would run as a formula are quoted)."""
        count = write_report(path, self.model.rows, self.session.require_store())
        self.saved_label.setText(f"{count:,} rows saved to {path.name}.")
        return count
