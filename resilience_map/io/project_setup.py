"""Creating a new, empty project: every municipality of the registry, no other records."""

from __future__ import annotations

import os
from pathlib import Path

from resilience_map.io.registry import load_registry
from resilience_map.store import ProjectStore


def create_registry_project(path: str | os.PathLike[str], *, title: str = "", author: str = "",
                            overwrite: bool = False) -> ProjectStore:
    """A new project holding the region's full municipality registry (seats, no boundaries)."""
    return ProjectStore.create(Path(path), title=title, author=author, overwrite=overwrite,
                               records=load_registry())
