"""Synchronisation as steps of the session: an import, a hub sync, a revert, a decision.

Each is one :class:`~resilience_map.session.commands.Command`: it runs inside the session's one
store transaction and reports every record it changed through the :class:`ChangeLog`, so the
window hears one ``RecordsChanged`` per record type and Edit → Undo takes the whole step back.

Undoing an import or a sync does not unlearn the other copies' changes — they are facts, and
forgetting them would make this copy ask for them again. It reverses their effect with new
*local* changes (restores, deletes, boundaries), which sync out like any edit, so every copy
ends up agreeing on the undone state. A revert or a decision that has not left this copy yet is
taken back exactly instead (its change becomes void again, or returns).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence

from resilience_map.domain.kinds import kind_of
from resilience_map.domain.records import Municipality
from resilience_map.session.commands import ChangeLog, Command, RecordCommand, apply_plan
from resilience_map.store import geopackage as gpkg
from resilience_map.store.errors import StaleRecordError
from resilience_map.store.lineage import Write
from resilience_map.store.merge import MergeResult, rematerialize
from resilience_map.store.project import ProjectStore
from resilience_map.sync.hub import SyncResult, sync_with_hub
from resilience_map.sync.package import ImportSummary, Package, import_package
from resilience_map.sync.review import OpenConflict, decide, pending_changes, revert_pending, unrevert


def log_merge(log: ChangeLog, result: MergeResult) -> None:
    """Tell the change log every record and boundary a merge changed. A record whose row moved
    to its canonical uuid is reported as the old row removed and the canonical one added, so a
    view keyed by uuid drops the old row."""
    for record in result.added:
        log.record(None, record)
    for before, after in result.updated:
        if before.uuid == after.uuid:
            log.record(before, after)
        else:
            log.record(before, None)
            log.record(None, after)
    for record in [*result.removed, *result.merged_away]:
        log.record(record, None)
    if result.boundaries:
        log.boundaries({u: gpkg.decode_geometry(b) for u, (b, _a) in result.boundaries.items()},
                       {u: gpkg.decode_geometry(a) for u, (_b, a) in result.boundaries.items()})


def _touched(result: MergeResult) -> dict[str, set[str]]:
    """Tables and uuids of the records a merge changed (to recompute their conflicts)."""
    out: dict[str, set[str]] = {}
    for record in result.plan().records():
        out.setdefault(kind_of(record).table, set()).add(record.uuid)
    if result.boundaries:
        out.setdefault(kind_of(Municipality).table, set()).update(result.boundaries)
    return out


class MergeCommand(Command):
    """A step that brings other copies' changes in (first do), and whose undo and redo move the
    records between the states before and after it with local changes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.result: MergeResult | None = None
        self._records: RecordCommand | None = None

    @abstractmethod
    def merge(self, store: ProjectStore) -> MergeResult:
        """Bring the changes in (inside the session's transaction)."""

    def do(self, store: ProjectStore, author: str, log: ChangeLog) -> None:
        if self.result is None:
            self.result = self.merge(store)
            if self.result.history_mark is not None:
                store.note_history(self.result.history_mark)
            log_merge(log, self.result)
            self._records = apply_plan(self.result.plan(self.text))
            self._records._done_once = True  # redo restores, it never adds anew
            return
        assert self._records is not None
        self._records.do(store, author, log)
        self._boundaries(store, author, log, forward=True)
        self._refresh(store, log)

    def undo(self, store: ProjectStore, author: str, log: ChangeLog) -> None:
        assert self._records is not None
        self._records.undo(store, author, log)
        self._boundaries(store, author, log, forward=False)
        self._refresh(store, log)

    def _boundaries(self, store: ProjectStore, author: str, log: ChangeLog, *, forward: bool) -> None:
        assert self.result is not None
        if not self.result.boundaries:
            return
        existing = {m.uuid for m in store.list(Municipality)}
        now = store.boundaries()
        target = {u: gpkg.decode_geometry(a if forward else b)
                  for u, (b, a) in self.result.boundaries.items() if u in existing}
        if target:
            store.set_boundaries(target, author, source="redo" if forward else "undo")
            log.boundaries({u: now.get(u) for u in target}, target)

    def _refresh(self, store: ProjectStore, log: ChangeLog) -> None:
        """Recompute the conflicts of the records moved (a local change settles the ones on the
        fields it writes), and report anything the recomputation changed."""
        assert self.result is not None
        log_merge(log, rematerialize(store, _touched(self.result)))


class ImportPackage(MergeCommand):
    """Apply a change package (already read and checked) as one step."""

    def __init__(self, package: Package) -> None:
        super().__init__(f"Import changes from {package.path.name}")
        self.package = package
        self.summary: ImportSummary | None = None

    def merge(self, store: ProjectStore) -> MergeResult:
        self.summary = import_package(store, self.package)
        return self.summary.merge


class SyncWithHub(MergeCommand):
    """Send this copy's changes to a hub and receive everyone else's, as one step."""

    def __init__(self, url: str, ask: Callable[[str], str] | None = None, connection: object = None) -> None:
        from resilience_map.sync.hub import address_without_password

        super().__init__(f"Synchronise with {address_without_password(url)}")
        self.url, self.ask, self.connection = url, ask, connection
        self.outcome: SyncResult | None = None

    def merge(self, store: ProjectStore) -> MergeResult:
        connection, self.connection = self.connection, None  # used once, closed by the sync
        self.outcome = sync_with_hub(store, self.url, ask=self.ask, connection=connection)
        return self.outcome.merge


class RevertPending(Command):
    """Take back changes of this copy that have not been sent yet (they become void)."""

    def __init__(self, seqs: int | Sequence[int], description: str = "") -> None:
        self.seqs = [seqs] if isinstance(seqs, int) else list(seqs)
        self.text = f"Revert {description or f'{len(self.seqs)} changes'}"
        self._originals: list[Write] | None = None

    def do(self, store: ProjectStore, author: str, log: ChangeLog) -> None:
        result, self._originals = revert_pending(store, self.seqs)
        log_merge(log, result)

    def undo(self, store: ProjectStore, author: str, log: ChangeLog) -> None:
        assert self._originals is not None
        log_merge(log, unrevert(store, self._originals))


class DecideConflict(Command):
    """Settle a conflict with a value (the kept one, the other one, one typed in, or delete).
    The decision is a change of this copy like any edit: it syncs and settles the conflict
    everywhere. Undone before it is sent, it is voided and the conflict is back as it was;
    afterwards, a new local change puts the records back."""

    def __init__(self, conflict: OpenConflict, value: object) -> None:
        self.text = f"Decide conflict on {conflict.field if conflict.field != '*' else 'a held-back delete'}"
        self.conflict, self.value = conflict, value
        self._seq: int | None = None
        self._voided: list[Write] | None = None
        self._records: RecordCommand | None = None

    def do(self, store: ProjectStore, author: str, log: ChangeLog) -> None:
        if self._voided is not None:  # redo of an exact undo: the decision returns
            log_merge(log, unrevert(store, self._voided))
            self._voided = None
            return
        if self._records is not None:  # redo after an undo made with local changes
            self._records.do(store, author, log)
            return
        result = decide(store, self.conflict, self.value, author)
        self._seq = store.connection.execute('SELECT MAX(seq) FROM "change_history" WHERE origin = ?',
                                             (store.replica_id,)).fetchone()[0]
        log_merge(log, result)
        self._records = apply_plan(result.plan(self.text))
        self._records._done_once = True

    def undo(self, store: ProjectStore, author: str, log: ChangeLog) -> None:
        if self._seq is not None and any(p.seq == self._seq for p in pending_changes(store)):
            result, self._voided = revert_pending(store, self._seq)
            log_merge(log, result)
            return
        if self._records is None:
            raise StaleRecordError("This decision cannot be undone any more.")
        self._records.undo(store, author, log)
        log_merge(log, rematerialize(store, {self.conflict.table: {self.conflict.record_uuid}}))
