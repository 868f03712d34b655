"""Cell editors for record tables: the shared "not known" editors, one per kind of field.

The model describes each editable cell with an :class:`EditSpec`; this delegate builds
the same editor a form would show (labels for enumerations, yes / no / not known, a
date with "not known", a plain number field showing the indicator's scale). Editors
hand back exactly what was entered; the model converts and validates it and refuses,
with a message, anything the record cannot hold.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from resilience_map.ui.records.columns import EditSpec
from resilience_map.ui.widgets.not_known import DateField, EnumChoice, NumberEdit, YesNoUnknown

Index = QModelIndex | QPersistentModelIndex


class RecordDelegate(QStyledItemDelegate):
    """Builds editors from the model's ``edit_spec``; text cells keep Qt's line edit."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        spec = _spec(index)
        if spec is None or spec.kind == "text":
            return super().createEditor(parent, option, index)
        editor = _build(parent, spec)
        editor.setAutoFillBackground(True)  # sits over the cell's text
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        spec = _spec(index)
        if spec is None or spec.kind == "text":
            super().setEditorData(editor, index)
            return
        value = index.model().raw_value(index)  # type: ignore[attr-defined]
        if isinstance(editor, NumberEdit):
            editor.set_value(value)
            editor.selectAll()
        elif isinstance(editor, (DateField, EnumChoice, YesNoUnknown)):
            editor.set_value(value)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        spec = _spec(index)
        if spec is None or spec.kind == "text":
            super().setModelData(editor, model, index)
            return
        value = editor.text() if isinstance(editor, NumberEdit) else editor.value()  # type: ignore[attr-defined]
        model.setData(index, value, Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem,
                             index: Index) -> None:
        """At least as wide as the editor needs (a date with its "not known" box)."""
        rect = QRect(option.rect)  # type: ignore[attr-defined]
        rect.setWidth(max(rect.width(), editor.sizeHint().width()))
        rect.setHeight(max(rect.height(), editor.sizeHint().height()))
        editor.setGeometry(rect)


def _spec(index: Index) -> EditSpec | None:
    model = index.model()
    getter = getattr(model, "edit_spec", None)
    return getter(index) if getter is not None else None


def _build(parent: QWidget, spec: EditSpec) -> QWidget:
    if spec.kind == "enum":
        assert spec.enum is not None
        return EnumChoice(spec.enum, optional=spec.optional, parent=parent)
    if spec.kind == "bool":
        return YesNoUnknown(optional=spec.optional, parent=parent)
    if spec.kind == "date":
        return DateField(optional=spec.optional, parent=parent)
    number = NumberEdit(integer=spec.kind == "int", optional=spec.optional, parent=parent)
    if spec.minimum is not None and spec.maximum is not None:
        number.set_scale(spec.minimum, spec.maximum, spec.unit, spec.scale_name)
    return number
