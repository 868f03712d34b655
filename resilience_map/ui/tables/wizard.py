"""File → Import table…: a stepped dialog over the Qt-free table import.

Table → Columns → (Municipalities, when a name needs the user) → Preview → Import.
Each step re-runs only what the user's change affects (another encoding re-reads;
another header row re-lays out; another mapping re-plans), always off the GUI thread
(:class:`~resilience_map.ui.widgets.background.BackgroundRunner`: progress and Cancel,
the window stays responsive). Nothing is written until Import, which applies the plan
on the GUI thread as ONE session step — one transaction, one Edit → Undo.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from resilience_map.io.tables import (
    ColumnMapping,
    SourceTable,
    TableError,
    TableImportPlan,
    TableLayout,
    suggest_mapping,
)
from resilience_map.io.tables.indicators import missing_indicators
from resilience_map.session import ProjectSession
from resilience_map.ui.errors import USER_ERRORS, sentence
from resilience_map.ui.tables.file_page import FilePage
from resilience_map.ui.tables.mapping_page import MappingPage
from resilience_map.ui.tables.names_page import NamesPage
from resilience_map.ui.tables.page import WizardPage
from resilience_map.ui.tables.preview_page import PreviewPage
from resilience_map.ui.tables.work import PlanResult, ReadResult, lay_out, plan_table, read_file
from resilience_map.ui.widgets.background import BackgroundRunner, BusyBar

#: Fits a 1366×768 laptop screen with the taskbar and the title bar.
DIALOG_SIZE = (1120, 660)


class ImportTableWizard(QDialog):
    """The import of one table; its state is the user's choices and what followed from them."""

    #: the import was applied: the sentence for the status bar
    imported = Signal(str)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importTableWizard")
        self.setWindowTitle("Import a table")
        self.session = session
        self.project = session.require_store().path
        self.indicators = session.indexes.indicators.all()
        self.runner = BackgroundRunner(self)
        self.path: Path | None = None
        self.encoding: str | None = None
        self.guessed_encoding: str | None = None
        self.sheet: str | None = None
        self.header_row: int | None = None
        self.source: SourceTable | None = None
        self.table: TableLayout | None = None
        self.mapping: ColumnMapping | None = None
        self.plan: TableImportPlan | None = None
        self.planned_for: ColumnMapping | None = None
        self.read_problem = ""
        self.mapping_problem = ""
        self._missing: tuple[object, list[str]] | None = None
        self.file_page, self.mapping_page = FilePage(self), MappingPage(self)
        self.names_page, self.preview_page = NamesPage(self), PreviewPage(self)
        self.pages: list[WizardPage] = [self.file_page, self.mapping_page, self.names_page,
                                        self.preview_page]
        self._build()
        self.runner.busy_changed.connect(lambda _busy: self.update_buttons())
        self.go(self.file_page)
        self.resize(*DIALOG_SIZE)

    def _build(self) -> None:
        self.steps = QLabel()
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.stack = QStackedWidget()
        for page in self.pages:
            self.stack.addWidget(page)
        self.busy = BusyBar(self.runner)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.back_button = QPushButton("< Back")
        self.next_button = QPushButton("Next >")
        self.import_button = QPushButton("Import")
        self.close_button = QPushButton("Close")
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.import_button.clicked.connect(self.apply)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        for button in (self.back_button, self.next_button, self.import_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.steps)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.busy)
        layout.addLayout(buttons)

    # --- navigation ---------------------------------------------------------------------------
    @property
    def page(self) -> WizardPage:
        return self.pages[self.stack.currentIndex()]

    def go(self, page: WizardPage) -> None:
        page.refresh()
        self.stack.setCurrentWidget(page)
        shown = [p for p in self.pages if p is not self.names_page or self._names_step()]
        self.steps.setText(" › ".join(f"<b>{i}. {p.title}</b>" if p is page else f"{i}. {p.title}"
                                      for i, p in enumerate(shown, 1)))
        self.update_buttons()

    def _names_step(self) -> bool:
        return bool(self.names_page.names) or bool(self.plan is not None and self.plan.unresolved)

    def go_next(self) -> None:
        if self.runner.busy:
            return
        if self.page is self.file_page and self.table is not None:
            self.go(self.mapping_page)
        elif self.page is self.mapping_page:
            problem = self.mapping_page.new_indicator_problem()
            if problem:
                self.mapping_page.message.setText(problem)
                return
            self.check_rows(self._after_columns)
        elif self.page is self.names_page:
            undecided = self.names_page.undecided()
            if undecided:
                self.names_page.message.setText(f"Decide for “{undecided[0]}” first (assign it or "
                                                "skip its rows).")
                return
            self.check_rows(lambda: self.go(self.preview_page))

    def _after_columns(self) -> None:
        self.go(self.names_page if self.plan is not None and self.plan.unresolved else self.preview_page)

    def go_back(self) -> None:
        self.runner.cancel()
        index = self.pages.index(self.page)
        if index == 0:
            return
        previous = self.pages[index - 1]
        if previous is self.names_page and not self._names_step():
            previous = self.mapping_page
        self.go(previous)

    def update_buttons(self) -> None:
        busy, page = self.runner.busy, self.page
        self.back_button.setEnabled(not busy and page is not self.file_page)
        ready = (page is self.file_page and self.table is not None) or \
            (page is self.mapping_page and self.mapping is not None) or page is self.names_page
        self.next_button.setVisible(page is not self.preview_page)
        self.next_button.setEnabled(not busy and ready)
        self.import_button.setVisible(page is self.preview_page)
        problem = self.preview_page.problem() if page is self.preview_page else ""
        self.import_button.setEnabled(not busy and page is self.preview_page and not problem)
        if page is self.preview_page:
            self.preview_page.message.setText(problem)

    def say(self, text: str) -> None:
        """A note beside the buttons (a saved profile or report)."""
        self.note.setText(text)

    # --- step 1: reading --------------------------------------------------------------------------
    def choose_file(self, path: Path) -> None:
        self.path = Path(path)
        self.encoding = self.sheet = self.header_row = self.guessed_encoding = None
        self.mapping = self.plan = self.planned_for = None
        self.names_page.reset()
        self.read()

    def set_encoding(self, codec: str) -> None:
        self.encoding = codec
        self.read()

    def set_sheet(self, sheet: str) -> None:
        if self.source is None or sheet != self.source.sheet:
            self.sheet, self.header_row = sheet, None
            self.read()

    def set_header_row(self, row: int) -> None:
        if self.source is None or (self.table is not None and row == self.table.header_row):
            return
        self.header_row = row
        self.runner.run(f"Finding the columns below row {row}…",
                        partial(lay_out, self.source, row), self._on_read, self._on_failure)

    def read(self) -> None:
        if self.path is None:
            return
        self.table = None
        self.update_buttons()
        self.runner.run(f"Reading {self.path.name}…",
                        partial(read_file, self.path, self.encoding, self.sheet, self.header_row),
                        self._on_read, self._on_failure)

    def _on_read(self, result: ReadResult) -> None:
        self.source, self.table, self.read_problem = result.source, result.layout, result.problem
        self.plan = self.planned_for = None  # other cells (encoding, header row): check again
        self._missing = None
        self.guessed_encoding = result.guess if result.source is None else None
        if self.table is not None and not _fits(self.mapping, self.table.headers):
            self.suggest(None, refresh=False)
        if self.page is not self.file_page:
            self.go(self.file_page)
        else:
            self.file_page.refresh()
        self.update_buttons()

    def _on_failure(self, error: BaseException) -> None:
        """A failure the work did not expect: the disk, the project file — said in one sentence."""
        if not isinstance(error, USER_ERRORS):
            raise error
        self.page.message.setText(sentence(error))
        self.update_buttons()

    # --- step 2: the mapping -----------------------------------------------------------------------
    def suggest(self, target: str | None, refresh: bool = True) -> None:
        assert self.table is not None
        self.set_mapping(suggest_mapping(self.table.headers, self.indicators, target), refresh)

    def set_mapping(self, mapping: ColumnMapping, refresh: bool = True) -> None:
        self.mapping = mapping
        self.mapping_problem = ""
        if refresh and self.page is self.mapping_page:
            self.mapping_page.refresh()
        self.update_buttons()

    def load_profile(self, path: Path) -> None:
        assert self.table is not None
        try:
            mapping = ColumnMapping.load(path).checked_against(self.table.headers)
        except TableError as exc:
            self.mapping_page.refresh()
            self.mapping_page.message.setText(sentence(exc))
            return
        self.names_page.reset()
        self.set_mapping(mapping)
        self.say(f"Mapping profile “{mapping.name or path.stem}” loaded.")

    def missing_indicators(self) -> list[str]:
        """Codes the table names that the project lacks (cached per indicator column)."""
        assert self.table is not None and self.mapping is not None
        key = (id(self.table), self.mapping.column_of("indicator"),
               tuple(self.mapping.indicator_columns().values()))
        if self._missing is None or self._missing[0] != key:
            self._missing = (key, missing_indicators(self.table, self.mapping, self.indicators))
        return self._missing[1]

    # --- step 3: names ---------------------------------------------------------------------------
    def decide(self, name: str, registry_id: str | None) -> None:
        """The user's choice for an unrecognised name (None: skip its rows)."""
        assert self.mapping is not None
        self.set_mapping(self.mapping.with_unit(name, registry_id), refresh=False)

    # --- planning ---------------------------------------------------------------------------------
    def check_rows(self, then: Callable[[], None]) -> None:
        """Plan the import with the current mapping (off the GUI thread), then ``then()``."""
        assert self.table is not None and self.mapping is not None
        if self.plan is not None and self.planned_for == self.mapping:
            then()
            return
        mapping = self.mapping
        self.runner.run(f"Checking every row of {self.table.source.name}…",
                        partial(plan_table, self.project, self.table, mapping),
                        lambda result: self._on_planned(result, mapping, then), self._on_failure)

    def _on_planned(self, result: PlanResult, mapping: ColumnMapping, then: Callable[[], None]) -> None:
        if result.plan is None:
            self.mapping_problem = result.problem
            self.go(self.mapping_page)
            return
        self.plan, self.planned_for = result.plan, mapping
        then()

    # --- applying ---------------------------------------------------------------------------------
    def apply(self) -> bool:
        """Write the plan as ONE session step (on the GUI thread); False if it was refused."""
        plan = self.plan
        if plan is None or self.runner.busy or self.preview_page.problem():
            return False
        self.say(f"Writing {len(plan.changes):,} records as one step…")
        self.note.repaint()  # painted now: the window waits for the write (about 20,000 records a second)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.session.apply(plan.changes)
        except USER_ERRORS as exc:
            self.preview_page.message.setText(f"Nothing was imported: {sentence(exc)}")
            return False
        finally:
            QApplication.restoreOverrideCursor()
        c = plan.counts()
        self.imported.emit(f"Imported {plan.source} as one step: {c['new']:,} new, {c['changed']:,} "
                           f"changed, {c['unchanged']:,} unchanged, {c['refused']:,} refused, "
                           f"{c['skipped']:,} skipped (Edit → Undo takes it back).")
        self.accept()
        return True

    def done(self, result: int) -> None:
        self.runner.cancel()
        super().done(result)


def _fits(mapping: ColumnMapping | None, headers: tuple[str, ...]) -> bool:
    """Whether a mapping (the user's, kept across a re-read) still names only these columns."""
    return mapping is not None and all(h in headers for h in mapping.columns)
