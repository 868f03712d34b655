"""User preferences kept in QSettings (recent projects, author name) and the backup folder."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path
from PySide6.QtCore import QSettings

MAX_RECENT = 8
AUTHOR_KEY = "author_name"


#: Overrides the user's data folder (tests and portable installs set it).
DATA_HOME_VARIABLE = "RESILIENCE_MAP_DATA_HOME"


def data_home() -> Path:
    """The user's data folder for the app (backups, saved mapping profiles)."""
    override = os.environ.get(DATA_HOME_VARIABLE)
    return Path(override) if override else user_data_path("ResilienceMap", "StrongCitiesNetwork")


def backup_root() -> Path:
    """Where backup copies of projects live (the user's data folder, not beside the project)."""
    return data_home() / "backups"


class RecentProjects:
    """Most recently opened project files, newest first, missing files dropped."""

    KEY = "recent_projects"

    def paths(self) -> list[Path]:
        stored = QSettings().value(self.KEY, [])
        if isinstance(stored, str):  # QSettings returns a bare string for one-element lists
            stored = [stored]
        names = [str(p) for p in stored] if isinstance(stored, (list, tuple)) else []
        return [Path(p) for p in names if Path(p).exists()]

    def add(self, path: Path) -> None:
        path = Path(path).resolve()
        paths = [path, *[p for p in self.paths() if p.resolve() != path]][:MAX_RECENT]
        QSettings().setValue(self.KEY, [str(p) for p in paths])


def saved_author() -> str:
    """The name this user gave for the history ("" until asked)."""
    return str(QSettings().value(AUTHOR_KEY, "") or "").strip()


def save_author(name: str) -> None:
    QSettings().setValue(AUTHOR_KEY, name.strip())
