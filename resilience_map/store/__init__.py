"""The project file (a GeoPackage): schema, migrations, transactions, history, queries."""

from resilience_map.store.errors import (
    CorruptProjectError,
    NewerProjectError,
    NotAProjectError,
    ProjectError,
    ProjectReadOnlyError,
    RecordNotFoundError,
    StaleRecordError,
)
from resilience_map.store.project import HistoryEntry, ProjectInfo, ProjectStore

__all__ = [
    "CorruptProjectError", "HistoryEntry", "NewerProjectError", "NotAProjectError",
    "ProjectError", "ProjectInfo", "ProjectReadOnlyError", "ProjectStore",
    "RecordNotFoundError", "StaleRecordError",
]
