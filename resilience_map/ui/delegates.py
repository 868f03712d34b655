"""Cell editors for record tables: the right widget for each kind of field.

The model describes each editable cell with an :class:`EditSpec` (kind,
optional, enumeration, range, unit); this delegate turns it into a widget a
practitioner can use without knowing stored values: combos with labels for
enumerations, a spin box limited to an indicator's scale (with its unit), date
pickers, and a yes / no / unknown choice for optional flags. The editors only
make mistakes harder; the store validates every edit again, exactly as forms do.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractItemModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from resilience_map.ui.records_model import EditSpec, RecordTableModel

Index = QModelIndex | QPersistentModelIndex

#: The date an optional date editor shows as "—" (no date).
NO_DATE = QDate(1900, 1, 1)
#: QSpinBox value standing for "not known" in optional counts.
NO_COUNT = -1
_UNKNOWN = "unknown"


class RecordDelegate(QStyledItemDelegate):
    """Builds editors from the model's :meth:`RecordTableModel.edit_spec`."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:  # noqa: N802
        spec = self._spec(index)
        if spec is None or spec.kind == "text":
            return super().createEditor(parent, option, index)
        editor = _BUILDERS[spec.kind](parent, spec)
        editor.setFrame(False)  # sits inside the cell
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        spec = self._spec(index)
        if spec is None or spec.kind == "text":
            super().setEditorData(editor, index)
            return
        value = index.model().raw_value(index)  # type: ignore[attr-defined]
        if isinstance(editor, QComboBox):
            key = _UNKNOWN if value is None else getattr(value, "value", value)
            editor.setCurrentIndex(max(0, editor.findData(key)))
        elif isinstance(editor, QDateEdit):
            editor.setDate(NO_DATE if value is None else QDate(value.year, value.month, value.day))
        elif isinstance(editor, QSpinBox):
            editor.setValue(NO_COUNT if value is None else int(value))
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(value))
        if isinstance(editor, QAbstractSpinBox):
            editor.selectAll()

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:  # noqa: N802
        spec = self._spec(index)
        if spec is None or spec.kind == "text":
            super().setModelData(editor, model, index)
            return
        model.setData(index, _editor_value(editor, spec), Qt.ItemDataRole.EditRole)

    @staticmethod
    def _spec(index: Index) -> EditSpec | None:
        model = index.model()
        return model.edit_spec(index) if isinstance(model, RecordTableModel) else None


def _editor_value(editor: QWidget, spec: EditSpec) -> object:
    """The editor's content as a Python value the model's ``coerce`` accepts."""
    if isinstance(editor, QComboBox):
        data = editor.currentData()
        if data == _UNKNOWN:
            return None
        return data == "yes" if spec.kind == "bool" else data
    if isinstance(editor, QDateEdit):
        if spec.optional and editor.date() == NO_DATE:
            return None
        qd = editor.date()
        return date(qd.year(), qd.month(), qd.day())
    if isinstance(editor, QSpinBox):
        editor.interpretText()
        return None if spec.optional and editor.value() == NO_COUNT else editor.value()
    if isinstance(editor, QDoubleSpinBox):
        editor.interpretText()
        return editor.value()
    return None


def _enum_combo(parent: QWidget, spec: EditSpec) -> QComboBox:
    combo = QComboBox(parent)
    for member in spec.enum or ():
        combo.addItem(getattr(member, "label", str(member.value)), member.value)
    if spec.optional:
        combo.addItem("— (not set)", _UNKNOWN)
    return combo


def _bool_combo(parent: QWidget, spec: EditSpec) -> QComboBox:
    combo = QComboBox(parent)
    combo.addItem("yes", "yes")
    combo.addItem("no", "no")
    if spec.optional:
        combo.addItem("unknown", _UNKNOWN)
    return combo


def _date_edit(parent: QWidget, spec: EditSpec) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(NO_DATE)
    edit.setMaximumDate(QDate(2100, 12, 31))
    if spec.optional:
        edit.setSpecialValueText("—")  # the minimum date stands for "no date"
    return edit


def _count_spin(parent: QWidget, spec: EditSpec) -> QSpinBox:
    spin = QSpinBox(parent)
    spin.setRange(NO_COUNT if spec.optional else 0, 2_000_000_000)
    spin.setGroupSeparatorShown(True)
    if spec.optional:
        spin.setSpecialValueText("—")  # -1 stands for "not known"
    return spin


def _number_spin(parent: QWidget, spec: EditSpec) -> QDoubleSpinBox:
    """Limited to the indicator's scale when there is one, so an out-of-scale value cannot be typed."""
    spin = QDoubleSpinBox(parent)
    spin.setDecimals(3)
    spin.setRange(spec.minimum if spec.minimum is not None else -1e12,
                  spec.maximum if spec.maximum is not None else 1e12)
    spin.setSuffix(spec.suffix)
    spin.setKeyboardTracking(False)
    return spin


_BUILDERS = {"enum": _enum_combo, "bool": _bool_combo, "date": _date_edit,
             "int": _count_spin, "float": _number_spin}
