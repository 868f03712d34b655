"""Creating a new, empty project: every municipality of the registry, no other records."""

from __future__ import annotations

import os
from pathlib import Path

from resilience_map.io.registry import load_registry
from resilience_map.store import ProjectStore


def create_registry_project(path: str | os.PathLike[str], *, title: str = "", author: str = "",
                            overwrite: bool = False) -> ProjectStore:
    """A new project holding the region's full municipality registry (seats, no boundaries)."""
    store = ProjectStore.create(Path(path), title=title, author=author, overwrite=overwrite)
    try:
        store.add_many(load_registry(), author or "Resilience Map")
    except BaseException:
        store.close()
        Path(path).unlink(missing_ok=True)
        raise
    return store
