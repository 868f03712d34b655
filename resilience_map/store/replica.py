"""Which copy of a project this is, and its clock.

Each copy of a project is a *replica* with its own id: the id names the changes made in it
(``origin``) so that other copies can tell whose change is whose and which they have seen. A
copy of the file — to another laptop, or another folder, or a backup put back in place — must
not keep the id of the file it was copied from, or two copies would number different changes
alike. So the id is stored with a fingerprint of where the file lives (host, absolute path,
device and inode); when a file is opened for editing and the fingerprint differs, it becomes a
new replica. Its history, and what it knows of everyone's changes, stay as they were.

Changes are ordered by a hybrid logical clock: wall-clock time in milliseconds, plus a counter
that moves on whenever the wall clock does not (same millisecond, or a peer's clock ahead of
ours). A change made after seeing another therefore always has a later clock, whatever the
laptops' clocks say, and conflicts are decided by one rule everywhere: the later clock wins.
"""

from __future__ import annotations

import hashlib
import socket
import sqlite3
import uuid as uuid_module
from pathlib import Path

from resilience_map.domain.records import utc_now
from resilience_map.store.schema import META_TABLE

REPLICA_KEY = "replica_id"
FINGERPRINT_KEY = "replica_fingerprint"


def fingerprint(path: Path) -> str:
    """Where this file lives: changes when it is copied, moved to another folder or host,
    or replaced by another file (a restored backup)."""
    st = path.stat()
    text = f"{socket.gethostname()}|{path.resolve()}|{st.st_dev}|{st.st_ino}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def new_replica_id() -> str:
    """16 hexadecimal digits: short enough to type after ``--for``, unique in practice."""
    return uuid_module.uuid4().hex[:16]


def decide_replica(conn: sqlite3.Connection, path: Path) -> tuple[str, bool]:
    """The replica id of the file at ``path`` and whether it must be saved (a new id, because
    the file moved; or the fingerprint of a just created or migrated file). Saving waits for the
    first write, so opening a file and changing nothing leaves it byte for byte as it was."""
    meta = dict(conn.execute(
        f'SELECT key, value FROM "{META_TABLE}" WHERE key IN (?, ?)', (REPLICA_KEY, FINGERPRINT_KEY)))
    replica = meta.get(REPLICA_KEY)
    if replica and meta.get(FINGERPRINT_KEY) == fingerprint(path):
        return replica, False
    if not replica or meta.get(FINGERPRINT_KEY):
        replica = new_replica_id()
    return replica, True


def save_replica(conn: sqlite3.Connection, replica: str, path: Path) -> None:
    """Record the replica id with this place's fingerprint (inside the caller's transaction)."""
    conn.executemany(f'INSERT OR REPLACE INTO "{META_TABLE}" VALUES (?, ?)',
                     [(REPLICA_KEY, replica), (FINGERPRINT_KEY, fingerprint(path))])


def mint_unplaced(conn: sqlite3.Connection) -> str:
    """A replica id for a file being created or upgraded (its place is fixed on first open)."""
    replica = new_replica_id()
    conn.executemany(f'INSERT OR REPLACE INTO "{META_TABLE}" VALUES (?, ?)',
                     [(REPLICA_KEY, replica), (FINGERPRINT_KEY, "")])
    return replica


class HybridClock:
    """Monotonic timestamps ``2024-05-01T10:00:00.123Z-000000`` that respect causality."""

    def __init__(self, last: str = "") -> None:
        self.last = last or ""

    def tick(self) -> str:
        wall = utc_now()  # 24 characters: 2024-05-01T10:00:00.123Z
        last_wall = self.last[:24]
        if wall > last_wall:
            self.last = f"{wall}-000000"
        else:
            self.last = f"{last_wall}-{int(self.last[25:] or 0) + 1:06d}"
        return self.last

    def observe(self, hlc: str | None) -> None:
        """A peer's change seen: our next tick comes after it."""
        if hlc and hlc > self.last:
            self.last = hlc


def hlc_from_time(changed_at: str, counter: int = 0) -> str:
    """The clock value of a change recorded before schema 2 (its time, in history order)."""
    return f"{changed_at}-{counter:06d}"
