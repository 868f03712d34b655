"""What every record form shares: field rows with their own error label, and saving.

A form never writes a record the domain refuses: on Save it builds the record from
its widgets, runs the record's own ``validate()`` (the same rules the store applies),
and only then asks the session to add or update it — one undoable step. Anything
refused (by the record, or later by the store: a duplicate value, a record changed
elsewhere, a full disk, a file held by another program) is shown in words beside the
field it concerns or above the buttons, and the dialog stays open so nothing typed is
lost.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from resilience_map.domain.kinds import kind_of
from resilience_map.domain.records import Record
from resilience_map.domain.validation import ValidationError
from resilience_map.session import Event, ProjectSession, RecordsChanged, add_records, update_records
from resilience_map.ui.errors import USER_ERRORS, field_sentence, sentence
from resilience_map.ui.widgets.picker import MunicipalityPicker, unit_caption

ERROR_STYLE = "color: #b00020;"
#: Form-level errors (not tied to a visible field) go to this pseudo-field.
GENERAL = "__form__"


def error_label() -> QLabel:
    """A red, wrapping, initially hidden label for one field's message."""
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


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
        same_text = isinstance(value, str) and isinstance(old, str) and value.strip() == old.strip()
        same_items = isinstance(value, tuple) and isinstance(old, tuple) and set(value) == set(old) \
            and len(value) == len(old)
        if same_text or same_items:
            kept[name] = old
    return kept


def stored_record(events: Sequence[Event], uuid: str) -> Record | None:
    """The record as the store saved it, from the step's change events."""
    for event in events:
        if isinstance(event, RecordsChanged):
            for record in event.current():
                if record.uuid == uuid:
                    return record
    return None


class RecordForm(QDialog):
    """Base dialog: subclasses add fields, then implement :meth:`read_fields`.

    ``record`` is None for a new record; an existing one is updated carrying the
    version it was read at, so an edit made elsewhere meanwhile is refused
    rather than overwritten.
    """

    record_type: ClassVar[type[Record]]

    def __init__(self, session: ProjectSession, record: Record | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.original = record
        self.saved: Record | None = None
        self._labels: dict[str, str] = {}
        self._errors: dict[str, QLabel] = {}
        label = kind_of(self.record_type).label
        self.setWindowTitle(f"New {label}" if record is None else f"Edit {label}")
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
    def indexes(self):
        return self.session.indexes

    # --- building the form ---------------------------------------------------------------
    def new_column(self) -> QFormLayout:
        """Start a further column of fields (long forms stay on screen without scrolling)."""
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.columns.addLayout(self.form, 1)
        return self.form

    def add_field(self, name: str | Sequence[str], label: str, widget: QWidget) -> Any:
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
        """The record's content fields as the widgets hold them (ValidationError if unreadable)."""
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
        """Save: validate, then add or update as one undoable step; stay open on any refusal."""
        self.clear_errors()
        try:
            record = self.build_record()
            self.check(record)
            if self.original is None:
                events = self.session.do(add_records([record]))
            else:
                events = self.session.do(update_records([(self.original, record)]))
        except ValidationError as exc:
            self.show_error(exc)
            return None
        except USER_ERRORS as exc:
            self.general_error.setText(sentence(exc))
            self.general_error.show()
            return None
        self.saved = stored_record(events, record.uuid) or self.original
        self.accept()
        return self.saved

    def show_error(self, error: ValidationError) -> None:
        """Put the message beside its field, or above the buttons if no field shows it."""
        target = self._errors.get(error.field, self.general_error)
        label = self._labels.get(error.field, error.field.replace("_", " ").capitalize())
        target.setText(field_sentence(error, label))
        target.show()

    def clear_errors(self) -> None:
        for label in set(self._errors.values()):
            label.clear()
            label.hide()

    def add_municipality_field(self, uuid: str | None, label: str = "Municipality") -> None:
        """The record's municipality: fixed when the form was opened for one, else a picker."""
        self.fixed_municipality = uuid
        self.municipality_picker: MunicipalityPicker | None = None
        unit = self.indexes.municipalities.get(uuid)
        if unit is not None:
            shown = QLabel(unit_caption(unit))
            shown.setTextFormat(Qt.TextFormat.PlainText)
            self.add_field("municipality_uuid", label, shown)
            return
        self.municipality_picker = MunicipalityPicker(self.indexes.municipalities.all())
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
