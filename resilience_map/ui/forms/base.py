"""What every record form shares: field rows with their own error label, and saving.

A form never writes a record the domain refuses: on OK it builds the record from
its widgets, runs the record's own ``validate()`` (the same rules the store
applies), and only then asks the :class:`ProjectEditor` to add or update it.
Anything refused (by the record, or later by the store: a duplicate value, a
record changed elsewhere) is shown in words beside the field it concerns, and
the dialog stays open so nothing typed is lost.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date
from enum import Enum
from typing import Any, ClassVar

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from resilience_map.domain.records import Municipality, Record
from resilience_map.domain.validation import ValidationError
from resilience_map.store.errors import ProjectError
from resilience_map.ui.editing import ProjectEditor
from resilience_map.ui.forms.municipality_picker import MunicipalityPicker, unit_caption

ERROR_STYLE = "color: #b00020;"
#: Reasons that read as the end of a sentence starting with the field's name.
_PREDICATE_STARTS = ("is ", "are ", "cannot ", "can't ", "must ", "has ", "should ")
#: Form-level errors (not tied to a visible field) go to this pseudo-field.
GENERAL = "__form__"


def friendly_message(error: ValidationError, label: str) -> str:
    """A sentence a practitioner understands: "End date cannot be before the start date".

    Domain reasons are written as predicates ("is required", "cannot be
    negative") or as full statements ("there is already a value…"); the first
    kind gets the field's visible label in front, the second is capitalised.
    """
    reason = error.reason.strip()
    if label and reason.startswith(_PREDICATE_STARTS):
        return f"{label} {reason}."
    return reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")


def error_label() -> QLabel:
    """A red, wrapping, initially hidden label for one field's message."""
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


# --- small input widgets the forms share -------------------------------------------------

class EnumCombo(QComboBox):
    """Choice of an enumeration, shown by its practitioner labels.

    Qt hands ``str``-based enumeration members back as plain strings, so the
    combo keeps the type and :meth:`value` turns the item data back into a member.
    """

    def __init__(self, enum_type: type[Enum], current: Enum | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enum_type = enum_type
        for member in enum_type:
            self.addItem(getattr(member, "label", str(member)), member.value)
        self.set_value(current)

    def value(self) -> Enum | None:
        data = self.currentData()
        return None if data is None else self.enum_type(data)

    def set_value(self, member: Enum | None) -> None:
        if member is not None:
            set_combo_data(self, self.enum_type(member).value)


def enum_combo(enum_type: type[Enum], current: Enum | None = None) -> EnumCombo:
    return EnumCombo(enum_type, current)


def set_combo_data(combo: QComboBox, data: object) -> None:
    """Select the item carrying ``data`` (leave the selection alone if absent)."""
    for index in range(combo.count()):
        if combo.itemData(index) == data:
            combo.setCurrentIndex(index)
            return


class TriStateCombo(QComboBox):
    """Yes / No / Not known, for facts the hub may not have checked yet."""

    def __init__(self, value: bool | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for text, data in (("Not known", None), ("Yes", True), ("No", False)):
            self.addItem(text, data)
        self.set_value(value)

    def value(self) -> bool | None:
        return self.currentData()

    def set_value(self, value: bool | None) -> None:
        self.setCurrentIndex({None: 0, True: 1, False: 2}[value])


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def date_edit(value: date | None = None) -> QDateEdit:
    """A calendar date picker in an unambiguous day-month-year form."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("d MMM yyyy")
    edit.setDate(to_qdate(value or date.today()))
    return edit


class OptionalDateEdit(QWidget):
    """A date with a "not known" box: many structures' founding dates are not on record."""

    def __init__(self, value: date | None = None, unknown_text: str = "not known",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = date_edit(value)
        self.unknown = QCheckBox(unknown_text)
        self.unknown.toggled.connect(lambda on: self.edit.setEnabled(not on))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addWidget(self.unknown)
        row.addStretch(1)
        self.set_value(value)

    def value(self) -> date | None:
        return None if self.unknown.isChecked() else from_qdate(self.edit.date())

    def set_value(self, value: date | None) -> None:
        self.unknown.setChecked(value is None)
        if value is not None:
            self.edit.setDate(to_qdate(value))


class OptionalCountSpin(QSpinBox):
    """A head count where "not known" (shown at the bottom of the range) means None."""

    def __init__(self, value: int | None = None, maximum: int = 1_000_000,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(-1, maximum)
        self.setSpecialValueText("not known")
        self.set_count(value)

    def count(self) -> int | None:
        return None if self.value() < 0 else self.value()

    def set_count(self, value: int | None) -> None:
        self.setValue(-1 if value is None else value)


class ListLineEdit(QLineEdit):
    """A short list typed on one line, separated by semicolons or commas."""

    def __init__(self, values: Iterable[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("separate entries with ; or ,")
        self.set_values(values)

    def values(self) -> tuple[str, ...]:
        text = self.text().replace(";", ",")
        return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))

    def set_values(self, values: Iterable[str]) -> None:
        values = list(values)
        joiner = "; " if any("," in v for v in values) else ", "
        self.setText(joiner.join(values))


def _unchanged_kept(original: Record, content: dict[str, Any]) -> dict[str, Any]:
    """Keep the stored value where the widget only differs cosmetically.

    Surrounding white space or the order of ticked boxes is not an edit; keeping
    the stored value means the history records only what the user really changed.
    """
    kept = dict(content)
    for name, value in content.items():
        old = getattr(original, name)
        if isinstance(value, str) and isinstance(old, str) and value.strip() == old.strip():
            kept[name] = old
        elif isinstance(value, tuple) and isinstance(old, tuple) and set(value) == set(old) \
                and len(value) == len(old):
            kept[name] = old
    return kept


# --- the form ---------------------------------------------------------------------------

class RecordForm(QDialog):
    """Base dialog: subclasses add fields, then implement :meth:`read_fields`.

    ``record`` is None for a new record; an existing one is updated carrying the
    version it was read at, so an edit made elsewhere meanwhile is refused
    rather than overwritten.
    """

    record_type: ClassVar[type[Record]]
    title_new: ClassVar[str] = "New record"
    title_edit: ClassVar[str] = "Edit record"

    def __init__(self, editor: ProjectEditor, record: Record | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.original = record
        self.saved: Record | None = None
        self._labels: dict[str, str] = {}
        self._errors: dict[str, QLabel] = {}
        self.setWindowTitle(self.title_new if record is None else self.title_edit)
        self.setMinimumWidth(520)
        outer = QVBoxLayout(self)
        self.general_error = error_label()
        self._errors[GENERAL] = self.general_error
        self.columns = QHBoxLayout()
        self.columns.setSpacing(18)
        self.new_column()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        outer.addLayout(self.columns)
        outer.addWidget(self.general_error)
        outer.addWidget(self.buttons)

    @property
    def store(self):
        """The open project (forms only ever read through it; writes go via the editor)."""
        if self.editor.store is None:
            raise RuntimeError("no project is open")
        return self.editor.store

    # --- building the form ---------------------------------------------------------------
    def new_column(self) -> QFormLayout:
        """Start a further column of fields (long forms stay on screen without scrolling)."""
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.columns.addLayout(self.form, 1)
        return self.form

    def add_field(self, name: str | Sequence[str], label: str, widget: QWidget) -> QWidget:
        """One labelled row: the widget, with its error label right under it.

        ``name`` is the record field (or fields) whose validation errors belong here.
        """
        names = [name] if isinstance(name, str) else list(name)
        if isinstance(widget, QLineEdit):
            widget.setCursorPosition(0)  # show the start of a long text, not its end
        if isinstance(widget, QComboBox):  # long item texts must not squeeze the labels
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            widget.setMinimumContentsLength(24)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        message = error_label()
        column.addWidget(message)
        for field_name in names:
            self._labels[field_name] = label
            self._errors[field_name] = message
        self.form.addRow(label + ":" if label else "", box)
        return widget

    # --- subclasses ----------------------------------------------------------------------------
    def read_fields(self) -> dict[str, Any]:
        """The record's content fields as the widgets hold them."""
        raise NotImplementedError

    def check(self, record: Record) -> None:
        """The domain's rules for this record (subclasses add cross-record rules)."""
        record.validate()

    # --- saving --------------------------------------------------------------------------------
    def build_record(self) -> Record:
        """A new record, or the original with edited content (same uuid and version)."""
        content = self.read_fields()
        if self.original is None:
            return self.record_type(**content)
        return dataclasses.replace(self.original, **_unchanged_kept(self.original, content))

    def save(self) -> Record | None:
        """OK: validate, then add or update through the editor; stay open on any refusal."""
        self.clear_errors()
        try:
            record = self.build_record()
            self.check(record)
            if self.original is None:
                stored = self.editor.add(record)
            else:
                stored = self.editor.update(record)
        except ValidationError as exc:
            self.show_error(exc)
            return None
        except (ProjectError, PermissionError, RuntimeError) as exc:
            self.general_error.setText(str(exc))
            self.general_error.show()
            return None
        self.saved = stored
        self.accept()
        return stored

    def show_error(self, error: ValidationError) -> None:
        """Put the message beside its field, or above the buttons if no field shows it."""
        target = self._errors.get(error.field, self.general_error)
        label = self._labels.get(error.field, error.field.replace("_", " ").capitalize())
        target.setText(friendly_message(error, label))
        target.show()

    def clear_errors(self) -> None:
        for label in set(self._errors.values()):
            label.clear()
            label.hide()

    def add_municipality_field(self, uuid: str | None, label: str = "Municipality") -> None:
        """The record's municipality: fixed when the form was opened for one, else a picker."""
        self.fixed_municipality = uuid
        self.municipality_picker: MunicipalityPicker | None = None
        if uuid is not None:
            shown = QLabel(unit_caption(self.store.get(Municipality, uuid)))
            shown.setTextFormat(Qt.TextFormat.PlainText)
            self.add_field("municipality_uuid", label, shown)
            return
        self.municipality_picker = MunicipalityPicker(self.store.municipalities())
        self.add_field("municipality_uuid", label, self.municipality_picker)

    def municipality_uuid(self) -> str:
        """The chosen municipality ("" while none is chosen, which validation reports)."""
        if self.municipality_picker is None:
            return self.fixed_municipality or ""
        return self.municipality_picker.selected() or ""

    def error_text(self, field: str) -> str:
        """The message currently shown for ``field`` ("" if none): for tests and screen readers."""
        label = self._errors.get(field)
        return label.text() if label is not None and not label.isHidden() else ""
