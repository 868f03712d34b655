"""Backup copies as the window offers them: verified first, restored without risk.

A copy that a killed process left half-written, or that a full disk damaged, must never
be offered for restoring; and restoring must never cost the user the project they have
open. So the copy is checked (it opens as a project and passes SQLite's quick check)
before anything is closed, and if putting it in place fails the current file — which
the store replaces in one rename, so it is untouched — is opened again.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from resilience_map.store.backups import Backup, list_backups, make_backup, restore_backup, verify_copy
from resilience_map.store.errors import DiskFullError, ProjectError
from resilience_map.store.project import ProjectStore

if TYPE_CHECKING:
    from resilience_map.session.session import ProjectSession


class OpeningBackup:
    """The backup copy taken when a project is opened for editing.

    Copying and checking a large project takes a second or more; made on a thread of its own
    (SQLite's backup API reads through a connection of its own), it no longer holds up the
    map. Nothing is written before it exists: the store calls :meth:`require` before its
    first write transaction, which waits for the copy and, if it failed, tries once more —
    and refuses the write with the reason if there is still no copy.
    """

    def __init__(self, project: Path, root: Path) -> None:
        self.project, self.root = project, root
        self.backup: Backup | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._make, name="opening-backup", daemon=True)
        self._thread.start()

    def _make(self) -> None:
        try:
            self.backup = make_backup(self.project, self.root)
        except BaseException as exc:  # kept for the first write, which reports it
            self._error = exc

    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self) -> None:
        self._thread.join()

    def require(self) -> None:
        """Wait for the copy; without one (a full or missing backup drive), try again, then refuse."""
        self.wait()
        if self.backup is not None:
            return
        self._error = None
        self._make()  # the user may have freed space since
        if self.backup is None:
            raise _refusal(self.project, self._error)


def _refusal(project: Path, exc: BaseException | None) -> ProjectError:
    """One sentence for a write refused for want of a backup copy."""
    if isinstance(exc, DiskFullError):
        return exc  # it names the full disk, says nothing changed and what to do
    reason = (exc.strerror if isinstance(exc, OSError) else None) or " ".join(str(exc).split()).rstrip(".")
    return ProjectError(f"No backup copy of {project.name} could be made ({reason}); the edit was not "
                        "saved, as nothing is saved before a copy exists. Make room in the backup "
                        "folder and try again.")


def backup_problem(backup: Backup) -> str:
    """Why a copy cannot be restored ("" when it opens as a project and SQLite finds it sound)."""
    try:
        ProjectStore.open(backup.path, read_only=True).close()
        problems = verify_copy(backup.path, quick=True)
    except (ProjectError, sqlite3.Error, OSError) as exc:
        return " ".join(str(exc).split()).removesuffix(".")
    return f"SQLite found damage in it: {problems[0]}" if problems else ""


def verified_backups(project: Path, root: Path) -> list[Backup]:
    """Backup copies of ``project`` that pass SQLite's check, newest first (the store checks)."""
    return list_backups(project, root, verify=True)


def restore_into(session: ProjectSession, backup: Backup, root: Path) -> None:
    """Replace the session's project with ``backup``, keeping it open if anything fails.

    Raises ProjectError (or OSError) with a sentence; in every failure the project the
    user had open is open again, exactly as it was.
    """
    store = session.require_store()
    path, label = store.path, f"{backup.taken_at:%Y-%m-%d %H:%M:%S}"
    problem = backup_problem(backup)
    if problem:
        raise ProjectError(f"The backup copy taken on {label} cannot be restored ({problem}); "
                           f"{path.name} was not changed and is still open.")
    session.close()
    try:
        restore_backup(backup, path, root)
    except BaseException:
        session.open(path)
        raise
    session.open(path)
