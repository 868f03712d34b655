"""File → Import boundaries…: read and match a file, review what is unsure, credit it, apply as ONE step.

Matching never guesses a boundary onto the wrong municipality: features it is unsure
about go to the review dialog. Before anything is written the user confirms who made
the boundaries and under which licence (pre-filled from the file; in the review dialog,
or in a small dialog of its own when nothing needs review). What is then applied is
one :class:`~resilience_map.session.boundaries.ImportBoundaries` command — the command
line's path too: one transaction writing the polygons and the import's credit, one
undoable step (Edit → Undo takes both back), a ``BoundariesChanged`` and a
``MetaChanged`` event that the map, its attribution, the municipality table and the
history follow like any other change.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMainWindow

from resilience_map.session import ProjectSession
from resilience_map.ui.shell.reporter import ErrorReporter

if TYPE_CHECKING:  # geopandas and the matcher load only when boundaries are imported
    from resilience_map.io.attribution import BoundaryCredit
    from resilience_map.io.matching import BoundaryImportPlan
    from resilience_map.ui.boundaries.credit_dialog import CreditDialog
    from resilience_map.ui.boundaries.review_dialog import BoundaryReviewDialog

BOUNDARY_FILTER = "Boundary files (*.gpkg *.geojson *.json *.shp *.zip *.fgb);;All files (*)"


class BoundaryImporter(QObject):
    """Runs boundary imports for the window's session."""

    def __init__(self, session: ProjectSession, reporter: ErrorReporter, window: QMainWindow) -> None:
        super().__init__(window)
        self.session = session
        self.reporter = reporter
        self.window = window
        self.review_dialog: BoundaryReviewDialog | None = None
        self.credit_dialog: CreditDialog | None = None

    def import_dialog(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self.window, "Import municipality boundaries", "",
                                                BOUNDARY_FILTER)
        for name in names:
            self.import_file(Path(name))

    def import_file(self, path: Path, country: str | None = None,
                    credit: BoundaryCredit | None = None) -> BoundaryImportPlan | None:
        """Match a file, then ask for what is unsure and for its credit (scripts may give
        ``credit``: then a file needing no review is applied at once)."""
        from resilience_map.io.boundaries import BoundaryFileError
        from resilience_map.io.boundary_import import plan_for_project
        from resilience_map.ui.boundaries.credit_dialog import CreditDialog
        from resilience_map.ui.boundaries.review_dialog import BoundaryReviewDialog

        if self.session.store is None:
            return None
        plan = None
        with self.reporter.guard("Cannot import boundaries") as outcome:
            try:
                plan = plan_for_project(self.session.require_store(), path, country)
            except BoundaryFileError as exc:
                outcome.ok = False
                self.reporter.show("Cannot import boundaries", str(exc))
        if plan is None or not outcome.ok:
            return None
        if plan.pending():
            review = self.review_dialog = BoundaryReviewDialog(
                plan, self.session.indexes.municipalities.all(), path.name, self.window)
            review.accepted.connect(lambda: self.apply(plan, path, review.credit()))
            review.open()
        elif credit is not None:
            self.apply(plan, path, credit)
        else:
            asked = self.credit_dialog = CreditDialog(plan, path.name, self.window)
            asked.accepted.connect(lambda: self.apply(plan, path, asked.credit()))
            asked.open()
        return plan

    def apply(self, plan: BoundaryImportPlan, path: Path, credit: BoundaryCredit | None) -> int:
        """Save the plan's polygons and their credit as one undoable step; returns how many."""
        from resilience_map.io.boundary_import import boundary_change
        from resilience_map.session.boundaries import ImportBoundaries

        if credit is None or not credit.source:
            self.reporter.show("Boundaries not saved", f"{path.name}: the boundaries' source is "
                               "needed so the map can credit them; nothing was changed.")
            return 0
        command = None
        with self.reporter.guard("Boundaries not saved") as outcome:
            change = boundary_change(self.session.require_store(), plan, credit, self.session.author)
            if change.after:
                command = ImportBoundaries(change)
                self.session.do(command)
        if not outcome.ok:
            return 0
        if command is None:
            self.window.statusBar().showMessage(f"No boundaries matched in {path.name}. {plan.summary()}",
                                                15_000)
            return 0
        self.window.statusBar().showMessage(
            f"{command.applied} boundaries saved from {path.name} with the credit “{credit.text()}” "
            f"(Edit → Undo takes them back). {plan.summary()}", 15_000)
        return command.applied
