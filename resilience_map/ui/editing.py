"""Every edit of the project goes through :class:`ProjectEditor`.

An edit is performed on the store first (validated, committed with its history
rows in one transaction); only when that succeeded is a QUndoCommand pushed, so
a refused edit never reaches the undo stack. Undo and redo are themselves store
operations (``restore`` / ``delete``) and therefore land in the history too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QInputDialog, QWidget

from resilience_map.domain.records import Record
from resilience_map.store import ProjectStore
from resilience_map.store.schema import RECORD_TABLES

AUTHOR_KEY = "author_name"


def record_label(record_type: type[Record], count: int = 1) -> str:
    """Words for the Edit menu: "prevention structure", "3 hub activities"."""
    name = RECORD_TABLES[record_type].name.replace("_", " ")
    singular = name[:-3] + "y" if name.endswith("ies") else name[:-1]
    return f"{count} {name}" if count != 1 else singular


class _StoreCommand(QUndoCommand):
    """A command whose first redo already happened (the editor did it, and it succeeded)."""

    def __init__(self, editor: ProjectEditor, text: str) -> None:
        super().__init__(text)
        self.editor = editor
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.editor._run(self.do_again)

    def undo(self) -> None:
        self.editor._run(self.do_undo)

    def do_again(self, store: ProjectStore, author: str) -> tuple[type[Record], list[str]]:
        raise NotImplementedError

    def do_undo(self, store: ProjectStore, author: str) -> tuple[type[Record], list[str]]:
        raise NotImplementedError


class AddCommand(_StoreCommand):
    def __init__(self, editor: ProjectEditor, records: Sequence[Record]) -> None:
        super().__init__(editor, f"Add {record_label(type(records[0]), len(records))}")
        self.records = list(records)

    def do_undo(self, store, author):
        store.delete_many(type(self.records[0]), [r.uuid for r in self.records], author)
        return type(self.records[0]), [r.uuid for r in self.records]

    def do_again(self, store, author):
        store.restore_many(self.records, author)
        return type(self.records[0]), [r.uuid for r in self.records]


class UpdateCommand(_StoreCommand):
    def __init__(self, editor: ProjectEditor, before: Sequence[Record], after: Sequence[Record]) -> None:
        super().__init__(editor, f"Edit {record_label(type(before[0]), len(before))}")
        self.before, self.after = list(before), list(after)

    def do_undo(self, store, author):
        store.restore_many(self.before, author)
        return type(self.before[0]), [r.uuid for r in self.before]

    def do_again(self, store, author):
        store.restore_many(self.after, author)
        return type(self.after[0]), [r.uuid for r in self.after]


class DeleteCommand(_StoreCommand):
    def __init__(self, editor: ProjectEditor, records: Sequence[Record]) -> None:
        super().__init__(editor, f"Delete {record_label(type(records[0]), len(records))}")
        self.records = list(records)

    def do_undo(self, store, author):
        store.restore_many(self.records, author)
        return type(self.records[0]), [r.uuid for r in self.records]

    def do_again(self, store, author):
        store.delete_many(type(self.records[0]), [r.uuid for r in self.records], author)
        return type(self.records[0]), [r.uuid for r in self.records]


class ProjectEditor(QObject):
    """Performs edits on the open project and keeps them undoable."""

    #: record type, uuids that changed (added, edited, deleted or restored)
    changed = Signal(object, list)
    #: an undo/redo step could not be applied (e.g. the record was edited meanwhile)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store: ProjectStore | None = None
        self.undo_stack = QUndoStack(self)
        self._parent_widget = parent
        self.ask_author: Callable[[], str | None] = self._ask_author_dialog

    def set_store(self, store: ProjectStore | None) -> None:
        self.store = store
        self.undo_stack.clear()

    # --- author -----------------------------------------------------------------------
    def author(self) -> str:
        """The name written into the history; asked once, then kept in preferences."""
        name = str(QSettings().value(AUTHOR_KEY, "") or "")
        if not name:
            name = (self.ask_author() or "").strip()
            if not name:
                raise PermissionError("An author name is needed so the history says who made each edit.")
            QSettings().setValue(AUTHOR_KEY, name)
        return name

    def _ask_author_dialog(self) -> str | None:
        name, ok = QInputDialog.getText(
            self._parent_widget, "Your name",
            "Your name is recorded with each edit in the project's history\n"
            "(so edits from different laptops can be told apart):")
        return name if ok else None

    # --- edits ---------------------------------------------------------------------------
    def add(self, record: Record) -> Record:
        return self.add_many([record])[0]

    def add_many(self, records: Sequence[Record]) -> list[Record]:
        store, author = self._ready()
        stored = store.add_many(records, author)
        self.undo_stack.push(AddCommand(self, stored))
        self._announce(type(stored[0]), [r.uuid for r in stored])
        return stored

    def update(self, record: Record) -> Record:
        return self.update_many([record])[0]

    def update_many(self, records: Sequence[Record]) -> list[Record]:
        """Save edited records (each must carry the version it was read at)."""
        store, author = self._ready()
        before = [store.get(type(r), r.uuid) for r in records]
        with store.transaction():
            after = [store.update(r, author) for r in records]
        changed = [(b, a) for b, a in zip(before, after) if a.version != b.version]
        if changed:
            self.undo_stack.push(UpdateCommand(self, [b for b, _ in changed], [a for _, a in changed]))
            self._announce(type(records[0]), [a.uuid for _, a in changed])
        return after

    def delete(self, record_type: type[Record], uuids: Sequence[str]) -> list[Record]:
        store, author = self._ready()
        deleted = store.delete_many(record_type, list(uuids), author)
        if deleted:
            self.undo_stack.push(DeleteCommand(self, deleted))
            self._announce(record_type, list(uuids))
        return deleted

    def restore(self, state: Record) -> Record:
        """Put a record back into an earlier state (from its history); undoable."""
        store, author = self._ready()
        current = store.list(type(state), uuid=state.uuid)
        restored = store.restore(state, author)
        if current:
            self.undo_stack.push(UpdateCommand(self, current, [restored]))
        else:
            self.undo_stack.push(AddCommand(self, [restored]))
        self.undo_stack.command(self.undo_stack.count() - 1).setText(f"Restore {record_label(type(state))}")
        self._announce(type(state), [state.uuid])
        return restored

    # --- internals ----------------------------------------------------------------------------
    def _ready(self) -> tuple[ProjectStore, str]:
        if self.store is None:
            raise RuntimeError("no project is open")
        return self.store, self.author()

    def _run(self, step: Callable[[ProjectStore, str], tuple[type[Record], list[str]]]) -> None:
        """Apply an undo/redo step; report failure instead of raising inside Qt."""
        try:
            store, author = self._ready()
            record_type, uuids = step(store, author)
        except Exception as exc:  # noqa: BLE001 - shown to the user, the stack stays consistent
            self.failed.emit(f"Could not apply this step: {exc}")
            return
        self._announce(record_type, uuids)

    def _announce(self, record_type: type[Record], uuids: list[str]) -> None:
        self.changed.emit(record_type, uuids)
