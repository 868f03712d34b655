"""Errors the store raises; each message is one sentence a user can act on.

:func:`project_error` is the one place where SQLite's and the operating system's
errors become these sentences, so that "database or disk is full", "database is
locked" or a page of integrity-check output never reach a user as they are.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path


class ProjectError(Exception):
    """Base class: the project file could not be opened, read or written."""


class NotAProjectError(ProjectError):
    """The file is not a GeoPackage, or a GeoPackage made by another program."""


class CorruptProjectError(ProjectError):
    """The file is damaged (truncated, half-written, failed integrity check)."""


class NewerProjectError(ProjectError):
    """The file was written by a newer Resilience Map than this one."""


class ProjectReadOnlyError(ProjectError):
    """The project was opened read-only (file not writable), so edits are refused."""


class RecordNotFoundError(ProjectError):
    """No record with that id exists (it may have been deleted elsewhere)."""


class StaleRecordError(ProjectError):
    """The record changed in the file since it was read; reload and edit again.

    ``changed_by`` / ``changed_at`` say who moved it on and when (empty when unknown),
    so an undo that is refused can tell the user whose work it would have overwritten;
    ``record`` names the record ('indicator value "Trust, Kumanovo, 2020"') and ``change``
    says what happened to it ("changed", "deleted" or "created again"), so a caller can put
    the refusal in its own words (the session names the step that was refused).
    """

    def __init__(self, message: str, uuid: str = "", changed_by: str = "", changed_at: str = "",
                 record: str = "", change: str = "") -> None:
        super().__init__(message)
        self.uuid = uuid
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.record = record
        self.change = change


class AlteredSchemaError(ProjectError):
    """One of the project's own tables is missing or was changed by another program."""


class DiskFullError(ProjectError):
    """The disk holding the project (or its backup copies) is full; nothing was written."""


class ProjectBusyError(ProjectError):
    """Another program (QGIS, a sync tool) holds SQLite's own lock on the file."""


class OperationCancelledError(ProjectError):
    """A long operation was cancelled by the user or stopped at its time limit."""


class HostileSchemaError(ProjectError):
    """A trigger or view inside the file tried to do more than GeoPackage's own ones do."""


def _sqlite_code(exc: sqlite3.Error) -> int:
    return getattr(exc, "sqlite_errorcode", -1) & 0xFF


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def project_error(exc: BaseException, path: Path | None, action: str = "saved",
                  cancelled: str | None = None) -> BaseException:
    """The :class:`ProjectError` a user should see for ``exc`` raised while ``path`` was
    being ``action`` ("opened", "saved", "copied"…). Our own errors pass through.

    ``cancelled`` is the sentence for SQLITE_INTERRUPT (cancelled by the user or stopped
    at a time limit); the caller knows which.
    """
    if isinstance(exc, ProjectError):
        return exc
    name = path.name if path is not None else "The project"
    folder = str(path.parent) if path is not None else "its folder"
    if isinstance(exc, sqlite3.Error):
        code = _sqlite_code(exc)
        if code == sqlite3.SQLITE_FULL:
            return DiskFullError(f"{name} could not be {action} because the disk is full; nothing was "
                                 f"changed. Free some space in {folder} and try again.")
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return ProjectBusyError(f"{name} is locked by another program (perhaps QGIS or a sync tool "
                                    "is writing to it), so it could not be " f"{action}; nothing was changed. "
                                    "Close it there and try again.")
        if code == sqlite3.SQLITE_READONLY:
            return ProjectReadOnlyError(f"{name} cannot be written (the file, its folder or the drive is "
                                        "read-only), so it could not be " f"{action}; nothing was changed. "
                                        "Copy it to a writable folder to edit it.")
        if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return CorruptProjectError(f"{name} is damaged ({_one_line(exc)}). Restore it from a backup "
                                       "copy (File → Restore a backup copy…).")
        if code == sqlite3.SQLITE_INTERRUPT:
            return OperationCancelledError(cancelled or f"Work on {name} was cancelled; nothing was changed.")
        if code == sqlite3.SQLITE_AUTH:
            return HostileSchemaError(
                f"{name} contains a trigger or view that tried to change other data ({_one_line(exc)}); "
                "nothing was changed. Open a backup copy, or remove the trigger in QGIS or DB Browser for "
                "SQLite.")
        if code == sqlite3.SQLITE_IOERR:
            return ProjectError(f"{name} could not be {action}: the disk reported an input/output error "
                                "(a removed USB stick or a failing drive?); nothing was changed. Check the "
                                "drive and try again.")
        if code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM):
            return ProjectError(f"{name} could not be {action}: the file or its folder cannot be accessed. "
                                "Check that the drive is connected and that you may write there.")
        return ProjectError(f"{name} could not be {action}: {_one_line(exc)}.")
    if isinstance(exc, OSError):
        return os_error(exc, path, action)
    if isinstance(exc, UnicodeDecodeError):
        return CorruptProjectError(f"{name} holds damaged text (not valid UTF-8). Restore it from a backup "
                                   "copy (File → Restore a backup copy…).")
    if isinstance(exc, OverflowError):
        return ProjectError(f"{name} could not be {action}: a number is too large to store "
                            "(integers must lie between -9223372036854775808 and 9223372036854775807).")
    return exc


def os_error(exc: OSError, path: Path | None, action: str) -> ProjectError:
    """A file-system error (copying, renaming, locking) as one sentence."""
    name = path.name if path is not None else "The project"
    where = exc.filename or (path.parent if path is not None else "the folder")
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return DiskFullError(f"{name} could not be {action} because the disk holding {where} is full; "
                             "nothing was changed. Free some space there and try again.")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return ProjectError(f"{name} could not be {action}: permission to write {where} was denied. "
                            "Choose a folder you may write to, or ask an administrator.")
    if exc.errno == errno.EROFS:
        return ProjectReadOnlyError(f"{name} could not be {action}: {where} is on a read-only drive. "
                                    "Copy the project to a writable folder.")
    return ProjectError(f"{name} could not be {action}: {_one_line(exc.strerror or exc)} ({where}).")
