"""What the window's File → Synchronise, status bar, Pending changes list and Conflicts dock
use — and the command line too, so both take one path.

:class:`Synchronisation` wraps a :class:`ProjectSession`. Everything that changes the project
(import a package, sync with a hub, revert a pending change, decide a conflict) is one session
command: one store transaction, typed change events, one step on the undo stack. A dry run is
not a step: it runs in a transaction of its own that is rolled back, and changes nothing.
After every step (an edit too) a :class:`SyncStatusChanged` tells the status bar how many
changes are waiting to be sent and how many conflicts are open.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from resilience_map.domain.kinds import kind_by_table
from resilience_map.domain.validation import ValidationError
from resilience_map.session.events import Event, ProjectOpened, UndoStateChanged
from resilience_map.session.session import ProjectSession
from resilience_map.session.sync_commands import DecideConflict, ImportPackage, RevertPending, SyncWithHub
from resilience_map.store.project import ProjectStore
from resilience_map.store.schema import field_types, from_column, to_column, to_json_value
from resilience_map.sync.hub import SyncResult, sync_with_hub
from resilience_map.sync.package import (
    ExportSummary,
    ImportSummary,
    Package,
    export_package,
    import_package,
    read_package,
)
from resilience_map.sync.review import (
    DELETE_RECORD,
    OpenConflict,
    PendingChange,
    conflict_count,
    conflicts,
    pending_changes,
    pending_count,
)
from resilience_map.sync.state import current_account, known_hubs, known_peers


@dataclass(frozen=True)
class SyncStatusChanged(Event):
    """Changes of this copy not yet sent anywhere, and conflicts waiting for a decision."""

    pending: int
    conflicts: int


class Synchronisation:
    """Synchronisation of the session's open project."""

    #: Pass as the value to :meth:`decide` to delete the record (or keep it deleted).
    DELETE_RECORD = DELETE_RECORD

    def __init__(self, session: ProjectSession) -> None:
        self.session = session
        session.events.subscribe(UndoStateChanged, lambda _e: self.announce())
        session.events.subscribe(ProjectOpened, lambda _e: self.announce())

    # --- bringing changes in and sending them ---------------------------------------------------

    def import_package(self, path: Path | Package, *, dry_run: bool = False) -> ImportSummary:
        """Check a package completely (unless already read), then apply it as one undoable
        step (or only report what it would do)."""
        package = path if isinstance(path, Package) else read_package(path)
        store = self.session.require_store()
        if dry_run:
            return import_package(store, package, dry_run=True)
        command = ImportPackage(package)
        self.session.do(command)
        assert command.summary is not None
        return command.summary

    def sync_hub(self, url: str, *, dry_run: bool = False, ask: Callable[[str], str] | None = None,
                 connection: object = None) -> SyncResult:
        """Send this copy's changes to the hub and receive everyone else's, as one step.
        ``connection``: one already made with :func:`resilience_map.sync.hub.connect` (closed
        at the end), so a window can wait for the network off its GUI thread."""
        store = self.session.require_store()
        if dry_run:
            return sync_with_hub(store, url, dry_run=True, ask=ask, connection=connection)
        command = SyncWithHub(url, ask, connection)
        self.session.do(command)  # (the status is announced after every step, changed or not)
        assert command.outcome is not None
        return command.outcome

    def export_package(self, out: Path, *, for_replica: str | None = None,
                       since: str | None = None) -> ExportSummary:
        """Write what another copy has not seen to a package (not a change of the project's
        records, so not a step; the changes in it stop being pending)."""
        store = self.session.require_store()
        summary = export_package(store, out, for_replica=for_replica, since=since,
                                 account=current_account(store.connection))
        self.announce()
        return summary

    # --- what is waiting ------------------------------------------------------------------------

    def pending(self) -> list[PendingChange]:
        """This copy's changes not yet sent anywhere, oldest first (each can be reverted)."""
        return pending_changes(self.session.require_store())

    def pending_count(self) -> int:
        return pending_count(self.session.require_store())

    def revert(self, change: PendingChange | int | Sequence[PendingChange]) -> None:
        """Take back pending changes (one, or several chosen together) as one undoable step."""
        changes = list(change) if isinstance(change, Sequence) else [change]
        seqs = [c if isinstance(c, int) else c.seq for c in changes]
        if len(changes) == 1:
            what = f"change {seqs[0]}" if isinstance(changes[0], int) else _describe(changes[0])
        else:
            what = f"{len(changes)} changes"
        self.session.do(RevertPending(seqs, what))

    def conflicts(self, record_uuid: str | None = None) -> list[OpenConflict]:
        """Open conflicts, oldest first (one record's, given its uuid)."""
        return conflicts(self.session.require_store(), record_uuid)

    def decide(self, conflict: OpenConflict, value: object) -> None:
        """Settle a conflict as one undoable step: ``conflict.kept_value`` (mine, as merged),
        ``conflict.other_value`` (theirs), another value typed in, or :attr:`DELETE_RECORD`.
        A value is checked like any edit of its field first (ValidationError: nothing written)."""
        if value is not DELETE_RECORD and value != "(deleted)":
            value = decision_value(self.session.require_store(), conflict, value)
        self.session.do(DecideConflict(conflict, value))

    # --- what the Synchronise dialog offers ---------------------------------------------------

    def hubs(self) -> list[tuple[str, str]]:
        """(address without password, account) of the hubs used before, latest first."""
        return known_hubs(self.session.require_store().connection)

    def peers(self) -> list[str]:
        """Replica ids of the copies this one has heard from (a package can be made for one)."""
        store = self.session.require_store()
        return known_peers(store.connection, store.replica_id)

    @property
    def replica_id(self) -> str:
        return str(self.session.require_store().replica_id or "")

    # --- the status bar -------------------------------------------------------------------------

    def announce(self) -> None:
        store = self.session.store
        if store is None or store.read_only:
            return
        self.session.events.emit(SyncStatusChanged(pending_count(store), conflict_count(store)))


def decision_value(store: ProjectStore, conflict: OpenConflict, value: object) -> object:
    """``value`` (a field's Python value, or as history stores it) checked like an edit of the
    record, in the form the history stores. Fields that are no plain record field (the boundary,
    '*' for a whole record) and records not in the project pass as they are."""
    kind = kind_by_table(conflict.table)
    if kind is None or conflict.field not in kind.record_type.content_fields():
        return value
    try:
        typed = from_column(to_column(value), field_types(kind.record_type)[conflict.field])
    except (TypeError, ValueError):
        raise ValidationError(conflict.field, f"“{value}” is not a valid value for this field") from None
    record = store.find(kind.record_type, conflict.record_uuid)
    if record is not None:
        store.check(dataclasses.replace(record, **{conflict.field: typed}))  # type: ignore[arg-type]
    return to_json_value(typed)


def _describe(change: PendingChange) -> str:
    kind = kind_by_table(change.table)
    label = kind.label if kind else change.table
    return f"{change.operation} of {label}" + (f" {change.field}" if change.field else "")
