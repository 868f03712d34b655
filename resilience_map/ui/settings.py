"""User preferences kept in QSettings: recent projects, author name."""

from __future__ import annotations

import getpass
from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 8


class RecentProjects:
    """Most recently opened project files, newest first, missing files dropped."""

    KEY = "recent_projects"

    def paths(self) -> list[Path]:
        stored = QSettings().value(self.KEY, [])
        if isinstance(stored, str):  # QSettings returns a bare string for one-element lists
            stored = [stored]
        return [Path(p) for p in stored or [] if Path(p).exists()]

    def add(self, path: Path) -> None:
        path = Path(path).resolve()
        paths = [path, *[p for p in self.paths() if p.resolve() != path]][:MAX_RECENT]
        QSettings().setValue(self.KEY, [str(p) for p in paths])


def author_name() -> str:
    """Name written into the change history (preference, else the login name)."""
    name = QSettings().value("author_name", "")
    if name:
        return str(name)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
