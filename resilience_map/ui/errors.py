"""What a user can meet while the window reads or writes the project, said in one sentence.

Every place where the window hands work to the session (a menu action, a form's Save, a
table cell, an undo) catches :data:`USER_ERRORS` and shows :func:`sentence` of it — in
a dialog, beside the field or under the table — so a full disk, a file held by QGIS or
a lock file nobody may write is never a crash, a silent no-op or raw SQLite text.
"""

from __future__ import annotations

import errno
import sqlite3

from resilience_map.domain.validation import ValidationError
from resilience_map.session import ProjectError

#: The failures of the project file and its disk (bugs are not caught: they must be seen).
USER_ERRORS: tuple[type[BaseException], ...] = (ProjectError, OSError, sqlite3.Error)
#: What a step handed to the session can be refused with: a rule of the domain, or the file and its disk.
STEP_REFUSALS: tuple[type[BaseException], ...] = (ValidationError, *USER_ERRORS)

_OS_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "you are not allowed to write there",
    errno.EPERM: "you are not allowed to write there",
    errno.EROFS: "the drive is read-only",
    errno.ENOENT: "the file or folder does not exist",
    errno.EIO: "the drive reported an input/output error (a removed USB stick or a failing drive?)",
}


def one_line(text: object) -> str:
    """Collapse white space, so a multi-line message reads as one sentence."""
    return " ".join(str(text).split())


def sentence(exc: BaseException) -> str:
    """One readable sentence for a failure in :data:`USER_ERRORS`, ending with a full stop."""
    if isinstance(exc, ProjectError):
        text = one_line(exc)
    elif isinstance(exc, OSError):
        text = _os_sentence(exc)
    elif isinstance(exc, sqlite3.Error):
        text = _sqlite_sentence(_first_failure(exc))
    else:  # a file the user chose (TableError, ExportError…): its message names file, row, column
        text = one_line(exc) or type(exc).__name__
        if not any(mark in text.split(" ", 1)[0] for mark in "./\\"):  # a file name stays as it is
            text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ".)")) else text + "."


def refusal(exc: BaseException) -> str:
    """Why a step in :data:`STEP_REFUSALS` was refused, to follow "Not restored: " and the like.

    A rule's reason is kept as the domain wrote it (it names the records concerned); anything
    else is its :func:`sentence`.
    """
    if isinstance(exc, ValidationError):
        return f"{exc.reason.rstrip('.')}."
    return sentence(exc)


def os_reason(exc: OSError) -> str:
    """Why the operating system refused, in words ("you are not allowed to write there")."""
    return _OS_REASONS.get(exc.errno or 0, one_line(exc.strerror or exc).lower())


def _os_sentence(exc: OSError) -> str:
    reason = os_reason(exc)
    where = f" ({exc.filename})" if exc.filename else ""
    advice = " Free some space and try again." if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
    return f"This could not be done because {reason}{where}; nothing was changed.{advice}"


def _first_failure(exc: sqlite3.Error) -> BaseException:
    """The SQLite error that started it: a failed rollback ("no transaction is active", after
    SQLite already rolled back a full disk) must not hide the reason the save failed."""
    first: BaseException = exc
    while isinstance(first.__context__, sqlite3.Error):
        first = first.__context__
    return first


def _sqlite_sentence(exc: BaseException) -> str:
    text = one_line(exc).lower()
    if "locked" in text or "busy" in text:
        return ("The project file is locked by another program (perhaps QGIS or a sync tool is "
                "writing to it); nothing was changed. Close it there and try again.")
    if "full" in text:
        return "The project could not be saved because the disk is full; nothing was changed."
    if "readonly" in text or "read-only" in text:
        return "The project file cannot be written (it or its drive is read-only); nothing was changed."
    return f"The project file could not be read or written ({one_line(exc)}); nothing was changed."


#: Reasons that read as the end of a sentence starting with the field's name.
_PREDICATE_STARTS = ("is ", "are ", "cannot ", "can't ", "must ", "has ", "should ")


def field_sentence(error: ValidationError, label: str) -> str:
    """A refused field as a sentence: "End cannot be before the start date."

    Domain reasons are predicates ("is required", "cannot be negative") or whole
    statements ("15 is outside the scale…"); the first kind gets the field's visible
    label in front, the second is capitalised.
    """
    reason = error.reason.strip()
    if label and reason.startswith(_PREDICATE_STARTS):
        return f"{label} {reason}."
    return reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")
