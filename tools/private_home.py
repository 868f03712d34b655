"""Preferences and data of a screenshot run, kept in a temporary folder (never the user's)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def private_home() -> Path:
    """Point Qt's settings and the app's data folder at a new temporary folder; returns it.

    Call before the first QSettings is made (before the window is built)."""
    home = Path(tempfile.mkdtemp(prefix="rm-screenshots-"))
    os.environ.update(XDG_CONFIG_HOME=str(home / "config"), RESILIENCE_MAP_DATA_HOME=str(home / "data"))
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(home / "config"))
    return home
