"""Upgrading project files written by older versions of Resilience Map.

Each entry of :data:`MIGRATIONS` upgrades a file from version *n* to *n + 1*
inside one transaction. Before the first step a byte-for-byte backup copy is
written next to the file, so a failed or unwanted upgrade loses nothing.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from resilience_map.domain.kinds import all_kinds
from resilience_map.store import lineage
from resilience_map.store.errors import ProjectError
from resilience_map.store.replica import hlc_from_time, mint_unplaced
from resilience_map.store.schema import META_TABLE, SCHEMA_2_DDL

Migration = Callable[[sqlite3.Connection], None]


def upgrade_1_to_2(conn: sqlite3.Connection) -> None:
    """Schema 2: give the existing history an origin (this copy, under a new replica id), a
    sequence number, a clock and its bases, so the changes made so far can be synchronised;
    register the natural keys of the records there are."""
    for ddl in SCHEMA_2_DDL:
        conn.execute(ddl)
    replica = mint_unplaced(conn)
    _number_history(conn, replica)
    _register_keys(conn)


def _number_history(conn: sqlite3.Connection, replica: str) -> None:
    """Before schema 2 a file's history is one line: each change replaced the one before it."""
    rows = conn.execute('SELECT fid, changed_at, table_name, record_uuid, operation, field '
                        'FROM "change_history" ORDER BY fid').fetchall()
    whole: dict[str, str] = {}          # record -> id of its last whole-record write
    fields: dict[str, dict[str, str]] = {}  # record -> field -> id of its last write there
    updates, last_boundary = [], {}
    seq, last_wall, counter = 0, "", 0
    for fid, changed_at, table, uuid, operation, field in rows:
        if table not in lineage.RECORD_TABLES_BY_NAME:
            continue
        seq += 1
        wall = max(changed_at, last_wall)
        counter = counter + 1 if wall == last_wall else 0
        last_wall = wall
        write_id = f"{replica}:{seq}"
        own = fields.setdefault(uuid, {})
        if field is None and operation in lineage.WHOLE_RECORD:
            base = {whole[uuid]} if uuid in whole else set()
            base |= set(own.values())
            whole[uuid] = write_id
            own.clear()
        else:
            base = {own[field]} if field in own else ({whole[uuid]} if uuid in whole else set())
            own[field] = write_id
        if operation == "boundary":
            last_boundary[uuid] = fid
        updates.append((replica, seq, hlc_from_time(wall, counter), lineage.encode_base(base), fid))
    conn.executemany('UPDATE "change_history" SET origin = ?, seq = ?, hlc = ?, base = ? WHERE fid = ?',
                     updates)
    # The boundary a municipality has now is the value of its last boundary change.
    for uuid, fid in last_boundary.items():
        conn.execute('UPDATE "change_history" SET payload = (SELECT geom FROM municipalities '
                     'WHERE uuid = ?) WHERE fid = ?', (uuid, fid))


def _register_keys(conn: sqlite3.Connection) -> None:
    first = dict(conn.execute('SELECT record_uuid, MIN(hlc || \' \' || origin || \' \' || '
                              'printf(\'%012d\', seq)) FROM "change_history" '
                              'WHERE origin IS NOT NULL GROUP BY record_uuid'))
    for kind in all_kinds():
        if not kind.natural_key:
            continue
        cols = ", ".join(f'"{c}"' for c in kind.natural_key)
        for uuid, *values in conn.execute(f'SELECT uuid, {cols} FROM "{kind.table}"').fetchall():
            key = json.dumps(list(values), ensure_ascii=False)
            conn.execute('INSERT OR IGNORE INTO "sync_keys" VALUES (?, ?, ?, ?)',
                         (uuid, kind.table, key, first.get(uuid, "")))


#: from_version -> function that upgrades the schema to from_version + 1.
MIGRATIONS: dict[int, Migration] = {1: upgrade_1_to_2}


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
