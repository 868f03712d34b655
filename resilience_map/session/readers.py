"""A second, read-only connection to the open project, for work off the GUI thread.

SQLite connections belong to the thread that made them, and the session's store is
the GUI thread's. Planning a study-table import for 100,000 rows reads the project for
seconds; the window does that in a worker thread through a reader of its own, made
and closed in that thread. It sees what the session committed; the session applies
the result afterwards as one step, refusing any record changed in between.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from resilience_map.store.project import ProjectStore


@contextmanager
def project_reader(path: str | Path) -> Iterator[ProjectStore]:
    """The project at ``path``, read-only (no lock: the session holds it), closed afterwards."""
    store = ProjectStore.open(path, read_only=True)
    try:
        yield store
    finally:
        store.close()
