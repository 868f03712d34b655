"""Small pieces the profile's tabs share: plain-text labels, compact read-only tables.

All text is shown as plain text (never rich text), so a name such as
``<img src=x onerror=…>`` is displayed, not interpreted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableWidget, QTableWidgetItem

DEMO_BADGE = "Demo data – not study results"
RECORD_ROLE = Qt.ItemDataRole.UserRole
UNKNOWN = "—"


def yes_no(value: bool | None) -> str:
    return UNKNOWN if value is None else ("Yes" if value else "No")


def day_text(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else UNKNOWN


def plain_label(text: str = "", style: str = "") -> QLabel:
    """A label that never interprets markup and wraps long names."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    return label


def record_table(headers: Sequence[str]) -> QTableWidget:
    """A read-only, row-selecting table (editing happens in the forms)."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    compact_rows(table)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def compact_rows(table: QTableWidget) -> None:
    """Rows one text line high, so a docked table shows more than a handful."""
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)


def text_item(text: str, data: object = None, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setData(RECORD_ROLE, data)
    item.setToolTip(tooltip or text)
    return item
