"""What keeps a project file we did not write ourselves from running code or hanging us.

A GeoPackage can carry SQL of its own: triggers run on every edit, views run when
read. :func:`guard_connection` installs, on every connection the store opens,

* a **progress handler** that stops any statement when the :class:`Interrupt` is
  cancelled (an API caller, e.g. the window's Cancel button, calls ``cancel()``
  from another thread) or its time limit passes, so a hostile view or a huge
  integrity check can never hang the app;
* an **authorizer** that lets SQL inside triggers and views read, and write only
  to the tables GeoPackage's own standard triggers maintain (R-tree spatial
  indexes and GDAL's feature counts), and never recurse; a disguised trigger that
  tries more makes the statement fail, so the transaction writes nothing;
* the **ST_* functions** GDAL's and QGIS's R-tree triggers call, so a project in
  which they built a spatial index stays editable here.
"""

from __future__ import annotations

import re
import sqlite3
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: VM instructions between two looks at the cancel flag and the clock (~50 µs of work).
PROGRESS_STEPS = 2000
#: Tables the SQL of a standard GeoPackage trigger may write to.
_TRIGGER_WRITABLE = re.compile(r"^(rtree_.+|gpkg_ogr_contents)$", re.IGNORECASE)
_WRITES = {sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE}
_READS = {sqlite3.SQLITE_READ, sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION}


class Interrupt:
    """A cancel flag and an optional deadline shared by the store and its caller.

    ``cancel()`` may be called from any thread; the statement running at that moment
    stops with SQLITE_INTERRUPT, which the store reports as
    :class:`~resilience_map.store.errors.OperationCancelledError`. The flag is cleared
    once it has stopped something, so a project stays usable after a cancel.
    """

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self._deadline: float | None = None
        self.limit_seconds: float | None = None
        self.fired: str | None = None  # "cancelled" | "time limit", set when it stopped a statement
        self.fired_limit: float | None = None  # the time limit (s) that stopped it

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    @contextmanager
    def time_limit(self, seconds: float | None) -> Iterator[None]:
        """Stop any statement run inside this block after ``seconds`` (None: no limit)."""
        saved = self._deadline, self.limit_seconds
        self._deadline = None if seconds is None else time.monotonic() + seconds
        self.limit_seconds = seconds
        try:
            yield
        finally:
            self._deadline, self.limit_seconds = saved

    def should_stop(self) -> int:
        if self._cancelled.is_set():
            self.fired = "cancelled"
            return 1
        if self._deadline is not None and time.monotonic() > self._deadline:
            self.fired, self.fired_limit = "time limit", self.limit_seconds
            return 1
        return 0

    def take_reason(self) -> str | None:
        """Why the last statement was stopped (and reset the flag for the next one)."""
        fired, self.fired = self.fired, None
        self._cancelled.clear()
        return fired


def guard_connection(conn: sqlite3.Connection, interrupt: Interrupt) -> None:
    conn.set_progress_handler(interrupt.should_stop, PROGRESS_STEPS)
    conn.set_authorizer(_authorize)
    for name, func in _ST_FUNCTIONS.items():
        conn.create_function(name, 1, func, deterministic=True)


def _authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None,
               source: str | None) -> int:
    """Top-level SQL is ours; SQL that comes from a trigger or view in the file is not."""
    if source is None:
        return sqlite3.SQLITE_OK
    if action in _READS:
        return sqlite3.SQLITE_OK
    if action in _WRITES and arg1 and _TRIGGER_WRITABLE.match(arg1):
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


# --- the functions GDAL's R-tree triggers call (GeoPackage geometry header, section 2.1.3) ---

_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def _envelope(blob: object) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a GeoPackage geometry; None for NULL or empty."""
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP":
        return None
    flags = blob[3]
    if flags & 0b1_0000:  # empty geometry
        return None
    order = "<" if flags & 1 else ">"
    doubles = _ENVELOPE_DOUBLES.get((flags >> 1) & 0b111)
    if doubles is None:
        return None
    if doubles:
        return struct.unpack_from(f"{order}4d", blob, 8)
    from resilience_map.store.geopackage import decode_geometry

    geom = decode_geometry(blob)
    if geom is None or geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    return minx, maxx, miny, maxy


def _is_empty(blob: object) -> int | None:
    if blob is None:
        return None
    return 1 if _envelope(blob) is None else 0


def _coordinate(index: int) -> Callable[[object], float | None]:
    def pick(blob: object) -> float | None:
        env = _envelope(blob)
        return None if env is None else env[index]
    return pick


_ST_FUNCTIONS = {"ST_IsEmpty": _is_empty, "ST_MinX": _coordinate(0), "ST_MaxX": _coordinate(1),
                 "ST_MinY": _coordinate(2), "ST_MaxY": _coordinate(3)}
