"""A corpus of bad PROJECT files: each built from a sound project, each with what opening it must say.

Shared by tests/test_store_safety.py (the whole corpus, every run) and
benchmarks/bench_safety.py (the same corpus plus many random bit flips).
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BadFile:
    name: str
    path: Path
    #: Words the one-line error on opening must contain; None: the file opens.
    error_words: tuple[str, ...] | None
    #: For a file that opens: words of the reason it is read-only (empty: it is editable).
    read_only_words: tuple[str, ...] = ()
    #: For a file that opens: words of the one-line error every write gets.
    write_words: tuple[str, ...] = ("read-only",)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def _copy(sound: Path, folder: Path, name: str) -> Path:
    return Path(shutil.copy(sound, folder / f"{name}.gpkg"))


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / f"{name}.gpkg"
    path.write_bytes(data)
    return path


def _flip(data: bytes, offset: int, mask: int = 0xFF) -> bytes:
    out = bytearray(data)
    out[offset] ^= mask
    return bytes(out)


def _page_offsets(path: Path) -> dict[str, int]:
    """Byte offset of the root page of some tables (where a flip breaks the b-tree)."""
    conn = sqlite3.connect(path)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_master WHERE type = 'table'"))
    finally:
        conn.close()
    return {name: (page - 1) * page_size for name, page in roots.items() if page}


def build_corpus(sound: Path, folder: Path, foreign_gpkg: Callable[[Path], None] | None = None) -> list[BadFile]:
    """Every kind of bad project file the issue lists, made from the sound project ``sound``."""
    folder.mkdir(parents=True, exist_ok=True)
    data = sound.read_bytes()
    page = 4096
    files = [
        BadFile("text named .gpkg", _write(folder, "text", b"Municipality;Value\nKumanovo;3\n"),
                ("not a GeoPackage",)),
        BadFile("zero bytes", _write(folder, "zero", b""), ("empty",)),
        BadFile("truncated in the header", _write(folder, "cut-50", data[:50]), ("truncated",)),
        BadFile("truncated after the header", _write(folder, "cut-100", data[:100]), ("truncated",)),
        BadFile("truncated after one page", _write(folder, "cut-page", data[:page]), ("truncated",)),
        BadFile("truncated at half", _write(folder, "cut-half", data[: len(data) // 2]), ("truncated",)),
        BadFile("truncated by one page", _write(folder, "cut-last", data[:-page]), ("truncated",)),
    ]
    plain = folder / "plain-sqlite.gpkg"
    _sql(plain, "CREATE TABLE notes (text TEXT)", "INSERT INTO notes VALUES ('hello')")
    files.append(BadFile("SQLite database, not a GeoPackage", plain, ("not a GeoPackage",)))
    if foreign_gpkg is not None:
        foreign = folder / "foreign.gpkg"
        foreign_gpkg(foreign)
        files.append(BadFile("foreign GeoPackage", foreign, ("another program",)))

    newer = _copy(sound, folder, "newer")
    _sql(newer, "UPDATE rm_meta SET value = '99' WHERE key = 'schema_version'")
    files.append(BadFile("newer schema version", newer, ("newer Resilience Map",)))

    dropped = _copy(sound, folder, "altered-column")
    _sql(dropped, "ALTER TABLE indicator_values DROP COLUMN synthetic")
    files.append(BadFile("altered schema: column dropped", dropped, ("altered", "synthetic")))
    no_table = _copy(sound, folder, "altered-table")
    _sql(no_table, "DROP TABLE municipality_notes")
    files.append(BadFile("altered schema: table dropped", no_table, ("altered", "municipality_notes")))

    hanging = ("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) "
               "SELECT i AS fid FROM r")
    view_for_table = _copy(sound, folder, "view-for-table")
    _sql(view_for_table, "DROP TABLE municipality_notes",
         f"CREATE VIEW municipality_notes AS {hanging}")
    files.append(BadFile("malicious view in place of a table (never ends)", view_for_table,
                         ("altered", "municipality_notes", "view")))
    extra_view = _copy(sound, folder, "extra-view")
    _sql(extra_view, f"CREATE VIEW endless AS {hanging}")
    files.append(BadFile("malicious extra view (never ends)", extra_view, None, ("view", "endless")))

    trigger = _copy(sound, folder, "trigger")
    _sql(trigger, "CREATE TRIGGER wipe AFTER UPDATE ON municipalities BEGIN "
                  "DELETE FROM change_history; UPDATE indicator_values SET value = 0; END")
    files.append(BadFile("malicious trigger", trigger, None, ("trigger", "wipe")))
    disguised = _copy(sound, folder, "disguised-trigger")
    _sql(disguised, "CREATE VIRTUAL TABLE rtree_municipalities_geom USING rtree(id, minx, maxx, miny, maxy)",
         "CREATE TRIGGER rtree_municipalities_geom_update1 AFTER UPDATE OF geom ON municipalities BEGIN "
         "DELETE FROM change_history; UPDATE indicator_values SET value = 0; END")
    files.append(BadFile("malicious trigger named like GDAL's R-tree trigger", disguised, None, (),
                         ("trigger", "tried to change other data")))
    extra_table = _copy(sound, folder, "extra-table")
    _sql(extra_table, "CREATE TABLE secrets (x TEXT)")
    files.append(BadFile("unknown extra table", extra_table, None, ("table", "secrets")))

    offsets = _page_offsets(sound)
    files += [
        BadFile("bit flip: page size in the header", _write(folder, "flip-header", _flip(data, 16, 0x01)),
                ("backup copy",)),
        BadFile("bit flip: b-tree page type of indicator_values",
                _write(folder, "flip-btree", _flip(data, offsets["indicator_values"], 0x04)),
                ("damaged", "backup copy")),
        BadFile("bit flip: cell count of change_history",
                _write(folder, "flip-cells", _flip(data, offsets["change_history"] + 3, 0x40)),
                ("damaged", "backup copy")),
        BadFile("bit flip: schema table page", _write(folder, "flip-schema", _flip(data, 100, 0x20)),
                ("backup copy",)),
    ]
    return files


def random_flips(sound: Path, folder: Path, count: int, seed: int = 1) -> list[Path]:
    """``count`` copies of ``sound``, each with one random byte flipped (anywhere)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = sound.read_bytes()
    rng = random.Random(seed)
    out = []
    for i in range(count):
        offset = rng.randrange(len(data))
        out.append(_write(folder, f"random-flip-{i:04d}-at-{offset}", _flip(data, offset, 1 << rng.randrange(8))))
    return out
