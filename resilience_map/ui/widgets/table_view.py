"""The table the lists of changes, conflicts and report rows are shown in, and their page.

Those lists are read a row at a time and selected a row at a time, on laptops 1366×768 wide:
one line a row (no wrapping, rows just taller than the text), no row numbers, columns the
user can drag wider and the last one taking what is left. Built once so they stay alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget


def rows_table(model: QAbstractItemModel, parent: QWidget | None = None, widths: Sequence[int] = (), *,
               single: bool = False, alternating: bool = True, row_padding: int = 8) -> QTableView:
    """A table view of whole-row selection showing ``model``, its first columns ``widths`` wide.

    ``single`` allows one selected row (for actions on one item); ``row_padding`` is the
    pixels a row has above its text's height.
    """
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single:
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(alternating)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + row_padding)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for column, width in enumerate(widths):
        header.resizeSection(column, width)
    return table


def table_page(widget: QWidget, heading: QLabel, table: QTableView, note: QLabel, buttons: Sequence[QWidget],
               margin: int = 6) -> QVBoxLayout:
    """Lay ``widget`` out as the list views are: a heading, the table taking the height, and below
    it a line saying what happened with the buttons acting on the selection at its right."""
    bar = QHBoxLayout()
    bar.addWidget(note, 1)
    for button in buttons:
        bar.addWidget(button)
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(margin, margin, margin, margin)
    layout.addWidget(heading)
    layout.addWidget(table, 1)
    layout.addLayout(bar)
    return layout
