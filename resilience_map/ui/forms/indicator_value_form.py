"""Form for one indicator value (municipality × indicator × study wave)."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, Record, StudyWave
from resilience_map.ui.editing import ProjectEditor
from resilience_map.ui.forms.base import RecordForm, set_combo_data

#: How far a typed number may leave the scale and still be kept for the message.
_TYPED_LIMIT = 1e9


def scale_decimals(indicator: IndicatorDefinition, value: float | None = None) -> int:
    """Decimals that suit the scale (0–100 → 1, 0–10 → 2), never fewer than a stored value has."""
    span = indicator.scale_max - indicator.scale_min
    wanted = min(3, max(1, 2 - math.floor(math.log10(span)) + 1)) if span > 0 else 2
    if value is not None:
        text = f"{value:.6f}".rstrip("0")
        wanted = max(wanted, len(text.split(".")[1]) if "." in text else 0)
    return min(wanted, 6)


def unit_suffix(indicator: IndicatorDefinition) -> str:
    """The unit's first word ("%", "points", "score"): short enough to sit in the box."""
    first = indicator.unit.split(" ")[0] if indicator.unit else ""
    return f" {first}" if first else ""


class ScaleSpinBox(QDoubleSpinBox):
    """Steps within the indicator's scale, but keeps a number typed outside it.

    Arrow keys, wheel and Page Up/Down stay on the scale. A typed number is not
    silently clamped to the nearest end of the scale (which would store a value
    nobody entered); it is kept so the form can say why it is refused.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(-_TYPED_LIMIT, _TYPED_LIMIT)
        self.scale = (0.0, 100.0)
        self.setKeyboardTracking(True)

    def set_scale(self, indicator: IndicatorDefinition, value: float | None = None) -> None:
        self.scale = (indicator.scale_min, indicator.scale_max)
        self.setDecimals(scale_decimals(indicator, value))
        self.setSuffix(unit_suffix(indicator))
        self.setSingleStep(10 ** -min(self.decimals(), 1) if indicator.scale_max - indicator.scale_min <= 20 else 1)
        self.setToolTip(f"{indicator.name}: {indicator.scale_min:g} to {indicator.scale_max:g} {indicator.unit}")

    def scale_min(self) -> float:
        return self.scale[0]

    def scale_max(self) -> float:
        return self.scale[1]

    def stepBy(self, steps: int) -> None:
        low, high = self.scale
        self.setValue(min(high, max(low, self.value() + steps * self.singleStep())))

    def stepEnabled(self) -> QDoubleSpinBox.StepEnabledFlag:
        low, high = self.scale
        flags = QDoubleSpinBox.StepEnabledFlag.StepNone
        if self.value() > low:
            flags |= QDoubleSpinBox.StepEnabledFlag.StepDownEnabled
        if self.value() < high:
            flags |= QDoubleSpinBox.StepEnabledFlag.StepUpEnabled
        return flags


class IndicatorValueForm(RecordForm):
    """Add or edit a value; the value box follows the chosen indicator's scale and unit."""

    record_type = IndicatorValue
    title_new = "New indicator value"
    title_edit = "Edit indicator value"

    def __init__(self, editor: ProjectEditor, record: IndicatorValue | None = None,
                 municipality_uuid: str | None = None, indicator_uuid: str | None = None,
                 wave_uuid: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(editor, record, parent)
        self.indicators = {i.uuid: i for i in self.store.list(IndicatorDefinition)}
        self.waves = {w.uuid: w for w in sorted(self.store.list(StudyWave), key=lambda w: w.start_date)}
        self.add_municipality_field(record.municipality_uuid if record else municipality_uuid)
        self.indicator = self.add_field("indicator_uuid", "Indicator", self._combo(
            self.indicators, record.indicator_uuid if record else indicator_uuid, lambda i: i.name))
        self.wave = self.add_field("wave_uuid", "Study wave", self._combo(
            self.waves, record.wave_uuid if record else wave_uuid, lambda w: w.name))
        self.value = ScaleSpinBox()
        self.scale_hint = QLabel()
        self.scale_hint.setWordWrap(True)
        self.add_field("value", "Value", self._value_row())
        self.neighbourhood = self.add_field("neighbourhood", "Neighbourhood",
                                            QLineEdit(record.neighbourhood if record else ""))
        self.neighbourhood.setPlaceholderText("leave empty for the whole municipality")
        self.indicator.currentIndexChanged.connect(lambda _: self._follow_indicator())
        self._follow_indicator(record.value if record else None)

    @staticmethod
    def _combo(items: dict[str, Record], current: str | None, text) -> QComboBox:
        combo = QComboBox()
        for uuid, item in items.items():
            combo.addItem(text(item), uuid)
        set_combo_data(combo, current)
        return combo

    def _value_row(self) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.value, 1)
        layout.addWidget(self.scale_hint, 2)
        return row

    def current_indicator(self) -> IndicatorDefinition | None:
        return self.indicators.get(self.indicator.currentData())

    def _follow_indicator(self, value: float | None = None) -> None:
        """Range, decimals and unit of the value box follow the chosen indicator."""
        indicator = self.current_indicator()
        if indicator is None:
            return
        self.value.set_scale(indicator, value)
        self.scale_hint.setText(f"scale {indicator.scale_min:g} to {indicator.scale_max:g} {indicator.unit}".rstrip())
        if value is not None:
            self.value.setValue(value)
        elif not indicator.scale_min <= self.value.value() <= indicator.scale_max:
            self.value.setValue(indicator.scale_min)

    def read_fields(self) -> dict[str, Any]:
        wave = self.waves.get(self.wave.currentData())
        fields = {
            "municipality_uuid": self.municipality_uuid(),
            "indicator_uuid": self.indicator.currentData() or "",
            "wave_uuid": self.wave.currentData() or "",
            "value": self.value.value(),
            "neighbourhood": self.neighbourhood.text().strip(),
        }
        if self.original is None:  # a value entered for a synthetic demo wave is demo data too
            fields["synthetic"] = bool(wave and wave.synthetic)
        return fields

    def check(self, record: Record) -> None:
        """The value must lie on its indicator's scale (the store checks the same)."""
        assert isinstance(record, IndicatorValue)
        indicator = self.current_indicator()
        if indicator is None:
            record.validate()
        else:
            record.validate_against(indicator)
