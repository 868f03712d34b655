"""The municipality profile: everything the hub knows about one unit, editable in place.

It replaces the read-only details panel. Every list re-reads the project
through ``editor.store`` in :meth:`MunicipalityProfile.refresh`, which the main
window calls whenever ``editor.changed`` fires, so the profile, the map and the
undo stack never disagree. All text is shown as plain text (never rich text),
so a name such as ``<img src=x onerror=…>`` is displayed, not interpreted.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from resilience_map.domain.enums import ParticipationRole
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    MunicipalityNote,
    PreventionStructure,
    Record,
    StudyWave,
)
from resilience_map.domain.validation import ValidationError
from resilience_map.maps.activities import date_label
from resilience_map.store.errors import ProjectError
from resilience_map.ui.editing import ProjectEditor, record_label
from resilience_map.ui.forms import ActivityForm, IndicatorValueForm, NoteForm, RecordForm, StructureForm

DEMO_BADGE = "Demo data – not study results"
RECORD_ROLE = Qt.ItemDataRole.UserRole
UNKNOWN = "—"


def yes_no(value: bool | None) -> str:
    return UNKNOWN if value is None else ("Yes" if value else "No")


def day_text(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else UNKNOWN


def wave_label(wave: StudyWave) -> str:
    """Month and year of fieldwork: short enough for a column in a narrow dock."""
    return f"{wave.start_date:%b %Y}"


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


# --- header ---------------------------------------------------------------------------------

class ProfileHeader(QWidget):
    """Names in every form, where the unit lies, its size and SCN membership."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = plain_label(style="font-size: 16pt; font-weight: bold;")
        self.names = plain_label(style="color: #444;")
        self.place = plain_label()
        self.facts = plain_label()
        self.badge = plain_label(DEMO_BADGE, "background: #fff1c2; color: #7a4b00; border: 1px solid #e0b040;"
                                             " border-radius: 3px; padding: 2px 6px; font-weight: bold;")
        self.badge.setWordWrap(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for widget in (self.title, self.names, self.place, self.facts):
            layout.addWidget(widget)
        layout.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignLeft)

    def show_unit(self, unit: Municipality | None, parent: Municipality | None, badge: str) -> None:
        self.badge.setText(badge)
        self.badge.setVisible(bool(badge))
        if unit is None:
            self.title.setText("No municipality selected")
            self.names.setText("Click a municipality on the map or in the table.")
            self.place.clear()
            self.facts.clear()
            return
        self.title.setText(unit.name_latin)
        self.names.setText(" · ".join(n for n in unit.all_names() if n != unit.name_latin))
        self.place.setText(" · ".join(self._place_parts(unit, parent)))
        self.facts.setText("\n".join(self._facts(unit)))

    @staticmethod
    def _place_parts(unit: Municipality, parent: Municipality | None) -> list[str]:
        parts = [unit.country.label]
        if unit.entity:
            parts.append(unit.entity)
        if unit.region:
            parts.append(f"{unit.region} region")
        if parent is not None:
            parts.append(f"part of {parent.name_latin}")
        parts.append(unit.kind.label)
        return parts

    @staticmethod
    def _facts(unit: Municipality) -> list[str]:
        facts = []
        if unit.population is not None:
            year = f" ({unit.population_year} census)" if unit.population_year else ""
            facts.append(f"Population {unit.population:,}{year}")
        else:
            facts.append("Population not recorded")
        if unit.scn_member_since:
            facts.append(f"Strong Cities Network member since {unit.scn_member_since:%B %Y}")
        else:
            facts.append("Not recorded as a Strong Cities Network member")
        return facts


# --- tabs -----------------------------------------------------------------------------------

class _Tab(QWidget):
    """A tab with Add / Edit / Delete buttons under its content."""

    record_type: type[Record]

    def __init__(self, profile: MunicipalityProfile) -> None:
        super().__init__(profile)
        self.profile = profile
        self.add_button = QPushButton("Add…")
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton("Delete")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.delete_button.clicked.connect(self.delete)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(4, 4, 4, 4)

    def add_buttons(self) -> None:
        row = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button):
            row.addWidget(button)
        row.addStretch(1)
        self.layout_.addLayout(row)

    def update_buttons(self) -> None:
        chosen = self.selected_records()
        self.add_button.setEnabled(self.profile.unit is not None)
        self.edit_button.setEnabled(len(chosen) == 1)
        self.delete_button.setEnabled(bool(chosen))

    # subclasses
    def selected_records(self) -> list[Record]:
        raise NotImplementedError

    def new_form(self) -> RecordForm:
        raise NotImplementedError

    def edit_form(self, record: Record) -> RecordForm:
        raise NotImplementedError

    # actions
    def add(self) -> None:
        if self.profile.unit is not None:
            self.profile.show_form(self.new_form())

    def edit(self) -> None:
        chosen = self.selected_records()
        if len(chosen) == 1:
            self.profile.show_form(self.edit_form(chosen[0]))

    def delete(self) -> None:
        chosen = self.selected_records()
        if chosen:
            self.profile.delete_records(self.record_type, chosen)


class _TableTab(_Tab):
    """A tab listing records of one type in a table, one row per record."""

    headers: Sequence[str] = ()

    def __init__(self, profile: MunicipalityProfile) -> None:
        super().__init__(profile)
        self.table = record_table(self.headers)
        self.table.itemSelectionChanged.connect(self.update_buttons)
        self.table.doubleClicked.connect(lambda _: self.edit())
        self.detail = plain_label(style="color: #333;")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()  # long outcomes or notes scroll instead of stretching the dock
        scroll.setWidget(self.detail)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.layout_.addWidget(self.table, 3)
        self.layout_.addWidget(scroll, 2)
        self.add_buttons()
        self.records: list[Record] = []

    def load(self, records: list[Record]) -> None:
        """Fill the table, keeping the rows that were selected (by record id)."""
        keep = {r.uuid for r in self.selected_records()}
        self.records = records
        self.table.setRowCount(0)
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            for column, text in enumerate(self.cells(record)):
                self.table.setItem(row, column, text_item(text, record.uuid))
            if record.uuid in keep:
                self.table.selectRow(row)
        if records and not keep & {r.uuid for r in records}:
            self.table.selectRow(0)  # the details below the table are never empty without reason
        self.table.resizeColumnsToContents()
        for column in range(len(self.headers) - 1):
            if self.table.columnWidth(column) > 240:
                self.table.setColumnWidth(column, 240)
        self.update_buttons()

    def cells(self, record: Record) -> list[str]:
        raise NotImplementedError

    def describe(self, record: Record) -> list[str]:
        """Lines shown, wrapped, under the table for the selected record (a dock is narrow)."""
        return [f"{h}: {c}" for h, c in zip(self.headers, self.cells(record)) if c]

    def update_buttons(self) -> None:
        super().update_buttons()
        chosen = self.selected_records()
        self.detail.setText("\n".join(self.describe(chosen[0])) if len(chosen) == 1 else
                            f"{len(chosen)} selected." if chosen else "Select a row to see all its details.")

    def selected_records(self) -> list[Record]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.records[row] for row in rows if row < len(self.records)]

    def select_uuids(self, uuids: Sequence[str]) -> None:
        """Select rows by record id (tests and the main window use it to point at records)."""
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row, record in enumerate(self.records):
            if record.uuid in uuids:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)


class StructuresTab(_TableTab):
    record_type = PreventionStructure
    headers = ("Type", "Status", "Established", "Member sectors", "Referral role", "Action plan",
               "Budget", "Name")

    def cells(self, s: PreventionStructure) -> list[str]:
        sectors = ", ".join(m.label for m in s.member_sectors) or UNKNOWN
        return [s.structure_type.label, s.status.label, day_text(s.established), sectors,
                yes_no(s.referral_role), yes_no(s.action_plan), yes_no(s.dedicated_budget), s.name]

    def describe(self, s: PreventionStructure) -> list[str]:
        lines = super().describe(s)
        if s.legal_basis:
            lines.append(f"Legal basis: {s.legal_basis}")
        if s.member_count is not None:
            lines.append(f"Members: {s.member_count}")
        return lines + ([s.notes] if s.notes else [])

    def new_form(self) -> RecordForm:
        return StructureForm(self.profile.editor, municipality_uuid=self.profile.uuid, parent=self.profile)

    def edit_form(self, record: Record) -> RecordForm:
        return StructureForm(self.profile.editor, record, parent=self.profile)  # type: ignore[arg-type]


class ActivitiesTab(_TableTab):
    record_type = HubActivity
    headers = ("Date", "Title", "Type", "Role", "Host place")

    def cells(self, a: HubActivity) -> list[str]:
        role = next(p.role for p in a.participants if p.municipality_uuid == self.profile.uuid)
        return [date_label(a), a.title, a.activity_type.label,
                "Host" if role is ParticipationRole.HOST else "Participant", a.host_place]

    def describe(self, a: HubActivity) -> list[str]:
        lines = super().describe(a)
        others = [self.profile.unit_names.get(p.municipality_uuid, "") for p in a.participants
                  if p.municipality_uuid != self.profile.uuid]
        for label, items in (("With", others), ("Topics", a.topics), ("Partners", a.partners)):
            if any(items):
                lines.append(f"{label}: {', '.join(i for i in items if i)}")
        return lines + ([a.outcomes] if a.outcomes else [])

    def new_form(self) -> RecordForm:
        return ActivityForm(self.profile.editor, participant_uuids=[self.profile.uuid], parent=self.profile)

    def edit_form(self, record: Record) -> RecordForm:
        return ActivityForm(self.profile.editor, record, parent=self.profile)  # type: ignore[arg-type]


class NotesTab(_TableTab):
    record_type = MunicipalityNote
    headers = ("Category", "Noted on", "Source activity", "Restricted", "Text")

    def cells(self, n: MunicipalityNote) -> list[str]:
        source = self.profile.activity_titles.get(n.source_activity_uuid or "", "")
        first_line = n.text.splitlines()[0] if n.text else ""
        return [n.category.label, day_text(n.noted_on), source, "Restricted" if n.restricted else "", first_line]

    def describe(self, n: MunicipalityNote) -> list[str]:
        return super().describe(n)[:-1] + [n.text]

    def new_form(self) -> RecordForm:
        return NoteForm(self.profile.editor, municipality_uuid=self.profile.uuid, parent=self.profile)

    def edit_form(self, record: Record) -> RecordForm:
        return NoteForm(self.profile.editor, record, parent=self.profile)  # type: ignore[arg-type]


class IndicatorsTab(_Tab):
    """Indicators × waves for this unit, the regional median of one wave, and a chart."""

    record_type = IndicatorValue

    def __init__(self, profile: MunicipalityProfile) -> None:
        super().__init__(profile)
        self.indicators: list[IndicatorDefinition] = []
        self.waves: list[StudyWave] = []
        self.values: dict[tuple[str, str], IndicatorValue] = {}
        self.medians: dict[tuple[str, str], float] = {}
        self.median_wave = QComboBox()
        self.median_wave.currentIndexChanged.connect(lambda _: self._fill_table())
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        compact_rows(self.table)
        self.table.currentCellChanged.connect(self._on_cell)
        self.table.doubleClicked.connect(lambda _: self.edit() if self.selected_records() else self.add())
        self.chart = QChart()
        self.chart.setMargins(QMargins(2, 2, 2, 2))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(210)
        row = QHBoxLayout()
        row.addWidget(plain_label("Regional median:"))
        row.addWidget(self.median_wave, 1)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.table, 1)
        self.layout_.addWidget(self.chart_view, 1)
        self.add_buttons()

    # --- data ----------------------------------------------------------------------------
    def load(self, indicators: list[IndicatorDefinition], waves: list[StudyWave],
             values: list[IndicatorValue], medians: dict[tuple[str, str], float]) -> None:
        keep = (self.table.currentRow(), self.table.currentColumn())
        self.indicators, self.waves, self.medians = indicators, waves, medians
        self.values = {(v.indicator_uuid, v.wave_uuid): v for v in values if not v.neighbourhood}
        chosen = self.median_wave.currentData()
        self.median_wave.blockSignals(True)
        self.median_wave.clear()
        for wave in waves:
            self.median_wave.addItem(wave.name, wave.uuid)
        index = self.median_wave.findData(chosen)
        self.median_wave.setCurrentIndex(index if index >= 0 else len(waves) - 1)
        self.median_wave.blockSignals(False)
        self._fill_table()
        if 0 <= keep[0] < self.table.rowCount() and 0 <= keep[1] < self.table.columnCount():
            self.table.setCurrentCell(*keep)
        elif indicators and waves:
            self.table.setCurrentCell(0, len(waves))
        self._draw_chart()
        self.update_buttons()

    @property
    def median_column(self) -> int:
        """Column 0 names the indicator, 1..n are the waves, the last is the median."""
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
            self._median_header(), None, "Median over every municipality with a value in this wave"))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, indicator in enumerate(self.indicators):
            self.table.setItem(row, 0, text_item(indicator.name, None, f"{indicator.name}: {indicator.scale_min:g} "
                                                 f"to {indicator.scale_max:g} {indicator.unit}".rstrip()))
            for column, wave in enumerate(self.waves, start=1):
                value = self.values.get((indicator.uuid, wave.uuid))
                self.table.setItem(row, column, self._value_item(value.value if value else None,
                                                                 value.uuid if value else None))
            self._set_median_cell(row, indicator)

    def _set_median_cell(self, row: int, indicator: IndicatorDefinition) -> None:
        item = self._value_item(self.medians.get((indicator.uuid, self.median_wave.currentData())), None)
        item.setForeground(QColor("#555"))
        self.table.setItem(row, self.median_column, item)

    def _median_header(self) -> str:
        wave = next((w for w in self.waves if w.uuid == self.median_wave.currentData()), None)
        return f"Median {wave_label(wave)}" if wave else "Median"

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
        if indicator is None or wave is None:
            return []
        value = self.values.get((indicator.uuid, wave.uuid))
        return [value] if value else []

    def select_cell(self, indicator_uuid: str, wave_uuid: str) -> None:
        row = next(i for i, ind in enumerate(self.indicators) if ind.uuid == indicator_uuid)
        column = next(i for i, wave in enumerate(self.waves, start=1) if wave.uuid == wave_uuid)
        self.table.setCurrentCell(row, column)

    def _on_cell(self, row: int, column: int, old_row: int, _old_column: int) -> None:
        """A cell in a wave column also moves the median column to that wave."""
        wave = self.wave_at(column)
        if wave is not None and self.median_wave.currentData() != wave.uuid:
            self.median_wave.blockSignals(True)
            self.median_wave.setCurrentIndex(column - 1)
            self.median_wave.blockSignals(False)
            self.table.horizontalHeaderItem(self.median_column).setText(self._median_header())
            for r, indicator in enumerate(self.indicators):
                self._set_median_cell(r, indicator)
        if row != old_row:
            self._draw_chart()
        self.update_buttons()

    # --- chart --------------------------------------------------------------------------------
    def _draw_chart(self) -> None:
        """One bar per wave for this unit, beside the regional median of that wave."""
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.chart.removeAllSeries()
        indicator = self.current_indicator()
        unit = self.profile.unit
        if indicator is None or unit is None or not self.waves:
            self.chart.setTitle("")
            return
        own, median = QBarSet(unit.name_latin), QBarSet("Regional median")
        own.setColor(QColor("#1f6fb2"))
        median.setColor(QColor("#b8c4cf"))
        for wave in self.waves:
            value = self.values.get((indicator.uuid, wave.uuid))
            own.append(value.value if value else indicator.scale_min)
            median.append(self.medians.get((indicator.uuid, wave.uuid), indicator.scale_min))
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

    # --- actions ---------------------------------------------------------------------------------
    def new_form(self) -> RecordForm:
        indicator, wave = self.current_indicator(), self.current_wave()
        return IndicatorValueForm(self.profile.editor, municipality_uuid=self.profile.uuid,
                                  indicator_uuid=indicator.uuid if indicator else None,
                                  wave_uuid=wave.uuid if wave else None, parent=self.profile)

    def edit_form(self, record: Record) -> RecordForm:
        return IndicatorValueForm(self.profile.editor, record, parent=self.profile)  # type: ignore[arg-type]


# --- the profile ------------------------------------------------------------------------------

class MunicipalityProfile(QWidget):
    """Header plus Indicators / Prevention structures / Activities / Notes tabs for one unit."""

    def __init__(self, editor: ProjectEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("municipalityProfile")
        self.editor = editor
        self.uuid: str | None = None
        self.unit: Municipality | None = None
        self.activity_titles: dict[str, str] = {}
        self.unit_names: dict[str, str] = {}
        self.active_form: RecordForm | None = None
        #: Asks before deleting; tests replace it with ``lambda text: True``.
        self.confirm: Callable[[str], bool] = self._ask_confirmation
        #: Shows a form; window-modal and non-blocking, so the rest of the app stays drawn.
        self.open_form: Callable[[RecordForm], None] = lambda form: form.open()
        self.header = ProfileHeader()
        self.tabs = QTabWidget()
        self.indicators = IndicatorsTab(self)
        self.structures = StructuresTab(self)
        self.activities = ActivitiesTab(self)
        self.notes = NotesTab(self)
        for tab, title in ((self.indicators, "Indicators"), (self.structures, "Prevention structures"),
                           (self.activities, "Activities"), (self.notes, "Notes")):
            self.tabs.addTab(tab, title)
        self.message = plain_label(style="color: #b00020;")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        self.show_municipality(None)

    # --- public API ---------------------------------------------------------------------------
    def show_municipality(self, uuid: str | None) -> None:
        """Show one unit (None: the "nothing selected" state)."""
        self.uuid = uuid
        self.refresh()

    def refresh(self, record_type: object = None, uuids: object = None) -> None:
        """Re-read everything shown from the project.

        Accepts (and ignores) the ``editor.changed`` arguments so it can be
        connected to that signal directly.
        """
        self.message.hide()
        store = self.editor.store
        self.unit = self._read_unit()
        parent = self._read_parent()
        badge = DEMO_BADGE if store is not None and store.info().synthetic_data else ""
        self.header.show_unit(self.unit, parent, badge)
        self.tabs.setEnabled(self.unit is not None)
        if store is None or self.unit is None:
            self._clear_tabs()
            return
        self._load_tabs(self.unit.uuid)

    def show_form(self, form: RecordForm) -> None:
        self.active_form = form
        self.open_form(form)

    def delete_records(self, record_type: type[Record], records: Sequence[Record]) -> bool:
        """Delete after confirmation; a refusal (records still referring to it) is shown here."""
        what = record_label(record_type, len(records))
        if not self.confirm(f"Delete {what}? You can undo this with Edit → Undo."):
            return False
        try:
            self.editor.delete(record_type, [r.uuid for r in records])
        except (ValidationError, ProjectError, PermissionError) as exc:
            reason = exc.reason if isinstance(exc, ValidationError) else str(exc)
            self.message.setText(f"Could not delete {what}: {reason}.")
            self.message.show()
            return False
        return True

    # --- reading ------------------------------------------------------------------------------------
    def _read_unit(self) -> Municipality | None:
        store = self.editor.store
        if store is None or self.uuid is None:
            return None
        found = store.list(Municipality, uuid=self.uuid)
        return found[0] if found else None

    def _read_parent(self) -> Municipality | None:
        store = self.editor.store
        if store is None or self.unit is None or not self.unit.parent_id:
            return None
        found = store.list(Municipality, registry_id=self.unit.parent_id)
        return found[0] if found else None

    def _load_tabs(self, uuid: str) -> None:
        store = self.editor.store
        assert store is not None
        waves = sorted(store.list(StudyWave), key=lambda w: w.start_date)
        all_values = store.list(IndicatorValue)
        self.indicators.load(store.list(IndicatorDefinition), waves,
                             [v for v in all_values if v.municipality_uuid == uuid], regional_medians(all_values))
        self.structures.load(store.list(PreventionStructure, municipality_uuid=uuid))
        activities = store.list(HubActivity)
        self.activity_titles = {a.uuid: f"{date_label(a)} – {a.title}" for a in activities}
        wanted = {p.municipality_uuid for a in activities for p in a.participants}
        self.unit_names = {u: store.get(Municipality, u).name_latin for u in wanted}
        mine = [a for a in activities if any(p.municipality_uuid == uuid for p in a.participants)]
        self.activities.load(sorted(mine, key=lambda a: a.start_date, reverse=True))
        self.notes.load(sorted(store.list(MunicipalityNote, municipality_uuid=uuid),
                               key=lambda n: n.noted_on or date.min, reverse=True))
        counts = (None, len(self.structures.records), len(self.activities.records), len(self.notes.records))
        for index, count in enumerate(counts):
            base = self.tabs.tabText(index).split(" (")[0]
            self.tabs.setTabText(index, base if count is None else f"{base} ({count})")

    def _clear_tabs(self) -> None:
        self.indicators.load([], [], [], {})
        for tab in (self.structures, self.activities, self.notes):
            tab.load([])
        for index in range(self.tabs.count()):
            self.tabs.setTabText(index, self.tabs.tabText(index).split(" (")[0])

    def _ask_confirmation(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Delete", text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes


def regional_medians(values: Sequence[IndicatorValue]) -> dict[tuple[str, str], float]:
    """Median per (indicator, wave) over every municipality with a whole-municipality value."""
    groups: dict[tuple[str, str], list[float]] = {}
    for value in values:
        if not value.neighbourhood:
            groups.setdefault((value.indicator_uuid, value.wave_uuid), []).append(value.value)
    return {key: statistics.median(group) for key, group in groups.items()}
