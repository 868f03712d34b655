"""Upgrading project files written by older versions of Resilience Map.

Each entry of :data:`MIGRATIONS` upgrades a file from version *n* to *n + 1*
inside one transaction. Before the first step a byte-for-byte backup copy is
written next to the file, so a failed or unwanted upgrade loses nothing.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from resilience_map.store.errors import ProjectError
from resilience_map.store.schema import META_TABLE

Migration = Callable[[sqlite3.Connection], None]

#: from_version -> function that upgrades the schema to from_version + 1.
#: Version 1 is the first released schema, so nothing is registered yet.
MIGRATIONS: dict[int, Migration] = {}


def backup_path_for(path: Path, version: int) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.schema-v{version}-backup-{stamp}{path.suffix}")


def migrate(path: Path, conn: sqlite3.Connection, current: int, target: int) -> Path:
    """Upgrade ``conn`` (read-write, on ``path``) from ``current`` to ``target``.

    Returns the path of the backup copy made before anything changed.
    """
    missing = [v for v in range(current, target) if v not in MIGRATIONS]
    if missing:
        raise ProjectError(
            f"{path.name} uses schema version {current}, which this version cannot upgrade."
        )
    backup = backup_path_for(path, current)
    shutil.copy2(path, backup)
    conn.execute("BEGIN IMMEDIATE")
    try:
        for version in range(current, target):
            MIGRATIONS[version](conn)
        conn.execute(
            f'UPDATE "{META_TABLE}" SET value = ? WHERE key = ?', (str(target), "schema_version")
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return backup
