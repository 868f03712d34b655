"""Step 2: what each column is, what the table holds, the wave, new indicators, profiles.

Every column gets a list of the fields it can fill, with the suggestion from its header
(in English or the region's languages) already chosen; a wide table's value columns
map to indicators. A mapping that fits a layout arriving again next wave is saved as a
named profile — the same JSON ``import-table --mapping`` reads.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from resilience_map.io.tables.cells import cell_text
from resilience_map.io.tables.indicators import code_from_header
from resilience_map.io.tables.mapping import INDICATOR_PREFIX, TARGET_FIELDS
from resilience_map.ui.tables.fields import NOT_IMPORTED, TARGET_LABELS, field_label
from resilience_map.ui.tables.new_indicators import NewIndicatorsTable
from resilience_map.ui.tables.page import WizardPage
from resilience_map.ui.tables.profiles import save_profile, saved_profiles

if TYPE_CHECKING:
    from resilience_map.io.tables import ColumnMapping
    from resilience_map.ui.tables.wizard import ImportTableWizard

SUGGESTED = "suggested"
OPEN_FILE = "open"
SAMPLES = 3
WAVE_PROMPT = "— choose a study wave, or type a new wave's name —"


class MappingPage(WizardPage):
    title = "Columns"

    def __init__(self, wizard: ImportTableWizard) -> None:
        super().__init__()
        self.wizard = wizard
        self._filling = False
        self.target = QComboBox()
        for target in TARGET_FIELDS:
            self.target.addItem(TARGET_LABELS[target], target)
        self.profile = QComboBox()
        self.profile.setMinimumContentsLength(22)
        self.save_button = QPushButton("Save as profile…")
        self.save_button.clicked.connect(self.save_dialog)
        self.columns = QTableWidget(0, 3)
        self.columns.setHorizontalHeaderLabels(["Column in the file", "First values", "Imports as"])
        self.columns.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.columns.verticalHeader().setVisible(False)
        header = self.columns.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.combos: dict[str, QComboBox] = {}
        self.wave_label = QLabel("Study wave of every row:")
        self.wave = QComboBox()
        self.wave.setEditable(True)
        self.wave.setMinimumContentsLength(30)
        self.create_indicators = QCheckBox("Create the indicators the project does not have yet "
                                           "(values are checked against the scale you give):")
        self.new_indicators = NewIndicatorsTable()
        self._build()
        self.target.currentIndexChanged.connect(self._on_target)
        self.profile.currentIndexChanged.connect(self._on_profile)
        self.wave.currentTextChanged.connect(self._on_wave)
        self.create_indicators.toggled.connect(self._on_new_indicators)
        self.new_indicators.changed.connect(self._on_new_indicators)

    def _build(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("The table holds:"))
        top.addWidget(self.target)
        top.addStretch(1)
        top.addWidget(QLabel("Mapping:"))
        top.addWidget(self.profile)
        top.addWidget(self.save_button)
        wave = QHBoxLayout()
        wave.addWidget(self.wave_label)
        wave.addWidget(self.wave, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.columns, 3)
        layout.addLayout(wave)
        layout.addWidget(self.create_indicators)
        layout.addWidget(self.new_indicators, 1)
        layout.addWidget(self.message)

    # --- showing the mapping ---------------------------------------------------------------
    def refresh(self) -> None:
        mapping, table = self.wizard.mapping, self.wizard.table
        if mapping is None or table is None:
            return
        self._filling = True
        try:
            self.target.setCurrentIndex(self.target.findData(mapping.target))
            self._fill_profiles(mapping)
            self._fill_columns(mapping)
            self._fill_wave(mapping)
            self._fill_new_indicators(mapping)
        finally:
            self._filling = False
        self.message.setText(self.wizard.mapping_problem)

    def _fill_profiles(self, mapping: ColumnMapping) -> None:
        self.profile.clear()
        self.profile.addItem("Suggested from the headers", SUGGESTED)
        for name, path in saved_profiles():
            self.profile.addItem(f"Profile: {name}", str(path))
        self.profile.addItem("Open a profile file…", OPEN_FILE)
        chosen = self.profile.findText(f"Profile: {mapping.name}") if mapping.name else 0
        self.profile.setCurrentIndex(max(chosen, 0))

    def _fill_columns(self, mapping: ColumnMapping) -> None:
        table = self.wizard.table
        assert table is not None
        self.columns.setRowCount(len(table.headers))
        self.combos = {}
        names = {i.code: i.name for i in self.wizard.indicators}
        for row, header in enumerate(table.headers):
            self.columns.setItem(row, 0, QTableWidgetItem(header))
            samples = [cell_text(r.cells[row]) for r in table.rows[:SAMPLES * 4] if cell_text(r.cells[row])]
            self.columns.setItem(row, 1, QTableWidgetItem(" · ".join(samples[:SAMPLES])))
            combo = self._field_combo(header, mapping, names)
            self.columns.setCellWidget(row, 2, combo)
            self.combos[header] = combo
        self.columns.resizeColumnToContents(0)
        self.columns.setColumnWidth(0, min(self.columns.columnWidth(0), 240))
        self.columns.setColumnWidth(2, 330)

    def _field_combo(self, header: str, mapping: ColumnMapping, names: dict[str, str]) -> QComboBox:
        combo = QComboBox()
        combo.addItem(NOT_IMPORTED, "")
        for name in TARGET_FIELDS[mapping.target]:
            combo.addItem(field_label(name), name)
        if mapping.target == "indicator_values":
            for code in sorted(names):
                combo.addItem(field_label(INDICATOR_PREFIX + code, names), INDICATOR_PREFIX + code)
            current = mapping.columns.get(header, "")
            own = [code_from_header(header)]  # "New indicator YOUTH_HOPE" from its header
            if current.startswith(INDICATOR_PREFIX):
                own.append(current[len(INDICATOR_PREFIX):])
            for code in dict.fromkeys(c for c in own if c not in names):
                combo.addItem(field_label(INDICATOR_PREFIX + code), INDICATOR_PREFIX + code)
        combo.setCurrentIndex(max(0, combo.findData(mapping.columns.get(header, ""))))
        combo.currentIndexChanged.connect(lambda _i, h=header, c=combo: self._on_column(h, c.currentData()))
        return combo

    def _fill_wave(self, mapping: ColumnMapping) -> None:
        values = mapping.target == "indicator_values"
        for widget in (self.wave, self.wave_label):
            widget.setVisible(values)
        self.wave.clear()
        column = mapping.column_of("wave")
        self.wave.addItem(f"From the column “{column}”" if column else WAVE_PROMPT, None)
        for wave in reversed(self.wizard.session.indexes.waves_in_order()):
            self.wave.addItem(wave.name, wave.name)
        if mapping.wave:
            self.wave.setCurrentText(mapping.wave)
        else:
            self.wave.setCurrentIndex(0)

    def _fill_new_indicators(self, mapping: ColumnMapping) -> None:
        missing = self.wizard.missing_indicators() if mapping.target == "indicator_values" else []
        given_by_table = mapping.column_of("scale_min") and mapping.column_of("scale_max")
        show = bool(missing) and not given_by_table
        self.create_indicators.setVisible(show)
        self.new_indicators.setVisible(show)
        if show:
            self.create_indicators.setChecked(bool(mapping.new_indicators))
            self.new_indicators.show_codes(missing, mapping.new_indicators)
            self.new_indicators.setEnabled(self.create_indicators.isChecked())

    # --- the user's choices --------------------------------------------------------------
    def _on_target(self) -> None:
        if not self._filling:
            self.wizard.suggest(self.target.currentData())

    def _on_column(self, header: str, name: str) -> None:
        if self._filling:
            return
        mapping = self.wizard.mapping
        assert mapping is not None
        columns = {h: f for h, f in mapping.columns.items()
                   if h != header and (f != name or f.startswith(INDICATOR_PREFIX))}
        if name:
            columns[header] = name
        changed = replace(mapping, columns=columns, name="")
        if name == "wave":
            changed = replace(changed, wave=None)  # the column names each row's wave
        self.wizard.set_mapping(changed)

    def _on_wave(self, text: str) -> None:
        if self._filling:
            return
        mapping = self.wizard.mapping
        assert mapping is not None
        name = "" if text == self.wave.itemText(0) else text.strip()
        if name and mapping.column_of("wave"):  # one wave for every row: the column is not used
            columns = {h: f for h, f in mapping.columns.items() if f != "wave"}
            self.wizard.set_mapping(replace(mapping, wave=name, columns=columns, name=""))
            return
        self.wizard.set_mapping(replace(mapping, wave=name or None), refresh=False)

    def _on_new_indicators(self, *_: object) -> None:
        if self._filling:
            return
        mapping = self.wizard.mapping
        assert mapping is not None
        self.new_indicators.setEnabled(self.create_indicators.isChecked())
        specs = self.new_indicators.specs() if self.create_indicators.isChecked() else {}
        self.wizard.set_mapping(replace(mapping, new_indicators=specs), refresh=False)

    def choose_field(self, header: str, name: str) -> None:
        """Map a column as the user would in its list ("" leaves it out)."""
        combo = self.combos[header]
        combo.setCurrentIndex(combo.findData(name))

    def choose_wave(self, name: str) -> None:
        """Pick or type the wave of every row, as the user would."""
        self.wave.setCurrentText(name)

    def new_indicator_problem(self) -> str:
        if self.create_indicators.isVisible() and self.create_indicators.isChecked():
            return self.new_indicators.problem()
        return ""

    # --- profiles ----------------------------------------------------------------------------
    def _on_profile(self) -> None:
        if self._filling:
            return
        data = self.profile.currentData()
        if data == SUGGESTED:
            self.wizard.suggest(self.target.currentData())
        elif data == OPEN_FILE:
            name, _ = QFileDialog.getOpenFileName(self, "Open a mapping profile", "",
                                                  "Mapping profiles (*.json);;All files (*)")
            if name:
                self.wizard.load_profile(Path(name))
            else:
                self.refresh()
        else:
            self.wizard.load_profile(Path(data))

    def save_dialog(self) -> None:
        mapping = self.wizard.mapping
        default = (mapping.name if mapping else "") or (self.wizard.path.stem if self.wizard.path else "")
        name, ok = QInputDialog.getText(self, "Save the mapping as a profile",
                                        "Name of the profile (e.g. “Kobo youth survey”):", text=default)
        if ok and name.strip():
            self.save_as(name)

    def save_as(self, name: str) -> Path | None:
        """Save the current mapping as the profile ``name``; says where (for --mapping)."""
        mapping = self.wizard.mapping
        assert mapping is not None
        try:
            path = save_profile(mapping, name)
        except OSError as exc:
            from resilience_map.ui.errors import sentence

            self.message.setText(sentence(exc))
            return None
        self.wizard.set_mapping(replace(mapping, name=name.strip()))
        self.wizard.say(f"Mapping saved as the profile “{name.strip()}” ({path}; the command "
                        f"line uses it with --mapping).")
        return path
