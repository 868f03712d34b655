"""The open project, as the window and the command line both use it — without Qt.

:class:`ProjectSession` owns the :class:`ProjectStore`, who is editing (the author),
the selected municipality, the undo stack and the derived indexes. Every change goes
through :meth:`ProjectSession.do`: one command, one store transaction with its history
rows, then one set of typed events to every subscriber. Changes from outside the
window (a study-table import, a sync package) take the same path, so no view needs a
special case.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from resilience_map.domain.changes import ChangePlan
from resilience_map.session.backups import OpeningBackup
from resilience_map.session.commands import ChangeLog, Command, apply_plan
from resilience_map.session.events import (
    Event,
    EventBus,
    HistoryWritten,
    Origin,
    ProjectClosed,
    ProjectOpened,
    RecordsChanged,
    SelectionChanged,
    UndoStateChanged,
)
from resilience_map.session.indexes import ProjectIndexes
from resilience_map.session.stack import CommandStack
from resilience_map.store.errors import ProjectError
from resilience_map.store.project import ProjectStore

AuthorPolicy = Callable[[], "str | None"]


class AuthorMissingError(ProjectError):
    """Nobody said who is editing: the history must name the author of every edit."""


class NoProjectError(ProjectError):
    """An edit was asked for while no project is open."""


class ProjectSession:
    """One open project (or none) and everything that follows from it."""

    def __init__(self, author: str | AuthorPolicy = "", backup_root: Path | None = None) -> None:
        self.events = EventBus()
        self.stack = CommandStack()
        self.store: ProjectStore | None = None
        self.indexes = ProjectIndexes()
        self.selection: str | None = None
        self.backup_root = backup_root
        #: The copy taken when the project was opened for editing (see :class:`OpeningBackup`).
        self.opening_backup: OpeningBackup | None = None
        self._author_policy: AuthorPolicy = (lambda: author) if isinstance(author, str) else author
        self._author = ""

    # --- opening and closing --------------------------------------------------------------

    def open(self, path: str | Path, read_only: bool = False) -> ProjectStore:
        """Open a project file (closing the current one only once the new one opened)."""
        store = ProjectStore.open(path, read_only=read_only)
        self.adopt(store)
        if self.backup_root is not None and not store.read_only:  # made while the window draws
            self.opening_backup = OpeningBackup(store.path, self.backup_root)
            store.before_write = self._require_backup
        return store

    def _require_backup(self) -> None:
        if self.opening_backup is not None and self.store is not None:
            self.opening_backup.require()
            self.store.before_write = None  # the copy exists: later writes need not ask

    def wait_for_backup(self) -> None:
        """Until the backup copy taken on opening is written (or failed); e.g. before listing copies."""
        if self.opening_backup is not None:
            self.opening_backup.wait()

    def adopt(self, store: ProjectStore, notes: tuple[str, ...] = ()) -> None:
        """Make an already open store the session's project (e.g. one just created)."""
        self.close()
        self.store = store
        self.indexes = ProjectIndexes(store)
        if store.migration_backup:
            notes = (*notes, f"The project was upgraded; the original was kept as "
                             f"{store.migration_backup.name}.")
        self.events.emit(ProjectOpened(store.info(), notes))
        self._emit_undo_state()

    def close(self) -> None:
        if self.store is None:
            return
        self.wait_for_backup()  # it reads the file: let it finish before the file may be replaced
        self.opening_backup = None
        store, self.store = self.store, None
        self.stack.clear()
        self.indexes = ProjectIndexes()
        self.selection = None
        store.close()
        self.events.emit(ProjectClosed(store.path))
        self._emit_undo_state()

    def __enter__(self) -> ProjectSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def opened(cls, path: str | Path, author: str = "command line", read_only: bool = False) -> ProjectSession:
        """A session on ``path`` for scripts and the CLI (use as a context manager)."""
        session = cls(author)
        session.open(path, read_only=read_only)
        return session

    # --- who is editing -------------------------------------------------------------------

    @property
    def author(self) -> str:
        """The name written into the history; the policy is asked once, when first needed."""
        if not self._author:
            name = (self._author_policy() or "").strip()
            if not name:
                raise AuthorMissingError("An author name is needed so the history says who made "
                                         "each edit; nothing was changed.")
            self._author = name
        return self._author

    def set_author(self, name: str) -> None:
        self._author = name.strip()

    # --- changes --------------------------------------------------------------------------

    def do(self, command: Command) -> list[Event]:
        """Apply a new step; it becomes the next to undo if it changed anything."""
        events = self._run(command.do, "do")
        if events:
            self.stack.push(command)
        self._announce(events)
        return events

    def apply(self, plan: ChangePlan) -> list[Event]:
        """Apply a plan from an import or a sync as one undoable step."""
        return self.do(apply_plan(plan)) if plan else []

    def undo(self) -> list[Event]:
        """Undo the last step; refused (StaleRecordError) if its records changed since."""
        command = self.stack.next_undo()
        if command is None:
            return []
        events = self._run(command.undo, "undo")
        self.stack.undone()
        self._announce(events)
        return events

    def redo(self) -> list[Event]:
        command = self.stack.next_redo()
        if command is None:
            return []
        events = self._run(command.do, "redo")
        self.stack.redone()
        self._announce(events)
        return events

    def _run(self, step: Callable[[ProjectStore, str, ChangeLog], None], origin: Origin) -> list[Event]:
        """Run one step in one transaction and patch the indexes; the caller announces it."""
        store = self.require_store()
        author = self.author
        log = ChangeLog(origin)
        with store.transaction() as tx:
            step(store, author, log)
        for before, after in tx.also_changed:  # what the store changed on its own, to keep the merge rules
            log.record(before, after)
        events = log.events()
        for event in events:
            if isinstance(event, RecordsChanged):
                self.indexes.apply(event)
        if tx.history:
            events.append(HistoryWritten(tuple(tx.history)))
        return events

    def _announce(self, events: list[Event]) -> None:
        """Tell every subscriber, the undo state last (the stack is already up to date)."""
        self.events.emit(*events, UndoStateChanged(self.stack.undo_text, self.stack.redo_text))

    def require_store(self) -> ProjectStore:
        if self.store is None:
            raise NoProjectError("No project is open.")
        return self.store

    # --- selection ------------------------------------------------------------------------

    def select(self, uuid: str | None, source: str = "", zoom: bool = True) -> None:
        """Make ``uuid`` the selected municipality everywhere (map, tables, profile)."""
        if uuid == self.selection:
            return
        previous, self.selection = self.selection, uuid
        self.events.emit(SelectionChanged(uuid, previous, source, zoom))

    def _emit_undo_state(self) -> None:
        self.events.emit(UndoStateChanged(self.stack.undo_text, self.stack.redo_text))
