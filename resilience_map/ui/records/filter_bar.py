"""The Records view's filter bar: country, municipality (typed in any script), free text."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from resilience_map.domain.enums import Country
from resilience_map.domain.records import Municipality, Record
from resilience_map.ui.records.row_filter import RowFilter
from resilience_map.ui.widgets.picker import MunicipalityPicker

#: Pause after typing before a small table is searched (large ones wait for Return).
TYPING_PAUSE_MS = 300


class FilterBar(QWidget):
    """Emits :attr:`changed` when the filter should be applied (after a pause, or on Return)."""

    changed = Signal()
    #: text typed into a large table's search: the view says "press Return"
    typed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.country_combo = QComboBox(self)
        self.country_combo.addItem("All countries", None)
        for country in sorted(Country, key=lambda c: c.label):
            self.country_combo.addItem(country.label, country.value)
        self.country_combo.currentIndexChanged.connect(self._on_country)
        self.municipality_edit = MunicipalityPicker(popup=True, parent=self)
        self.municipality_edit.filter.setPlaceholderText("Municipality (any script)…")
        self.municipality_edit.chosen.connect(lambda _uuid: self.changed.emit())
        self.text_edit = QLineEdit(self)
        self.text_edit.setPlaceholderText("Search text (any script)…")
        self.text_edit.setClearButtonEnabled(True)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(TYPING_PAUSE_MS)
        self.timer.timeout.connect(self.changed.emit)
        self.text_edit.textChanged.connect(self.typed.emit)
        self.text_edit.returnPressed.connect(self.changed.emit)
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        for label, widget, stretch in (("Country:", self.country_combo, 0),
                                       ("Municipality:", self.municipality_edit, 2),
                                       ("Text:", self.text_edit, 3)):
            bar.addWidget(QLabel(label, self))
            bar.addWidget(widget, stretch)

    def set_municipalities(self, units: list[Municipality]) -> None:
        self.municipality_edit.set_municipalities(units)

    def row_filter(self, record_type: type[Record]) -> RowFilter:
        return RowFilter(record_type, self.country_combo.currentData(), self.municipality_edit.uuid,
                         self.text_edit.text())

    def enable_place(self, enabled: bool, why: str) -> None:
        """Country and municipality only apply to records that belong to a municipality."""
        for widget in (self.country_combo, self.municipality_edit):
            widget.setEnabled(enabled)
            widget.setToolTip(why)

    def _on_country(self, _index: int) -> None:
        self.municipality_edit.set_country(self.country_combo.currentData())
        self.changed.emit()
