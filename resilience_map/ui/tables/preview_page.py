"""Step 4: what the import would do — counts, the row-level report, and the decision.

Nothing is written before Import. The counts (new, changed, unchanged, refused,
skipped) and the report (file row → result → reason, column, municipality) come from
the plan; the report can be saved as the same CSV ``import-table --report`` writes.
Refused rows block the import unless the user chooses to leave them out (the command
line's ``--skip-invalid``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from resilience_map.io.tables.plan import RESULTS
from resilience_map.ui.errors import USER_ERRORS, sentence
from resilience_map.ui.tables.page import WizardPage

if TYPE_CHECKING:
    from resilience_map.io.tables import TableImportPlan
    from resilience_map.ui.tables.wizard import ImportTableWizard

COLUMNS = (("row", "File row"), ("result", "Result"), ("column", "Column"), ("municipality", "Municipality"),
           ("record", "Record"), ("reason", "Reason"))
RESULT_COLOURS = {"refused": QColor("#a40000"), "skipped": QColor("#7a5b00"), "new": QColor("#1a6b1a"),
                  "changed": QColor("#1f4e8c")}
Index = QModelIndex | QPersistentModelIndex


class ReportModel(QAbstractTableModel):
    """The plan's row report (any length: 100,000 rows are only drawn as they scroll by)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, object]] = []

    def show(self, rows: list[dict[str, object]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return str(row[key])
        if role == Qt.ItemDataRole.ForegroundRole and key == "result":
            colour = RESULT_COLOURS.get(str(row[key]))
            return QBrush(colour) if colour else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return None


class PreviewPage(WizardPage):
    title = "Preview"

    def __init__(self, wizard: ImportTableWizard) -> None:
        super().__init__()
        self.wizard = wizard
        self.counts = QLabel()
        self.counts.setObjectName("importCounts")
        self.counts.setTextFormat(Qt.TextFormat.PlainText)
        self.counts.setWordWrap(True)
        font = self.counts.font()
        font.setBold(True)
        self.counts.setFont(font)
        self.creates = QLabel()
        self.creates.setWordWrap(True)
        self.creates.setTextFormat(Qt.TextFormat.PlainText)
        self.show_only = QComboBox()
        self.show_only.addItem("every row", "")
        for result in RESULTS:
            self.show_only.addItem(f"{result} rows", result)
        self.save_button = QPushButton("Save the row report (CSV)…")
        self.save_button.clicked.connect(self.save_dialog)
        self.model = ReportModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 6)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.skip_refused = QCheckBox()
        self._build()
        self.show_only.currentIndexChanged.connect(self._fill_report)
        self.skip_refused.toggled.connect(lambda _on: self.wizard.update_buttons())

    def _build(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Row report, showing:"))
        bar.addWidget(self.show_only)
        bar.addStretch(1)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.creates)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.skip_refused)
        layout.addWidget(self.message)

    def refresh(self) -> None:
        plan = self.wizard.plan
        if plan is None:
            return
        c = plan.counts()
        self.counts.setText(f"{c['new']:,} new · {c['changed']:,} changed · {c['unchanged']:,} unchanged · "
                            f"{c['refused']:,} refused · {c['skipped']:,} skipped — nothing is written "
                            "before you press Import.")
        self.creates.setText(_creates(plan))
        refused = len(plan.refused())
        self.skip_refused.setVisible(bool(refused))
        self.skip_refused.setChecked(False)
        self.skip_refused.setText(f"Import the other rows and leave out the {refused:,} refused "
                                  f"row{'s' if refused != 1 else ''} (they stay listed in the report)")
        if refused:
            self.show_only.setCurrentIndex(self.show_only.findData("refused"))
        self._fill_report()
        self.message.setText("")

    def _fill_report(self) -> None:
        plan = self.wizard.plan
        wanted = self.show_only.currentData()
        rows: list[dict[str, object]] = plan.report_rows() if plan is not None else []
        self.model.show([r for r in rows if not wanted or r["result"] == wanted])
        for column, width in enumerate((64, 78, 230, 130, 250)):
            self.view.setColumnWidth(column, width)

    def problem(self) -> str:
        """Why Import is not possible now ("" when it is)."""
        plan = self.wizard.plan
        if plan is None:
            return "The table has not been checked yet."
        refused = plan.refused()
        if refused and not self.skip_refused.isChecked():
            rows = f"{len(refused):,} row is" if len(refused) == 1 else f"{len(refused):,} rows are"
            return (f"{rows} refused (first: file row {refused[0].row}; the report says why). Fix the "
                    "file and read it again, or tick the box above to import the other rows.")
        if not plan.changes:
            return "Nothing to change: the project already holds everything in the table."
        return ""

    def save_dialog(self) -> None:
        default = f"{self.wizard.path.stem}-report.csv" if self.wizard.path else "report.csv"
        name, _ = QFileDialog.getSaveFileName(self, "Save the row report", default, "CSV (*.csv)")
        if name:
            self.save_report(Path(name))

    def save_report(self, path: Path) -> bool:
        plan = self.wizard.plan
        assert plan is not None
        try:
            plan.write_report(path)
        except USER_ERRORS as exc:
            self.message.setText(sentence(exc))
            return False
        self.wizard.say(f"Row report saved to {path}.")
        return True


def _creates(plan: TableImportPlan) -> str:
    summary = plan.summary()
    _head, sep, tail = summary.partition("; creates ")
    return f"Also creates {tail}." if sep else ""
