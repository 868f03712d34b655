"""Work that waits for a disk or a network, done off the GUI thread.

Reading and checking a change package, or connecting to a hub that is slow or unreachable
(libpq waits up to 15 s), must not freeze the window. That work touches neither the
session nor Qt widgets, so it runs on a plain worker thread; its result — or its
exception — comes back through a queued signal and is handled on the GUI thread, where
the session step that follows runs and emits its events. The session itself is never
used from the worker (it is not thread-safe, and SQLite connections belong to the thread
that opened them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

Done = Callable[[object], None]
Failed = Callable[[BaseException], None]


class Background(QObject):
    """Runs one piece of work at a time; ``done``/``failed`` are called on the GUI thread."""

    _finished = Signal(object, object)  # result, exception

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._callbacks: tuple[Done, Failed] | None = None
        # a slot of this QObject (living on the GUI thread): emitted from the worker, queued
        self._finished.connect(self._deliver)

    @property
    def busy(self) -> bool:
        return self._callbacks is not None

    def start(self, work: Callable[[], object], done: Done, failed: Failed) -> None:
        if self.busy:
            raise RuntimeError("one piece of background work at a time")
        self._callbacks = (done, failed)
        self._thread = threading.Thread(target=self._run, args=(work,), name="resilience-map-sync",
                                        daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], object]) -> None:
        result: object = None
        error: BaseException | None = None
        try:
            result = work()
        except Exception as exc:  # delivered to the GUI thread, which says it in one sentence
            error = exc
        try:
            self._finished.emit(result, error)
        except RuntimeError:  # the dialog was deleted meanwhile: nobody waits for the result
            _discard(result)

    @Slot(object, object)
    def _deliver(self, result: object, error: object) -> None:
        callbacks, self._callbacks = self._callbacks, None
        assert callbacks is not None
        done, failed = callbacks
        if isinstance(error, BaseException):
            failed(error)
        else:
            done(result)


def _discard(result: object) -> None:
    """Close what the work opened (a hub connection) when nobody takes it."""
    close = getattr(result, "close", None)
    if callable(close):
        close()
