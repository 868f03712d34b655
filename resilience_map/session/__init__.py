"""The application layer: the open project, commands, change events, derived indexes.

Qt-free, so the window and the command line share it. The window reaches the project
file only through here (an import-linter contract keeps it so).
"""

from resilience_map.session.backups import backup_problem, restore_into, verified_backups
from resilience_map.session.commands import (
    Command,
    RecordCommand,
    SetBoundaries,
    Transition,
    add_records,
    apply_plan,
    delete_records,
    restore_record,
    update_records,
)
from resilience_map.session.events import (
    BoundariesChanged,
    Event,
    EventBus,
    HistoryWritten,
    MetaChanged,
    ProjectClosed,
    ProjectOpened,
    RecordsChanged,
    SelectionChanged,
    UndoStateChanged,
)
from resilience_map.session.indexes import ProjectIndexes, ValueIndex
from resilience_map.session.session import AuthorMissingError, NoProjectError, ProjectSession
from resilience_map.store.backups import Backup
from resilience_map.store.errors import (
    ProjectError,
    ProjectReadOnlyError,
    RecordNotFoundError,
    StaleRecordError,
)
from resilience_map.store.project import HistoryEntry, ProjectInfo
from resilience_map.store.query import MUNICIPALITY_SORT, RecordQuery
from resilience_map.store.schema import record_from_json

__all__ = [
    "MUNICIPALITY_SORT", "AuthorMissingError", "Backup", "BoundariesChanged", "Command", "Event", "EventBus",
    "HistoryEntry", "HistoryWritten", "MetaChanged", "NoProjectError", "ProjectClosed", "ProjectError",
    "ProjectIndexes", "ProjectInfo", "ProjectOpened", "ProjectReadOnlyError", "ProjectSession",
    "RecordCommand", "RecordNotFoundError", "RecordQuery", "RecordsChanged", "SelectionChanged",
    "SetBoundaries", "StaleRecordError", "Transition", "UndoStateChanged", "ValueIndex", "add_records",
    "apply_plan", "backup_problem", "delete_records", "record_from_json", "restore_into", "restore_record",
    "update_records",
    "verified_backups",
]
