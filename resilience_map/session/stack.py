"""The undo/redo stack, without Qt (the window adapts it to its Edit menu)."""

from __future__ import annotations

from resilience_map.session.commands import Command


class CommandStack:
    """Commands done so far (below ``index``) and undone ones that can be redone (above).

    A step that fails while being undone or redone stays where it was, so the stack
    always describes the file truthfully.
    """

    def __init__(self, limit: int = 500) -> None:
        self._commands: list[Command] = []
        self._index = 0
        self.limit = limit

    def push(self, command: Command) -> None:
        """A command that was just done: it becomes the next to undo; redo history is dropped."""
        del self._commands[self._index:]
        self._commands.append(command)
        if len(self._commands) > self.limit:
            del self._commands[0]
        self._index = len(self._commands)

    def next_undo(self) -> Command | None:
        return self._commands[self._index - 1] if self._index > 0 else None

    def next_redo(self) -> Command | None:
        return self._commands[self._index] if self._index < len(self._commands) else None

    def undone(self) -> None:
        """The command returned by :meth:`next_undo` was undone."""
        self._index -= 1

    def redone(self) -> None:
        """The command returned by :meth:`next_redo` was redone."""
        self._index += 1

    def clear(self) -> None:
        self._commands.clear()
        self._index = 0

    @property
    def undo_text(self) -> str:
        command = self.next_undo()
        return command.text if command else ""

    @property
    def redo_text(self) -> str:
        command = self.next_redo()
        return command.text if command else ""

    def __len__(self) -> int:
        return len(self._commands)
