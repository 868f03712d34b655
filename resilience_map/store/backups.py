"""Rotating backup copies of a project, taken when it is opened for editing.

Copies are made with SQLite's online backup API, so each is a consistent
snapshot even of a file in use. They live in a folder of their own per project
(the caller chooses where: the app uses the user's data folder).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from resilience_map.store.sqlite_file import check_sqlite_file, connect_readonly

KEEP = 5


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime

    @property
    def label(self) -> str:
        return f"{self.taken_at:%Y-%m-%d %H:%M:%S} ({self.path.stat().st_size / 1e6:.1f} MB)"


def backup_folder(root: Path, project: Path) -> Path:
    """One folder per project file (by name and absolute path)."""
    digest = hashlib.sha1(str(project.resolve()).encode()).hexdigest()[:10]
    return root / f"{project.stem}-{digest}"


def make_backup(project: Path, root: Path, keep: int = KEEP) -> Backup:
    folder = backup_folder(root, project)
    folder.mkdir(parents=True, exist_ok=True)
    taken = datetime.now()
    target = folder / f"{project.stem}-{taken:%Y%m%d-%H%M%S-%f}.gpkg"
    copy_database(project, target)
    for old in list_backups(project, root)[keep:]:
        old.path.unlink(missing_ok=True)
    return Backup(target, taken)


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (safe while the source is open)."""
    src = connect_readonly(source)
    dest = sqlite3.connect(target)
    try:
        src.backup(dest)
    finally:
        dest.close()
        src.close()


def list_backups(project: Path, root: Path) -> list[Backup]:
    """Newest first."""
    folder = backup_folder(root, project)
    backups = []
    for path in folder.glob(f"{project.stem}-*.gpkg"):
        stamp = path.stem[len(project.stem) + 1:]
        try:
            backups.append(Backup(path, datetime.strptime(stamp, "%Y%m%d-%H%M%S-%f")))
        except ValueError:
            continue
    return sorted(backups, key=lambda b: b.taken_at, reverse=True)


def restore_backup(backup: Backup, project: Path, root: Path) -> Backup:
    """Put a backup in place of the project (closed by the caller). The current file is
    backed up first, so restoring is itself reversible. Returns that safety copy."""
    check_sqlite_file(backup.path)
    safety = make_backup(project, root, keep=KEEP + 1) if project.exists() else None
    tmp = project.with_name(f".{project.name}.restoring")
    copy_database(backup.path, tmp)
    os.replace(tmp, project)
    return safety  # type: ignore[return-value]
