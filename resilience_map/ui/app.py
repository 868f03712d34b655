"""Start the Qt application."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6 import QtWebEngineWidgets  # noqa: F401  (must be loaded before QApplication exists)
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication

from resilience_map import __version__

ORGANIZATION = "StrongCitiesNetwork"
APPLICATION = "ResilienceMap"


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the names QSettings files its preferences under."""
    if QApplication.instance() is None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Resilience Map")
    app.setApplicationVersion(__version__)
    return app  # type: ignore[return-value]


def run_app(project: Path | None = None) -> int:
    """Show the main window (optionally with a project) and run the event loop."""
    from resilience_map.ui.main_window import MainWindow

    app = create_application()
    window = MainWindow()
    if project is not None:
        window.open_project(project)
    else:
        recent = window.recent.paths()
        if recent:
            window.open_project(recent[0])
    window.show()
    return app.exec()
