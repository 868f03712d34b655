"""The two ways to synchronise, as the Synchronise dialog's two pages: a hub, or a package file.

Only fields here; what the buttons do is the dialog's (:mod:`.dialog`). The hub page never
keeps the password: it is asked for in its field each time, used for that one connection
and cleared afterwards (libpq's own password file still works when the field is left
empty — see README "Synchronisation").
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from resilience_map.sync.package import SUFFIX
from resilience_map.ui.sync.hub_address import shown_address

PACKAGE_FILTER = f"Change packages (*{SUFFIX});;All files (*)"
PASSWORD_NOTE = ("Asked each time and used for this sync only; never stored. Leave it empty to use "
                 "your PostgreSQL password file (~/.pgpass) or PGPASSWORD.")


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555")
    return label


class HubPage(QWidget):
    """Hub address, account, password (not stored), dry run, and "Synchronise now"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.address_edit = QLineEdit(self)
        self.address_edit.setPlaceholderText("hub.example.org/resilience")
        self.account_edit = QLineEdit(self)
        self.account_edit.setPlaceholderText("the login hub staff gave you")
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.dry_run_box = QCheckBox("Dry run: show what would happen, change nothing", self)
        self.sync_button = QPushButton("Synchronise now", self)
        self.sync_button.setDefault(True)
        form = QFormLayout()
        form.addRow("Hub address:", self.address_edit)
        form.addRow("Account:", self.account_edit)
        form.addRow("Password:", self.password_edit)
        form.addRow("", _note(PASSWORD_NOTE))
        layout = QVBoxLayout(self)
        layout.addWidget(_note("Sends this copy's changes to the hub and brings everyone else's, in one "
                               "step (Edit → Undo takes it back)."))
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.dry_run_box, 1)
        row.addWidget(self.sync_button)
        layout.addLayout(row)
        layout.addStretch(1)

    def fill(self, hubs: list[tuple[str, str]]) -> None:
        """The hub used last (address without password, account), unless something is typed."""
        if hubs and not self.address_edit.text():
            address, account = hubs[0]
            self.address_edit.setText(shown_address(address))
            self.account_edit.setText(account)


class PackagePage(QWidget):
    """Export a package (for any copy, or for one known replica) and import one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.for_combo = QComboBox(self)
        self.export_edit = QLineEdit(self)
        self.export_button = QPushButton("Export package", self)
        self.import_edit = QLineEdit(self)
        self.import_edit.setPlaceholderText(f"a {SUFFIX} file from another copy")
        self.dry_run_box = QCheckBox("Dry run: show what would happen, change nothing", self)
        self.import_button = QPushButton("Import package", self)
        send = QGroupBox("Send this copy's changes", self)
        send_form = QFormLayout(send)
        send_form.addRow("For:", self.for_combo)
        send_form.addRow("Save as:", self._with_browse(self.export_edit, self._browse_export))
        send_form.addRow("", self._right(self.export_button))
        bring = QGroupBox("Bring another copy's changes in", self)
        bring_form = QFormLayout(bring)
        bring_form.addRow("Package:", self._with_browse(self.import_edit, self._browse_import))
        row = QHBoxLayout()
        row.addWidget(self.dry_run_box, 1)
        row.addWidget(self.import_button)
        bring_form.addRow("", row)
        layout = QVBoxLayout(self)
        layout.addWidget(send)
        layout.addWidget(bring)
        layout.addStretch(1)

    def fill(self, project: Path, peers: list[str]) -> None:
        """Known copies to export for, and a file name beside the project."""
        self.for_combo.clear()
        self.for_combo.addItem("Any copy: every change this copy has", None)
        for peer in peers:
            self.for_combo.addItem(f"Copy {peer}: only what it has not seen", peer)
        self.for_combo.setEnabled(bool(peers))
        self.for_combo.setToolTip("A copy appears here once a package from it was imported."
                                  if not peers else "")
        if not self.export_edit.text():
            self.export_edit.setText(str(project.with_name(f"{project.stem}-{date.today():%Y-%m-%d}{SUFFIX}")))

    def _with_browse(self, edit: QLineEdit, browse: object) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        button = QPushButton("Browse…", self)
        button.clicked.connect(browse)
        row.addWidget(button)
        return row

    @staticmethod
    def _right(button: QPushButton) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(button)
        return row

    def _browse_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export a change package", self.export_edit.text(),
                                              PACKAGE_FILTER)
        if name:
            self.export_edit.setText(name)

    def _browse_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import a change package", self.import_edit.text(),
                                              PACKAGE_FILTER)
        if name:
            self.import_edit.setText(name)
