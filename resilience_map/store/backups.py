"""Rotating backup copies of a project, taken when it is opened for editing.

Copies are made with SQLite's online backup API, so each is a consistent
snapshot even of a file in use. They live in a folder of their own per project
(the caller chooses where: the app uses the user's data folder).

A copy is written under a temporary name, checked with SQLite's full integrity
check and only then renamed to its listed name, so a copy killed half-way or
damaged by a full disk is never offered for restoring. Restoring checks the
backup *before* touching the project, and replaces the project in one rename.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from resilience_map.store.errors import DiskFullError, ProjectError, project_error
from resilience_map.store.lock import ProjectLock
from resilience_map.store.project import ProjectStore
from resilience_map.store.recovery import (
    fsync_file,
    fsync_folder,
    remove_leftovers,
    replace_file,
    roll_back_interrupted_save,
)
from resilience_map.store.sqlite_file import (
    check_size,
    check_sqlite_file,
    connect_readonly,
    damage_summary,
    integrity_problems,
)

KEEP = 5
#: Partial copies older than this are from a killed process and are removed.
STALE_PARTIAL_SECONDS = 3600


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
    """Copy, verify and list a backup of ``project``; the oldest beyond ``keep`` go."""
    folder = backup_folder(root, project)
    taken = datetime.now()
    target = folder / f"{project.stem}-{taken:%Y%m%d-%H%M%S-%f}.gpkg"
    partial = folder / f".{target.name}.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale_partials(folder)
        copy_database(project, partial)
        problems = verify_copy(partial)
        if problems:
            raise ProjectError(f"The backup copy of {project.name} did not pass SQLite's integrity check "
                               f"({problems[0]}); the project itself was not changed.")
        fsync_file(partial)
        os.replace(partial, target)
        fsync_folder(folder)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        error = _backup_error(exc, project, folder)
        if error is exc:
            raise
        raise error from exc
    for old in list_backups(project, root, verify=False)[keep:]:
        old.path.unlink(missing_ok=True)
    return Backup(target, taken)


def _backup_error(exc: BaseException, project: Path, folder: Path) -> BaseException:
    error = project_error(exc, project, "backed up")
    if isinstance(error, DiskFullError):
        return DiskFullError(f"No backup copy of {project.name} could be made because the disk holding "
                             f"{folder} is full; the project itself was not changed. Free some space "
                             "there and try again.")
    return error


def _remove_stale_partials(folder: Path) -> None:
    now = time.time()
    for partial in folder.glob(".*.partial"):
        with contextlib.suppress(OSError):
            if now - partial.stat().st_mtime > STALE_PARTIAL_SECONDS:
                partial.unlink()


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (safe while the source is open)."""
    src = connect_readonly(source)
    dest = sqlite3.connect(target)
    try:
        src.backup(dest)
    finally:
        dest.close()
        src.close()


def verify_copy(path: Path, quick: bool = False) -> list[str]:
    """SQLite's integrity check of a copy (empty list: sound)."""
    try:
        check_sqlite_file(path)
        check_size(path)
        conn = connect_readonly(path)
    except (ProjectError, sqlite3.Error) as exc:
        return [str(exc)]
    try:
        return integrity_problems(conn, quick=quick)
    finally:
        conn.close()


def list_backups(project: Path, root: Path, verify: bool = True) -> list[Backup]:
    """Newest first; with ``verify``, only copies that pass SQLite's quick check."""
    folder = backup_folder(root, project)
    backups = []
    for path in folder.glob(f"{project.stem}-*.gpkg"):
        stamp = path.stem[len(project.stem) + 1:]
        try:
            backups.append(Backup(path, datetime.strptime(stamp, "%Y%m%d-%H%M%S-%f")))
        except ValueError:
            continue
    if verify:
        backups = [b for b in backups if not verify_copy(b.path, quick=True)]
    return sorted(backups, key=lambda b: b.taken_at, reverse=True)


def restore_backup(backup: Backup, project: Path, root: Path) -> Backup | None:
    """Put a backup in place of the project (closed by the caller).

    The backup is checked first (complete, sound, a project this version opens);
    then, under the project's lock, the current file is backed up (so restoring is
    itself reversible) and replaced in one rename. On any failure the current file
    is left exactly as it was. Returns that safety copy (None when the current file
    was too damaged to copy).
    """
    label = f"{backup.taken_at:%Y-%m-%d %H:%M:%S}"
    try:
        ProjectStore.open(backup.path, read_only=True).close()
    except ProjectError as exc:
        raise ProjectError(f"The backup copy taken on {label} cannot be restored ({_clause(exc)}); "
                           f"{project.name} was not changed.") from exc
    problems = verify_copy(backup.path)
    if problems:
        raise ProjectError(f"The backup copy taken on {label} cannot be restored "
                           f"({_clause(damage_summary(backup.path.name, problems))}); {project.name} was not changed.")
    with ProjectLock(project) as lock:
        roll_back_interrupted_save(project, lock)
        tmp = project.with_name(f".{project.name}.{os.getpid()}.restoring")
        try:
            remove_leftovers(project, "restoring")
            copy_database(backup.path, tmp)  # first: the safety copy below may rotate the backup away
            if verify_copy(tmp):
                raise ProjectError(f"The copy of the backup taken on {label} was damaged while being "
                                   f"written; {project.name} was not changed.")
            safety = None
            if project.exists() and not verify_copy(project, quick=True):
                safety = make_backup(project, root, keep=KEEP + 1)
            replace_file(tmp, project)
        except BaseException as exc:
            remove_leftovers(project, "restoring", tmp.name)
            error = project_error(exc, project, "restored")
            if error is exc:
                raise
            raise error from exc
    return safety


def _clause(error: BaseException | str) -> str:
    text = " ".join(str(error).split())
    return text.removesuffix(".")
