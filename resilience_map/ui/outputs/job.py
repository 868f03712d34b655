"""One print map or briefing, made in a process of its own (``resilience_map.cli.job``).

The window keeps working while it runs: the process reads the project file itself
(read-only) and draws and typesets there, so neither typesetting nor drawing holds the
window's interpreter. Cancel ends the process. It writes into a private temporary
folder; only a finished file is moved to where the user asked — so a cancelled or
failed job leaves nothing behind, and an older file of that name stays as it was
until the new one is complete.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

import resilience_map
from resilience_map.ui.errors import one_line, sentence

#: The checkout or site-packages folder holding ``resilience_map`` (the worker imports the
#: same code as the window, installed or not).
PACKAGE_ROOT = Path(resilience_map.__file__).resolve().parent.parent


class OutputJob(QObject):
    """``start()``, then ``progress`` …, and one of ``finished`` / ``failed`` / ``cancelled``."""

    progress = Signal(int, int, str)  # steps done, steps in all (0: unknown), what is being done
    finished = Signal(object)  # the delivered Path
    failed = Signal(str)  # one sentence
    cancelled = Signal()

    def __init__(self, title: str, request: dict[str, Any], destination: Path,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title, self.destination = title, Path(destination)
        self.folder = Path(tempfile.mkdtemp(prefix="resilience-map-output-"))
        self.output = self.folder / self.destination.name
        self.request = {**request, "out": str(self.output)}
        self.summary = title
        self.error = ""
        self.done = False
        self.running = False
        self._cancelling = False
        self._buffer = b""
        self.process = QProcess(self)
        self.process.setProcessEnvironment(_environment())
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._on_finished)
        self.process.errorOccurred.connect(self._on_error)

    def start(self) -> None:
        self.running = True
        self.process.start(sys.executable, ["-m", "resilience_map.cli.job",
                                            json.dumps(self.request, ensure_ascii=False)])

    def cancel(self) -> None:
        """End the process; ``cancelled`` follows once it has gone and its files are removed."""
        if self.running:
            self._cancelling = True
            self.process.kill()

    # --- the process's report -------------------------------------------------------------
    def _read(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            self._line(line)

    def _line(self, raw: bytes) -> None:
        try:
            message = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return  # a library's stray output, not ours
        if "progress" in message:
            done, steps = message["progress"]
            self.progress.emit(int(done), int(steps), str(message.get("text", "")))
        elif "error" in message:
            self.error = str(message["error"])
        elif "done" in message:
            self.done = True
            self.summary = str(message.get("summary", self.title))

    def _on_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        self._read()
        if self._buffer:
            self._line(self._buffer)
            self._buffer = b""
        self.running = False
        try:
            if self._cancelling:
                self.cancelled.emit()
            elif code == 0 and self.done and self.output.is_file():
                self._deliver()
            else:
                self.failed.emit(self.error or self._crash_sentence(code))
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.running = False
            shutil.rmtree(self.folder, ignore_errors=True)
            self.failed.emit(f"The {self.title.lower()} could not be started: "
                             f"{one_line(self.process.errorString())}.")

    def _crash_sentence(self, code: int) -> str:
        lines = bytes(self.process.readAllStandardError().data()).decode("utf-8", "replace").splitlines()
        last = one_line(next((ln for ln in reversed(lines) if ln.strip()), ""))
        detail = f" ({last})" if last else ""
        return f"The {self.title.lower()} stopped before it was finished (exit code {code}){detail}."

    def _deliver(self) -> None:
        try:
            deliver(self.output, self.destination)
        except OSError as exc:
            self.failed.emit(sentence(exc))
            return
        self.finished.emit(self.destination)


def deliver(made: Path, destination: Path) -> None:
    """Move the finished file into place in one step (a copy first, on another drive)."""
    try:
        os.replace(made, destination)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        part = destination.with_name(f".{destination.name}.part")
        try:
            shutil.copyfile(made, part)
            os.replace(part, destination)
        finally:
            part.unlink(missing_ok=True)


def _environment() -> QProcessEnvironment:
    env = QProcessEnvironment.systemEnvironment()
    paths = [str(PACKAGE_ROOT), env.value("PYTHONPATH", "")]
    env.insert("PYTHONPATH", os.pathsep.join(p for p in paths if p))
    env.insert("QT_QPA_PLATFORM", "offscreen")  # it draws into files, never on screen
    return env
