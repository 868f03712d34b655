"""File → Import boundaries…: read and match a file, review what is unsure, apply as ONE step.

Matching never guesses a boundary onto the wrong municipality: features it is unsure
about go to the review dialog. What is then applied is one :class:`SetBoundaries`
command — one transaction, one undoable step (Edit → Undo takes the whole import
back), one :class:`BoundariesChanged` event that the map, the municipality table and
the history follow like any other change. The import's record (the file's source and
licence as it states them, or its name) is written in the same step, so the map credits
the polygons it draws and Undo takes the credit back with them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMainWindow

from resilience_map.session import ProjectSession, SetBoundaries
from resilience_map.ui.shell.reporter import ErrorReporter

if TYPE_CHECKING:  # geopandas and the matcher load only when boundaries are imported
    from resilience_map.io.matching import BoundaryImportPlan
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

    def import_dialog(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self.window, "Import municipality boundaries", "",
                                                BOUNDARY_FILTER)
        for name in names:
            self.import_file(Path(name))

    def import_file(self, path: Path, country: str | None = None) -> BoundaryImportPlan | None:
        """Match a file; apply at once if nothing needs review, else open the review dialog."""
        from resilience_map.io.attribution import credit_from_file
        from resilience_map.io.boundaries import BoundaryFileError, read_boundaries
        from resilience_map.io.matching import plan_boundary_import
        from resilience_map.ui.boundaries.review_dialog import BoundaryReviewDialog

        if self.session.store is None:
            return None
        units = self.session.indexes.municipalities.all()
        plan = None
        with self.reporter.guard("Cannot import boundaries") as outcome:
            try:
                features = read_boundaries(path)
                credit = credit_from_file(path, features, features.attrs.get("layer"))
                plan = plan_boundary_import(features, units, country=country, credit=credit,
                                            source_name=path.name)
            except BoundaryFileError as exc:
                outcome.ok = False
                self.reporter.show("Cannot import boundaries", str(exc))
        if plan is None or not outcome.ok:
            return None
        if not plan.pending():
            self.apply(plan, path)
            return plan
        self.review_dialog = BoundaryReviewDialog(plan, units, path.name, self.window)
        self.review_dialog.accepted.connect(lambda: self.apply(plan, path))
        self.review_dialog.open()
        return plan

    def apply(self, plan: BoundaryImportPlan, path: Path) -> int:
        """Save the plan's matched geometries and the import's credit as one undoable step;
        returns how many polygons."""
        from resilience_map.io.attribution import BoundaryCredit
        from resilience_map.io.boundary_import import boundary_change

        credit = plan.credit
        if credit is None or not credit.source:  # until the dialog asks: the file, licence as stated
            credit = BoundaryCredit(f"file {path.name}", credit.licence if credit else "")
        geometries: dict = {}
        with self.reporter.guard("Boundaries not saved") as outcome:
            change = boundary_change(self.session.require_store(), plan, credit, self.session.author)
            geometries = dict(change.after)
            if geometries:
                self.session.do(SetBoundaries(geometries, source=path.name, meta=change.meta_after,
                                              text=f"Import {len(geometries)} boundaries from {path.name}"))
        if not outcome.ok:
            return 0
        if not geometries:
            self.window.statusBar().showMessage(f"No boundaries matched in {path.name}. {plan.summary()}",
                                                15_000)
            return 0
        self.window.statusBar().showMessage(
            f"{len(geometries)} boundaries saved from {path.name} (Edit → Undo takes them back). "
            f"{plan.summary()}", 15_000)
        return len(geometries)
