"""What the wizard runs off the GUI thread: reading the file, laying it out, planning.

Plain functions of their inputs (no widget, no session), so a worker thread may run
them; problems the user can fix (a wrong encoding, no header row, a column that must
be mapped) come back as a sentence beside the result instead of an exception, so the
page shows them where the choice is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from resilience_map.io.tables import (
    ColumnMapping,
    SourceTable,
    TableError,
    TableImportPlan,
    TableLayout,
    detect_layout,
    plan_import,
    read_table,
)
from resilience_map.io.tables.encoding import detect_encoding
from resilience_map.io.tables.reading import TEXT_SUFFIXES
from resilience_map.session.readers import project_reader
from resilience_map.ui.errors import sentence
from resilience_map.ui.widgets.background import Progress

#: Bytes read to guess an encoding the file then turned out not to be in.
_GUESS_BYTES = 260 * 1024  # a little more than the detector samples, as from the whole file


@dataclass(frozen=True)
class ReadResult:
    """The file as read with the user's choices; ``problem`` says what stopped it."""

    source: SourceTable | None
    layout: TableLayout | None
    problem: str = ""
    #: The codec tried when the user chose none (shown in the encoding list on failure).
    guess: str | None = None


@dataclass(frozen=True)
class PlanResult:
    plan: TableImportPlan | None
    problem: str = ""


def read_file(path: Path, encoding: str | None, sheet: str | None, header_row: int | None,
              _progress: Progress) -> ReadResult:
    """Read and lay out the table (see :func:`~resilience_map.io.tables.read_table`)."""
    try:
        source = read_table(path, encoding=encoding, sheet=sheet)
    except TableError as exc:
        return ReadResult(None, None, sentence(exc), _guess(path) if encoding is None else encoding)
    return lay_out(source, header_row, _progress)


def lay_out(source: SourceTable, header_row: int | None, _progress: Progress) -> ReadResult:
    """Headers and data rows with the user's header row (None: found)."""
    try:
        return ReadResult(source, detect_layout(source, header_row))
    except TableError as exc:
        return ReadResult(source, None, sentence(exc))


def plan_table(project: Path, layout: TableLayout, mapping: ColumnMapping,
               progress: Progress) -> PlanResult:
    """Every row matched and validated against the project (read through a reader of its own)."""
    try:
        with project_reader(project) as store:
            return PlanResult(plan_import(layout, mapping, store, progress))
    except TableError as exc:
        return PlanResult(None, sentence(exc))


def _guess(path: Path) -> str | None:
    if path.suffix.lower() not in TEXT_SUFFIXES:
        return None
    try:
        with path.open("rb") as handle:
            return detect_encoding(handle.read(_GUESS_BYTES)).codec
    except OSError:
        return None
