"""The choropleth part of the layer panel: indicator, wave, change view, classes, palette.

It turns the user's choice into :class:`ChoroplethSettings`, or into a sentence saying
why the choice cannot be drawn (the map then keeps its colours instead of going grey).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from resilience_map.domain.records import IndicatorDefinition, StudyWave
from resilience_map.maps.choropleth import ChoroplethSettings
from resilience_map.maps.classify import MAX_CLASSES, MIN_CLASSES, Scheme
from resilience_map.maps.palettes import DIVERGING, SEQUENTIAL

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """``widget`` with an object name (tests and style sheets find widgets by it)."""
    widget.setObjectName(name)
    return widget


def compact_combo(name: str) -> QComboBox:
    """A combo box that does not widen the dock to its longest entry (full text in the tooltip)."""
    combo = named(QComboBox(), name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(8)
    combo.currentTextChanged.connect(combo.setToolTip)
    return combo


def parse_breaks(text: str) -> tuple[float, ...] | str:
    """Numbers separated by commas or semicolons, or a sentence saying what is wrong."""
    parts = [b.strip() for b in text.replace(";", ",").split(",") if b.strip()]
    if not parts:
        return "Type at least one class break, e.g. 30, 40, 50."
    out = []
    for part in parts:
        try:
            value = float(part.replace("−", "-"))
        except ValueError:
            return f"“{part}” is not a number: type breaks as numbers separated by commas, e.g. 30, 40, 50."
        if not math.isfinite(value):
            return f"“{part}” is not a finite number."
        out.append(value)
    return tuple(out)


class ChoroplethBox(QGroupBox):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Indicator map", parent)
        self.indicator = compact_combo("indicatorCombo")
        self.wave = compact_combo("waveCombo")
        self.change = QCheckBox("Change from previous wave")
        self.change.setToolTip("Colour each municipality by how much its value changed since the previous "
                               "study wave (blue = improvement, red = deterioration).")
        self.scheme = compact_combo("schemeCombo")
        for scheme in Scheme:
            self.scheme.addItem(scheme.label, scheme)
        self.classes = named(QSpinBox(), "classesSpin")
        self.classes.setRange(MIN_CLASSES, MAX_CLASSES)
        self.classes.setValue(5)
        self.classes.setToolTip("Number of classes")
        self.breaks = named(QLineEdit(), "breaksEdit")
        self.breaks.setPlaceholderText("Breaks, e.g. 30, 40, 50")
        self.colours = compact_combo("paletteCombo")
        self.colours.addItems(SEQUENTIAL)
        self.change_colours = compact_combo("divergingCombo")
        self.change_colours.addItems(DIVERGING)
        self.message = named(QLabel(), "choroplethMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a02000;")
        self.message.hide()
        classes = QHBoxLayout()
        classes.setContentsMargins(0, 0, 0, 0)
        classes.addWidget(self.scheme, 1)
        classes.addWidget(self.classes)
        form = QFormLayout(self)
        form.setContentsMargins(6, 4, 6, 4)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Indicator", self.indicator)
        form.addRow("Wave", self.wave)
        form.addRow(self.change)
        form.addRow("Classes", classes)
        form.addRow("Breaks", self.breaks)
        form.addRow("Colours", self.colours)
        form.addRow("Colours", self.change_colours)
        form.addRow(self.message)
        self._form = form
        self._breaks_timer = QTimer(self)  # restyle after a pause in typing, not on every key
        self._breaks_timer.setSingleShot(True)
        self._breaks_timer.setInterval(400)
        self._breaks_timer.timeout.connect(self.changed)
        for combo in (self.indicator, self.wave, self.scheme, self.colours, self.change_colours):
            combo.currentIndexChanged.connect(self._edited)
        self.classes.valueChanged.connect(self._edited)
        self.change.toggled.connect(self._edited)
        self.breaks.textEdited.connect(lambda _text: self._breaks_timer.start())
        self._show_relevant()

    def set_indicators(self, indicators: Sequence[IndicatorDefinition], waves: Sequence[StudyWave]) -> None:
        """Fill the combos, keeping the current choice where it still exists (no signal)."""
        current_ind, current_wave = self.indicator.currentData(), self.wave.currentData()
        ordered = sorted(waves, key=lambda w: (w.start_date, w.name))
        for combo, items in ((self.indicator, [(i.name, i.uuid) for i in indicators]),
                             (self.wave, [(w.name, w.uuid) for w in ordered])):
            combo.blockSignals(True)
            combo.clear()
            for text, data in items:
                combo.addItem(text, data)
            combo.blockSignals(False)
        self.indicator.blockSignals(True)
        self.wave.blockSignals(True)
        self.indicator.setCurrentIndex(max(0, self.indicator.findData(current_ind)))
        found = self.wave.findData(current_wave) if current_wave else -1
        self.wave.setCurrentIndex(found if found >= 0 else self.wave.count() - 1)
        self.indicator.blockSignals(False)
        self.wave.blockSignals(False)

    def current_scheme(self) -> Scheme:
        # QComboBox hands str-enum data back as a plain str: convert it back explicitly
        return Scheme(self.scheme.currentData())

    def _edited(self) -> None:
        self._show_relevant()
        self.changed.emit()

    def _show_relevant(self) -> None:
        manual = self.current_scheme() is Scheme.MANUAL
        self._form.setRowVisible(self.breaks, manual)
        self.classes.setEnabled(not manual)
        self._form.setRowVisible(self.colours, not self.change.isChecked())
        self._form.setRowVisible(self.change_colours, self.change.isChecked())

    def settings(self) -> ChoroplethSettings | str | None:
        """The user's choice; a sentence when it cannot be drawn; None when there is nothing to draw."""
        if self.indicator.currentData() is None or self.wave.currentData() is None:
            return None
        breaks: tuple[float, ...] = ()
        if self.current_scheme() is Scheme.MANUAL:
            parsed = parse_breaks(self.breaks.text())
            if isinstance(parsed, str):
                return parsed
            breaks = parsed
        return ChoroplethSettings(
            indicator_uuid=self.indicator.currentData(), wave_uuid=self.wave.currentData(),
            scheme=self.current_scheme(), k=self.classes.value(), palette=self.colours.currentText(),
            diverging_palette=self.change_colours.currentText(), manual_breaks=breaks,
            change=self.change.isChecked())

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
