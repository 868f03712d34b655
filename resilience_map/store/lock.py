"""One writer per project file: an OS lock held while a project is open for editing.

The lock is an exclusive OS lock (``flock`` on Linux and macOS, ``msvcrt.locking``
on Windows, through the ``portalocker`` library) on a small ``<project>.lock`` file
beside the project. The operating system drops it when the process ends, even
after a crash or kill -9, so a lock file left behind never blocks anyone.

The lock file is **never deleted**. Deleting it on release (as an earlier version
did) lets two processes hold "the" lock at once: one still waiting on the old,
unlinked file and a newcomer on a fresh one. It is created world-writable so that
the next user of a shared folder can take the lock too. Its text only tells who
holds it; it is written after a gap of :data:`TEXT_OFFSET` bytes because on Windows
the locked byte range cannot be read by others.
"""

from __future__ import annotations

import getpass
import os
import socket
from datetime import datetime
from pathlib import Path
from typing import IO

import portalocker

from resilience_map.store.errors import ProjectError

#: Where the holder's description starts (past the range portalocker locks on Windows).
TEXT_OFFSET = 0x10000


class ProjectLockedError(ProjectError):
    """Another running Resilience Map has the project open for editing."""


class LockFileError(ProjectError):
    """The lock file beside the project cannot be opened (e.g. left by another user account)."""


class ProjectLock:
    def __init__(self, project: Path) -> None:
        self.project = Path(project)
        self.path = self.project.with_name(self.project.name + ".lock")
        self._fh: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def acquire(self) -> None:
        fh = self._open()
        try:
            portalocker.lock(fh, portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING)
        except (portalocker.exceptions.LockException, OSError):
            holder = _read_holder(fh)
            fh.close()
            raise ProjectLockedError(
                f"{self.project.name} is already open for editing in another Resilience Map "
                f"({holder}). Close it there first, or open a copy.") from None
        self._fh = fh
        self._describe_holder()

    def release(self) -> None:
        """Unlock and close; the file stays, so nobody waiting on it is ever cut loose."""
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            portalocker.unlock(fh)
        finally:
            fh.close()

    def __enter__(self) -> ProjectLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _open(self) -> IO[bytes]:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)
        except PermissionError:
            raise LockFileError(
                f"{self.project.name} cannot be opened for editing: its lock file {self.path.name} "
                "cannot be written (it was probably left by another user account). It is safe to "
                "delete it when no one has the project open; or open the project read-only.") from None
        except OSError as exc:
            raise LockFileError(
                f"{self.project.name} cannot be opened for editing: its lock file {self.path.name} "
                f"cannot be created ({exc.strerror}). Open the project read-only, or copy it to a "
                "writable folder.") from None
        try:
            os.chmod(self.path, 0o666)  # umask: let the next user of a shared folder lock it too
        except OSError:
            pass
        return os.fdopen(fd, "r+b")

    def _describe_holder(self) -> None:
        assert self._fh is not None
        text = (f"pid {os.getpid()} of {_user()} on {socket.gethostname()}, "
                f"since {datetime.now():%Y-%m-%d %H:%M}").encode()
        try:
            self._fh.seek(TEXT_OFFSET)
            self._fh.truncate()
            self._fh.write(text)
            self._fh.flush()
        except OSError:
            pass  # the description is a courtesy; the lock is what matters


def _read_holder(fh: IO[bytes]) -> str:
    try:
        fh.seek(TEXT_OFFSET)
        text = fh.read(500).decode("utf-8", "replace").strip("\x00 \n")
    except OSError:
        text = ""
    return text or "another program"


def discard_private_lock_file(project: Path) -> None:
    """Remove the lock file of a temporary file whose name no other process knows."""
    ProjectLock(project).path.unlink(missing_ok=True)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"
