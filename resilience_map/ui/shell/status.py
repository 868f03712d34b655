"""The status bar's summary and the window title, kept current from the session's events."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QMainWindow

from resilience_map.domain.records import HubActivity, PreventionStructure
from resilience_map.session import ProjectClosed, ProjectOpened, ProjectSession, RecordsChanged
from resilience_map.ui.events import follow
from resilience_map.ui.municipalities.finder import MunicipalityFinder

APP_TITLE = "Resilience Map"
DEMO_LABEL = "Demo data – not study results"


class StatusSummary(QObject):
    """"12 of 530 municipalities shown · 142 with a boundary · 12 hub activities · …"."""

    def __init__(self, session: ProjectSession, finder: MunicipalityFinder, window: QMainWindow) -> None:
        super().__init__(window)
        self.session, self.finder, self.window = session, finder, window
        self.synthetic = False
        self.label = QLabel()
        self.label.setObjectName("countLabel")
        window.statusBar().addPermanentWidget(self.label)
        finder.counts_changed.connect(self.update)
        follow(self, session, {ProjectOpened: self._on_opened, ProjectClosed: self._on_closed,
                               RecordsChanged: self._on_records})
        self.update()

    def _on_opened(self, event: ProjectOpened) -> None:
        info = event.info
        self.synthetic = info.synthetic_data
        suffix = " [read-only]" if info.read_only else ""
        self.window.setWindowTitle(f"{info.title or info.path.stem} — {APP_TITLE}{suffix}")
        for note in event.notes:
            self.window.statusBar().showMessage(note, 15_000)
        self.update()

    def _on_closed(self, _event: ProjectClosed) -> None:
        self.synthetic = False
        self.window.setWindowTitle(APP_TITLE)
        self.update()

    def _on_records(self, event: RecordsChanged) -> None:
        if event.record_type in (HubActivity, PreventionStructure):
            self.update()

    def update(self) -> None:
        if self.session.store is None:
            self.label.setText("No project open — File → New or Open")
            return
        ix, model = self.session.indexes, self.finder.model
        parts = [f"{self.finder.proxy.rowCount()} of {model.rowCount()} municipalities shown",
                 f"{model.with_boundary} with a boundary",
                 f"{len(ix.activities)} hub activities",
                 f"{len(ix.structures)} prevention structures"]
        if self.synthetic:
            parts.append(DEMO_LABEL)
        self.label.setText("  ·  ".join(parts))
