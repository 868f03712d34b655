"""Print maps and briefings from the window: the dialogs, the job, its progress and result.

File → Export map…, "Briefing…" on the municipality profile, on an activity (the
profile's Activities tab, the Records view's activities table) and Records → Country
briefing… all end here. Each asks with a dialog, runs an :class:`OutputJob` (another
process: the window stays usable), shows its progress with Cancel, and says where the
file went in the status bar — with a link that opens it — or why it was not written, in
one sentence.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressDialog

from resilience_map.domain.enums import Country
from resilience_map.session import ProjectSession
from resilience_map.ui.map import MapFeature
from resilience_map.ui.outputs.briefing_dialog import BriefingChoice, BriefingDialog
from resilience_map.ui.outputs.export_dialog import ExportMapDialog, MapExport
from resilience_map.ui.outputs.job import OutputJob
from resilience_map.ui.shell.reporter import ErrorReporter

STATUS_MS = 30_000


class Outputs(QObject):
    """One job at a time; ``job_finished`` / ``job_ended`` for whoever waits on it (tests)."""

    job_finished = Signal(object)  # Path
    job_ended = Signal()  # finished, failed or cancelled

    def __init__(self, session: ProjectSession, map_feature: MapFeature, reporter: ErrorReporter,
                 window: QMainWindow) -> None:
        super().__init__(window)
        self.session, self.map, self.reporter, self.window = session, map_feature, reporter, window
        self.job: OutputJob | None = None
        self.export_dialog: ExportMapDialog | None = None
        self.briefing_dialog: BriefingDialog | None = None
        self.progress: QProgressDialog | None = None
        self.result_link = QLabel()
        self.result_link.setObjectName("outputLink")
        self.result_link.setTextFormat(Qt.TextFormat.RichText)
        self.result_link.linkActivated.connect(lambda url: QDesktopServices.openUrl(QUrl(url)))
        self.result_link.hide()
        window.statusBar().addPermanentWidget(self.result_link)
        self.last: Path | None = None

    # --- dialogs -------------------------------------------------------------------------------
    def export_map_dialog(self) -> ExportMapDialog | None:
        if self.session.store is None or self._busy():
            return None
        choices = self.map.print_choices()
        dialog = ExportMapDialog(choices, self._map_name(), self._countries(), self.window)
        dialog.accepted.connect(lambda: self.export_map(dialog.choice()))
        self.export_dialog = dialog
        dialog.open()  # window-modal and non-blocking
        return dialog

    def municipality_briefing_dialog(self, uuid: str | None = None) -> BriefingDialog | None:
        unit = self.session.indexes.municipalities.get(uuid or self.session.selection)
        if unit is None:
            self.window.statusBar().showMessage("Select a municipality first (on the map or with the "
                                                "search box).", 8000)
            return None
        return self._briefing_dialog(BriefingDialog("municipality", unit.registry_id, unit.name_latin,
                                                    self.window))

    def country_briefing_dialog(self) -> BriefingDialog | None:
        unit = self.session.indexes.municipalities.get(self.session.selection)
        countries = self._countries()
        first = unit.country.value if unit is not None else (countries[0].value if countries else "")
        return self._briefing_dialog(BriefingDialog("country", first, "", self.window, countries))

    def activity_briefing_dialog(self, uuid: str) -> BriefingDialog | None:
        activity = self.session.indexes.activities.get(uuid)
        if activity is None:
            return None
        return self._briefing_dialog(BriefingDialog("activity", uuid, activity.title, self.window))

    def _briefing_dialog(self, dialog: BriefingDialog) -> BriefingDialog | None:
        if self.session.store is None or self._busy():
            dialog.deleteLater()
            return None
        dialog.accepted.connect(lambda: self.briefing(dialog.choice()))
        self.briefing_dialog = dialog
        dialog.open()
        return dialog

    # --- jobs ----------------------------------------------------------------------------------
    def export_map(self, choice: MapExport) -> OutputJob | None:
        store = self.session.store
        if store is None:
            return None
        request = choice.request(store.path, self.map.print_choices())
        return self._run(OutputJob("Map export", request, choice.path, self), "Exporting the map…")

    def briefing(self, choice: BriefingChoice) -> OutputJob | None:
        store = self.session.store
        if store is None:
            return None
        return self._run(OutputJob("Briefing", choice.request(store.path), choice.path, self),
                         "Preparing the briefing…")

    def _run(self, job: OutputJob, text: str) -> OutputJob | None:
        if self._busy():
            return None
        self.job = job
        progress = QProgressDialog(text, "Cancel", 0, 0, self.window)
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)  # it names municipalities, as users typed them
        progress.setLabel(label)
        progress.setObjectName("outputProgress")
        progress.setWindowTitle(job.title)
        progress.setWindowModality(Qt.WindowModality.NonModal)  # the window stays usable
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setMinimumDuration(0)
        progress.canceled.connect(job.cancel)
        self.progress = progress
        job.progress.connect(lambda done, steps, what: self._show_progress(text, done, steps, what))
        job.finished.connect(self._finished)
        job.failed.connect(self._failed)
        job.cancelled.connect(self._cancelled)
        job.start()
        progress.show()
        return job

    def _show_progress(self, text: str, done: int, steps: int, what: str) -> None:
        if self.progress is None:
            return
        self.progress.setMaximum(steps)
        self.progress.setValue(done)
        self.progress.setLabelText(f"{text}\n{what} ({done + 1} of {steps})" if what else text)

    def _finished(self, path: Path) -> None:
        job = self._end()
        self.last = path
        self.window.statusBar().showMessage(f"{job.summary} saved to {path}", STATUS_MS)
        self.result_link.setText(f'<a href="{html.escape(QUrl.fromLocalFile(str(path)).toString())}">'
                                 f"Open {html.escape(path.name)}</a>")
        self.result_link.setToolTip(str(path))
        self.result_link.show()
        self.job_finished.emit(path)
        self.job_ended.emit()

    def _failed(self, text: str) -> None:
        job = self._end()
        self.reporter.show(f"{job.title} not written", text)
        self.job_ended.emit()

    def _cancelled(self) -> None:
        job = self._end()
        self.window.statusBar().showMessage(f"{job.title} cancelled; nothing was written.", 8000)
        self.job_ended.emit()

    def _end(self) -> OutputJob:
        job, self.job = self.job, None
        assert job is not None
        if self.progress is not None:
            self.progress.canceled.disconnect()
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        job.deleteLater()
        return job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _busy(self) -> bool:
        if self.job is None:
            return False
        self.window.statusBar().showMessage(f"Wait for the {self.job.title.lower()} to finish, or cancel it.",
                                            8000)
        return True

    # --- names --------------------------------------------------------------------------------
    def _countries(self) -> list[Country]:
        present = {u.country for u in self.session.indexes.municipalities.all()}
        return [c for c in Country if c in present]

    def _map_name(self) -> str:
        settings = self.map.print_choices().settings
        indexes = self.session.indexes
        indicator = indexes.indicators.get(settings.indicator_uuid) if settings else None
        wave = indexes.waves.get(settings.wave_uuid) if settings else None
        if indicator is None:
            return "Map"
        change = " change" if settings and settings.change else ""
        return f"{indicator.code} {wave.name if wave else ''}{change}".strip()
