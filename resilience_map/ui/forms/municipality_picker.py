"""Choosing municipalities by any of their names, in any script.

Practitioners type names the way they know them ("Çair", "Чаир", "Prishtinë",
"Приштина"); the filter compares folded forms through
:func:`names.search_matches`, so every spelling finds the same unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from resilience_map.domain.names import fold, search_matches
from resilience_map.domain.records import Municipality
UUID_ROLE = Qt.ItemDataRole.UserRole
NAMES_ROLE = Qt.ItemDataRole.UserRole + 1


def unit_caption(unit: Municipality) -> str:
    """"Čair (Чаир) – North Macedonia": the name a practitioner knows plus the country."""
    local = f" ({unit.name_local})" if unit.name_local and unit.name_local != unit.name_latin else ""
    return f"{unit.name_latin}{local} – {unit.country.label}"


class _PickerBase(QWidget):
    """A filter box above a list of municipalities, sorted by their Latin name."""

    def __init__(self, units: Sequence[Municipality], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.units = {u.uuid: u for u in units}
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Type a name in any script: Čair, Çair, Чаир, Prishtinë…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.apply_filter)
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        self.list.setMinimumHeight(110)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        layout.addWidget(self.status)
        self._fill(sorted(units, key=lambda u: (fold(u.name_latin), u.country.value)))

    def _fill(self, units: Iterable[Municipality]) -> None:
        for unit in units:
            item = QListWidgetItem(unit_caption(unit))
            item.setData(UUID_ROLE, unit.uuid)
            item.setData(NAMES_ROLE, unit.all_names())
            self.prepare_item(item)
            self.list.addItem(item)

    def prepare_item(self, item: QListWidgetItem) -> None:
        """Subclasses make the item checkable or not."""

    def items(self) -> list[QListWidgetItem]:
        return [self.list.item(row) for row in range(self.list.count())]

    def item_for(self, uuid: str) -> QListWidgetItem | None:
        return next((i for i in self.items() if i.data(UUID_ROLE) == uuid), None)

    def apply_filter(self, query: str) -> None:
        """Hide units none of whose names contain the (folded) query."""
        for item in self.items():
            item.setHidden(not search_matches(query, item.data(NAMES_ROLE)))

    def visible_uuids(self) -> list[str]:
        """Units the filter currently shows, top to bottom."""
        return [i.data(UUID_ROLE) for i in self.items() if not i.isHidden()]

    def names_of(self, uuids: Iterable[str]) -> str:
        return ", ".join(self.units[u].name_latin for u in uuids if u in self.units)


class MunicipalityMultiPicker(_PickerBase):
    """Tick any number of municipalities; the count and names show under the list."""

    selection_changed = Signal(list)

    def __init__(self, units: Sequence[Municipality], selected: Iterable[str] = (),
                 parent: QWidget | None = None) -> None:
        self._order: list[str] = []
        super().__init__(units, parent)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.itemActivated.connect(self._toggle)
        self.set_selected(selected)
        self._ticked_first()

    def _ticked_first(self) -> None:
        """On opening, the municipalities already taking part are at the top of the list."""
        ticked = [i for i in self.items() if i.checkState() == Qt.CheckState.Checked]
        self.list.blockSignals(True)
        for position, item in enumerate(ticked):
            self.list.insertItem(position, self.list.takeItem(self.list.row(item)))
        self.list.blockSignals(False)

    def prepare_item(self, item: QListWidgetItem) -> None:
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)

    def selected(self) -> list[str]:
        """Ticked units, in the order they were ticked (the order participants are listed)."""
        return list(self._order)

    def set_selected(self, uuids: Iterable[str]) -> None:
        wanted = [u for u in dict.fromkeys(uuids) if u in self.units]
        self.list.blockSignals(True)
        for item in self.items():
            item.setCheckState(Qt.CheckState.Checked if item.data(UUID_ROLE) in wanted
                               else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self._order = wanted
        self._update_status()

    def set_checked(self, uuid: str, checked: bool = True) -> None:
        item = self.item_for(uuid)
        if item is not None:
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _toggle(self, item: QListWidgetItem) -> None:
        """Enter or double-click ticks, so the keyboard alone is enough."""
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        uuid = item.data(UUID_ROLE)
        checked = item.checkState() == Qt.CheckState.Checked
        if checked and uuid not in self._order:
            self._order.append(uuid)
        elif not checked and uuid in self._order:
            self._order.remove(uuid)
        else:
            return
        self._update_status()
        self.selection_changed.emit(self.selected())

    def _update_status(self) -> None:
        count = len(self._order)
        text = f"{count} selected"
        self.status.setText(f"{text}: {self.names_of(self._order)}" if count else text)


class MunicipalityPicker(_PickerBase):
    """Choose one municipality (optionally "none", e.g. an online activity's host)."""

    chosen = Signal(object)  # uuid or None

    def __init__(self, units: Sequence[Municipality], selected: str | None = None,
                 none_label: str | None = None, parent: QWidget | None = None) -> None:
        self.none_label = none_label
        super().__init__(units, parent)
        if none_label is not None:
            item = QListWidgetItem(none_label)
            item.setData(UUID_ROLE, None)
            item.setData(NAMES_ROLE, ())
            self.list.insertItem(0, item)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.currentItemChanged.connect(self._on_current)
        self.set_selected(selected)

    def apply_filter(self, query: str) -> None:
        super().apply_filter(query)
        none_item = self.item_for(None) if self.none_label is not None else None
        if none_item is not None:
            none_item.setHidden(False)  # "none" stays reachable whatever is typed
        matches = [u for u in self.visible_uuids() if u is not None]
        if query and self.selected() is None and len(matches) == 1:
            self.set_selected(matches[0])  # the only match: choose it, Enter is not needed

    def selected(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(UUID_ROLE)

    def set_selected(self, uuid: str | None) -> None:
        item = self.item_for(uuid) if (uuid is not None or self.none_label is not None) else None
        if item is None:
            self.list.setCurrentRow(-1)
            self._update_status()
            return
        self.list.setCurrentItem(item)
        self.list.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtCenter)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Scroll the chosen unit into view once the list has its real size."""
        super().showEvent(event)
        if self.list.currentItem() is not None:
            self.list.scrollToItem(self.list.currentItem(), QAbstractItemView.ScrollHint.PositionAtCenter)

    def _on_current(self, *_: object) -> None:
        self._update_status()
        self.chosen.emit(self.selected())

    def _update_status(self) -> None:
        uuid = self.selected()
        if uuid is None:
            self.status.setText(self.none_label or "None chosen yet")
        else:
            self.status.setText(f"Chosen: {unit_caption(self.units[uuid])}")
