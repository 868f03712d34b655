"""The profile's Indicators tab: indicators × waves for one unit, the regional median, a chart.

Values and medians come from the session's value index (built once, patched per edit,
medians cached until one of their values changes), so showing a unit costs no query
and an edit repaints only its cell, the median cell of its indicator and the chart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
)

from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, Record, StudyWave
from resilience_map.ui.forms import IndicatorValueForm, RecordForm
from resilience_map.ui.profile.tabs import ProfileTab
from resilience_map.ui.profile.widgets import RECORD_ROLE, UNKNOWN, compact_rows, plain_label, text_item

if TYPE_CHECKING:
    from resilience_map.ui.profile.view import MunicipalityProfile

Key = tuple[str, str]  # (indicator uuid, wave uuid)


def wave_label(wave: StudyWave) -> str:
    """Month and year of fieldwork: short enough for a column in a narrow dock."""
    return f"{wave.start_date:%b %Y}"


class IndicatorsTab(ProfileTab):
    """Column 0 names the indicator, 1..n are the waves, the last is the median of one wave."""

    record_type = IndicatorValue

    def __init__(self, profile: MunicipalityProfile) -> None:
        super().__init__(profile)
        self.indicators: list[IndicatorDefinition] = []
        self.waves: list[StudyWave] = []
        self.median_wave = QComboBox()
        self.median_wave.currentIndexChanged.connect(lambda _: self._fill_table())
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setAlternatingRowColors(True)
        # sized once per load: "resize to contents" would re-measure every column on each patched cell
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.verticalHeader().setVisible(False)
        compact_rows(self.table)
        self.table.currentCellChanged.connect(self._on_cell)
        self.table.doubleClicked.connect(lambda _: self.edit() if self.selected_records() else self.add())
        self.chart = QChart()
        self._chart_key: tuple[object, ...] | None = None  # what the bars show (see _draw_chart)
        self._bars: tuple[QBarSet, QBarSet] | None = None
        self.chart.setMargins(QMargins(2, 2, 2, 2))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(180)
        row = QHBoxLayout()
        row.addWidget(plain_label("Regional median:"))
        row.addWidget(self.median_wave, 1)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.table, 1)
        self.layout_.addWidget(self.chart_view, 1)
        self.add_buttons()

    # --- data ----------------------------------------------------------------------------
    def values(self) -> dict[Key, tuple[str, float]]:
        """(indicator, wave) → (value uuid, value) of the shown unit (a live index view)."""
        uuid = self.profile.uuid
        return self.profile.session.indexes.values.of_unit(uuid) if uuid else {}

    def median(self, indicator_uuid: str, wave_uuid: str | None) -> float | None:
        return self.profile.session.indexes.values.median(indicator_uuid, wave_uuid) if wave_uuid else None

    def load(self) -> None:
        """Rebuild for the shown unit (or the indicator/wave lists changed)."""
        indexes = self.profile.session.indexes
        keep = (self.table.currentRow(), self.table.currentColumn())
        self.indicators = indexes.indicators.all() if self.profile.unit else []
        self.waves = indexes.waves_in_order() if self.profile.unit else []
        chosen = self.median_wave.currentData()
        self.median_wave.blockSignals(True)
        self.median_wave.clear()
        for wave in self.waves:
            self.median_wave.addItem(wave.name, wave.uuid)
        index = self.median_wave.findData(chosen)
        self.median_wave.setCurrentIndex(index if index >= 0 else len(self.waves) - 1)
        self.median_wave.blockSignals(False)
        self._fill_table()
        if 0 <= keep[0] < self.table.rowCount() and 0 <= keep[1] < self.table.columnCount():
            self.table.setCurrentCell(*keep)
        elif self.indicators and self.waves:
            self.table.setCurrentCell(0, len(self.waves))
        self._draw_chart()
        self.update_buttons()

    def patch(self, keys: set[Key], own: set[Key]) -> None:
        """Values changed: repaint the unit's own cells (``own``) and the medians of ``keys``."""
        rows = {ind.uuid: r for r, ind in enumerate(self.indicators)}
        columns = {w.uuid: c for c, w in enumerate(self.waves, start=1)}
        values = self.values()
        for indicator, wave in own:
            if indicator in rows and wave in columns:
                value = values.get((indicator, wave))
                self._put(rows[indicator], columns[wave], value[1] if value else None,
                          value[0] if value else None)
        median_wave = self.median_wave.currentData()
        for indicator, wave in keys:
            if wave == median_wave and indicator in rows:
                self._set_median_cell(rows[indicator], self.indicators[rows[indicator]])
        current = self.current_indicator()
        if current is not None and any(k[0] == current.uuid for k in keys):
            self._draw_chart()
        self.update_buttons()

    @property
    def median_column(self) -> int:
        return len(self.waves) + 1

    def wave_at(self, column: int) -> StudyWave | None:
        return self.waves[column - 1] if 1 <= column <= len(self.waves) else None

    def _fill_table(self) -> None:
        self.table.setColumnCount(self.median_column + 1)
        self.table.setRowCount(len(self.indicators))
        self.table.setHorizontalHeaderItem(0, text_item("Indicator"))
        for column, wave in enumerate(self.waves, start=1):
            self.table.setHorizontalHeaderItem(column, text_item(wave_label(wave), None, wave.name))
        self.table.setHorizontalHeaderItem(self.median_column, text_item(
            "Median", None, self._median_tip()))
        values = self.values()
        for row, indicator in enumerate(self.indicators):
            self.table.setItem(row, 0, text_item(indicator.name, None,
                                                 f"{indicator.name}: {indicator.scale_min:g} "
                                                 f"to {indicator.scale_max:g} {indicator.unit}".rstrip()))
            for column, wave in enumerate(self.waves, start=1):
                value = values.get((indicator.uuid, wave.uuid))
                self.table.setItem(row, column, self._value_item(value[1] if value else None,
                                                                 value[0] if value else None))
            self._set_median_cell(row, indicator)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def _set_median_cell(self, row: int, indicator: IndicatorDefinition) -> None:
        self._put(row, self.median_column, self.median(indicator.uuid, self.median_wave.currentData()), None)
        item = self.table.item(row, self.median_column)
        if item is not None:
            item.setForeground(QColor("#555"))

    def _put(self, row: int, column: int, value: float | None, uuid: str | None) -> None:
        """Write one cell, changing the existing item in place (no new item, no relayout)."""
        fresh = self._value_item(value, uuid)
        item = self.table.item(row, column)
        if item is None:
            self.table.setItem(row, column, fresh)
            return
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, RECORD_ROLE):
            if item.data(role) != fresh.data(role):
                item.setData(role, fresh.data(role))

    def _median_tip(self) -> str:
        """Which median the column shows (the header stays short: a dock is narrow)."""
        wave = next((w for w in self.waves if w.uuid == self.median_wave.currentData()), None)
        return f"Median over every municipality with a value in {wave.name}" if wave else "Median"

    @staticmethod
    def _value_item(value: float | None, uuid: str | None) -> QTableWidgetItem:
        item = text_item(UNKNOWN if value is None else f"{value:g}", uuid,
                         "No value" if value is None else f"{value:g}")
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return item

    # --- selection -------------------------------------------------------------------------
    def current_indicator(self) -> IndicatorDefinition | None:
        row = self.table.currentRow()
        return self.indicators[row] if 0 <= row < len(self.indicators) else None

    def current_wave(self) -> StudyWave | None:
        """The wave of the selected cell (the median column stands for the median's wave)."""
        wave = self.wave_at(self.table.currentColumn())
        if wave is not None:
            return wave
        return next((w for w in self.waves if w.uuid == self.median_wave.currentData()), None)

    def selected_records(self) -> list[Record]:
        indicator, wave = self.current_indicator(), self.wave_at(self.table.currentColumn())
        store = self.profile.session.store
        if indicator is None or wave is None or store is None:
            return []
        value = self.values().get((indicator.uuid, wave.uuid))
        record = store.find(IndicatorValue, value[0]) if value else None
        return [record] if record else []

    def select_cell(self, indicator_uuid: str, wave_uuid: str) -> None:
        row = next(i for i, ind in enumerate(self.indicators) if ind.uuid == indicator_uuid)
        column = next(i for i, wave in enumerate(self.waves, start=1) if wave.uuid == wave_uuid)
        self.table.setCurrentCell(row, column)

    def cell_text(self, indicator_uuid: str, wave_uuid: str | None = None) -> str:
        """What the table shows for an indicator in a wave (None: the median column)."""
        row = next(i for i, ind in enumerate(self.indicators) if ind.uuid == indicator_uuid)
        column = self.median_column if wave_uuid is None else \
            next(i for i, wave in enumerate(self.waves, start=1) if wave.uuid == wave_uuid)
        item = self.table.item(row, column)
        return item.text() if item else ""

    def update_buttons(self) -> None:
        """Edit/Delete need a stored value; reading it waits until a cell is chosen."""
        writable = self.profile.writable()
        has_value = self._has_value()
        self.add_button.setEnabled(self.profile.unit is not None and writable)
        self.edit_button.setEnabled(has_value and writable)
        self.delete_button.setEnabled(has_value and writable)

    def _has_value(self) -> bool:
        indicator, wave = self.current_indicator(), self.wave_at(self.table.currentColumn())
        return bool(indicator and wave and (indicator.uuid, wave.uuid) in self.values())

    def _on_cell(self, row: int, column: int, old_row: int, _old_column: int) -> None:
        """A cell in a wave column also moves the median column to that wave."""
        wave = self.wave_at(column)
        if wave is not None and self.median_wave.currentData() != wave.uuid:
            self.median_wave.blockSignals(True)
            self.median_wave.setCurrentIndex(column - 1)
            self.median_wave.blockSignals(False)
            self.table.setHorizontalHeaderItem(self.median_column, text_item(
                "Median", None, self._median_tip()))
            for r, indicator in enumerate(self.indicators):
                self._set_median_cell(r, indicator)
        if row != old_row:
            self._draw_chart()
        self.update_buttons()

    # --- chart --------------------------------------------------------------------------------
    def _draw_chart(self) -> None:
        """One bar per wave for this unit, beside the regional median of that wave.

        An edit changes bar heights only: the bars are then set in place (rebuilding the
        series and axes made QtCharts lay out and repaint the whole chart on every edit);
        another indicator, unit or set of waves builds the chart anew."""
        indicator = self.current_indicator()
        unit = self.profile.unit
        if indicator is None or unit is None or not self.waves:
            self._clear_chart()
            return
        heights = self._chart_heights(indicator)
        key = (indicator.uuid, indicator.scale_min, indicator.scale_max, unit.uuid,
               tuple(w.uuid for w in self.waves))
        if key == self._chart_key and self._bars is not None:
            for bars, values in zip(self._bars, heights, strict=True):
                for i, value in enumerate(values):
                    if bars.at(i) != value:
                        bars.replace(i, value)
            return
        self._clear_chart()
        own, median = QBarSet(unit.name_latin), QBarSet("Regional median")
        own.setColor(QColor("#1f6fb2"))
        median.setColor(QColor("#b8c4cf"))
        own.append(heights[0])
        median.append(heights[1])
        series = QBarSeries()
        series.append(own)
        series.append(median)
        self.chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append([wave_label(w) for w in self.waves])
        y_axis = QValueAxis()
        y_axis.setRange(indicator.scale_min, indicator.scale_max)
        y_axis.setLabelFormat("%g")
        self.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
        self.chart.setTitle(f"{indicator.name} ({indicator.unit})" if indicator.unit else indicator.name)
        self._chart_key, self._bars = key, (own, median)

    def _chart_heights(self, indicator: IndicatorDefinition) -> tuple[list[float], list[float]]:
        """The unit's value and the regional median per wave (the scale's minimum where none)."""
        values = self.values()
        own: list[float] = []
        median: list[float] = []
        for wave in self.waves:
            value = values.get((indicator.uuid, wave.uuid))
            own.append(value[1] if value else indicator.scale_min)
            regional = self.median(indicator.uuid, wave.uuid)
            median.append(regional if regional is not None else indicator.scale_min)
        return own, median

    def _clear_chart(self) -> None:
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.chart.removeAllSeries()
        self.chart.setTitle("")
        self._chart_key, self._bars = None, None

    # --- actions ---------------------------------------------------------------------------------
    def new_form(self) -> RecordForm:
        indicator, wave = self.current_indicator(), self.current_wave()
        return IndicatorValueForm(self.profile.session, municipality_uuid=self.profile.uuid,
                                  indicator_uuid=indicator.uuid if indicator else None,
                                  wave_uuid=wave.uuid if wave else None, parent=self.profile)

    def edit_form(self, record: Record) -> RecordForm:
        return IndicatorValueForm(self.profile.session, record, parent=self.profile)  # type: ignore[arg-type]
