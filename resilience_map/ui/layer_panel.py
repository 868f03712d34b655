"""The layer panel: which layers show, in what order and opacity, and how the choropleth looks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from resilience_map.domain.records import IndicatorDefinition, StudyWave
from resilience_map.maps.choropleth import ChoroplethSettings
from resilience_map.maps.classify import MAX_CLASSES, MIN_CLASSES, Scheme
from resilience_map.maps.palettes import DIVERGING, SEQUENTIAL

#: Page layer names and their labels, top of the list = drawn on top.
LAYERS = [
    ("labels", "Labels (municipality names)"),
    ("activities", "Hub activities"),
    ("scn", "Strong Cities Network members"),
    ("coverage", "Prevention structures (CATs, councils)"),
    ("municipalities", "Municipalities — indicator choropleth"),
]
NAME_FORMS = [("latin", "Latin script"), ("local", "Official local form"), ("en", "English")]
LAYER_ROLE = Qt.ItemDataRole.UserRole + 1


class LayerPanel(QWidget):
    """Emits a signal per kind of change; knows nothing about the map page or the store."""

    visibility_changed = Signal(str, bool)
    order_changed = Signal(list)  # layer names, bottom → top
    opacity_changed = Signal(str, float)
    choropleth_changed = Signal()
    date_range_changed = Signal(object, object)  # date | None, date | None
    name_form_changed = Signal(str)
    online_basemap_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._waves: list[StudyWave] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_layers())
        layout.addWidget(self._build_choropleth())
        layout.addWidget(self._build_activities())
        layout.addWidget(self._build_display())
        layout.addStretch(1)
        # typing manual breaks restyles after a short pause, not on every key
        self._breaks_timer = QTimer(self, singleShot=True, interval=400)
        self._breaks_timer.timeout.connect(self.choropleth_changed)

    # --- layers ---------------------------------------------------------------------------
    def _build_layers(self) -> QGroupBox:
        box = QGroupBox("Layers")
        self.layer_list = QListWidget()
        self.layer_list.setObjectName("layerList")
        for name, label in LAYERS:
            item = QListWidgetItem(label)
            item.setData(LAYER_ROLE, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.layer_list.addItem(item)
        self.layer_list.setMaximumHeight(118)
        self.layer_list.itemChanged.connect(
            lambda item: self.visibility_changed.emit(item.data(LAYER_ROLE), item.checkState() == Qt.CheckState.Checked))
        self.layer_list.currentItemChanged.connect(self._sync_opacity_slider)
        self.up_button = QPushButton("Up")
        self.down_button = QPushButton("Down")
        self.up_button.clicked.connect(lambda: self._move_current(-1))
        self.down_button.clicked.connect(lambda: self._move_current(+1))
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(10, 100)
        self.opacity.setValue(100)
        self.opacity.setToolTip("Opacity of the selected layer")
        self.opacity.valueChanged.connect(self._on_opacity)
        self._opacities = {name: 100 for name, _ in LAYERS}
        row = QHBoxLayout()
        row.addWidget(self.up_button)
        row.addWidget(self.down_button)
        row.addWidget(QLabel("Opacity"))
        row.addWidget(self.opacity, 1)
        layout = QVBoxLayout(box)
        layout.addWidget(self.layer_list)
        layout.addLayout(row)
        self.layer_list.setCurrentRow(len(LAYERS) - 1)
        return box

    def layer_order(self) -> list[str]:
        """Bottom → top, as the page wants it."""
        names = [self.layer_list.item(i).data(LAYER_ROLE) for i in range(self.layer_list.count())]
        return names[::-1]

    def is_layer_visible(self, name: str) -> bool:
        return any(self.layer_list.item(i).data(LAYER_ROLE) == name
                   and self.layer_list.item(i).checkState() == Qt.CheckState.Checked
                   for i in range(self.layer_list.count()))

    def set_layer_visible(self, name: str, visible: bool) -> None:
        for i in range(self.layer_list.count()):
            item = self.layer_list.item(i)
            if item.data(LAYER_ROLE) == name:
                item.setCheckState(Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)

    def _move_current(self, step: int) -> None:
        row = self.layer_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.layer_list.count():
            return
        item = self.layer_list.takeItem(row)
        self.layer_list.insertItem(target, item)
        self.layer_list.setCurrentRow(target)
        self.order_changed.emit(self.layer_order())

    def _sync_opacity_slider(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.opacity.blockSignals(True)
            self.opacity.setValue(self._opacities[item.data(LAYER_ROLE)])
            self.opacity.blockSignals(False)

    def _on_opacity(self, value: int) -> None:
        item = self.layer_list.currentItem()
        if item is not None:
            self._opacities[item.data(LAYER_ROLE)] = value
            self.opacity_changed.emit(item.data(LAYER_ROLE), value / 100)

    # --- choropleth ---------------------------------------------------------------------------
    def _build_choropleth(self) -> QGroupBox:
        box = QGroupBox("Indicator choropleth")
        self.indicator = QComboBox(objectName="indicatorCombo")
        self.wave = QComboBox(objectName="waveCombo")
        self.change = QCheckBox("Show change since the previous wave")
        self.scheme = QComboBox(objectName="schemeCombo")
        for scheme in Scheme:
            self.scheme.addItem(scheme.label, scheme)
        self.classes = QSpinBox(objectName="classesSpin")
        self.classes.setRange(MIN_CLASSES, MAX_CLASSES)
        self.classes.setValue(5)
        self.palette = QComboBox(objectName="paletteCombo")
        self.palette.addItems(SEQUENTIAL)
        self.diverging = QComboBox(objectName="divergingCombo")
        self.diverging.addItems(DIVERGING)
        self.breaks = QLineEdit(objectName="breaksEdit")
        self.breaks.setPlaceholderText("e.g. 30, 40, 50")
        self.breaks.setEnabled(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a02000;")
        form = QFormLayout(box)
        form.addRow("Indicator", self.indicator)
        form.addRow("Study wave", self.wave)
        form.addRow(self.change)
        form.addRow("Classes", self.scheme)
        form.addRow("Number", self.classes)
        form.addRow("Manual breaks", self.breaks)
        form.addRow("Palette", self.palette)
        form.addRow("Change palette", self.diverging)
        form.addRow(self.message)
        for combo in (self.indicator, self.wave, self.scheme, self.palette, self.diverging):
            combo.currentIndexChanged.connect(self._choropleth_edited)
        self.classes.valueChanged.connect(self._choropleth_edited)
        self.change.toggled.connect(self._choropleth_edited)
        self.breaks.textEdited.connect(lambda _: self._breaks_timer.start())
        return box

    def set_indicators(self, indicators: Sequence[IndicatorDefinition], waves: Sequence[StudyWave]) -> None:
        """Fill the combos, keeping the current choice where it still exists."""
        current_ind, current_wave = self.indicator.currentData(), self.wave.currentData()
        self._waves = sorted(waves, key=lambda w: w.start_date)
        for combo, items in ((self.indicator, [(i.name, i.uuid) for i in indicators]),
                             (self.wave, [(w.name, w.uuid) for w in self._waves])):
            combo.blockSignals(True)
            combo.clear()
            for text, data in items:
                combo.addItem(text, data)
            combo.blockSignals(False)
        self.indicator.setCurrentIndex(max(0, self.indicator.findData(current_ind)))
        self.wave.setCurrentIndex(max(0, self.wave.findData(current_wave)) if current_wave
                                  else self.wave.count() - 1)

    def current_scheme(self) -> Scheme:
        # QComboBox hands str-enum data back as a plain str: convert it back explicitly
        return Scheme(self.scheme.currentData())

    def _choropleth_edited(self) -> None:
        manual = self.current_scheme() is Scheme.MANUAL
        self.breaks.setEnabled(manual)
        self.classes.setEnabled(not manual)
        self.choropleth_changed.emit()

    def choropleth_settings(self) -> ChoroplethSettings | None:
        """The user's choice, or None (with a message) when it cannot be drawn."""
        if self.indicator.currentData() is None or self.wave.currentData() is None:
            return None
        breaks: tuple[float, ...] = ()
        if self.current_scheme() is Scheme.MANUAL:
            try:
                breaks = tuple(sorted(float(b) for b in self.breaks.text().replace(";", ",").split(",") if b.strip()))
            except ValueError:
                self.show_message("Manual breaks must be numbers separated by commas, e.g. 30, 40, 50.")
                return None
            if not breaks:
                self.show_message("Type at least one class break, e.g. 30, 40, 50.")
                return None
        self.show_message("")
        return ChoroplethSettings(
            indicator_uuid=self.indicator.currentData(), wave_uuid=self.wave.currentData(),
            scheme=self.current_scheme(), k=self.classes.value(), palette=self.palette.currentText(),
            diverging_palette=self.diverging.currentText(), manual_breaks=breaks,
            change=self.change.isChecked())

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # --- activities -------------------------------------------------------------------------------
    def _build_activities(self) -> QGroupBox:
        box = QGroupBox("Hub activities between")
        self.date_from = QDateEdit(objectName="dateFrom", calendarPopup=True)
        self.date_to = QDateEdit(objectName="dateTo", calendarPopup=True)
        for edit in (self.date_from, self.date_to):
            edit.setDisplayFormat("d MMM yyyy")
            edit.dateChanged.connect(self._dates_edited)
        row = QHBoxLayout(box)
        row.addWidget(self.date_from)
        row.addWidget(QLabel("and"))
        row.addWidget(self.date_to)
        return box

    def set_date_span(self, first: date, last: date) -> None:
        """Show every activity: the range covers all of them."""
        for edit, value in ((self.date_from, first), (self.date_to, last)):
            edit.blockSignals(True)
            edit.setDate(QDate(value.year, value.month, value.day))
            edit.blockSignals(False)

    def date_range(self) -> tuple[date, date]:
        return self.date_from.date().toPython(), self.date_to.date().toPython()

    def _dates_edited(self) -> None:
        self.date_range_changed.emit(*self.date_range())

    # --- display ----------------------------------------------------------------------------------
    def _build_display(self) -> QGroupBox:
        box = QGroupBox("Display")
        self.name_form = QComboBox(objectName="nameFormCombo")
        for key, label in NAME_FORMS:
            self.name_form.addItem(label, key)
        self.name_form.currentIndexChanged.connect(lambda: self.name_form_changed.emit(self.name_form.currentData()))
        self.online = QCheckBox("Online basemap (OpenStreetMap; needs internet)")
        self.online.setObjectName("onlineBasemap")
        self.online.toggled.connect(self.online_basemap_changed)
        form = QFormLayout(box)
        form.addRow("Names", self.name_form)
        form.addRow(self.online)
        return box
