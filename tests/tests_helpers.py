"""Helpers shared by tests (kept out of conftest so they can be imported by name)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the installed command line in a separate process, from outside the checkout so
    that ``python -m`` imports the installed package (with its data), not the source tree."""
    return subprocess.run([sys.executable, "-m", "resilience_map", *map(str, args)],
                          capture_output=True, text=True, cwd=Path(__file__).parent, timeout=300)


def page_eval(qtbot, window, code: str):
    """Evaluate JavaScript in the map page of ``window`` and return the result as Python data
    (None when it failed or the page is not ready yet)."""
    with qtbot.waitCallback(timeout=10000) as callback:
        window.map_view.evaluate(code, callback)
    return callback.args[0]


def wait_until_drawn(qtbot, window) -> None:
    """Until the page has loaded the project and drawn a legend.

    bool(): pytest-qt takes a callback that returns None as "condition met"."""
    qtbot.waitUntil(lambda: window.map_view.is_ready, timeout=20000)
    qtbot.waitUntil(lambda: bool(page_eval(qtbot, window,
                                           "RM.probe.ready() && RM.probe.legendText().length > 0")),
                    timeout=20000)


def type_text(widget, text: str) -> None:
    """Type text key by key as a keyboard would, Cyrillic and Albanian letters included
    (QTest.keyClicks only knows ASCII keys)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                     Qt.KeyboardModifier.NoModifier, ch))


def sha256(path: Path) -> str:
    """The file's fingerprint: what must not change when an edit is refused."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
