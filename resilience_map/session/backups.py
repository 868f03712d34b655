"""Backup copies as the window offers them: verified first, restored without risk.

A copy that a killed process left half-written, or that a full disk damaged, must never
be offered for restoring; and restoring must never cost the user the project they have
open. So the copy is checked (it opens as a project and passes SQLite's quick check)
before anything is closed, and if putting it in place fails the current file — which
the store replaces in one rename, so it is untouched — is opened again.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from resilience_map.store.backups import Backup, list_backups, restore_backup, verify_copy
from resilience_map.store.errors import ProjectError
from resilience_map.store.project import ProjectStore

if TYPE_CHECKING:
    from resilience_map.session.session import ProjectSession


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
