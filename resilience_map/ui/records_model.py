"""Qt table model over ONE record type, read page by page through ``store.query``.

Tables such as the indicator values can hold 100,000 rows, so the model never
loads a table whole: it asks the store for one page (:data:`PAGE_SIZE` rows),
and Qt's ``canFetchMore``/``fetchMore`` pull the next page when the user
scrolls to the bottom. Sorting and filtering are new queries, never Python
loops over loaded rows, so they stay correct for rows not loaded yet.

Cells of plain fields are editable; an edit goes through
:class:`~resilience_map.ui.editing.ProjectEditor` (validated, saved with its
history, undoable). When the store refuses it, :attr:`RecordTableModel.edit_refused`
carries the reason and nothing is written.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt, Signal

from resilience_map.domain.enums import StrEnum
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
from resilience_map.store import ProjectError, ProjectStore
from resilience_map.store.query import MUNICIPALITY_SORT, RecordQuery
from resilience_map.store.schema import field_types
from resilience_map.ui.editing import ProjectEditor

Index = QModelIndex | QPersistentModelIndex

#: Rows per query; big enough to fill any screen, small enough to arrive at once.
PAGE_SIZE = 200
UUID_ROLE = Qt.ItemDataRole.UserRole + 1
#: Fields derived from other records (shown, never edited in the table).
DERIVED = ("municipality", "country", "indicator", "wave", "participants")


@dataclass(frozen=True)
class Column:
    """One table column: a record field or a value derived from referenced records."""

    header: str
    field: str
    #: ``RecordQuery.order_by`` for this column; None where SQL cannot sort it sensibly.
    sort_key: str | None = None
    editable: bool = False


def _field(header: str, name: str, editable: bool = True) -> Column:
    return Column(header, name, sort_key=name, editable=editable)


_MODIFIED = [_field("Modified", "modified_at", False), _field("By", "modified_by", False)]
_PLACE = [Column("Municipality", "municipality", MUNICIPALITY_SORT), Column("Country", "country")]

#: Columns per record type, chosen for practitioners: names instead of ids, bookkeeping last.
COLUMNS: dict[type[Record], list[Column]] = {
    IndicatorValue: [*_PLACE, Column("Indicator", "indicator"), Column("Study wave", "wave"),
                     _field("Value", "value"), _field("Neighbourhood", "neighbourhood"),
                     _field("Synthetic", "synthetic"), *_MODIFIED],
    StudyWave: [_field("Name", "name"), _field("Start", "start_date"), _field("End", "end_date"),
                _field("Sample size", "sample_size"), _field("Conducted by", "conducted_by"),
                _field("Synthetic", "synthetic"), _field("Notes", "notes"), *_MODIFIED],
    IndicatorDefinition: [_field("Code", "code"), _field("Name", "name"), _field("Dimension", "dimension"),
                          _field("Framework", "framework"), _field("Unit", "unit"),
                          _field("Scale min", "scale_min"), _field("Scale max", "scale_max"),
                          _field("Polarity", "polarity"), _field("Description", "description"), *_MODIFIED],
    PreventionStructure: [*_PLACE, _field("Type", "structure_type"), _field("Name", "name"),
                          _field("Status", "status"), _field("Established", "established"),
                          _field("Members", "member_count"), _field("Referral role", "referral_role"),
                          _field("Action plan", "action_plan"), _field("Own budget", "dedicated_budget"),
                          _field("Member sectors", "member_sectors", False),
                          _field("Legal basis", "legal_basis"), _field("Notes", "notes"), *_MODIFIED],
    HubActivity: [_field("Title", "title"), _field("Type", "activity_type"), _field("Start", "start_date"),
                  _field("End", "end_date"), _field("Place", "host_place"),
                  _field("Participants", "participant_count"), Column("Municipalities", "participants"),
                  _field("Topics", "topics", False), _field("Partners", "partners", False),
                  _field("Outcomes", "outcomes"), *_MODIFIED],
    MunicipalityNote: [*_PLACE, _field("Category", "category"), _field("Text", "text"),
                       _field("Noted on", "noted_on"), _field("Restricted", "restricted"), *_MODIFIED],
}

#: Plural nouns for row counts ("1,234 of 17,820 values").
NOUNS: dict[type[Record], str] = {
    IndicatorValue: "values", StudyWave: "study waves", IndicatorDefinition: "indicators",
    PreventionStructure: "structures", HubActivity: "activities", MunicipalityNote: "notes",
}


@dataclass(frozen=True)
class EditSpec:
    """What kind of editor a cell needs; the delegate builds it, :func:`coerce` reads its result."""

    kind: str  # text | float | int | date | enum | bool
    optional: bool = False
    enum: type[Enum] | None = None
    minimum: float | None = None
    maximum: float | None = None
    suffix: str = ""

    def kind_label(self) -> str:
        """The kind in words, for "'abc' is not a valid number"."""
        return {"float": "number", "int": "whole number", "date": "date (YYYY-MM-DD)",
                "enum": "choice", "bool": "yes or no"}.get(self.kind, self.kind)


class Lookups:
    """Names of referenced records (municipalities, indicators, waves), read once per refresh.

    These tables are small (hundreds of rows); keeping them in memory lets a
    page of 200 values show names without one query per cell.
    """

    def __init__(self) -> None:
        self.municipalities: dict[str, Municipality] = {}
        self.indicators: dict[str, IndicatorDefinition] = {}
        self.waves: dict[str, StudyWave] = {}

    def load(self, store: ProjectStore | None) -> None:
        """Re-read the names (empty when no project is open)."""
        self.municipalities = {m.uuid: m for m in store.list(Municipality)} if store else {}
        self.indicators = {i.uuid: i for i in store.list(IndicatorDefinition)} if store else {}
        self.waves = {w.uuid: w for w in store.list(StudyWave)} if store else {}

    def municipality_name(self, uuid: str | None) -> str:
        unit = self.municipalities.get(uuid or "")
        return unit.name_latin if unit else ""

    def country_name(self, uuid: str | None) -> str:
        unit = self.municipalities.get(uuid or "")
        return unit.country.label if unit else ""

    def indicator_name(self, uuid: str) -> str:
        found = self.indicators.get(uuid)
        return found.name if found else "(unknown indicator)"

    def wave_name(self, uuid: str) -> str:
        found = self.waves.get(uuid)
        return found.name if found else "(unknown wave)"


def record_title(record: Record, lookups: Lookups) -> str:
    """A short human name for any record (history view, confirmations)."""
    place = lookups.municipality_name(getattr(record, "municipality_uuid", None))
    if isinstance(record, Municipality):
        return record.name_latin
    if isinstance(record, (StudyWave, IndicatorDefinition)):
        return record.name
    if isinstance(record, IndicatorValue):
        return (f"{lookups.indicator_name(record.indicator_uuid)}, {place}, "
                f"{lookups.wave_name(record.wave_uuid)}")
    if isinstance(record, PreventionStructure):
        return ", ".join(p for p in (record.name or record.structure_type.label, place) if p)
    if isinstance(record, HubActivity):
        return record.title
    if isinstance(record, MunicipalityNote):
        return f"{record.category.label}, {place}"
    return record.uuid


def edit_spec(record_type: type[Record], name: str) -> EditSpec:
    """Editor kind for a plain field, from its type annotation."""
    annotation = field_types(record_type)[name]
    optional = isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union
    base = next((a for a in typing.get_args(annotation) if a is not type(None)), annotation) \
        if optional else annotation
    if isinstance(base, type) and issubclass(base, Enum):
        return EditSpec("enum", optional, enum=base)
    kinds = {bool: "bool", int: "int", float: "float", date: "date"}
    return EditSpec(kinds.get(base, "text"), optional)  # type: ignore[arg-type]


def display_value(value: object) -> str:
    """A field value as a practitioner reads it in a cell."""
    if value is None:
        return ""  # not known / not set: an empty cell reads quieter than a dash in every row
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, StrEnum):
        return value.label
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(display_value(v) for v in value)
    return str(value)


def timestamp_label(stored: str) -> str:
    """Stored UTC timestamp → local "2026-11-21 21:11" (minutes are precise enough to read)."""
    try:
        moment = datetime.fromisoformat(stored.replace("Z", "+00:00"))
    except ValueError:
        return stored
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


_TRUE = {"yes", "y", "true", "1", "da", "po"}
_FALSE = {"no", "n", "false", "0", "ne", "jo"}
_EMPTY = {"", "—", "-", "unknown", "none"}


def coerce(value: object, spec: EditSpec, field: str) -> object:
    """What an editor or the clipboard produced → the field's Python type.

    Raises ValidationError with a sentence a user understands, so a pasted
    "abc" in a number column is refused like any other invalid edit.
    """
    if isinstance(value, str) and spec.kind != "text":
        value = value.strip()
        if value.casefold() in _EMPTY:
            if spec.optional:
                return None
            raise ValidationError(field, "is required")
    if value is None:
        if spec.optional or spec.kind == "text":
            return None if spec.optional else ""
        raise ValidationError(field, "is required")
    try:
        return _CONVERT[spec.kind](value, spec)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationError(field, f"{value!r} is not a valid {spec.kind_label()}") from exc


def _to_bool(value: object, _spec: EditSpec) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).casefold()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(text)


def _to_date(value: object, _spec: EditSpec) -> date:
    if isinstance(value, QDate):
        return date(value.year(), value.month(), value.day())
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _to_enum(value: object, spec: EditSpec) -> Enum:
    assert spec.enum is not None
    if isinstance(value, spec.enum):
        return value
    text = str(value).strip().casefold()
    for member in spec.enum:
        if text in (str(member.value).casefold(), getattr(member, "label", "").casefold()):
            return member
    raise ValueError(text)


def _to_number(kind: type) -> typing.Callable[[object, EditSpec], object]:
    def convert(value: object, _spec: EditSpec) -> object:
        if isinstance(value, str):
            value = value.replace(" ", "").replace(",", ".") if kind is float else value.replace(",", "")
        number = kind(value)
        if kind is int and isinstance(value, float) and number != value:
            raise ValueError(value)
        return number
    return convert


_CONVERT: dict[str, typing.Callable[[object, EditSpec], object]] = {
    "text": lambda v, _s: str(v), "float": _to_number(float), "int": _to_number(int),
    "date": _to_date, "enum": _to_enum, "bool": _to_bool,
}


class RecordTableModel(QAbstractTableModel):
    """Rows of one record type, loaded a page at a time; edits go through the editor."""

    #: the reason an edit was not saved (validation, stale record, read-only project…)
    edit_refused = Signal(str)
    #: rows or totals changed (for "1,234 of 17,820 values")
    counts_changed = Signal()

    def __init__(self, editor: ProjectEditor, record_type: type[Record],
                 lookups: Lookups | None = None, parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.record_type = record_type
        self.columns = COLUMNS[record_type]
        self.lookups = lookups or Lookups()
        self._rows: list[Record] = []
        self._total = 0  # rows matching the filter
        self._all = 0  # rows of this type, filter or not
        self._base = RecordQuery(record_type)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        editor.changed.connect(self._on_changed)

    # --- what is shown ------------------------------------------------------------------
    @property
    def store(self) -> ProjectStore | None:
        return self.editor.store

    @property
    def has_place(self) -> bool:
        """Whether this record type belongs to a municipality (country/municipality filters apply)."""
        return "municipality_uuid" in field_types(self.record_type)

    @property
    def matching(self) -> int:
        """Rows that match the current filter (loaded or not)."""
        return self._total

    def total(self) -> int:
        """All rows of this record type, ignoring the filter (as of the last read)."""
        return self._all

    def record(self, row: int) -> Record:
        return self._rows[row]

    def uuids(self, rows: typing.Iterable[int]) -> list[str]:
        return [self._rows[r].uuid for r in rows]

    def row_of(self, uuid: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.uuid == uuid), -1)

    # --- querying -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Start over from the first page (project opened, filter or sort changed)."""
        self.beginResetModel()
        self._load(PAGE_SIZE)
        self.endResetModel()
        self.counts_changed.emit()

    def set_filter(self, country: str | None = None, municipality_uuid: str | None = None,
                   text: str = "") -> bool:
        """Show only rows of one country / municipality and containing a text (any script).

        Country and municipality are ignored for record types without a
        municipality (indicators, study waves, hub activities). Returns whether
        the filter changed (and the rows were read again).
        """
        equals = {"municipality_uuid": municipality_uuid} if municipality_uuid and self.has_place else {}
        query = replace(self._base, equals=equals, country=country if self.has_place else None,
                        text=text.strip())
        if query == self._base:
            return False
        self._base = query
        self.refresh()
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL: a new query from the first page (column -1 = order of entry)."""
        key = self.columns[column].sort_key if 0 <= column < len(self.columns) else "fid"
        if key is None:
            return
        self._sort_column, self._sort_order = column, order
        self._base = replace(self._base, order_by=key, descending=order == Qt.SortOrder.DescendingOrder)
        self.refresh()

    def sort_state(self) -> tuple[int, Qt.SortOrder]:
        return self._sort_column, self._sort_order

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802 (Qt API)
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802
        if parent.isValid() or self.store is None:
            return
        page = self.store.query(replace(self._base, offset=len(self._rows), limit=PAGE_SIZE))
        if not page:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()
        self.counts_changed.emit()

    def _load(self, limit: int) -> None:
        if self.store is None:
            self._rows, self._total, self._all = [], 0, 0
            return
        self._rows = self.store.query(replace(self._base, offset=0, limit=limit))
        self._total = self.store.count_query(self._base)
        self._all = self.store.count(self.record_type)

    def reload(self) -> None:
        """Re-read what is loaded after an edit, keeping selection and scroll where possible.

        Same rows in the same order → only the cells change; the same rows in
        another order (a sorted column was edited) → a layout change that keeps
        persistent indexes; otherwise (rows added or deleted) → a reset.
        """
        before = [r.uuid for r in self._rows]
        if self.store is None:
            self.refresh()
            return
        rows = self.store.query(replace(self._base, offset=0, limit=max(len(before), PAGE_SIZE)))
        total = self.store.count_query(self._base)
        self._all = self.store.count(self.record_type)
        after = [r.uuid for r in rows]
        if after[:len(before)] == before and total == self._total:
            self._replace_in_place(rows, len(before))
        elif sorted(after) == sorted(before) and total == self._total:
            self._replace_reordered(rows)
        else:
            self.beginResetModel()
            self._rows, self._total = rows, total
            self.endResetModel()
        self.counts_changed.emit()

    def _replace_in_place(self, rows: list[Record], loaded: int) -> None:
        self._rows = rows[:loaded]
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.columns) - 1))

    def _replace_reordered(self, rows: list[Record]) -> None:
        self.layoutAboutToBeChanged.emit()
        new_row = {r.uuid: i for i, r in enumerate(rows)}
        old_uuids = [r.uuid for r in self._rows]
        self._rows = rows
        for old in self.persistentIndexList():
            row = new_row[old_uuids[old.row()]]
            self.changePersistentIndex(old, self.index(row, old.column()))
        self.layoutChanged.emit()

    def _on_changed(self, record_type: type, _uuids: list) -> None:
        if record_type is self.record_type and self.store is not None:
            self.reload()

    # --- Qt model API -----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole:
            notes = [] if column.editable else ["shown for reference, not editable here"]
            if column.sort_key is None:
                notes.append("cannot be sorted")
            return f"{column.header}: {'; '.join(notes)}" if notes else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and self.columns[index.column()].editable and self.store \
                and not self.store.read_only:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record, column = self._rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.EditRole and column.editable \
                and isinstance(value := getattr(record, column.field), str):
            return value  # the whole text, never the shortened cell text
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._display(record, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(record, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and self._is_number(column):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == UUID_ROLE:
            return record.uuid
        return None

    def _display(self, record: Record, column: Column) -> str:
        name = column.field
        if name in DERIVED:
            return self._derived(record, name)
        value = getattr(record, name)
        if name == "modified_at":
            return timestamp_label(value)
        text = display_value(value)
        if isinstance(value, str) and (len(text) > 90 or "\n" in text):
            text = text.splitlines()[0][:88].rstrip() + "…"
        return text

    def _derived(self, record: Record, name: str) -> str:
        if name == "municipality":
            return self.lookups.municipality_name(getattr(record, "municipality_uuid", None))
        if name == "country":
            return self.lookups.country_name(getattr(record, "municipality_uuid", None))
        if name == "indicator":
            return self.lookups.indicator_name(record.indicator_uuid)  # type: ignore[attr-defined]
        if name == "wave":
            return self.lookups.wave_name(record.wave_uuid)  # type: ignore[attr-defined]
        participants = getattr(record, "participants", ())
        return ", ".join(self.lookups.municipality_name(p.municipality_uuid)
                         + (" (host)" if p.role.value == "host" else "") for p in participants)

    def _tooltip(self, record: Record, column: Column) -> str | None:
        """Every name form of the municipality, an indicator's scale, or the whole long text."""
        if column.field in ("municipality", "country"):
            unit = self.lookups.municipalities.get(getattr(record, "municipality_uuid", ""))
            return " · ".join(unit.all_names()) if unit else None
        if column.field == "value" and isinstance(record, IndicatorValue):
            ind = self.lookups.indicators.get(record.indicator_uuid)
            return f"{ind.name}: {ind.scale_min:g} to {ind.scale_max:g} {ind.unit}".rstrip() if ind else None
        if column.field == "participants":
            return self._display(record, column)
        if column.field in DERIVED:
            return None
        value = getattr(record, column.field)
        return value if isinstance(value, str) and len(value) > 40 else None

    def _is_number(self, column: Column) -> bool:
        return column.field not in DERIVED and column.field not in ("modified_at", "modified_by") \
            and edit_spec(self.record_type, column.field).kind in ("int", "float")

    # --- editing -----------------------------------------------------------------------------
    def edit_spec(self, index: Index) -> EditSpec | None:
        """The editor a cell needs; indicator values get their indicator's scale and unit."""
        column = self.columns[index.column()]
        if not column.editable:
            return None
        spec = edit_spec(self.record_type, column.field)
        record = self._rows[index.row()]
        if isinstance(record, IndicatorValue) and column.field == "value":
            ind = self.lookups.indicators.get(record.indicator_uuid)
            if ind is not None:
                suffix = f" {ind.unit}" if ind.unit else ""
                spec = replace(spec, minimum=ind.scale_min, maximum=ind.scale_max, suffix=suffix)
        return spec

    def raw_value(self, index: Index) -> object:
        """The field's Python value (what the delegate puts into its editor)."""
        return getattr(self._rows[index.row()], self.columns[index.column()].field)

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        """Save one cell through the editor; on refusal emit :attr:`edit_refused`, write nothing."""
        spec = self.edit_spec(index) if index.isValid() else None
        if role != Qt.ItemDataRole.EditRole or spec is None:
            return False
        record, column = self._rows[index.row()], self.columns[index.column()]
        try:
            new = coerce(value, spec, column.field)
            if new == getattr(record, column.field):
                return True
            self.editor.update(replace(record, **{column.field: new}))
        except ValidationError as exc:
            self.edit_refused.emit(f"Not saved — {column.header}: {exc.reason}")
            return False
        except (ProjectError, PermissionError, RuntimeError) as exc:
            self.edit_refused.emit(f"Not saved — {exc}")
            return False
        return True
