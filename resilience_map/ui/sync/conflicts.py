"""The Conflicts dock: values two copies changed differently, waiting for someone to decide.

Every copy settled each conflict the same way for now (the later change wins) and kept the
other value. Here each open conflict shows the record, the field, this copy's value and
the other copy's, who changed each and when, and which one the project shows for now.
"Keep mine", "Take theirs" and "Another value…" each decide it as one undoable step; the
decision is itself a change that syncs, so it settles the conflict on every copy.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from resilience_map.domain.kinds import kind_by_table
from resilience_map.domain.validation import ValidationError
from resilience_map.session import ProjectClosed
from resilience_map.session.synchronise import Synchronisation, SyncStatusChanged
from resilience_map.sync.review import NOT_A_FIELD, OpenConflict
from resilience_map.ui.errors import field_sentence, sentence
from resilience_map.ui.events import follow
from resilience_map.ui.history.describe import type_label
from resilience_map.ui.history.model import DescribedChangesModel
from resilience_map.ui.records.columns import coerce, edit_spec
from resilience_map.ui.sync.pending import REFUSALS
from resilience_map.ui.sync.value_dialog import AnotherValueDialog
from resilience_map.ui.sync.words import ConflictWords, field_label, who_when
from resilience_map.ui.widgets.table_view import rows_table, table_page
from resilience_map.ui.widgets.values import field_types

HEADERS = ["Record", "Field", "Mine", "Mine: who, when", "Theirs", "Theirs: who, when", "Shown"]
MINE, THEIRS = 2, 4
RULE = ("Until someone decides, every copy shows the same value — as a rule the later change (in bold); "
        "the other value is kept here.")


@dataclass(frozen=True)
class Sides:
    """A conflict as this copy sees it: its own value against the other copy's."""

    mine: object
    mine_by: str
    theirs: object
    theirs_by: str
    mine_shown: bool


def sides(conflict: OpenConflict, me: str) -> Sides:
    """"Mine" is the value this copy wrote; when neither side is this copy's (two other copies
    disagreed), it is the value this copy shows."""
    kept = (conflict.kept_value, who_when(conflict.kept_author, conflict.kept_changed_at))
    other = (conflict.other_value, who_when(conflict.other_author, conflict.other_changed_at))
    kept_origin, other_origin = conflict.origins()
    if other_origin == me and kept_origin != me:
        return Sides(*other, *kept, mine_shown=False)
    return Sides(*kept, *other, mine_shown=True)


class ConflictsModel(DescribedChangesModel[OpenConflict, list[str]]):
    """Open conflicts, oldest first."""

    headers = HEADERS

    def __init__(self, sync: Synchronisation, parent: QObject | None = None) -> None:
        super().__init__(sync.session, parent)
        self.sync = sync
        self.sides: list[Sides] = []
        self._words = ConflictWords(sync.session, self.describer)

    def reload(self) -> None:
        store = self.sync.session.store
        self.set_rows(self.sync.conflicts() if store is not None and not store.read_only else [])

    def rows_replaced(self) -> None:
        super().rows_replaced()
        me = self.sync.replica_id if self.session.store is not None else ""
        self.sides = [sides(c, me) for c in self.rows]
        self._words = ConflictWords(self.session, self.describer)

    def cell(self, row: int, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.texts(row)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return f"{type_label(self.rows[row].table)}: {self.texts(row)[0]}"
            return RULE if column == 6 else self.texts(row)[column]
        if role == Qt.ItemDataRole.FontRole and column in (MINE, THEIRS):
            shown = self.sides[row].mine_shown == (column == MINE)
            font = QFont()
            font.setBold(shown)
            return font
        return None

    def describe(self, row: int) -> list[str]:
        c, s, words = self.rows[row], self.sides[row], self._words
        record = words.describer.title(c.table, c.record_uuid)
        return [record, field_label(c.field), words.value(c, s.mine), s.mine_by,
                words.value(c, s.theirs), s.theirs_by, "mine" if s.mine_shown else "theirs"]

    def value_text(self, row: int, mine: bool) -> str:
        return self.texts(row)[MINE if mine else THEIRS]


class ConflictsView(QWidget):
    """The conflicts and the three ways to decide the selected one."""

    def __init__(self, sync: Synchronisation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictsView")
        self.sync = sync
        self.value_dialog: AnotherValueDialog | None = None
        self.title_label = QLabel(self)
        self.title_label.setWordWrap(True)
        self.model = ConflictsModel(sync, self)
        self.table = rows_table(self.model, self, (215, 55, 100, 195, 100, 195), single=True)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.selectionModel().selectionChanged.connect(self._show_place)
        self.mine_button = QPushButton("Keep mine", self)
        self.theirs_button = QPushButton("Take theirs", self)
        self.other_button = QPushButton("Another value…", self)
        self.mine_button.clicked.connect(lambda: self.decide_selected(mine=True))
        self.theirs_button.clicked.connect(lambda: self.decide_selected(mine=False))
        self.other_button.clicked.connect(self.another_value_dialog)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        table_page(self, self.title_label, self.table, self.message_label,
                   [self.mine_button, self.theirs_button, self.other_button])
        follow(self, sync.session, {SyncStatusChanged: lambda _e: self.reload(),
                                    ProjectClosed: lambda _e: self.reload()})
        self.reload()

    def reload(self) -> None:
        """Read the open conflicts again (a handful, usually; one count query already said how many)."""
        self.model.reload()
        for column in (3, 5):  # who and when, whole
            self.table.resizeColumnToContents(column)
        count = self.model.rowCount()
        if self.sync.session.store is None:
            self.title_label.setText("No project open")
        elif not count:
            self.title_label.setText("No open conflicts.")
        else:
            what = "1 open conflict" if count == 1 else f"{count:,} open conflicts"
            self.title_label.setText(f"{what}. {RULE} A decision syncs like any edit; Edit → Undo takes "
                                     "it back.")
        self._update_buttons()

    # --- deciding ------------------------------------------------------------------------------
    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def decide_selected(self, mine: bool) -> bool:
        row = self.selected_row()
        if row is None:
            return False
        s = self.model.sides[row]
        return self.decide(self.model.rows[row], s.mine if mine else s.theirs,
                           self.model.value_text(row, mine)) is None

    def decide(self, conflict: OpenConflict, value: object, shown: str) -> str | None:
        """Decide as one step; None when done, else the sentence saying why not."""
        try:
            self.sync.decide(conflict, value)
        except ValidationError as exc:
            return self._refused(field_sentence(exc, field_label(conflict.field)))
        except REFUSALS as exc:
            return self._refused(sentence(exc))
        self._say(f"Decided: {field_label(conflict.field)} is {shown} now. Edit → Undo takes it back.")
        return None

    def another_value_dialog(self) -> AnotherValueDialog | None:
        row = self.selected_row()
        if row is None or not self._typeable(self.model.rows[row]):
            return None
        conflict = self.model.rows[row]
        kind = kind_by_table(conflict.table)
        assert kind is not None
        spec = edit_spec(kind.record_type, conflict.field)

        def decide(text: str) -> str | None:
            try:
                value = coerce(text, spec, conflict.field)
            except ValidationError as exc:
                return field_sentence(exc, field_label(conflict.field))
            return self.decide(conflict, value, text.strip() or "empty")

        choices = [getattr(m, "label", str(m.value)) for m in spec.enum] if spec.enum else []
        hint = f"One of: {', '.join(choices)}." if choices else f"A {spec.kind_label()}."
        self.value_dialog = AnotherValueDialog(self.model.texts(row)[0], field_label(conflict.field), hint,
                                               self.model.value_text(row, mine=True), decide, self)
        self.value_dialog.open()
        return self.value_dialog

    @staticmethod
    def _typeable(conflict: OpenConflict) -> bool:
        """A plain field that can be typed (not the whole record, a boundary, a reference or a list)."""
        kind = kind_by_table(conflict.table)
        if kind is None or conflict.field in NOT_A_FIELD or conflict.field.endswith("_uuid"):
            return False
        if conflict.field not in kind.record_type.content_fields():
            return False
        annotation = field_types(kind.record_type)[conflict.field]
        return not any(a in (tuple, dict) or typing.get_origin(a) in (tuple, dict)
                       for a in (annotation, *typing.get_args(annotation)))

    def _show_place(self, *_args: object) -> None:
        """Select the municipality the conflict's record belongs to (map, profile, tables)."""
        row, store = self.selected_row(), self.sync.session.store
        kind = kind_by_table(self.model.rows[row].table) if row is not None else None
        if row is None or kind is None or store is None:
            return
        record = store.find(kind.record_type, self.model.rows[row].record_uuid)
        owner = kind.owner(record) if record is not None else None
        if owner:
            self.sync.session.select(owner, source="conflicts")

    def _update_buttons(self, *_args: object) -> None:
        row = self.selected_row()
        for button in (self.mine_button, self.theirs_button):
            button.setEnabled(row is not None)
        self.other_button.setEnabled(row is not None and self._typeable(self.model.rows[row]))

    def _refused(self, text: str) -> str:
        self._say(f"Not decided: {text}", error=True)
        return text

    def _say(self, text: str, error: bool = False) -> None:
        self.message_label.setStyleSheet("color: #a40000; font-weight: bold" if error else "")
        self.message_label.setText(text)
