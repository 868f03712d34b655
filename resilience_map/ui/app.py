"""Start the Qt application."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtWebEngineWidgets  # noqa: F401  (must be loaded before QApplication exists)
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication

from resilience_map import __version__
from resilience_map.ui.map.engine import prepare_web_engine

if TYPE_CHECKING:
    from resilience_map.ui.main_window import MainWindow

ORGANIZATION = "StrongCitiesNetwork"
APPLICATION = "ResilienceMap"


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the names QSettings files its preferences under."""
    if QApplication.instance() is None:
        prepare_web_engine()  # the map page's URL scheme and Chromium flags, before Qt starts
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else \
        QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Resilience Map")
    app.setApplicationVersion(__version__)
    return app


def run_app(project: Path | None = None) -> int:
    """Show the main window (optionally with a project) and run the event loop."""
    from resilience_map.ui.main_window import MainWindow

    app = create_application()
    window = MainWindow()
    if project is not None:
        window.open_project(project)
    else:
        recent = window.files.recent.paths()
        if recent:
            window.open_project(recent[0])
    window.show()
    if os.environ.get("RESILIENCE_MAP_EXIT_WHEN_DRAWN"):
        _exit_when_drawn(app, window)
    return app.exec()


def _exit_when_drawn(app: QApplication, window: MainWindow) -> None:
    """For benchmarks and smoke tests: say when the first choropleth is on screen, then quit."""
    def drawn() -> None:
        print("drawn", flush=True)
        window.map_feature.ready.disconnect(drawn)
        QTimer.singleShot(int(os.environ.get("RESILIENCE_MAP_EXIT_DELAY_MS", "1500")), app.quit)
    window.map_feature.ready.connect(drawn)
