"""Editors for facts the hub may not know yet, shared by the record forms and table cells.

Each editor says "not known" the same way wherever it appears: a yes / no / not known
choice, a date with a "not known" box, a number left empty. Number editors are plain
text fields: what the user typed is what is validated and saved — never clamped to a
scale, rounded to some decimals or cut at a digit limit, which spin boxes do silently.
"""

from __future__ import annotations

from datetime import date
from enum import Enum

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QLineEdit, QWidget

from resilience_map.domain.validation import ValidationError
from resilience_map.ui.widgets.values import EMPTY_WORDS, number_text, parse_number

NOT_KNOWN = "Not known"


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def set_combo_data(combo: QComboBox, data: object) -> None:
    """Select the item carrying ``data`` (leave the selection alone if absent)."""
    for index in range(combo.count()):
        if combo.itemData(index) == data:
            combo.setCurrentIndex(index)
            return


class YesNoUnknown(QComboBox):
    """Yes / No, and "Not known" where the fact is optional."""

    def __init__(self, value: bool | None = None, optional: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItem("Yes", True)
        self.addItem("No", False)
        if optional:
            self.addItem(NOT_KNOWN, None)
        self.set_value(value if value is not None or optional else False)

    def value(self) -> bool | None:
        return self.currentData()

    def set_value(self, value: bool | None) -> None:
        set_combo_data(self, value)


class EnumChoice(QComboBox):
    """Choice of an enumeration, shown by its practitioner labels.

    Qt hands ``str``-based members back as plain strings, so the combo keeps the type
    and :meth:`value` turns the item data back into a member.
    """

    def __init__(self, enum_type: type[Enum], current: Enum | None = None, optional: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enum_type = enum_type
        for member in enum_type:
            self.addItem(getattr(member, "label", str(member.value)), member.value)
        if optional:
            self.addItem(NOT_KNOWN, None)
        self.set_value(current)

    def value(self) -> Enum | None:
        data = self.currentData()
        return None if data is None else self.enum_type(data)

    def set_value(self, member: Enum | None) -> None:
        set_combo_data(self, None if member is None else self.enum_type(member).value)


class DateField(QWidget):
    """A calendar date, with a "not known" box where the date is optional.

    Many structures' founding dates and activities' end dates are not on record; an
    unticked box keeps that distinct from any real date.
    """

    def __init__(self, value: date | None = None, optional: bool = True, unknown_text: str = "not known",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.optional = optional
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("d MMM yyyy")
        self.edit.setDate(to_qdate(value or date.today()))
        self.unknown = QCheckBox(unknown_text)
        self.unknown.toggled.connect(lambda on: self.edit.setEnabled(not on))
        self.unknown.setVisible(optional)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addWidget(self.unknown)
        row.addStretch(1)
        self.setFocusProxy(self.edit)
        self.set_value(value)

    def value(self) -> date | None:
        return None if self.optional and self.unknown.isChecked() else from_qdate(self.edit.date())

    def set_value(self, value: date | None) -> None:
        self.unknown.setChecked(self.optional and value is None)
        if value is not None:
            self.edit.setDate(to_qdate(value))


class NumberEdit(QLineEdit):
    """A number typed as text; left empty it means "not known" (where that is allowed).

    Up/Down step along the scale when one is set (a convenience; typed text is never
    corrected). :meth:`read` refuses text that is not a number with a sentence naming
    the field, so the form can show it beside the box.
    """

    def __init__(self, value: float | int | None = None, *, field: str = "value", integer: bool = False,
                 optional: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.integer = integer
        self.optional = optional
        self.scale: tuple[float, float] | None = None
        self.unit = ""
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setPlaceholderText(NOT_KNOWN.lower() if optional else ("whole number" if integer else "number"))
        self.set_value(value)

    def set_value(self, value: float | int | None) -> None:
        self.setText(number_text(value))

    def set_scale(self, low: float, high: float, unit: str = "", name: str = "") -> None:
        """The scale values must lie on (shown as a hint; validation enforces it)."""
        self.scale, self.unit = (low, high), unit
        hint = f"{low:g} to {high:g} {unit}".rstrip()
        self.setPlaceholderText(hint)
        self.setToolTip(f"{name}: {hint}" if name else hint)

    def read(self) -> float | int | None:
        """The number typed; ValidationError (naming :attr:`field`) when it is not one."""
        text = self.text()
        if text.strip().casefold() in EMPTY_WORDS:
            if self.optional:
                return None
            raise ValidationError(self.field, "is required")
        try:
            return parse_number(text, self.integer)
        except ValueError:
            kind = "whole number" if self.integer else "number"
            raise ValidationError(self.field, f"“{text.strip()}” is not a valid {kind}") from None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._step(1 if event.key() == Qt.Key.Key_Up else -1)
            return
        super().keyPressEvent(event)

    def _step(self, direction: int) -> None:
        try:
            current = parse_number(self.text(), self.integer) if self.text().strip() else None
        except ValueError:
            return  # not a number: leave the text for the user (and validation) to see
        low, high = self.scale or (float("-inf"), float("inf"))
        span = high - low if self.scale else 100.0
        step = 1 if self.integer or span > 20 else 0.1
        start = current if current is not None else (low if self.scale else 0)
        new = min(high, max(low, round(start + direction * step, 6)))
        self.set_value(int(new) if self.integer else float(new))
