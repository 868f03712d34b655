"""Choosing municipalities by any of their names, in any script — one picker everywhere.

Practitioners type names the way they know them ("Çair", "Чаир", "Prishtinë",
"Приштина"). Every place that asks for a municipality (record forms, the Records
filter bar, the window's search) uses this module, so each finds the same units the
same way (:mod:`resilience_map.domain.names`) and reads the same: a caption with the
local name and the country, and a sentence when nothing matches.

Two presentations of one picker: ``inline`` (a filter box above a list, in forms) and
``popup`` (a box whose matches drop down under it, in bars).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from resilience_map.domain.names import fold, forms_match, search_forms
from resilience_map.domain.records import Municipality

UUID_ROLE = Qt.ItemDataRole.UserRole
#: Matches offered in a drop-down; enough to scroll, short enough to build per keystroke.
MAX_SUGGESTIONS = 30
PLACEHOLDER = "Type a name in any script: Čair, Çair, Чаир, Prishtinë…"


def unit_caption(unit: Municipality) -> str:
    """"Čair (Чаир) – North Macedonia": the name a practitioner knows plus the country."""
    local = f" ({unit.name_local})" if unit.name_local and unit.name_local != unit.name_latin else ""
    return f"{unit.name_latin}{local} – {unit.country.label}"


class UnitSearch:
    """Municipalities with their folded name forms computed once, matched per keystroke."""

    def __init__(self, units: Iterable[Municipality] = ()) -> None:
        self.set_units(units)

    def set_units(self, units: Iterable[Municipality]) -> None:
        ordered = sorted(units, key=lambda u: (fold(u.name_latin), u.country.value))
        self.units = {u.uuid: u for u in ordered}
        self._forms = {u.uuid: search_forms(u.all_names()) for u in ordered}

    def matches(self, text: str, country: str | None = None) -> list[Municipality]:
        """Units any of whose names contain the text; names that start with it first."""
        needle = fold(text)
        found = [u for u in self.units.values() if (not country or u.country.value == country)
                 and forms_match(needle, self._forms[u.uuid])]
        if needle:
            found.sort(key=lambda u: not any(f.startswith(needle) for f in self._forms[u.uuid]))
        return found

    def is_match(self, uuid: str, text: str) -> bool:
        return uuid in self._forms and forms_match(fold(text), self._forms[uuid])


class _PickerBase(QWidget):
    """A filter box, the list of matching units and a status line."""

    def __init__(self, units: Sequence[Municipality], popup: bool, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.popup_mode = popup
        self.search = UnitSearch(units)
        self.country: str | None = None
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(PLACEHOLDER)
        self.filter.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(not popup)
        self.suggester: QCompleter | None = None
        self._setting_text = False
        if popup:
            self._build_popup()
        else:
            self._build_inline()

    @property
    def units(self) -> dict[str, Municipality]:
        return self.search.units

    def _build_inline(self) -> None:
        self.list.setMinimumHeight(110)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        layout.addWidget(self.status)
        self._fill(self.units.values())
        self.filter.textChanged.connect(self.apply_filter)

    def _build_popup(self) -> None:
        self.suggester = QCompleter(self.list.model(), self)
        self.suggester.setWidget(self.filter)  # not setCompleter: matching is ours, in any script
        self.suggester.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.suggester.activated[QModelIndex].connect(  # type: ignore[index]
            lambda index: self.pick(index.data(UUID_ROLE)))
        self.status.setStyleSheet("color: #a40000;")
        self.status.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter, 1)
        layout.addWidget(self.status)
        self.filter.textChanged.connect(self._on_text_changed)

    def _on_text_changed(self, text: str) -> None:
        """Typed or pasted text filters; the name written in after a choice does not."""
        if not self._setting_text:
            self.apply_filter(text)

    def _fill(self, units: Iterable[Municipality]) -> None:
        for unit in units:
            item = QListWidgetItem(unit_caption(unit))
            item.setData(UUID_ROLE, unit.uuid)
            self.prepare_item(item)
            self.list.addItem(item)

    def prepare_item(self, item: QListWidgetItem) -> None:
        """Subclasses make the item checkable or not."""

    def set_municipalities(self, units: Sequence[Municipality]) -> None:
        """A new project (or renamed units): the choice is kept if the unit still exists."""
        self.search.set_units(units)
        self.list.blockSignals(True)
        self.list.clear()
        if not self.popup_mode:
            self._fill(self.units.values())
        self.list.blockSignals(False)
        self.restore_choice()

    def restore_choice(self) -> None:
        """Subclasses put their choice back after the list was rebuilt."""

    def items(self) -> list[QListWidgetItem]:
        return [self.list.item(row) for row in range(self.list.count())]

    def item_for(self, uuid: str | None) -> QListWidgetItem | None:
        return next((i for i in self.items() if i.data(UUID_ROLE) == uuid), None)

    def suggestions(self, text: str) -> list[Municipality]:
        return self.search.matches(text, self.country)[:MAX_SUGGESTIONS]

    def apply_filter(self, query: str) -> None:
        """Show the units matching the query (inline: hide the others; popup: drop down)."""
        if self.popup_mode:
            self._suggest(query)
            return
        for item in self.items():
            uuid = item.data(UUID_ROLE)
            item.setHidden(uuid is not None and not self.search.is_match(uuid, query))
        self._say_no_match(query, bool(self.visible_uuids()))

    def _suggest(self, query: str) -> None:
        assert self.suggester is not None
        self.list.clear()
        found = self.suggestions(query) if query.strip() else []
        self._fill(found)
        self._say_no_match(query, bool(found))
        if found:
            self.suggester.complete()
        else:
            self._hide_popup()

    def _hide_popup(self) -> None:
        popup = self.suggester.popup() if self.suggester is not None else None
        if popup is not None:
            popup.hide()

    def _say_no_match(self, query: str, any_found: bool) -> None:
        if query.strip() and not any_found:
            where = f" in {self._country_label()}" if self.country else ""
            self.show_status(f"No municipality{where} matches “{query.strip()}”.")
        else:
            self.update_status()

    def _country_label(self) -> str:
        unit = next((u for u in self.units.values() if u.country.value == self.country), None)
        return unit.country.label if unit else str(self.country)

    def show_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text) or not self.popup_mode)

    def update_status(self) -> None:
        """Subclasses say what is chosen."""
        self.show_status("")

    def visible_uuids(self) -> list[str]:
        """Units the filter currently shows, top to bottom."""
        return [i.data(UUID_ROLE) for i in self.items() if not i.isHidden() and i.data(UUID_ROLE)]

    def names_of(self, uuids: Iterable[str]) -> str:
        return ", ".join(self.units[u].name_latin for u in uuids if u in self.units)

    def pick(self, uuid: str | None) -> None:
        """A suggestion was taken (popup mode)."""


class MunicipalityPicker(_PickerBase):
    """Choose one municipality (optionally "none", e.g. an online activity's host).

    Typing a name that only one unit has chooses it; Return takes the first match.
    In popup mode, typing on after a choice keeps it while it still matches, so a
    search box does not make the rest of the window re-select on every keystroke.
    """

    chosen = Signal(object)  # uuid or None

    def __init__(self, units: Sequence[Municipality] = (), selected: str | None = None, *,
                 none_label: str | None = None, popup: bool = False, parent: QWidget | None = None) -> None:
        self.none_label = none_label
        self._chosen: str | None = None
        super().__init__(units, popup, parent)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        if not popup:
            self._add_none_item()
            self.list.currentItemChanged.connect(self._on_current)
        self.filter.returnPressed.connect(self._take_first)
        self.set_selected(selected)

    def _add_none_item(self) -> None:
        if self.none_label is not None:
            item = QListWidgetItem(self.none_label)
            item.setData(UUID_ROLE, None)
            self.list.insertItem(0, item)

    @property
    def uuid(self) -> str | None:
        return self._chosen

    def selected(self) -> str | None:
        return self._chosen

    def set_selected(self, uuid: str | None) -> None:
        """Choose ``uuid`` (None: nothing, or the "none" entry); emits :attr:`chosen` on change."""
        uuid = uuid if uuid in self.units else None
        if self.popup_mode:
            self._setting_text = True
            try:
                self.filter.setText(self.units[uuid].name_latin if uuid else "")
            finally:
                self._setting_text = False
            self._hide_popup()
            self._set_choice(uuid)
            return
        item = self.item_for(uuid) if (uuid is not None or self.none_label is not None) else None
        if item is None:
            self.list.setCurrentRow(-1)
            self._set_choice(None)
            return
        self.list.setCurrentItem(item)
        self.list.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtCenter)

    choose = set_selected

    def hold(self, uuid: str | None) -> None:
        """Take ``uuid`` as the current choice without announcing it (it was chosen elsewhere).

        A search box follows a choice made on the map this way, so that typing the
        next name is compared with what the window really shows.
        """
        self._chosen = uuid if uuid in self.units else None
        self.update_status()

    def set_country(self, country: str | None) -> None:
        """Offer only units of this country; drops a chosen unit of another country."""
        self.country = country
        unit = self.units.get(self._chosen or "")
        if unit is not None and country and unit.country.value != country:
            self.set_selected(None)

    def restore_choice(self) -> None:
        if self.popup_mode:
            if self._chosen not in self.units:
                self._set_choice(None)
            return
        self._add_none_item()
        self.set_selected(self._chosen)

    def _set_choice(self, uuid: str | None) -> None:
        changed = uuid != self._chosen
        self._chosen = uuid
        self.update_status()
        if changed:
            self.chosen.emit(uuid)

    def _on_current(self, *_: object) -> None:
        item = self.list.currentItem()
        self._set_choice(None if item is None else item.data(UUID_ROLE))

    def apply_filter(self, query: str) -> None:
        super().apply_filter(query)
        if self.popup_mode:
            self._follow_typing(query)
            return
        none_item = self.item_for(None) if self.none_label is not None else None
        if none_item is not None:
            none_item.setHidden(False)  # "none" stays reachable whatever is typed
        matches = self.visible_uuids()
        if query and self._chosen is None and len(matches) == 1:
            self.set_selected(matches[0])  # the only match: choose it, Enter is not needed

    def _follow_typing(self, query: str) -> None:
        """Popup mode: keep the choice while it matches; a single match becomes the choice."""
        matches = [u.uuid for u in self.suggestions(query)] if query.strip() else []
        if len(matches) == 1:
            self._set_choice(matches[0])
        elif self._chosen is not None and not (query.strip() and self.search.is_match(self._chosen, query)):
            self._set_choice(None)

    def pick(self, uuid: str | None) -> None:
        self.set_selected(uuid)

    def _take_first(self) -> None:
        first = self.visible_uuids() if not self.popup_mode else \
            [u.uuid for u in self.suggestions(self.filter.text())]
        if first and (self.popup_mode or self._chosen is None):
            self.set_selected(first[0])

    def update_status(self) -> None:
        if self.popup_mode:
            self.show_status("")
        elif self._chosen is None:
            self.show_status(self.none_label or "None chosen yet")
        else:
            self.show_status(f"Chosen: {unit_caption(self.units[self._chosen])}")

    def showEvent(self, event: QShowEvent) -> None:
        """Scroll the chosen unit into view once the list has its real size."""
        super().showEvent(event)
        if self.list.currentItem() is not None:
            self.list.scrollToItem(self.list.currentItem(), QAbstractItemView.ScrollHint.PositionAtCenter)


class MunicipalityMultiPicker(_PickerBase):
    """Tick any number of municipalities; the count and names show under the list."""

    selection_changed = Signal(list)

    def __init__(self, units: Sequence[Municipality], selected: Iterable[str] = (),
                 parent: QWidget | None = None) -> None:
        self._order: list[str] = []
        super().__init__(units, False, parent)
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
        self.update_status()

    def restore_choice(self) -> None:
        self.set_selected(self._order)

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
        self.update_status()
        self.selection_changed.emit(self.selected())

    def update_status(self) -> None:
        count = len(self._order)
        text = f"{count} selected"
        self.show_status(f"{text}: {self.names_of(self._order)}" if count else text)
