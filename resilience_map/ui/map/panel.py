"""The layer panel: which layers show, in what order and opacity, and how the choropleth looks.

Built for a narrow dock on a 1366×768 laptop: short labels, combos that shrink, one
row for order and opacity. It emits one signal per kind of change and knows nothing
about the page or the project file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from resilience_map.domain.records import IndicatorDefinition, StudyWave
from resilience_map.maps.choropleth import ChoroplethSettings
from resilience_map.ui.map.choropleth_box import ChoroplethBox, compact_combo, named

#: Page layer names and their labels, top of the list = drawn on top.
LAYERS = [
    ("labels", "Names"),
    ("activities", "Hub activities"),
    ("scn", "Strong Cities members"),
    ("coverage", "Prevention structures"),
    ("municipalities", "Indicator map"),
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
        self.choropleth = ChoroplethBox()
        self.choropleth.changed.connect(self.choropleth_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.choropleth)
        layout.addWidget(self._build_layers())
        layout.addWidget(self._build_activities())
        layout.addWidget(self._build_display())
        layout.addStretch(1)
        # the panel's parts, under the names the rest of the window has used so far
        box = self.choropleth
        self.indicator, self.wave, self.change, self.scheme = box.indicator, box.wave, box.change, box.scheme
        self.classes, self.breaks = box.classes, box.breaks
        self.colours, self.change_colours = box.colours, box.change_colours
        self.message = box.message

    # --- layers ---------------------------------------------------------------------------
    def _build_layers(self) -> QGroupBox:
        box = QGroupBox("Layers")
        self.layer_list = named(QListWidget(), "layerList")
        for name, label in LAYERS:
            item = QListWidgetItem(label)
            item.setData(LAYER_ROLE, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.layer_list.addItem(item)
        rows = self.layer_list.sizeHintForRow(0) * len(LAYERS) + 2 * self.layer_list.frameWidth() + 2
        self.layer_list.setFixedHeight(rows)
        self.layer_list.itemChanged.connect(
            lambda item: self.visibility_changed.emit(item.data(LAYER_ROLE),
                                                      item.checkState() == Qt.CheckState.Checked))
        self.layer_list.currentItemChanged.connect(self._sync_opacity_slider)
        self.up_button = _tool_button("▲", "Draw the selected layer higher")
        self.down_button = _tool_button("▼", "Draw the selected layer lower")
        self.up_button.clicked.connect(lambda: self._move_current(-1))
        self.down_button.clicked.connect(lambda: self._move_current(+1))
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setToolTip("Opacity of the selected layer")
        self.opacity.setRange(10, 100)
        self.opacity.setValue(100)
        self.opacity.valueChanged.connect(self._on_opacity)
        self._opacities = {name: 100 for name, _ in LAYERS}
        row = QHBoxLayout()
        row.addWidget(self.up_button)
        row.addWidget(self.down_button)
        row.addWidget(QLabel("Opacity"))
        row.addWidget(self.opacity, 1)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.layer_list)
        layout.addLayout(row)
        self.layer_list.setCurrentRow(len(LAYERS) - 1)
        return box

    def layer_order(self) -> list[str]:
        """Bottom → top, as the page wants it."""
        names = [self.layer_list.item(i).data(LAYER_ROLE) for i in range(self.layer_list.count())]
        return names[::-1]

    def hidden_layers(self) -> list[str]:
        return [name for name in self.layer_order() if not self.is_layer_visible(name)]

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

    # --- choropleth -----------------------------------------------------------------------------
    def set_indicators(self, indicators: Sequence[IndicatorDefinition], waves: Sequence[StudyWave]) -> None:
        self.choropleth.set_indicators(indicators, waves)

    def choropleth_choice(self) -> ChoroplethSettings | str | None:
        """Settings; a sentence saying why they cannot be drawn; None when nothing can be shown."""
        return self.choropleth.settings()

    def choropleth_settings(self) -> ChoroplethSettings | None:
        choice = self.choropleth.settings()
        return choice if isinstance(choice, ChoroplethSettings) else None

    def show_message(self, text: str) -> None:
        self.choropleth.show_message(text)

    # --- activities -------------------------------------------------------------------------------
    def _build_activities(self) -> QGroupBox:
        box = QGroupBox("Hub activities")
        self.date_from = named(QDateEdit(), "dateFrom")
        self.date_to = named(QDateEdit(), "dateTo")
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.dateChanged.connect(self._dates_edited)
        self.activity_note = named(QLabel(), "activityNote")
        self.activity_note.setWordWrap(True)
        self.activity_note.setStyleSheet("color: #a02000;")
        self.activity_note.hide()
        form = QFormLayout(box)  # one date per row: the dock stays narrow
        form.setContentsMargins(6, 4, 6, 4)
        form.addRow("From", self.date_from)
        form.addRow("To", self.date_to)
        form.addRow(self.activity_note)
        return box

    def set_date_span(self, first: date, last: date) -> None:
        """Show every activity: the range covers all of them (no signal)."""
        for edit, value in ((self.date_from, first), (self.date_to, last)):
            edit.blockSignals(True)
            edit.setDate(QDate(value.year, value.month, value.day))
            edit.blockSignals(False)

    def date_range(self) -> tuple[date, date]:
        return _day(self.date_from), _day(self.date_to)

    def show_activity_note(self, text: str) -> None:
        self.activity_note.setText(text)
        self.activity_note.setVisible(bool(text))

    def _dates_edited(self) -> None:
        self.show_activity_note("")
        self.date_range_changed.emit(*self.date_range())

    # --- display ----------------------------------------------------------------------------------
    def _build_display(self) -> QGroupBox:
        box = QGroupBox("Display")
        self.name_form = compact_combo("nameFormCombo")
        for key, label in NAME_FORMS:
            self.name_form.addItem(label, key)
        self.name_form.currentIndexChanged.connect(
            lambda: self.name_form_changed.emit(self.name_form.currentData()))
        self.online = named(QCheckBox("OpenStreetMap (online)"), "onlineBasemap")
        self.online.setToolTip("Shows OpenStreetMap tiles under the map; needs an internet connection. "
                               "While this is off, the map never connects to the internet.")
        self.online.toggled.connect(self.online_basemap_changed)
        form = QFormLayout(box)
        form.setContentsMargins(6, 4, 6, 4)
        form.addRow("Names", self.name_form)
        form.addRow(self.online)
        return box


def _tool_button(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    return button


def _day(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())
