"""Upgrading project files written by older versions of Resilience Map.

Each entry of :data:`MIGRATIONS` upgrades a file from version *n* to *n + 1*.
Before the first step a byte-for-byte backup copy is written next to the file,
so a failed or unwanted upgrade loses nothing. The upgrade itself runs on a
temporary copy that replaces the file in one rename, so a crash mid-upgrade
leaves the old file exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from resilience_map.store.errors import ProjectError
from resilience_map.store.recovery import remove_leftovers, replace_file
from resilience_map.store.schema import META_TABLE

Migration = Callable[[sqlite3.Connection], None]

#: from_version -> function that upgrades the schema to from_version + 1.
#: Version 1 is the first released schema, so nothing is registered yet.
MIGRATIONS: dict[int, Migration] = {}


def backup_path_for(path: Path, version: int) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.schema-v{version}-backup-{stamp}{path.suffix}")


def migrate_file(path: Path, current: int, target: int) -> Path:
    """Upgrade the closed file ``path`` (whose lock the caller holds) from ``current`` to
    ``target``. Returns the path of the backup copy made before anything changed."""
    missing = [v for v in range(current, target) if v not in MIGRATIONS]
    if missing:
        raise ProjectError(
            f"{path.name} uses schema version {current}, which this version cannot upgrade."
        )
    remove_leftovers(path, "migrating")
    backup = backup_path_for(path, current)
    partial = backup.with_name(f".{backup.name}.partial")
    shutil.copy2(path, partial)
    os.replace(partial, backup)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.migrating")
    try:
        shutil.copyfile(path, tmp)
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("BEGIN IMMEDIATE")
            for version in range(current, target):
                MIGRATIONS[version](conn)
            conn.execute(
                f'UPDATE "{META_TABLE}" SET value = ? WHERE key = ?', (str(target), "schema_version")
            )
            conn.execute("COMMIT")
        finally:
            conn.close()
        replace_file(tmp, path)
    except BaseException:
        remove_leftovers(path, "migrating", tmp.name)
        raise
    return backup
