"""Form for one indicator value (municipality × indicator × study wave)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, Record
from resilience_map.session import ProjectSession
from resilience_map.ui.forms.base import RecordForm
from resilience_map.ui.widgets.not_known import NumberEdit, set_combo_data


class IndicatorValueForm(RecordForm):
    """Add or edit a value; the value box shows the chosen indicator's scale and unit.

    The value is typed, not spun: a number outside the scale is kept as typed and
    refused with a sentence naming the scale, never silently moved onto it.
    """

    record_type = IndicatorValue

    def __init__(self, session: ProjectSession, record: IndicatorValue | None = None,
                 municipality_uuid: str | None = None, indicator_uuid: str | None = None,
                 wave_uuid: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(session, record, parent)
        self.indicators = {i.uuid: i for i in self.indexes.indicators.all()}
        self.waves = {w.uuid: w for w in self.indexes.waves_in_order()}
        self.add_municipality_field(record.municipality_uuid if record else municipality_uuid)
        self.indicator = self.add_field("indicator_uuid", "Indicator", self._combo(
            self.indicators, record.indicator_uuid if record else indicator_uuid, lambda i: i.name))
        self.wave = self.add_field("wave_uuid", "Study wave", self._combo(
            self.waves, record.wave_uuid if record else wave_uuid, lambda w: w.name))
        self.value = NumberEdit(record.value if record else None, field="value")
        self.scale_hint = QLabel()
        self.scale_hint.setWordWrap(True)
        self.add_field("value", "Value", self._value_row())
        self.neighbourhood = self.add_field("neighbourhood", "Neighbourhood",
                                            QLineEdit(record.neighbourhood if record else ""))
        self.neighbourhood.setPlaceholderText("leave empty for the whole municipality")
        self.indicator.currentIndexChanged.connect(lambda _: self._follow_indicator())
        self._follow_indicator()

    @staticmethod
    def _combo(items: Mapping[str, Record], current: str | None, text: Callable[[Any], str]) -> QComboBox:
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

    def _follow_indicator(self) -> None:
        """The value box's hint and Up/Down steps follow the chosen indicator's scale."""
        indicator = self.current_indicator()
        if indicator is None:
            return
        self.value.set_scale(indicator.scale_min, indicator.scale_max, indicator.unit, indicator.name)
        hint = f"scale {indicator.scale_min:g} to {indicator.scale_max:g} {indicator.unit}"
        self.scale_hint.setText(hint.rstrip())

    def read_fields(self) -> dict[str, Any]:
        wave = self.waves.get(self.wave.currentData())
        fields = {
            "municipality_uuid": self.municipality_uuid(),
            "indicator_uuid": self.indicator.currentData() or "",
            "wave_uuid": self.wave.currentData() or "",
            "value": self.value.read(),
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
