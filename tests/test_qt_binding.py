"""The Qt binding must not corrupt Python's reference counts.

PySide6 6.12.0 drops a reference to None on every call of a method returning void
(QListWidgetItem.setHidden, setCheckState, QWebEnginePage.runJavaScript…). On
Python < 3.12 None is not immortal, so after a few tens of thousands of such calls
(a long working session) the interpreter aborts. pyproject.toml pins a release
without the bug; this test fails if a broken one is installed.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem


def test_void_calls_keep_none_references(qapp) -> None:
    widget = QListWidget()
    items = [QListWidgetItem(f"unit {i}", widget) for i in range(300)]
    gc.collect()
    before = sys.getrefcount(None)
    for item in items:
        item.setHidden(True)
        item.setHidden(False)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked)
    gc.collect()
    assert sys.getrefcount(None) - before > -50, "the installed PySide6 loses references to None"
