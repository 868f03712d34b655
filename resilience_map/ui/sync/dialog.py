"""File → Synchronise…: with a hub, or with a package file; then what happened, record by record.

The slow part of each way runs off the GUI thread (:class:`Background`): reading and
checking a package, connecting to the hub. What changes the project — the merge, as one
session step with its events — runs on the GUI thread afterwards; the window waits only
for that step, with the progress bar saying so. A failure (unreachable hub, wrong
password, no rights, a damaged or altered package) is one sentence through the window's
reporter, and the project is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from resilience_map.session.synchronise import Synchronisation
from resilience_map.sync.hub import HubError, address_without_password, connect
from resilience_map.sync.package import SUFFIX, Package, read_package
from resilience_map.sync.report import rows_for
from resilience_map.ui.shell.reporter import ErrorReporter
from resilience_map.ui.sync.background import Background
from resilience_map.ui.sync.hub_address import hub_conninfo
from resilience_map.ui.sync.pages import HubPage, PackagePage
from resilience_map.ui.sync.result_view import ResultView
from resilience_map.ui.sync.words import failure_sentence, failures, hub_summary, import_summary

DIALOG_SIZE = (960, 620)  # fits a 1366×768 screen with the task bar


class SynchroniseDialog(QDialog):
    """Window-modal: the map keeps drawing while a package is read or a hub answers."""

    def __init__(self, sync: Synchronisation, reporter: ErrorReporter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("synchroniseDialog")
        self.setWindowTitle("Synchronise")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.sync, self.reporter = sync, reporter
        self.worker = Background(self)
        self._abandoned = self._working = False
        self.hub, self.package = HubPage(self), PackagePage(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.hub, "With a hub")
        self.tabs.addTab(self.package, "With a package file")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: how long a server or a disk takes is not known
        self.progress.setMaximumWidth(160)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.result_view = ResultView(sync.session, self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        status = QHBoxLayout()
        status.addWidget(self.progress)
        status.addWidget(self.status_label, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addLayout(status)
        layout.addWidget(self.result_view, 1)
        layout.addWidget(self.buttons)
        self.hub.sync_button.clicked.connect(self.sync_with_hub)
        self.package.export_button.clicked.connect(self.export_package)
        self.package.import_button.clicked.connect(self.import_package)
        self._set_busy(None)
        self.resize(*DIALOG_SIZE)

    def prepare(self) -> None:
        """Fill in what the project knows: the hub used last, the copies heard from."""
        self.hub.fill(self.sync.hubs())
        self.package.fill(self.sync.session.require_store().path, self.sync.peers())

    @property
    def busy(self) -> bool:
        """Reading, connecting or merging (the buttons are disabled meanwhile)."""
        return self.worker.busy or self._working

    # --- packages ----------------------------------------------------------------------------
    def import_package(self) -> None:
        text = self.package.import_edit.text().strip()
        if not text:
            self._say("Choose the package file to import first.", error=True)
            return
        path, dry_run = Path(text), self.package.dry_run_box.isChecked()
        self._start(f"Reading and checking {path.name}…", lambda: read_package(path),
                    lambda package: self._apply_package(package, dry_run), "Package not imported")

    def _apply_package(self, package: object, dry_run: bool) -> None:
        assert isinstance(package, Package)
        if self._abandoned:
            return
        self._set_busy(f"Merging {len(package.writes):,} changes into the project…")
        self._run_step("Package not imported", lambda: self._show_import(package, dry_run))

    def _show_import(self, package: Package, dry_run: bool) -> None:
        summary = self.sync.import_package(package, dry_run=dry_run)
        self.prepare()  # the sender is a copy this one can now make packages for
        self._show(import_summary(summary), rows_for(summary.merge, summary.refused, summary.dry_run))

    def export_package(self) -> None:
        text = self.package.export_edit.text().strip()
        if not text:
            self._say("Choose where to save the package first.", error=True)
            return
        path = Path(text) if Path(text).suffix else Path(text).with_suffix(SUFFIX)
        for_replica = self.package.for_combo.currentData()
        self._set_busy(f"Writing {path.name}…")
        self._run_step("Package not exported", lambda: self._show_export(path, for_replica))

    def _show_export(self, path: Path, for_replica: str | None) -> None:
        summary = self.sync.export_package(path, for_replica=for_replica)
        self._show(f"{summary.changes:,} changes written to {path} ({summary.size / 1024:,.0f} KiB): take it "
                   "to the other copy and import it there with File → Synchronise.", [])

    # --- a hub --------------------------------------------------------------------------------
    def sync_with_hub(self) -> None:
        account = self.hub.account_edit.text().strip()
        try:
            url = hub_conninfo(self.hub.address_edit.text(), account, self.hub.password_edit.text())
            public = hub_conninfo(self.hub.address_edit.text(), account)
        except HubError as exc:
            self._say(str(exc), error=True)
            return
        self.hub.password_edit.clear()  # used for this one connection, kept nowhere
        dry_run = self.hub.dry_run_box.isChecked()
        self._start(f"Connecting to {address_without_password(public)}…",
                    lambda: connect(url, ask=_no_password(account)),
                    lambda pg: self._sync_connected(public, pg, dry_run), "Not synchronised", account)

    def _sync_connected(self, public: str, pg: object, dry_run: bool) -> None:
        if self._abandoned:
            pg.close()  # type: ignore[attr-defined]
            return
        self._set_busy("Exchanging changes with the hub and merging them into the project…")
        try:
            self._run_step("Not synchronised", lambda: self._show_sync(public, pg, dry_run))
        finally:
            pg.close()  # type: ignore[attr-defined]

    def _show_sync(self, public: str, pg: object, dry_run: bool) -> None:
        result = self.sync.sync_hub(public, dry_run=dry_run, connection=pg)
        self._show(hub_summary(result), rows_for(result.merge, result.refused, result.dry_run))

    # --- steps, progress, outcome -------------------------------------------------------------
    def _start(self, text: str, work: Callable[[], object], done: Callable[[object], None], title: str,
               account: str = "") -> None:
        """Work that only waits (for a disk, a network), on a worker thread."""
        self._abandoned = False
        self._set_busy(text)
        self.worker.start(work, done, self._failed(title, account))

    def _run_step(self, title: str, step: Callable[[], None]) -> None:
        """A step that changes the project, on the GUI thread (the session's events are emitted
        here); the progress text is drawn first, since the window waits for this part."""
        self.status_label.repaint()
        try:
            step()
        except failures() as exc:
            self._report(title, exc)
        finally:
            self._set_busy(None)

    def _failed(self, title: str, account: str = "") -> Callable[[BaseException], None]:
        def failed(exc: BaseException) -> None:
            self._set_busy(None)
            if not self._abandoned:
                self._report(title, exc, account)
        return failed

    def _report(self, title: str, exc: BaseException, account: str = "") -> None:
        if not isinstance(exc, failures()):
            raise exc
        message = failure_sentence(exc, account)
        self._say(message, error=True)
        self.reporter.show(title, message)

    def _show(self, summary: str, rows: list) -> None:
        self._say("")
        self.result_view.show_result(summary, rows)

    def _say(self, text: str, error: bool = False) -> None:
        self.status_label.setStyleSheet("color: #a40000; font-weight: bold" if error else "")
        self.status_label.setText(text)

    def _set_busy(self, text: str | None) -> None:
        self._working = text is not None
        self.progress.setVisible(text is not None)
        self.tabs.setEnabled(text is None)
        if text is not None:
            self._say(text)

    def reject(self) -> None:
        """Closing while a package is read or a hub connects abandons that work (nothing was
        changed yet); the merge step itself is never interrupted."""
        self._abandoned = self.worker.busy
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._abandoned = self.worker.busy
        super().closeEvent(event)


def _no_password(account: str) -> Callable[[str], str]:
    """libpq found no password: ask for it in the dialog rather than on a terminal."""
    def ask(_prompt: str) -> str:
        who = f" for the account {account}" if account else ""
        raise HubError(f"The hub asks for a password{who}: type it in the Password field (it is used for "
                       "this sync only and never stored).")
    return ask
