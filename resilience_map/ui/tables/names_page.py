"""Step 3 (only when needed): names no municipality — or several — fit; never guessed.

Each name is listed with its rows and the candidates the matcher found; the user picks
one (or any other municipality, with the shared picker that understands every script)
or skips the name's rows. The choices go into the mapping (``units``), so a saved
profile remembers them for the next wave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from resilience_map.ui.tables.page import WizardPage
from resilience_map.ui.widgets.picker import MunicipalityPicker, unit_caption

if TYPE_CHECKING:
    from resilience_map.io.tables import UnresolvedName
    from resilience_map.ui.tables.wizard import ImportTableWizard

KEY_ROLE = Qt.ItemDataRole.UserRole


def name_key(name: UnresolvedName) -> str:
    """How the mapping records a decision: the name as written (or the code)."""
    return name.name or name.code


class NamesPage(WizardPage):
    title = "Municipalities"

    def __init__(self, wizard: ImportTableWizard) -> None:
        super().__init__()
        self.wizard = wizard
        self.names: list[UnresolvedName] = []
        units = wizard.session.indexes.municipalities.all()
        self.by_registry_id = {u.registry_id: u for u in units}
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.list = QListWidget()
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.candidates_label = QLabel("Candidates:")
        self.candidates = QListWidget()
        self.candidates.setMaximumHeight(90)
        self.picker = MunicipalityPicker(units)
        self.assign_button = QPushButton("Assign to the chosen municipality")
        self.skip_button = QPushButton("Skip this name's rows")
        self.skip_rest_button = QPushButton("Skip every name not decided")
        self._build()
        self.list.currentRowChanged.connect(self._show_current)
        self.candidates.currentItemChanged.connect(self._on_candidate)
        self.assign_button.clicked.connect(self.assign_chosen)
        self.skip_button.clicked.connect(self.skip_current)
        self.skip_rest_button.clicked.connect(self.skip_rest)

    def _build(self) -> None:
        right = QVBoxLayout()
        right.addWidget(self.detail)
        right.addWidget(self.candidates_label)
        right.addWidget(self.candidates)
        right.addWidget(QLabel("Or any municipality:"))
        right.addWidget(self.picker, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.assign_button)
        buttons.addWidget(self.skip_button)
        right.addLayout(buttons)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addWidget(self.skip_rest_button)
        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        columns.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(columns, 1)
        layout.addWidget(self.message)

    # --- showing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        plan = self.wizard.plan
        decided = self.wizard.mapping.units if self.wizard.mapping else {}
        # the last check's names, in its order; names decided before it stay, so they can be changed
        found = list(plan.unresolved) if plan is not None else []
        keys = {name_key(n) for n in found}
        earlier = [n for n in self.names if name_key(n) in decided and name_key(n) not in keys]
        self.names = [*found, *earlier]
        self.intro.setText(f"{len(self.names)} municipality name(s) in the table fit no municipality "
                           "of the project, or several. They are never guessed: choose the "
                           "municipality for each, or skip its rows.")
        current = max(self.list.currentRow(), 0)
        self.list.blockSignals(True)
        self.list.clear()
        for name in self.names:
            item = QListWidgetItem(self._caption(name, decided))
            item.setData(KEY_ROLE, name_key(name))
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.list.setCurrentRow(min(current, len(self.names) - 1))
        self._show_current()
        self.message.setText("")

    def _caption(self, name: UnresolvedName, decided: dict[str, str | None]) -> str:
        key = name_key(name)
        rows = f"{len(name.rows)} row{'s' if len(name.rows) != 1 else ''}"
        if key not in decided:
            return f"{key} ({rows}) — to decide"
        unit = self.by_registry_id.get(decided[key] or "")
        return f"{key} ({rows}) → {unit.name_latin if unit else 'skipped'}"

    def _show_current(self, *_: object) -> None:
        name = self.current()
        self.candidates.clear()
        if name is None:
            self.detail.setText("")
            return
        self.detail.setText(name.describe())
        for registry_id in name.candidates:
            unit = self.by_registry_id.get(registry_id)
            if unit is not None:
                item = QListWidgetItem(unit_caption(unit))
                item.setData(KEY_ROLE, unit.uuid)
                self.candidates.addItem(item)
        found = self.candidates.count()
        self.candidates.setVisible(bool(found))
        self.candidates_label.setText("Candidates (click one, then Assign):" if found else
                                      "Candidates: none — no municipality has a name like it.")
        self.picker.set_country(name.country or None)
        chosen = self.wizard.mapping.units.get(name_key(name)) if self.wizard.mapping else None
        unit = self.by_registry_id.get(chosen or "")
        self.picker.set_selected(unit.uuid if unit else None)

    def current(self) -> UnresolvedName | None:
        row = self.list.currentRow()
        return self.names[row] if 0 <= row < len(self.names) else None

    # --- deciding -----------------------------------------------------------------------------
    def _on_candidate(self, item: QListWidgetItem | None, *_: object) -> None:
        if item is not None:
            self.picker.set_selected(item.data(KEY_ROLE))

    def show_name(self, key: str) -> None:
        """Select a name in the list, as the user would click it."""
        self.list.setCurrentRow(next(i for i, n in enumerate(self.names) if name_key(n) == key))

    def assign_chosen(self) -> None:
        name, uuid = self.current(), self.picker.selected()
        if name is None:
            return
        if uuid is None:
            self.message.setText("Choose a municipality first (a candidate, or type its name "
                                 "in any script above the list).")
            return
        self._decide(name, self.picker.units[uuid].registry_id)

    def skip_current(self) -> None:
        name = self.current()
        if name is not None:
            self._decide(name, None)

    def skip_rest(self) -> None:
        decided = self.wizard.mapping.units if self.wizard.mapping else {}
        for name in self.names:
            if name_key(name) not in decided:
                self.wizard.decide(name_key(name), None)
        self.refresh()

    def _decide(self, name: UnresolvedName, registry_id: str | None) -> None:
        self.wizard.decide(name_key(name), registry_id)
        decided = self.wizard.mapping.units if self.wizard.mapping else {}
        following = [i for i, n in enumerate(self.names) if name_key(n) not in decided]
        self.refresh()
        if following:
            self.list.setCurrentRow(following[0])

    def undecided(self) -> list[str]:
        decided = self.wizard.mapping.units if self.wizard.mapping else {}
        return [name_key(n) for n in self.names if name_key(n) not in decided]

    def reset(self) -> None:
        """A new file or mapping: the names of the last plan are no longer the question."""
        self.names = []
