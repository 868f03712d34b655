"""Long work off the GUI thread, with progress and Cancel: the window never freezes.

Reading a 100,000-row table, planning its import or writing an export takes seconds;
run on the GUI thread it would leave a grey, unresponsive window that users kill. A
:class:`BackgroundRunner` runs such work in Qt's thread pool and hands the result back
on the GUI thread (queued signals), where everything that touches widgets or the
session happens — applying a plan stays there, as one session step.

Work that reports progress (``progress(done, total)``) stops at its next report after
Cancel (:class:`Cancelled`); work that cannot report (a spreadsheet read in one C call)
is abandoned: its result, when it comes, is dropped. A newer request supersedes the
running one the same way, so changing the encoding twice quickly shows the second.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

Progress = Callable[[int, int], None]


class Cancelled(Exception):
    """The user pressed Cancel (or asked for something newer); the work stopped."""


class _Signals(QObject):
    """Carries a job's news from its worker thread to the GUI thread."""

    progressed = Signal(int, int, int)  # job number, done, total
    finished = Signal(int, object, object)  # job number, result, error


class _Job:
    """One piece of work; the pool runs :meth:`run` (a plain callable: no Qt object whose
    lifetime a closed dialog could end while the thread still runs it)."""

    def __init__(self, number: int, work: Callable[[Progress], Any], signals: _Signals,
                 stop: threading.Event) -> None:
        self.number, self.work, self.signals, self.stop = number, work, signals, stop

    def report(self, done: int, total: int) -> None:
        if self.stop.is_set():
            raise Cancelled
        self.signals.progressed.emit(self.number, done, total)

    def run(self) -> None:
        try:
            result = self.work(self.report)
        except BaseException as exc:  # handed to the GUI thread, which decides what to show
            self.signals.finished.emit(self.number, None, exc)
            return
        self.signals.finished.emit(self.number, result, None)


class BackgroundRunner(QObject):
    """One piece of work at a time for a dialog; :attr:`busy_changed` drives its progress bar."""

    busy_changed = Signal(bool)
    progressed = Signal(int, int)
    #: the text of the work now running ("Reading study.csv…")
    text_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._signals = _Signals()
        self._signals.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._signals.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._number = 0
        self._stop = threading.Event()
        self._callbacks: tuple[Callable[[Any], None], Callable[[BaseException], None]] | None = None
        self.text = ""

    @property
    def busy(self) -> bool:
        return self._callbacks is not None

    def run(self, text: str, work: Callable[[Progress], Any], done: Callable[[Any], None],
            failed: Callable[[BaseException], None]) -> None:
        """Start ``work(progress)`` in the pool; ``done(result)`` or ``failed(error)`` follow
        on the GUI thread. Anything still running is cancelled first."""
        self.cancel(quietly=True)
        self._number += 1
        self._stop = threading.Event()
        self._callbacks = (done, failed)
        job = _Job(self._number, work, self._signals, self._stop)
        self.text = text
        self.text_changed.emit(text)
        self.busy_changed.emit(True)
        QThreadPool.globalInstance().start(job.run)

    def cancel(self, quietly: bool = False) -> None:
        """Stop the running work (at its next progress report) and drop its result."""
        if self._callbacks is None:
            return
        self._stop.set()
        self._callbacks = None
        if not quietly:
            self.busy_changed.emit(False)

    def _on_progress(self, number: int, done: int, total: int) -> None:
        if number == self._number and self._callbacks is not None:
            self.progressed.emit(done, total)

    def _on_finished(self, number: int, result: object, error: object) -> None:
        if number != self._number or self._callbacks is None:
            return  # cancelled or superseded: nobody waits for it
        done, failed = self._callbacks
        self._callbacks = None
        self.busy_changed.emit(False)
        if isinstance(error, Cancelled):
            return
        if error is not None:
            failed(error)  # type: ignore[arg-type]
        else:
            done(result)


class BusyBar(QWidget):
    """"Planning the import… 45,000 of 99,000 rows [=====    ] [Cancel]" while work runs."""

    def __init__(self, runner: BackgroundRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(14)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelWork")
        self.cancel_button.clicked.connect(lambda: runner.cancel())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel_button)
        runner.busy_changed.connect(self._on_busy)
        runner.progressed.connect(self._on_progress)
        runner.text_changed.connect(self.label.setText)
        self.hide()

    def _on_busy(self, busy: bool) -> None:
        self.bar.setRange(0, 0)  # moving until the work says how far it is
        self.setVisible(busy)

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.label.setText(f"{self.runner.text} {done:,} of {total:,} rows")
