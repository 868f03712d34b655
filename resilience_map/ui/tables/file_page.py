"""Step 1: the file, as it was read — encoding, delimiter, sheet and header row, shown live.

Bytes of one encoding decode "successfully" as another, so the only proof is the text:
the first rows are shown decoded, and the user changes the encoding (or the header row,
or the sheet) until Cyrillic and ë/ç/š/đ look right — before anything is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from resilience_map.io.tables import ENCODINGS
from resilience_map.io.tables.cells import cell_text
from resilience_map.io.tables.errors import column_letter
from resilience_map.ui.tables.page import WizardPage

if TYPE_CHECKING:
    from resilience_map.ui.tables.wizard import ImportTableWizard

TABLE_FILTER = ("Tables (*.csv *.tsv *.txt *.tab *.xlsx *.xlsm *.xls *.ods);;"
                "Text tables (*.csv *.tsv *.txt *.tab);;Spreadsheets (*.xlsx *.xlsm *.xls *.ods);;"
                "All files (*)")
PREVIEW_ROWS = 14
PREVIEW_COLUMNS = 26
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
HEADER_BRUSH = QBrush(QColor("#dbe8f5"))
ABOVE_BRUSH = QBrush(QColor("#8a8a8a"))


class FilePage(WizardPage):
    title = "Table"

    def __init__(self, wizard: ImportTableWizard) -> None:
        super().__init__()
        self.wizard = wizard
        self._filling = False
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText("CSV, TSV, TXT, XLSX, XLS or ODS")
        self.browse = QPushButton("Choose file…")
        self.browse.clicked.connect(self.browse_dialog)
        self.sheet = QComboBox()
        self.sheet_label = QLabel("Sheet:")
        self.encoding = QComboBox()
        for codec, label in ENCODINGS.items():
            self.encoding.addItem(label, codec)
        self.encoding_label = QLabel("Encoding:")
        self.header_row = QSpinBox()
        self.header_row.setRange(1, 1)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        self.preview = QTableWidget()
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setWordWrap(False)
        self._build()
        self.sheet.currentIndexChanged.connect(self._on_sheet)
        self.encoding.currentIndexChanged.connect(self._on_encoding)
        self.header_row.valueChanged.connect(self._on_header_row)

    def _build(self) -> None:
        file_row = QHBoxLayout()
        file_row.addWidget(QLabel("File:"))
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse)
        choices = QHBoxLayout()
        choices.addWidget(self.sheet_label)
        choices.addWidget(self.sheet)
        choices.addWidget(self.encoding_label)
        choices.addWidget(self.encoding)
        choices.addWidget(QLabel("Headers in row:"))
        choices.addWidget(self.header_row)
        choices.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addLayout(choices)
        layout.addWidget(self.info)
        layout.addWidget(QLabel("The first rows as read (check that every letter looks right; the "
                                "header row is shaded):"))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.message)

    # --- the user's choices --------------------------------------------------------------
    def browse_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import a table", "", TABLE_FILTER)
        if name:
            from pathlib import Path

            self.wizard.choose_file(Path(name))

    def _on_encoding(self) -> None:
        if not self._filling:
            self.wizard.set_encoding(self.encoding.currentData())

    def _on_sheet(self) -> None:
        if not self._filling and self.sheet.currentText():
            self.wizard.set_sheet(self.sheet.currentText())

    def _on_header_row(self, value: int) -> None:
        if not self._filling:
            self.wizard.set_header_row(value)

    def choose_encoding(self, label: str) -> None:
        """Pick an encoding by the name users see ("Windows-1251"), as from the list."""
        self.encoding.setCurrentIndex(self.encoding.findText(label))

    # --- showing the file ------------------------------------------------------------------
    def refresh(self) -> None:
        w = self.wizard
        self._filling = True
        try:
            self.path_edit.setText(str(w.path) if w.path else "")
            self._show_choices()
            self._show_rows()
        finally:
            self._filling = False
        self.info.setText(self._describe())
        self.message.setText(w.read_problem)

    def _show_choices(self) -> None:
        w, source = self.wizard, self.wizard.source
        spreadsheet = bool(source is not None and source.sheet)
        for widget in (self.sheet, self.sheet_label):
            widget.setVisible(spreadsheet)
        for widget in (self.encoding, self.encoding_label):
            widget.setVisible(not spreadsheet)
        if source is not None and spreadsheet:
            self.sheet.clear()
            self.sheet.addItems(list(source.sheet_names))
            self.sheet.setCurrentText(source.sheet or "")
        read_with = source.encoding if source is not None else None
        codec = read_with or w.encoding or w.guessed_encoding
        index = self.encoding.findData(codec)
        if index >= 0:
            self.encoding.setCurrentIndex(index)
        rows = len(source.rows) if source is not None else 1
        self.header_row.setRange(1, max(1, min(rows, 60)))
        if w.table is not None:
            self.header_row.setValue(w.table.header_row)

    def _show_rows(self) -> None:
        source, table = self.wizard.source, self.wizard.table
        self.preview.clear()
        if source is None:
            self.preview.setRowCount(0)
            self.preview.setColumnCount(0)
            return
        rows = source.rows[:PREVIEW_ROWS]
        width = min(max((len(r) for r in rows), default=0), PREVIEW_COLUMNS)
        self.preview.setRowCount(len(rows))
        self.preview.setColumnCount(width)
        self.preview.setHorizontalHeaderLabels([column_letter(j) for j in range(width)])
        self.preview.setVerticalHeaderLabels([str(n) for n in source.row_numbers[:len(rows)]])
        header = table.header_row if table is not None else None
        bold = QFont()
        bold.setBold(True)
        for i, row in enumerate(rows):
            number = source.row_numbers[i]
            for j in range(width):
                item = QTableWidgetItem(cell_text(row[j]) if j < len(row) else "")
                if number == header:
                    item.setBackground(HEADER_BRUSH)
                    item.setFont(bold)
                elif header is not None and number < header:
                    item.setForeground(ABOVE_BRUSH)
                self.preview.setItem(i, j, item)
        self.preview.resizeColumnsToContents()
        for j in range(width):
            self.preview.setColumnWidth(j, min(self.preview.columnWidth(j), 260))

    def _describe(self) -> str:
        w, source, table = self.wizard, self.wizard.source, self.wizard.table
        if source is None:
            return "" if w.path is None else f"{w.path.name} could not be read as it is."
        if source.sheet:
            how = f"Sheet “{source.sheet}” of {len(source.sheet_names)}"
        else:
            chosen = "chosen" if w.encoding else "detected"
            how = (f"{source.encoding_label} ({chosen}), "
                   f"{DELIMITER_NAMES.get(source.delimiter or '', repr(source.delimiter))}-separated")
        if table is None:
            return how + "."
        text = f"{how}; headers in row {table.header_row}; {len(table.rows):,} data rows"
        if table.skipped:
            row, why = table.skipped[0]
            text += f"; {len(table.skipped):,} rows left out (row {row}: {why}"
            text += ", …)" if len(table.skipped) > 1 else ")"
        return text + "."
