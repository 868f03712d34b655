"""One writer per project file: an OS lock held while a project is open for editing.

The lock is taken on a small ``<project>.lock`` file beside the project with
``flock`` (``msvcrt.locking`` on Windows). The operating system releases it when
the process ends, even after a crash or kill -9, so a stale lock file never
blocks anyone; the file's text only tells who holds it.
"""

from __future__ import annotations

import getpass
import os
import socket
from datetime import datetime
from pathlib import Path

from resilience_map.store.errors import ProjectError


class ProjectLockedError(ProjectError):
    """Another running Resilience Map has the project open for editing."""


class ProjectLock:
    def __init__(self, project: Path) -> None:
        self.path = project.with_name(project.name + ".lock")
        self._fh = None

    def acquire(self) -> None:
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held while the project is open)
        try:
            _lock(fh)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "another program"
            fh.close()
            raise ProjectLockedError(
                f"{self.path.name[:-5]} is already open for editing in another Resilience Map "
                f"({holder}). Close it there first, or open a copy.") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} of {_user()} on {socket.gethostname()}, since {datetime.now():%Y-%m-%d %H:%M}")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            try:
                _unlock(self._fh)
            finally:
                self._fh.close()
                self._fh = None
                self.path.unlink(missing_ok=True)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
