"""File → Export…: the same choices as ``resilience-map export``, written off the GUI thread.

CSV (one record table, UTF-8 with BOM), an Excel workbook, a GeoPackage or GeoJSON for
QGIS, or one offline HTML map — :func:`resilience_map.exporting.export_project`, which
builds the file aside and renames it, so a failure never leaves half a file. The file
name starts in the user's Documents folder; an existing file is replaced only after the
user says so; a folder that cannot be written is said in one sentence before anything
is attempted.
"""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from resilience_map.domain.kinds import KINDS
from resilience_map.exporting import ExportOptions, export_project
from resilience_map.io.exports.snapshot import ExportError
from resilience_map.session import ProjectSession
from resilience_map.ui.errors import USER_ERRORS, os_reason, sentence
from resilience_map.ui.widgets.background import BackgroundRunner, BusyBar, Progress

FORMATS = {  # format → (label, suffix, filter)
    "xlsx": ("Excel workbook (XLSX): a sheet per record kind", ".xlsx", "Excel workbook (*.xlsx)"),
    "csv": ("CSV: one record table (UTF-8, opens in Excel)", ".csv", "CSV (*.csv)"),
    "gpkg": ("GeoPackage for QGIS: municipalities with indicator columns", ".gpkg", "GeoPackage (*.gpkg)"),
    "geojson": ("GeoJSON: municipalities with indicator columns", ".geojson", "GeoJSON (*.geojson)"),
    "html": ("Offline HTML map: one file that works without a network", ".html", "HTML (*.html)"),
}
NAME_FORMS = (("latin", "Latin script (Prishtinë, Čair)"), ("local", "Official local form (Приштина, Чаир)"),
              ("en", "English"))


class FolderError(Exception):
    """The chosen folder cannot take the file (the message is the sentence to show)."""


def documents_folder() -> Path:
    """The user's Documents folder (their home when there is none)."""
    from platformdirs import user_documents_path

    folder = user_documents_path()
    return folder if folder.is_dir() else Path.home()


def check_folder(folder: Path) -> None:
    """Raise :class:`FolderError` unless a file can really be created in ``folder``.

    Asked of the file system itself (permissions alone do not tell: an administrator
    passes every permission check, a read-only drive none of them).
    """
    if not folder.is_dir():
        raise FolderError(f"The folder {folder} does not exist; choose another folder. Nothing was written.")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise FolderError(f"The export cannot be written in {folder} because {os_reason(exc)}; "
                          "choose another folder (your Documents folder, for example). "
                          "Nothing was written.") from None


def write_export(project: Path, out: Path, options: ExportOptions, _progress: Progress) -> Path:
    """The work done off the GUI thread: check the folder, then export (through a file aside)."""
    check_folder(out.parent)
    return export_project(project, out, options)


class ExportDialog(QDialog):
    #: the export was written: the sentence for the status bar
    exported = Signal(str)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export the project")
        self.session = session
        self.project = session.require_store().path
        self.runner = BackgroundRunner(self)
        self.overwrite_box: QMessageBox | None = None
        self.format = QComboBox()
        for key, (label, _suffix, _filter) in FORMATS.items():
            self.format.addItem(label, key)
        self.records = QComboBox()
        for kind in KINDS.values():
            self.records.addItem(kind.plural.capitalize(), kind.table)
        self.records.setCurrentIndex(self.records.findData("indicator_values"))
        self.records_label = QLabel("Records (CSV):")
        self.wave = QComboBox()
        self.wave.addItem("The latest wave with values", None)
        for wave in reversed(session.indexes.waves_in_order()):
            self.wave.addItem(wave.name, wave.name)
        self.indicator = QComboBox()
        self.indicator.addItem("Every indicator", None)
        for indicator in sorted(session.indexes.indicators.all(), key=lambda i: i.code):
            self.indicator.addItem(f"{indicator.code} – {indicator.name}", indicator.code)
        self.names = QComboBox()
        for key, label in NAME_FORMS:
            self.names.addItem(label, key)
        self.file = QLineEdit(str(self._default_path("xlsx")))
        self.file.setMinimumWidth(420)
        self.browse = QPushButton("Choose…")
        self.browse.clicked.connect(self.browse_dialog)
        self.message = QLabel()
        self.message.setObjectName("exportMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setStyleSheet("color: #a40000;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.export_button.setText("Export")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        self._build()
        self.format.currentIndexChanged.connect(self._on_format)
        self.records.currentIndexChanged.connect(self._on_format)
        self.runner.busy_changed.connect(lambda busy: self.export_button.setEnabled(not busy))
        self._on_format()

    def _build(self) -> None:
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("Format:", self.format)
        form.addRow(self.records_label, self.records)
        form.addRow("Study wave:", self.wave)
        form.addRow("Indicator:", self.indicator)
        form.addRow("Municipality names:", self.names)
        form.addRow("File:", file_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(BusyBar(self.runner))
        layout.addWidget(self.buttons)

    # --- choices ------------------------------------------------------------------------------
    def options(self) -> ExportOptions:
        return ExportOptions(format=self.format.currentData(), wave=self.wave.currentData(),
                             indicator=self.indicator.currentData(), names=self.names.currentData(),
                             records=self.records.currentData())

    def _default_path(self, fmt: str, records: str = "indicator_values") -> Path:
        part = records.replace("_", "-") if fmt == "csv" else "export"
        return documents_folder() / f"{self.project.stem}-{part}{FORMATS[fmt][1]}"

    def _on_format(self) -> None:
        fmt = self.format.currentData()
        for widget in (self.records, self.records_label):
            widget.setVisible(fmt == "csv")
        current = Path(self.file.text().strip() or self._default_path(fmt))
        default = self._default_path(fmt, self.records.currentData())
        # the folder the user chose stays; the default name follows the format and records
        name = default.name if current.stem.startswith(self.project.stem) else current.stem + FORMATS[fmt][1]
        self.file.setText(str(current.parent / name))
        self.message.setText("")

    def choose_format(self, fmt: str) -> None:
        self.format.setCurrentIndex(self.format.findData(fmt))

    def browse_dialog(self) -> None:
        fmt = self.format.currentData()
        name, _ = QFileDialog.getSaveFileName(self, "Export to", self.file.text(), FORMATS[fmt][2])
        if name:
            self.file.setText(name)
            self.confirmed = Path(name)  # the file dialog asked about replacing it

    # --- writing --------------------------------------------------------------------------------
    confirmed: Path | None = None

    def start(self) -> None:
        """Export (asking first when the file exists)."""
        out = Path(self.file.text().strip()).expanduser()
        if not self.file.text().strip():
            self.message.setText("Choose the file to write.")
            return
        if out.suffix.lower() != FORMATS[self.format.currentData()][1]:
            out = out.with_name(out.name + FORMATS[self.format.currentData()][1])
            self.file.setText(str(out))
        if out.exists() and out != self.confirmed:
            self._ask_overwrite(out)
            return
        self._write(out)

    def _ask_overwrite(self, out: Path) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, "Replace the file?",
                          f"{out.name} already exists in {out.parent}. Replace it?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("overwriteBox")
        replace = box.button(QMessageBox.StandardButton.Yes)
        replace.setText("Replace")
        box.buttonClicked.connect(lambda button: self._write(out) if button is replace else None)
        self.overwrite_box = box
        box.open()

    def _write(self, out: Path) -> None:
        self.message.setText("")
        options = self.options()
        self.runner.run(f"Writing {out.name}…", partial(write_export, self.project, out, options),
                        lambda written: self._on_written(written, options), self._on_failed)

    def _on_written(self, written: Path, options: ExportOptions) -> None:
        self.exported.emit(f"{options.format.upper()} export written to {written}.")
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, FolderError):
            self.message.setText(str(error))
        elif isinstance(error, (ExportError, *USER_ERRORS)):
            self.message.setText(f"Not exported: {sentence(error)}")
        else:
            raise error

    def done(self, result: int) -> None:
        self.runner.cancel()
        super().done(result)
